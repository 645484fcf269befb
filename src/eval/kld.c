/*
 * kld.c — see kld.h. The statistics are llama-perplexity's definitions:
 * per scored position, KLD = sum over tokens with base log-probability
 * above -16 of p_base * (log p_base - log p), Δp = p(next) - p_base(next),
 * "same top" when both models' most likely token (the first on ties) is
 * the same; means with standard errors, percentiles by linear interpolation.
 */
#include "eval/kld.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Words of uint16 per row of the file. */
static size_t row_words(int32_t n_vocab) { return 2 * (((size_t)n_vocab + 1) / 2) + 4; }

/* Evaluate one chunk (first token replaced by bos when bos >= 0) and copy the
 * logits after positions first .. n_ctx-2 into rows. */
static int chunk_rows(mote_context *c, const int32_t *chunk, int32_t n_ctx, int32_t bos, int32_t n_vocab,
                      int32_t n_batch, float *rows) {
    const int32_t first = n_ctx / 2;
    mote_context_reset(c);
    int32_t pos = 0;
    if (bos >= 0) {
        int rc = mote_decode(c, &bos, 1, false, NULL);
        if (rc) return rc;
        pos = 1;
    }
    while (pos < n_ctx - 1) {
        const int32_t limit = pos < first ? first : n_ctx - 1;
        const int32_t len = limit - pos < n_batch ? limit - pos : n_batch;
        const bool scored = pos + len > first;
        const float *logits;
        int rc = mote_decode(c, chunk + pos, len, scored, &logits);
        if (rc) return rc;
        if (scored)
            for (int32_t i = 0; i < len; i++)
                if (pos + i >= first)
                    memcpy(rows + (size_t)(pos + i - first) * (size_t)n_vocab, logits + (size_t)i * (size_t)n_vocab,
                           sizeof(float) * (size_t)n_vocab);
        pos += len;
    }
    return 0;
}

/* One row of the file from logits; returns -log p(target). */
static double pack_row(const float *l, int32_t n_vocab, int32_t target, uint16_t *row) {
    float max = l[0], min = l[0];
    for (int32_t i = 1; i < n_vocab; i++) {
        max = l[i] > max ? l[i] : max;
        min = l[i] < min ? l[i] : min;
    }
    if (min < max - 16) min = max - 16;
    double sum = 0;
    for (int32_t i = 0; i < n_vocab; i++) sum += expf(l[i] - max);
    const float log_sum = (float)log(sum);
    const float head[2] = {(max - min) / 65535.f, min - max - log_sum};
    memcpy(row, head, sizeof head);
    uint16_t *q = row + 4;
    memset(q, 0, (row_words(n_vocab) - 4) * sizeof *q);
    if (head[0] > 0) {
        const float inv = 1 / head[0];
        for (int32_t i = 0; i < n_vocab; i++) q[i] = l[i] > min ? (uint16_t)lrintf(inv * (l[i] - min)) : 0;
    }
    return (double)(max + log_sum - l[target]);
}

int kld_save_base(const mote_model *m, mote_context *c, const int32_t *tokens, int64_t n_tokens, int32_t bos, const char *path,
                  FILE *out, double *ppl, double *ppl_err, char *err, size_t es) {
    const int32_t n_ctx = mote_context_n_ctx(c), first = n_ctx / 2;
    const int32_t n_vocab = mote_model_n_vocab(m);
    /* one chunk is enough here: the rule of at least two on the whole text is the caller's (see --chunks) */
    if (n_tokens < (int64_t)n_ctx) {
        snprintf(err, es, "a context of %d needs at least %d tokens; the text has only %lld", n_ctx, n_ctx,
                 (long long)n_tokens);
        return -1;
    }
    const int32_t n_chunk = (int32_t)(n_tokens / n_ctx), n_rows = n_ctx - 1 - first;
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, es, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    float *rows = malloc(sizeof(float) * (size_t)n_rows * (size_t)n_vocab);
    uint16_t *packed = malloc(sizeof(uint16_t) * row_words(n_vocab) * (size_t)n_rows);
    int rc = -1;
    if (!rows || !packed) {
        snprintf(err, es, "out of memory");
        goto done;
    }
    const uint32_t u_ctx = (uint32_t)n_ctx;
    fwrite("_logits_", 1, 8, f);
    fwrite(&u_ctx, sizeof u_ctx, 1, f);
    fwrite(&n_vocab, sizeof n_vocab, 1, f);
    fwrite(&n_chunk, sizeof n_chunk, 1, f);
    fwrite(tokens, sizeof *tokens, (size_t)n_chunk * (size_t)n_ctx, f);
    double nll = 0, nll2 = 0;
    int64_t count = 0;
    for (int32_t k = 0; k < n_chunk; k++) {
        const int32_t *chunk = tokens + (int64_t)k * n_ctx;
        if (chunk_rows(c, chunk, n_ctx, bos, n_vocab, n_ctx, rows)) {
            snprintf(err, es, "%s", mote_last_error());
            goto done;
        }
        for (int32_t r = 0; r < n_rows; r++) {
            double v = pack_row(rows + (size_t)r * (size_t)n_vocab, n_vocab, chunk[first + r + 1],
                                packed + (size_t)r * row_words(n_vocab));
            nll += v;
            nll2 += v * v;
            count++;
        }
        fwrite(packed, sizeof *packed, row_words(n_vocab) * (size_t)n_rows, f);
        if (out) {
            fprintf(out, "[%d]%.4f,", k + 1, exp(nll / (double)count));
            fflush(out);
        }
    }
    if (out) fputc('\n', out);
    if (ferror(f)) {
        snprintf(err, es, "cannot write '%s': %s", path, strerror(errno));
        goto done;
    }
    const double mean = nll / (double)count, var = nll2 / (double)count - mean * mean;
    *ppl = exp(mean);
    *ppl_err = var > 0 && count > 1 ? *ppl * sqrt(var / (double)(count - 1)) : 0;
    rc = 0;
done:
    free(rows);
    free(packed);
    if (fclose(f) && !rc) {
        snprintf(err, es, "cannot write '%s': %s", path, strerror(errno));
        rc = -1;
    }
    if (rc) remove(path);
    return rc;
}

/* The header of a base file; 0 or -1 with err. */
static int read_header(FILE *f, const char *path, uint32_t *n_ctx, int32_t *n_vocab, int32_t *n_chunk, char *err,
                       size_t es) {
    char magic[8];
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "_logits_", 8)) {
        snprintf(err, es, "%s: not a file of base log-probabilities (no \"_logits_\" header)", path);
        return -1;
    }
    if (fread(n_ctx, sizeof *n_ctx, 1, f) != 1 || fread(n_vocab, sizeof *n_vocab, 1, f) != 1 ||
        fread(n_chunk, sizeof *n_chunk, 1, f) != 1) {
        snprintf(err, es, "%s: the file ends inside its header", path);
        return -1;
    }
    if (*n_ctx < 4 || *n_ctx > (1u << 24) || *n_vocab < 1 || *n_chunk < 1) {
        snprintf(err, es, "%s: bad header (n_ctx %u, n_vocab %d, %d chunks)", path, *n_ctx, *n_vocab, *n_chunk);
        return -1;
    }
    return 0;
}

int kld_base_n_ctx(const char *path, int32_t *n_ctx, char *err, size_t es) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, es, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    uint32_t c;
    int32_t v, k;
    int rc = read_header(f, path, &c, &v, &k, err, es);
    fclose(f);
    if (!rc) *n_ctx = (int32_t)c;
    return rc;
}

/* Running sums of llama-perplexity's KL-divergence statistics. */
typedef struct {
    double nll, nll2, nll_base, nll_base2, nll_nll_base, kld, kld2, dp, dp2, dp4;
    size_t same_top, count;
} kld_sums;

/* Compare one position: the model's logits l with the base row. Returns the
 * position's KLD; *dp gets p(target) - p_base(target). */
static double compare_row(const float *l, int32_t n_vocab, const uint16_t *row, int32_t target, kld_sums *s,
                          float *dp) {
    float max = l[0];
    int32_t top = 0;
    for (int32_t i = 1; i < n_vocab; i++)
        if (l[i] > max) {
            max = l[i];
            top = i;
        }
    double sum = 0;
    for (int32_t i = 0; i < n_vocab; i++) sum += expf(l[i] - max);
    const float log_sum = (float)log(sum);
    float head[2];
    memcpy(head, row, sizeof head);
    const uint16_t *q = row + 4;
    const float nll = max + log_sum - l[target];
    const float nll_base = -(head[0] * q[target] + head[1]);
    s->nll += nll;
    s->nll2 += (double)nll * nll;
    s->nll_base += nll_base;
    s->nll_base2 += (double)nll_base * nll_base;
    s->nll_nll_base += (double)nll * nll_base;
    const float log_norm = max + log_sum;
    double kld = 0;
    int32_t top_base = 0;
    float best_base = 0;
    for (int32_t i = 0; i < n_vocab; i++) {
        const float lp_base = head[0] * q[i] + head[1];
        if (i == 0 || lp_base > best_base) {
            best_base = lp_base;
            top_base = i;
        }
        if (lp_base > -16.f) kld += expf(lp_base) * (lp_base - l[i] + log_norm);
    }
    s->kld += kld;
    s->kld2 += kld * kld;
    s->count++;
    s->same_top += top == top_base;
    *dp = expf(-nll) - expf(-nll_base);
    s->dp += *dp;
    s->dp2 += (double)*dp * *dp;
    s->dp4 += (double)*dp * *dp * *dp * *dp;
    return kld;
}

/* Mean and its standard error, as llama-perplexity computes them. */
static void mean_err(double sum, double sum2, size_t n, double *mean, double *err) {
    *mean = n ? sum / (double)n : 0;
    double var = n ? sum2 / (double)n - *mean * *mean : 0;
    *err = var > 0 && n > 10 ? sqrt(var / (double)(n - 1)) : 0;
}

static double covariance(double a, double b, double ab, size_t n) {
    if (n < 10) return 0;
    return (ab / (double)n - (a / (double)n) * (b / (double)n)) / (double)(n - 1);
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

static float percentile(const float *v, size_t n, float fraction) {
    if (fraction <= 0) return v[0];
    if (fraction >= 1) return v[n - 1];
    float p = fraction * (float)(n - 1);
    size_t i = (size_t)p;
    p -= (float)i;
    return (1 - p) * v[i] + p * v[i + 1 < n ? i + 1 : n - 1];
}

static float median(const float *v, size_t n) { return n % 2 ? v[n / 2] : 0.5f * (v[n / 2] + v[n / 2 - 1]); }

int kld_compare(const mote_model *m, mote_context *c, int32_t bos, const char *path, long max_chunks, FILE *out,
                kld_result *res, char *err, size_t es) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, es, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    uint32_t u_ctx;
    int32_t n_vocab, n_chunk;
    int32_t *tokens = NULL;
    float *rows = NULL, *klds = NULL, *dps = NULL;
    uint16_t *base = NULL;
    int rc = -1;
    if (read_header(f, path, &u_ctx, &n_vocab, &n_chunk, err, es)) goto done;
    const int32_t n_ctx = (int32_t)u_ctx, first = n_ctx / 2, n_rows = n_ctx - 1 - first;
    if (n_vocab != mote_model_n_vocab(m)) {
        snprintf(err, es, "%s: the base model had %d tokens in its vocabulary, this one has %d", path, n_vocab,
                 mote_model_n_vocab(m));
        goto done;
    }
    if (mote_context_n_ctx(c) != n_ctx) {
        snprintf(err, es, "%s: chunks of %d tokens, the context has %d", path, n_ctx, mote_context_n_ctx(c));
        goto done;
    }
    if (max_chunks > 0 && max_chunks < n_chunk) n_chunk = (int32_t)max_chunks;
    const size_t n_tok = (size_t)n_ctx * (size_t)n_chunk, words = row_words(n_vocab);
    tokens = malloc(sizeof *tokens * n_tok);
    rows = malloc(sizeof(float) * (size_t)n_rows * (size_t)n_vocab);
    base = malloc(sizeof *base * words * (size_t)n_rows);
    klds = malloc(sizeof *klds * (size_t)n_rows * (size_t)n_chunk);
    dps = malloc(sizeof *dps * (size_t)n_rows * (size_t)n_chunk);
    if (!tokens || !rows || !base || !klds || !dps) {
        snprintf(err, es, "out of memory");
        goto done;
    }
    if (fread(tokens, sizeof *tokens, n_tok, f) != n_tok) {
        snprintf(err, es, "%s: the file ends inside its tokens", path);
        goto done;
    }
    /* the header counted all chunks; skip the tokens of those not evaluated */
    if (max_chunks > 0) {
        uint32_t c2;
        int32_t v2, all;
        rewind(f);
        read_header(f, path, &c2, &v2, &all, err, es);
        fseek(f, (long)(sizeof(int32_t) * (size_t)n_ctx * (size_t)all), SEEK_CUR);
    }
    for (int32_t t = 0; t < (int32_t)n_tok; t++)
        if (tokens[t] < 0 || tokens[t] >= n_vocab) {
            snprintf(err, es, "%s: token %d of the text is %d, outside the vocabulary", path, t, tokens[t]);
            goto done;
        }
    kld_sums s = {0};
    if (out)
        fprintf(out, "chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence              "
                 "\xce\x94p RMS            Same top p\n");
    for (int32_t k = 0; k < n_chunk; k++) {
        if (fread(base, sizeof *base, words * (size_t)n_rows, f) != words * (size_t)n_rows) {
            snprintf(err, es, "%s: the file ends inside the log-probabilities of chunk %d", path, k + 1);
            goto done;
        }
        const int32_t *chunk = tokens + (size_t)k * (size_t)n_ctx;
        if (chunk_rows(c, chunk, n_ctx, bos, n_vocab, n_ctx, rows)) {
            snprintf(err, es, "%s", mote_last_error());
            goto done;
        }
        for (int32_t r = 0; r < n_rows; r++) {
            size_t at = (size_t)k * (size_t)n_rows + (size_t)r;
            klds[at] = (float)compare_row(rows + (size_t)r * (size_t)n_vocab, n_vocab, base + (size_t)r * words,
                                          chunk[first + r + 1], &s, &dps[at]);
        }
        if (!out) continue;
        double lp, lpe, lb, lbe, kl, kle, mse, msee;
        mean_err(s.nll, s.nll2, s.count, &lp, &lpe);
        mean_err(s.nll_base, s.nll_base2, s.count, &lb, &lbe);
        mean_err(s.kld, s.kld2, s.count, &kl, &kle);
        mean_err(s.dp2, s.dp4, s.count, &mse, &msee);
        double cov = covariance(s.nll, s.nll_base, s.nll_nll_base, s.count);
        double top = (double)s.same_top / (double)s.count;
        double top_e = s.count > 1 ? sqrt(top * (1 - top) / (double)(s.count - 1)) : 0;
        double rms = sqrt(mse);
        fprintf(out, "%4d    %9.4f \xc2\xb1 %9.4f    %10.5f \xc2\xb1 %10.5f    %10.5f \xc2\xb1 %10.5f    %6.3f \xc2\xb1 %6.3f %%    "
                     "%6.3f \xc2\xb1 %6.3f %%\n",
                k + 1, exp(lp), exp(lp) * lpe, lp - lb, sqrt(fmax(0, lpe * lpe + lbe * lbe - 2 * cov)), kl, kle,
                100 * rms, rms > 0 ? 100 * 0.5 / rms * msee : 0, 100 * top, 100 * top_e);
        fflush(out);
    }
    const size_t n = s.count;
    double lp, lpe, lb, lbe, kl, kle, dpm, dpe, mse, msee;
    mean_err(s.nll, s.nll2, n, &lp, &lpe);
    mean_err(s.nll_base, s.nll_base2, n, &lb, &lbe);
    mean_err(s.kld, s.kld2, n, &kl, &kle);
    mean_err(s.dp, s.dp2, n, &dpm, &dpe);
    mean_err(s.dp2, s.dp4, n, &mse, &msee);
    const double cov = covariance(s.nll, s.nll_base, s.nll_nll_base, n);
    const double ppl = exp(lp), ppl_e = ppl * lpe, ppl_b = exp(lb), ppl_be = ppl_b * lbe;
    const double ratio_l = lp - lb, ratio_le = sqrt(fmax(0, lpe * lpe + lbe * lbe - 2 * cov));
    qsort(klds, n, sizeof *klds, cmp_float);
    qsort(dps, n, sizeof *dps, cmp_float);
    if (res) {
        res->n_positions = (long)n;
        res->ppl = ppl, res->ppl_base = ppl_b, res->ppl_ratio = exp(ratio_l);
        res->kld_mean = kl, res->kld_err = kle;
        res->kld_p99 = percentile(klds, n, 0.99f), res->kld_max = klds[n - 1];
        res->same_top = (double)s.same_top / (double)n;
    }
    if (!out) {
        rc = 0;
        goto done;
    }
    fprintf(out, "\n====== Perplexity statistics ======\n");
    fprintf(out, "Mean PPL(Q)                   : %10.6f \xc2\xb1 %10.6f\n", ppl, ppl_e);
    fprintf(out, "Mean PPL(base)                : %10.6f \xc2\xb1 %10.6f\n", ppl_b, ppl_be);
    fprintf(out, "Cor(ln(PPL(Q)), ln(PPL(base))): %6.2f%%\n", lpe * lbe > 0 ? 100 * cov / (lpe * lbe) : 0);
    fprintf(out, "Mean ln(PPL(Q)/PPL(base))     : %10.6f \xc2\xb1 %10.6f\n", ratio_l, ratio_le);
    fprintf(out, "Mean PPL(Q)/PPL(base)         : %10.6f \xc2\xb1 %10.6f\n", exp(ratio_l), exp(ratio_l) * ratio_le);
    fprintf(out, "Mean PPL(Q)-PPL(base)         : %10.6f \xc2\xb1 %10.6f\n", ppl - ppl_b,
            sqrt(fmax(0, ppl_e * ppl_e + ppl_be * ppl_be - 2 * ppl * ppl_b * cov)));
    fprintf(out, "\n====== KL divergence statistics ======\n");
    fprintf(out, "Mean    KLD: %10.6f \xc2\xb1 %10.6f\n", kl, kle);
    fprintf(out, "Maximum KLD: %10.6f\n", klds[n - 1]);
    const float fr[] = {0.999f, 0.99f, 0.95f, 0.90f};
    const char *fn[] = {"99.9%", "99.0%", "95.0%", "90.0%"};
    for (int i = 0; i < 4; i++) fprintf(out, "%-6s  KLD: %10.6f\n", fn[i], percentile(klds, n, fr[i]));
    fprintf(out, "Median  KLD: %10.6f\n", median(klds, n));
    const float lo[] = {0.10f, 0.05f, 0.01f, 0.001f};
    const char *ln[] = {"10.0%", " 5.0%", " 1.0%", " 0.1%"};
    for (int i = 0; i < 4; i++) fprintf(out, "%-6s  KLD: %10.6f\n", ln[i], percentile(klds, n, lo[i]));
    fprintf(out, "Minimum KLD: %10.6f\n", klds[0]);
    fprintf(out, "\n====== Token probability statistics ======\n");
    fprintf(out, "Mean    \xce\x94p: %6.3f \xc2\xb1 %5.3f %%\n", 100 * dpm, 100 * dpe);
    fprintf(out, "Maximum \xce\x94p: %6.3f%%\n", 100 * dps[n - 1]);
    fprintf(out, "Median  \xce\x94p: %6.3f%%\n", 100 * median(dps, n));
    fprintf(out, "Minimum \xce\x94p: %6.3f%%\n", 100 * dps[0]);
    const double rms = sqrt(mse);
    fprintf(out, "RMS \xce\x94p    : %6.3f \xc2\xb1 %5.3f %%\n", 100 * rms, rms > 0 ? 100 * 0.5 / rms * msee : 0);
    const double top = (double)s.same_top / (double)n;
    fprintf(out, "Same top p: %6.3f \xc2\xb1 %5.3f %%\n", 100 * top, n > 1 ? 100 * sqrt(top * (1 - top) / (double)(n - 1)) : 0);
    rc = 0;
done:
    fclose(f);
    free(tokens);
    free(rows);
    free(base);
    free(klds);
    free(dps);
    return rc;
}
