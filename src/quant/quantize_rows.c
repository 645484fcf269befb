/*
 * quantize_rows.c — mote_quantize_rows: quantize a matrix row by row with the
 * importance-aware quantizer of its type.
 *
 * The importance-aware quantizers are listed here by type id (they take an
 * extra argument, so they do not fit the traits table's from_float column);
 * float types go through the traits table's from_float.
 */
#include "quant/quantize.h"

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

/* The float types have no blocks and ignore importance. */
static bool is_plain_float(int type) {
    return type == MOTE_TYPE_F32 || type == MOTE_TYPE_F16 || type == MOTE_TYPE_BF16;
}

bool mote_quantize_can(int type) {
    if (type < 0 || type >= MOTE_TYPE_COUNT) return false;
    if (row_quantizers[type]) return true;
    const mote_type_traits *t = mote_traits(type);
    return t && is_plain_float(type) && t->from_float;
}

size_t mote_quantize_rows(int type, const float *src, void *dst, int64_t nrows, int64_t n_per_row,
                          const float *imatrix) {
    if (!mote_quantize_can(type) || nrows < 0) return 0;
    const size_t row_bytes = mote_row_size(type, n_per_row);
    if (row_bytes == 0) return 0;
    const mote_type_traits *t = mote_traits(type);
    char *out = dst;
    for (int64_t r = 0; r < nrows; ++r) {
        if (row_quantizers[type]) row_quantizers[type](src + r * n_per_row, out + (size_t)r * row_bytes, n_per_row, imatrix);
        else t->from_float(src + r * n_per_row, out + (size_t)r * row_bytes, n_per_row);
    }
    return (size_t)nrows * row_bytes;
}
