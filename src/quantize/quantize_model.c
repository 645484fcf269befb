/*
 * quantize_model.c — mote_quantize_model: stream a GGUF model through the
 * quantizers into a new GGUF file.
 *
 * Tensor by tensor: the input stays mapped (the reader), each tensor's rows
 * are converted to float and quantized by a few threads, and the result goes
 * straight to the writer, so memory use is about the largest output tensor.
 * The writer writes under a temporary name and renames at the end; on any
 * failure it is aborted, so no half-written file is ever left at the output
 * path.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "quant/quantize.h"
#include "quantize/quantize_model.h"
#include "quant/types.h"

#define GGML_QUANT_VERSION 2 /* general.quantization_version of current k-quant layouts */

/* ---- rows across threads ------------------------------------------------------- */

typedef struct {
    const mote_tensor_info *src;
    int type;
    void *dst;
    size_t dst_row_bytes;
    int64_t row_begin, row_end;
    const float *imatrix;   /* ne[0] * ne[2] values or NULL */
    bool min_error;
    int status;
} quant_job;

/* Convert and quantize rows [row_begin, row_end) of one tensor. */
static void *quantize_job(void *arg) {
    quant_job *j = arg;
    const mote_tensor_info *t = j->src;
    const int64_t ne0 = t->ne[0], rows_per_matrix = t->ne[1];
    const mote_type_traits *in = mote_traits(t->type);
    const size_t src_row_bytes = mote_row_size(t->type, ne0);
    float *row = NULL;
    if (t->type != MOTE_TYPE_F32 && !(row = malloc((size_t)ne0 * sizeof *row))) {
        j->status = MOTE_ERR_NOMEM;
        return NULL;
    }
    for (int64_t r = j->row_begin; r < j->row_end; r++) {
        const char *s = (const char *)t->data + (size_t)r * src_row_bytes;
        const float *x;
        if (row) {
            in->to_float(s, row, ne0);
            x = row;
        } else {
            x = (const float *)s; /* F32 data is aligned in a mapped GGUF file */
        }
        /* Experts (ne[2] > 1) each have their own slice of the importance. */
        const float *imp = j->imatrix ? j->imatrix + (r / rows_per_matrix) * ne0 : NULL;
        (j->min_error ? mote_quantize_rows : mote_quantize_rows_compat)(
            j->type, x, (char *)j->dst + (size_t)r * j->dst_row_bytes, 1, ne0, imp);
    }
    free(row);
    return NULL;
}

static int quantize_tensor(const mote_tensor_info *t, int type, void *dst, const float *imatrix, int n_threads,
                           bool min_error) {
    const int64_t nrows = mote_tensor_nelements(t) / t->ne[0];
    if (n_threads < 1) n_threads = 1;
    if (n_threads > 64) n_threads = 64;
    if (n_threads > nrows) n_threads = (int)(nrows > 0 ? nrows : 1);
    quant_job jobs[64];
    pthread_t tids[64];
    bool started[64] = {false};
    const size_t row_bytes = mote_row_size(type, t->ne[0]);
    for (int i = 0; i < n_threads; i++) {
        jobs[i] = (quant_job){t, type, dst, row_bytes, nrows * i / n_threads, nrows * (i + 1) / n_threads, imatrix, min_error, 0};
        /* Thread 0's share runs on the calling thread; a failed spawn does its share inline too. */
        if (i > 0 && pthread_create(&tids[i], NULL, quantize_job, &jobs[i]) == 0) started[i] = true;
    }
    quantize_job(&jobs[0]);
    for (int i = 1; i < n_threads; i++) {
        if (started[i]) pthread_join(tids[i], NULL);
        else quantize_job(&jobs[i]);
    }
    for (int i = 0; i < n_threads; i++)
        if (jobs[i].status) return mote_fail(jobs[i].status, "out of memory quantizing %s", t->name);
    return MOTE_OK;
}

/* ---- reporting ------------------------------------------------------------------- */

static void human_size(char *buf, size_t n, double bytes) {
    if (bytes >= 1024.0 * 1024 * 1024) snprintf(buf, n, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    else if (bytes >= 1024.0 * 1024) snprintf(buf, n, "%.2f MiB", bytes / (1024.0 * 1024));
    else snprintf(buf, n, "%.2f KiB", bytes / 1024.0);
}

static void shape_str(char *buf, size_t n, const mote_tensor_info *t) {
    int k = snprintf(buf, n, "[%lld", (long long)t->ne[0]);
    for (int d = 1; d < t->n_dims && k < (int)n; d++) k += snprintf(buf + k, n - (size_t)k, " x %lld", (long long)t->ne[d]);
    if (k < (int)n) snprintf(buf + k, n - (size_t)k, "]");
}

/* ---- the importance vector of a tensor ------------------------------------------- */

static int find_importance(const mote_quantize_params *p, const mote_tensor_info *t, const float **out) {
    *out = NULL;
    if (!p->imatrix) return MOTE_OK;
    int64_t n = 0;
    const float *v = mote_imatrix_find(p->imatrix, t->name, &n);
    if (!v) {
        if (p->log) fprintf(p->log, "    (no importance data for %s: quantized without)\n", t->name);
        return MOTE_OK;
    }
    if (n != t->ne[0] * t->ne[2]) {
        /* Token embeddings are looked up, not multiplied: a mismatch there is harmless. */
        if (!strcmp(t->name, "token_embd.weight")) return MOTE_OK;
        return mote_fail(MOTE_ERR_SHAPE, "imatrix has %lld values for %s, which needs %lld", (long long)n, t->name,
                         (long long)(t->ne[0] * t->ne[2]));
    }
    *out = v;
    return MOTE_OK;
}

/* ---- the whole file ------------------------------------------------------------- */

/* gguf's setters (llama-quantize's) move a key that exists to the end; ours
 * replace it in place. Dropping it first gives llama-quantize's key order. */
static int drop_copied_key(mote_gguf_writer *w, const mote_gguf *in, const char *key) {
    return mote_gguf_find_key(in, key) >= 0 ? mote_gguf_writer_remove_key(w, key) : MOTE_OK;
}

/* A string value as llama-quantize stores its overrides: at most 127 bytes. */
static int set_str127(mote_gguf_writer *w, const char *key, const char *value) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s", value);
    return mote_gguf_writer_set_str(w, key, buf);
}

/* llama-quantize's record of the importance matrix, in its order. */
static int set_imatrix_keys(mote_gguf_writer *w, const mote_gguf *in, const mote_quantize_params *p) {
    static const char *keys[] = {"quantize.imatrix.file", "quantize.imatrix.dataset", "quantize.imatrix.entries_count",
                                 "quantize.imatrix.chunks_count"};
    for (size_t k = 0; k < 4; k++)
        if (drop_copied_key(w, in, keys[k]) != MOTE_OK) return MOTE_ERR_INVALID_ARG;
    int st = set_str127(w, "quantize.imatrix.file", p->imatrix_file ? p->imatrix_file : "");
    const char *dataset = mote_imatrix_dataset(p->imatrix);
    if (st == MOTE_OK && dataset) st = set_str127(w, "quantize.imatrix.dataset", dataset);
    if (st == MOTE_OK)
        st = mote_gguf_writer_set_u32(w, "quantize.imatrix.entries_count", (uint32_t)mote_imatrix_count(p->imatrix));
    if (st == MOTE_OK && mote_imatrix_chunk_count(p->imatrix) > 0)
        st = mote_gguf_writer_set_u32(w, "quantize.imatrix.chunks_count", (uint32_t)mote_imatrix_chunk_count(p->imatrix));
    return st;
}

static int setup_writer(const mote_gguf *in, const mote_quant_plan_entry *plan, int ftype, const mote_quantize_params *p,
                        mote_gguf_writer *w) {
    int st = MOTE_OK;
    for (int64_t i = 0; i < mote_gguf_n_kv(in) && st == MOTE_OK; i++) st = mote_gguf_writer_copy_kv(w, in, i);
    if (st == MOTE_OK) st = drop_copied_key(w, in, "general.quantization_version");
    if (st == MOTE_OK) st = mote_gguf_writer_set_u32(w, "general.quantization_version", GGML_QUANT_VERSION);
    if (st == MOTE_OK) st = drop_copied_key(w, in, "general.file_type");
    if (st == MOTE_OK) st = mote_gguf_writer_set_u32(w, "general.file_type", (uint32_t)ftype);
    /* One output file even if the input was split. */
    static const char *split_keys[] = {"split.no", "split.count", "split.tensors.count"};
    for (size_t k = 0; k < 3 && st == MOTE_OK; k++)
        if (mote_gguf_find_key(in, split_keys[k]) >= 0) st = mote_gguf_writer_remove_key(w, split_keys[k]);
    if (st == MOTE_OK && p->imatrix) st = set_imatrix_keys(w, in, p);
    for (int64_t k = 0; k < mote_gguf_n_tensors(in) && st == MOTE_OK; k++) {
        const mote_tensor_info *t = mote_gguf_tensor(in, plan[k].index);
        st = mote_gguf_writer_add_tensor(w, t->name, plan[k].type, t->n_dims, t->ne, NULL);
    }
    return st;
}

/* Write every tensor in plan order; totals for the summary. */
static int stream_tensors(const mote_gguf *in, const mote_quantize_params *p, const mote_quant_plan_entry *plan,
                          mote_gguf_writer *w, double *bytes_in, double *bytes_out, double *n_weights) {
    const int64_t n = mote_gguf_n_tensors(in);
    void *buf = NULL;
    size_t buf_cap = 0;
    int st = MOTE_OK;
    int64_t weights_total = 0, weights_done = 0;
    for (int64_t k = 0; k < n; k++) weights_total += mote_tensor_nelements(mote_gguf_tensor(in, k));
    for (int64_t k = 0; k < n && st == MOTE_OK; k++) {
        const mote_tensor_info *t = mote_gguf_tensor(in, plan[k].index);
        const int type = plan[k].type;
        const int64_t nel = mote_tensor_nelements(t);
        const size_t out_size = (size_t)(nel / t->ne[0]) * mote_row_size(type, t->ne[0]);
        char shape[96], before[32], after[32];
        shape_str(shape, sizeof shape, t);
        human_size(before, sizeof before, (double)t->size);
        human_size(after, sizeof after, (double)out_size);
        if (type == t->type) {
            st = mote_gguf_writer_write_tensor_data(w, t->data, t->size);
            if (p->log) fprintf(p->log, "[%4lld/%4lld] %-32s %-16s %6s  %10s (kept)\n", (long long)k + 1, (long long)n, t->name,
                                shape, mote_type_name(type), before);
        } else {
            const float *imp = NULL;
            st = find_importance(p, t, &imp);
            if (st) break;
            if (out_size > buf_cap) {
                void *nb = realloc(buf, out_size);
                if (!nb) {
                    st = mote_fail(MOTE_ERR_NOMEM, "out of memory for %s (%zu bytes)", t->name, out_size);
                    break;
                }
                buf = nb;
                buf_cap = out_size;
            }
            if (p->log && plan[k].fallback)
                fprintf(p->log, "    %s: rows of %lld values do not fit %s blocks of %lld, using %s\n", t->name,
                        (long long)t->ne[0], mote_type_name(plan[k].wanted), (long long)mote_type_block_size(plan[k].wanted),
                        mote_type_name(type));
            st = quantize_tensor(t, type, buf, imp, p->n_threads, p->min_error);
            if (st == MOTE_OK) st = mote_gguf_writer_write_tensor_data(w, buf, out_size);
            if (p->log) fprintf(p->log, "[%4lld/%4lld] %-32s %-16s %6s -> %-7s %10s -> %10s%s\n", (long long)k + 1,
                                (long long)n, t->name, shape, mote_type_name(t->type), mote_type_name(type), before, after,
                                imp ? "  (imatrix)" : "");
        }
        *bytes_in += (double)t->size;
        *bytes_out += (double)out_size;
        *n_weights += (double)nel;
        weights_done += nel;
        if (p->progress && st == MOTE_OK) p->progress(weights_done, weights_total, p->progress_user);
    }
    free(buf);
    return st;
}

int mote_quantize_model(const char *in_path, const char *out_path, const mote_quantize_params *p) {
    mote_gguf *in = NULL;
    int st = mote_gguf_open(in_path, &in);
    if (st) return st;
    const int64_t n = mote_gguf_n_tensors(in);
    mote_quant_plan_entry *plan = calloc((size_t)(n > 0 ? n : 1), sizeof *plan);
    if (!plan) {
        mote_gguf_close(in);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    }
    st = mote_quantize_plan(in, p, plan);
    const bool budget = p->target_bpw > 0 || p->target_size > 0;
    int ftype = p->preset ? p->preset->ftype : 0;
    if (st == MOTE_OK && budget) st = mote_quantize_budget(in, p, plan, &ftype);
    mote_gguf_writer *w = NULL;
    if (st == MOTE_OK && !(w = mote_gguf_writer_new())) st = mote_fail(MOTE_ERR_NOMEM, "out of memory");
    if (st == MOTE_OK) st = setup_writer(in, plan, ftype, p, w);
    bool begun = false;
    if (st == MOTE_OK) {
        st = mote_gguf_writer_begin(w, out_path);
        begun = st == MOTE_OK;
    }
    double bytes_in = 0, bytes_out = 0, n_weights = 0;
    if (st == MOTE_OK) st = stream_tensors(in, p, plan, w, &bytes_in, &bytes_out, &n_weights);
    if (st == MOTE_OK) st = mote_gguf_writer_finish(w);
    else if (begun) mote_gguf_writer_abort(w);
    if (st == MOTE_OK && p->log) {
        char a[32], b[32];
        human_size(a, sizeof a, bytes_in);
        human_size(b, sizeof b, bytes_out);
        fprintf(p->log, "model size: %s -> %s (%s, %.2f bits per weight over %.0f weights)\n", a, b,
                budget ? "budget mix" : p->preset->name,
                n_weights > 0 ? bytes_out * 8 / n_weights : 0.0, n_weights);
    }
    mote_gguf_writer_free(w);
    free(plan);
    mote_gguf_close(in);
    return st;
}
