/*
 * quantize_budget.c — budget mode of `mote quantize` (--target-bpw,
 * --target-size): a type per tensor, chosen to minimise the predicted error
 * of the whole model within a size budget, instead of a fixed preset.
 *
 * Predicted error of a tensor W quantized to type T: the expected squared
 * error its product adds to its output per token,
 *     sum over rows r and columns j of  imp_j * (W[r][j] - Q_T(W)[r][j])^2,
 * where imp_j is the mean squared activation of column j (the imatrix:
 * E[(dW x)^2] = sum_j dW_j^2 E[x_j^2] when columns are uncorrelated). This
 * scales each tensor by how strongly it is driven, so tensors are comparable
 * and the errors add up over the model. Tensors the imatrix does not cover:
 * the token embedding adds one row to the residual stream per token (its
 * error counts once per row: divided by the number of rows); any other
 * (the output head) takes the mean importance of the covered tensors of the
 * same width.
 *
 * Without an imatrix there is no common scale: columns fed by an RMS norm
 * weigh norm_weight^2 (below), others 1, and each tensor's error is taken
 * relative to its own (equally weighted) energy, i.e. every tensor counts
 * as equally important. On stories260K this beat absolute errors (PPL at
 * Q4_K_M's size: 6.876 against 6.901; at Q4_0's: 7.086 against 7.115).
 *
 * Each error is measured by quantizing (a sample of up to SAMPLE_ROWS
 * rows, scaled to the whole tensor) with the same quantizer the file will
 * be written with. The allocation is then the classic greedy on convex
 * hulls: per tensor, keep the options on the lower convex hull of (bytes,
 * error); start every tensor at its cheapest; repeatedly take the upgrade
 * with the largest error reduction per byte that still fits. On convex
 * hulls this is optimal up to the last, partly unaffordable step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "quant/quantize.h"
#include "quantize/quantize_model.h"
#include "quant/types.h"

#define SAMPLE_ROWS 256
#define MAX_OPTIONS 16

/* Every type the budget may give a tensor, cheapest first (F32 only when the input is F32). */
static const int candidate_types[] = {
    MOTE_TYPE_Q2_K, MOTE_TYPE_Q3_K, MOTE_TYPE_IQ4_XS, MOTE_TYPE_Q4_0, MOTE_TYPE_IQ4_NL, MOTE_TYPE_Q4_K, MOTE_TYPE_Q4_1,
    MOTE_TYPE_Q5_0,  MOTE_TYPE_Q5_K, MOTE_TYPE_Q5_1,  MOTE_TYPE_Q6_K, MOTE_TYPE_Q8_0, MOTE_TYPE_F16,  MOTE_TYPE_F32,
};

typedef struct {
    int type;
    double bytes, err;
} option;

typedef struct {
    int64_t k;              /* index in the plan */
    option opt[MAX_OPTIONS];
    int n_opt, cur;         /* options on the hull, cheapest first; the one chosen */
} choice;

static double tensor_bytes(const mote_tensor_info *t, int type) {
    return (double)(mote_tensor_nelements(t) / t->ne[0]) * (double)mote_row_size(type, t->ne[0]);
}

/* Mean importance over every imatrix tensor whose rows have `width` columns (0 if none). */
static double mean_importance(const mote_gguf *in, const mote_imatrix *im, int64_t width) {
    double sum = 0;
    int64_t cnt = 0;
    for (int64_t i = 0; im && i < mote_gguf_n_tensors(in); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(in, i);
        int64_t n = 0;
        const float *v = mote_imatrix_find(im, t->name, &n);
        if (!v || t->ne[0] != width || n != width) continue;
        for (int64_t j = 0; j < n; j++) sum += v[j];
        cnt += n;
    }
    return cnt ? sum / (double)cnt : 0.0;
}

/* Without an imatrix, a matrix fed by an RMS norm still has a fair guess of
 * its inputs' mean squares: the normalised vector has mean square 1 per
 * column, so column j is about norm_weight[j]^2. True (w filled) for such a
 * matrix: attention q/k/v after attn_norm, FFN gate/up after ffn_norm, the
 * head after output_norm. */
static bool norm_proxy(const mote_gguf *in, const mote_tensor_info *t, float *w, int64_t n_w) {
    static const char *const fed[][2] = {{"attn_q.", "attn_norm"}, {"attn_k.", "attn_norm"}, {"attn_v.", "attn_norm"},
                                         {"attn_qkv.", "attn_norm"}, {"ffn_gate.", "ffn_norm"}, {"ffn_up.", "ffn_norm"}};
    char name[256];
    int layer;
    name[0] = 0;
    if (!strcmp(t->name, "output.weight")) {
        snprintf(name, sizeof name, "output_norm.weight");
    } else if (sscanf(t->name, "blk.%d.", &layer) == 1) {
        for (size_t i = 0; i < sizeof fed / sizeof *fed; i++)
            if (strstr(t->name, fed[i][0])) snprintf(name, sizeof name, "blk.%d.%s.weight", layer, fed[i][1]);
    }
    const mote_tensor_info *norm = name[0] ? mote_gguf_find_tensor(in, name) : NULL;
    if (!norm || norm->type != MOTE_TYPE_F32 || mote_tensor_nelements(norm) != t->ne[0]) return false;
    const float *g = norm->data;
    for (int64_t j = 0; j < n_w; j++) w[j] = g[j % t->ne[0]] * g[j % t->ne[0]];
    return true;
}

/* Column weights for a tensor's error (see the file comment), ne[0] per
 * matrix (experts after each other); *row_scale multiplies the summed error.
 * Returns a malloc'ed array or NULL. */
static float *error_weights(const mote_gguf *in, const mote_quantize_params *p, const mote_tensor_info *t,
                            double *row_scale) {
    const int64_t ne0 = t->ne[0], n_w = ne0 * (t->n_dims > 2 ? t->ne[2] : 1);
    float *w = malloc((size_t)n_w * sizeof *w);
    if (!w) return NULL;
    *row_scale = 1.0;
    int64_t n = 0;
    const float *imp = p->imatrix ? mote_imatrix_find(p->imatrix, t->name, &n) : NULL;
    if (imp && n == n_w) {
        memcpy(w, imp, (size_t)n * sizeof *w);
        return w;
    }
    double fill = 1.0;
    if (!strcmp(t->name, "token_embd.weight")) {
        *row_scale = 1.0 / (double)t->ne[1]; /* one row per token */
    } else if (p->imatrix) {
        const double m = mean_importance(in, p->imatrix, ne0);
        if (m > 0) fill = m;
    } else if (norm_proxy(in, t, w, n_w)) {
        return w;
    }
    for (int64_t j = 0; j < n_w; j++) w[j] = (float)fill;
    return w;
}

/* Predicted error of every option of one tensor. */
static int measure(const mote_gguf *in, const mote_quantize_params *p, const mote_tensor_info *t, choice *c) {
    const int64_t ne0 = t->ne[0], rows = mote_tensor_nelements(t) / ne0, per_mat = t->ne[1];
    const int64_t n_sample = rows < SAMPLE_ROWS ? rows : SAMPLE_ROWS;
    double row_scale = 1.0;
    float *w = error_weights(in, p, t, &row_scale);
    float *x = malloc((size_t)(n_sample * ne0) * sizeof *x), *dec = malloc((size_t)ne0 * sizeof *dec);
    void *q = malloc(mote_row_size(MOTE_TYPE_F32, ne0));
    int st = w && x && dec && q ? MOTE_OK : mote_fail(MOTE_ERR_NOMEM, "out of memory measuring %s", t->name);
    /* the sampled rows, evenly spread, as floats */
    const mote_type_traits *src = mote_traits(t->type);
    const size_t src_row = mote_row_size(t->type, ne0);
    for (int64_t s = 0; st == MOTE_OK && s < n_sample; s++) {
        const int64_t r = s * rows / n_sample;
        src->to_float((const char *)t->data + (size_t)r * src_row, x + s * ne0, ne0);
    }
    for (int i = 0; st == MOTE_OK && i < (int)(sizeof candidate_types / sizeof *candidate_types); i++) {
        const int type = candidate_types[i];
        if (ne0 % mote_type_block_size(type) != 0 || !mote_quantize_can(type) || !mote_traits(type)->to_float) continue;
        if (type == MOTE_TYPE_F32 && t->type != MOTE_TYPE_F32) continue;
        double err = 0, energy = 0;
        for (int64_t s = 0; s < n_sample; s++) {
            const int64_t r = s * rows / n_sample;
            const float *imp = w + (r / per_mat) * ne0, *xs = x + s * ne0;
            (p->min_error ? mote_quantize_rows : mote_quantize_rows_compat)(type, xs, q, 1, ne0,
                                                                             p->imatrix ? imp : NULL);
            mote_traits(type)->to_float(q, dec, ne0);
            for (int64_t j = 0; j < ne0; j++) {
                const double d = (double)xs[j] - dec[j];
                err += imp[j] * d * d;
                energy += imp[j] * (double)xs[j] * xs[j];
            }
        }
        c->opt[c->n_opt++] = (option){type, tensor_bytes(t, type), p->imatrix ? err * row_scale * (double)rows / (double)n_sample
                                                             : err / (energy > 0 ? energy : 1.0)};
    }
    free(w);
    free(x);
    free(dec);
    free(q);
    if (st == MOTE_OK && c->n_opt == 0)
        st = mote_fail(MOTE_ERR_UNSUPPORTED, "tensor %s: no type fits rows of %lld values", t->name, (long long)ne0);
    return st;
}

/* Keep only the options on the lower convex hull of (bytes, error), cheapest first. */
static void keep_hull(choice *c) {
    /* sort by bytes, then error (insertion sort: at most MAX_OPTIONS) */
    for (int i = 1; i < c->n_opt; i++) {
        option o = c->opt[i];
        int j = i;
        while (j > 0 && (c->opt[j - 1].bytes > o.bytes || (c->opt[j - 1].bytes == o.bytes && c->opt[j - 1].err > o.err))) {
            c->opt[j] = c->opt[j - 1];
            j--;
        }
        c->opt[j] = o;
    }
    option hull[MAX_OPTIONS];
    int n = 0;
    for (int i = 0; i < c->n_opt; i++) {
        const option o = c->opt[i];
        if (n > 0 && o.err >= hull[n - 1].err) continue; /* more bytes, no less error */
        while (n >= 2) {
            /* drop the middle point if it lies on or above the segment from n-2 to o */
            const option a = hull[n - 2], b = hull[n - 1];
            if ((a.err - b.err) * (o.bytes - b.bytes) <= (b.err - o.err) * (b.bytes - a.bytes)) n--;
            else break;
        }
        hull[n++] = o;
    }
    memcpy(c->opt, hull, (size_t)n * sizeof *hull);
    c->n_opt = n;
    c->cur = 0;
}

/* llama.cpp's file type for a mix: that of the type holding the most weights (its loader guesses the same way). */
static int mix_ftype(int type) {
    for (const mote_quant_preset *ps = mote_quant_presets(); ps->name; ps++) {
        if (ps->default_type != type) continue;
        /* the k-quants' "mostly" file type is their _M preset: skip _S and _L */
        const size_t len = strlen(ps->name);
        if (len > 2 && ps->name[len - 2] == '_' && (ps->name[len - 1] == 'S' || ps->name[len - 1] == 'L')) continue;
        return ps->ftype;
    }
    return type == MOTE_TYPE_F32 ? 0 : 1; /* ALL_F32, MOSTLY_F16 */
}

int mote_quantize_budget(const mote_gguf *in, const mote_quantize_params *p, mote_quant_plan_entry *plan, int *ftype) {
    const int64_t n = mote_gguf_n_tensors(in);
    double n_params = 0, fixed = 0, input_tensor_bytes = 0;
    choice *ch = calloc((size_t)(n > 0 ? n : 1), sizeof *ch);
    if (!ch) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    int64_t n_ch = 0;
    int st = MOTE_OK;
    for (int64_t k = 0; k < n && st == MOTE_OK; k++) {
        const mote_tensor_info *t = mote_gguf_tensor(in, plan[k].index);
        n_params += (double)mote_tensor_nelements(t);
        input_tensor_bytes += (double)t->size;
        const bool quantizes = plan[k].type != t->type || mote_traits(plan[k].type)->quantized;
        if (plan[k].manual || !quantizes) {
            fixed += tensor_bytes(t, plan[k].type);
            continue;
        }
        ch[n_ch].k = k;
        st = measure(in, p, t, &ch[n_ch]);
        if (st == MOTE_OK) keep_hull(&ch[n_ch++]);
    }
    double budget = 0;
    if (st == MOTE_OK) {
        if (p->target_bpw > 0) {
            budget = p->target_bpw * n_params / 8.0;
        } else {
            /* the file's size less what is not tensor data (metadata, tensor table: as in the input) */
            mote_model_summary s;
            mote_gguf_summarize(in, &s);
            budget = (double)p->target_size - ((double)s.file_size - input_tensor_bytes);
        }
    }
    double used = fixed, top = fixed; /* the smallest and the largest mix */
    for (int64_t i = 0; i < n_ch; i++) {
        used += ch[i].opt[0].bytes;
        top += ch[i].opt[ch[i].n_opt - 1].bytes;
    }
    if (st == MOTE_OK && used > budget)
        st = mote_fail(MOTE_ERR_INVALID_ARG,
                       "the budget of %.0f tensor bytes (%.3f bits per weight) is below the smallest mix, %.0f bytes "
                       "(%.3f bits per weight)",
                       budget, budget * 8 / n_params, used, used * 8 / n_params);
    const double smallest = used;
    /* greedy on the hulls: the best error reduction per byte that fits, until nothing fits */
    while (st == MOTE_OK) {
        int64_t best = -1;
        double best_gain = 0;
        for (int64_t i = 0; i < n_ch; i++) {
            const choice *c = &ch[i];
            if (c->cur + 1 >= c->n_opt) continue;
            const option *a = &c->opt[c->cur], *b = &c->opt[c->cur + 1];
            if (used + (b->bytes - a->bytes) > budget) continue;
            const double gain = (a->err - b->err) / (b->bytes - a->bytes);
            if (best < 0 || gain > best_gain) {
                best = i;
                best_gain = gain;
            }
        }
        if (best < 0) break;
        choice *c = &ch[best];
        used += c->opt[c->cur + 1].bytes - c->opt[c->cur].bytes;
        c->cur++;
    }
    if (st == MOTE_OK) {
        double weights_of[MOTE_TYPE_COUNT] = {0}, predicted = 0;
        for (int64_t i = 0; i < n_ch; i++) {
            mote_quant_plan_entry *e = &plan[ch[i].k];
            const option *o = &ch[i].opt[ch[i].cur];
            e->type = e->wanted = o->type;
            e->fallback = false;
            weights_of[o->type] += (double)mote_tensor_nelements(mote_gguf_tensor(in, e->index));
            predicted += o->err;
        }
        int major = MOTE_TYPE_F32;
        for (int t = 0; t < MOTE_TYPE_COUNT; t++)
            if (weights_of[t] > weights_of[major]) major = t;
        *ftype = mix_ftype(major);
        if (p->log) {
            fprintf(p->log,
                    "budget: %.0f tensor bytes (%.3f bits per weight); the mix uses %.0f (%.3f; possible %.3f..%.3f)\n",
                    budget, budget * 8 / n_params, used, used * 8 / n_params, smallest * 8 / n_params,
                    top * 8 / n_params);
            fprintf(p->log, "budget: predicted error %.6g; mix:", predicted);
            for (int t = 0; t < MOTE_TYPE_COUNT; t++)
                if (weights_of[t] > 0) fprintf(p->log, " %s %.1f%%", mote_type_name(t), 100 * weights_of[t] / n_params);
            fprintf(p->log, " of the weights\n");
            for (int64_t i = 0; i < n_ch; i++)
                fprintf(p->log, "    %-32s %-7s (%d types on the error/size hull)\n", mote_gguf_tensor(in, plan[ch[i].k].index)->name,
                        mote_type_name(ch[i].opt[ch[i].cur].type), ch[i].n_opt);
        }
    }
    free(ch);
    return st;
}
