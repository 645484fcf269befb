/*
 * quantize_rows.c — quantize a matrix row by row: mote_quantize_rows_compat
 * (exactly what llama-quantize writes) and mote_quantize_rows (never worse).
 *
 * mote_quantize_rows makes up to four candidate quantizations of a row —
 * llama-quantize's with the given importance, llama-quantize's without it,
 * an alternative search with uniform weights, and for the 32-value types a
 * search that minimises exactly the weighted error — decodes each with the
 * type's dequantizer and keeps, block by block, the candidate with the least
 * error, weighted by the importance when there is one. Blocks are
 * independent in every GGUF type, so mixing them is free, and as
 * llama-quantize's result is always a candidate, mote's error is never
 * larger than llama-quantize's, with or without an importance matrix.
 *
 * The importance-aware quantizers are listed here by type id (they take an
 * extra argument, so they do not fit the traits table's from_float column).
 */
#include "quant/quantize.h"

#include <stdlib.h>
#include <string.h>

#include "quant/types.h"

static const mote_quantize_row_fn row_quantizers[MOTE_TYPE_COUNT] = {
    [MOTE_TYPE_Q4_0] = mote_q4_0_quantize_row,     [MOTE_TYPE_Q4_1] = mote_q4_1_quantize_row,
    [MOTE_TYPE_Q5_0] = mote_q5_0_quantize_row,     [MOTE_TYPE_Q5_1] = mote_q5_1_quantize_row,
    [MOTE_TYPE_Q8_0] = mote_q8_0_quantize_row,     [MOTE_TYPE_Q2_K] = mote_q2_K_quantize_row,
    [MOTE_TYPE_Q3_K] = mote_q3_K_quantize_row,     [MOTE_TYPE_Q4_K] = mote_q4_K_quantize_row,
    [MOTE_TYPE_Q5_K] = mote_q5_K_quantize_row,     [MOTE_TYPE_Q6_K] = mote_q6_K_quantize_row,
    [MOTE_TYPE_IQ4_NL] = mote_iq4_nl_quantize_row, [MOTE_TYPE_IQ4_XS] = mote_iq4_xs_quantize_row,
    [MOTE_TYPE_TQ1_0] = mote_tq1_0_quantize_row,   [MOTE_TYPE_TQ2_0] = mote_tq2_0_quantize_row,
};

/* Alternative searches where the importance-aware quantizer with uniform
 * weights is not one (it ignores the weights). */
static const mote_quantize_row_fn alt_quantizers[MOTE_TYPE_COUNT] = {
    [MOTE_TYPE_TQ1_0] = mote_tq1_0_quantize_row_fitted,
    [MOTE_TYPE_TQ2_0] = mote_tq2_0_quantize_row_fitted,
};

/* Searches that take the error metric's weights as they are. */
static const mote_quantize_row_fn direct_quantizers[MOTE_TYPE_COUNT] = {
    [MOTE_TYPE_Q4_0] = mote_q4_0_quantize_row_direct, [MOTE_TYPE_Q4_1] = mote_q4_1_quantize_row_direct,
    [MOTE_TYPE_Q5_0] = mote_q5_0_quantize_row_direct, [MOTE_TYPE_Q5_1] = mote_q5_1_quantize_row_direct,
    [MOTE_TYPE_Q8_0] = mote_q8_0_quantize_row_direct,
};

/* The float types have no blocks and ignore importance. */
static bool is_plain_float(int type) {
    return type == MOTE_TYPE_F32 || type == MOTE_TYPE_F16 || type == MOTE_TYPE_BF16;
}

bool mote_quantize_can(int type) {
    if (type < 0 || type >= MOTE_TYPE_COUNT) return false;
    const mote_type_traits *t = mote_traits(type);
    if (!t || !t->from_float) return false;
    return row_quantizers[type] || is_plain_float(type);
}

/* llama-quantize's quantization of one row. */
static void quantize_row_compat(int type, const float *x, void *dst, int64_t n, const float *imp) {
    if (imp && row_quantizers[type]) row_quantizers[type](x, dst, n, imp);
    else mote_traits(type)->from_float(x, dst, n);
}

size_t mote_quantize_rows_compat(int type, const float *src, void *dst, int64_t nrows, int64_t n_per_row,
                                 const float *imatrix) {
    if (!mote_quantize_can(type) || nrows < 0) return 0;
    const size_t row_bytes = mote_row_size(type, n_per_row);
    if (row_bytes == 0) return 0;
    for (int64_t r = 0; r < nrows; ++r)
        quantize_row_compat(type, src + r * n_per_row, (char *)dst + (size_t)r * row_bytes, n_per_row, imatrix);
    return (size_t)nrows * row_bytes;
}

/* Weighted squared error of each block of a decoded row. */
static void block_errors(const float *x, const float *y, const float *imp, int64_t n, int64_t bs, double *err) {
    for (int64_t b = 0; b < n / bs; ++b) {
        double e = 0;
        for (int64_t j = b * bs; j < (b + 1) * bs; ++j) {
            const double d = (double)x[j] - y[j];
            e += (imp ? imp[j] : 1.0) * d * d;
        }
        err[b] = e;
    }
}

#define MAX_CANDIDATES 4

size_t mote_quantize_rows(int type, const float *src, void *dst, int64_t nrows, int64_t n_per_row,
                          const float *imatrix) {
    const mote_type_traits *t = mote_traits(type);
    /* Without a dequantizer the candidates cannot be compared: llama-quantize's result. */
    if (!t || !t->quantized || !t->to_float) return mote_quantize_rows_compat(type, src, dst, nrows, n_per_row, imatrix);
    if (!mote_quantize_can(type) || nrows < 0) return 0;
    const size_t row_bytes = mote_row_size(type, n_per_row);
    if (row_bytes == 0) return 0;
    const int64_t bs = t->block_size, nb = n_per_row / bs;

    char *cand = malloc(row_bytes);
    float *ones = malloc((size_t)n_per_row * sizeof *ones);
    float *dec = malloc((size_t)n_per_row * sizeof *dec);
    double *best_err = malloc((size_t)nb * sizeof *best_err);
    double *err = malloc((size_t)nb * sizeof *err);
    if (!cand || !ones || !dec || !best_err || !err) {
        free(cand), free(ones), free(dec), free(best_err), free(err);
        return mote_quantize_rows_compat(type, src, dst, nrows, n_per_row, imatrix); /* low memory: no search */
    }
    for (int64_t j = 0; j < n_per_row; ++j) ones[j] = 1.0f;
    mote_quantize_row_fn alt = alt_quantizers[type] ? alt_quantizers[type] : row_quantizers[type];

    for (int64_t r = 0; r < nrows; ++r) {
        const float *x = src + r * n_per_row;
        char *out = (char *)dst + (size_t)r * row_bytes;
        quantize_row_compat(type, x, out, n_per_row, imatrix);
        t->to_float(out, dec, n_per_row);
        block_errors(x, dec, imatrix, n_per_row, bs, best_err);
        for (int c = 1; c < MAX_CANDIDATES; ++c) {
            if (c == 1 && !imatrix) continue; /* candidate 0 was already the plain one */
            if (c == 3 && !direct_quantizers[type]) continue;
            if (c == 1) quantize_row_compat(type, x, cand, n_per_row, NULL);
            else if (c == 2) alt(x, cand, n_per_row, ones);
            else direct_quantizers[type](x, cand, n_per_row, imatrix ? imatrix : ones);
            t->to_float(cand, dec, n_per_row);
            block_errors(x, dec, imatrix, n_per_row, bs, err);
            for (int64_t b = 0; b < nb; ++b) {
                if (err[b] < best_err[b]) {
                    best_err[b] = err[b];
                    memcpy(out + (size_t)b * t->block_bytes, cand + (size_t)b * t->block_bytes, t->block_bytes);
                }
            }
        }
    }
    free(cand), free(ones), free(dec), free(best_err), free(err);
    return (size_t)nrows * row_bytes;
}
