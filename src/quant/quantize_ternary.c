/*
 * quantize_ternary.c — quantizers of the ternary types TQ1_0 and TQ2_0:
 * every value becomes -1, 0 or +1 times the super-block's largest magnitude.
 * Meant for models trained ternary (BitNet b1.58); any other model loses
 * most of its precision. llama-quantize takes the largest magnitude as the
 * scale (mote_tq*_from_float / _quantize_row do the same); the _fitted
 * variants search the scale that minimises the (importance-weighted) error.
 */
#include "quant/blocks.h"
#include "quant/quantize.h"
#include "quant/quantize_fit.h"

static float absmax(const float *x, int n) {
    float m = 0;
    for (int j = 0; j < n; ++j) m = m > fabsf(x[j]) ? m : fabsf(x[j]);
    return m;
}

/* Trit (0, 1, 2 for -1, 0, +1) of x at inverse scale id. */
static int trit(float x, float id) { return qclamp((int)lroundf(x * id), -1, 1) + 1; }

/* TQ1_0 packs 5 trits in a byte as a base-3 number (first trit most
 * significant), scaled to 0..255 by ceil(v * 256 / 243) so that a reader
 * extracts trit k with a multiply by 3^k and a shift. */
static uint8_t pack5(int v) { return (uint8_t)((v * 256 + 242) / 243); }

/* One TQ1_0 super-block at scale d. */
static void tq1_block(const float *x, float d, block_tq1_0 *y) {
    const float id = d ? 1.0f / d : 0.0f;
    y->d = mote_f32_to_fp16(d);
    /* Values 0..159: byte m (0..31) holds values m + 32k, k = 0..4. */
    for (int m = 0; m < 32; ++m) {
        int v = 0;
        for (int k = 0; k < 5; ++k) v = v * 3 + trit(x[m + 32 * k], id);
        y->qs[m] = pack5(v);
    }
    /* Values 160..239: byte 32+m (m = 0..15) holds values 160 + m + 16k. */
    for (int m = 0; m < 16; ++m) {
        int v = 0;
        for (int k = 0; k < 5; ++k) v = v * 3 + trit(x[160 + m + 16 * k], id);
        y->qs[32 + m] = pack5(v);
    }
    /* Values 240..255: qh byte j holds values 240 + j + 4k, k = 0..3, as
     * the top four trits of five (the last one zero). */
    for (int j = 0; j < 4; ++j) {
        int v = 0;
        for (int k = 0; k < 4; ++k) v = v * 3 + trit(x[240 + j + 4 * k], id);
        y->qh[j] = pack5(v * 3);
    }
}

/* One TQ2_0 super-block at scale d: per 128 values, byte m holds values m + 32k at bits 2k. */
static void tq2_block(const float *x, float d, block_tq2_0 *y) {
    const float id = d ? 1.0f / d : 0.0f;
    y->d = mote_f32_to_fp16(d);
    for (int h = 0; h < 2; ++h)
        for (int m = 0; m < 32; ++m) {
            int v = 0;
            for (int k = 0; k < 4; ++k) v |= trit(x[128 * h + m + 32 * k], id) << (2 * k);
            y->qs[32 * h + m] = (uint8_t)v;
        }
}

/* The scale minimising the (weighted) squared error of a ternary block:
 * alternate between assigning each value to -d, 0, +d (threshold d/2) and
 * setting d to the weighted mean magnitude of the non-zero ones (Lloyd's
 * iteration; the error never increases). Starts from the largest magnitude. */
static float ternary_scale(const float *x, const float *w) {
    float d = absmax(x, QK_K);
    for (int it = 0; it < 16 && d > 0; ++it) {
        double s = 0, c = 0;
        for (int j = 0; j < QK_K; ++j) {
            if (fabsf(x[j]) * 2 >= d) {
                const double wj = w ? w[j] : 1.0;
                s += wj * fabsf(x[j]);
                c += wj;
            }
        }
        if (c <= 0) break;
        const float nd = (float)(s / c);
        if (nd == d) break;
        d = nd;
    }
    return d;
}

void mote_tq1_0_from_float(const float *src, void *dst, int64_t n) {
    block_tq1_0 *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) tq1_block(src + QK_K * b, absmax(src + QK_K * b, QK_K), &y[b]);
}

void mote_tq2_0_from_float(const float *src, void *dst, int64_t n) {
    block_tq2_0 *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) tq2_block(src + QK_K * b, absmax(src + QK_K * b, QK_K), &y[b]);
}

/* As llama-quantize: the importance is ignored, the scale is the largest magnitude. */
void mote_tq1_0_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    (void)imp;
    mote_tq1_0_from_float(src, dst, n);
}

void mote_tq2_0_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    (void)imp;
    mote_tq2_0_from_float(src, dst, n);
}

void mote_tq1_0_quantize_row_fitted(const float *src, void *dst, int64_t n, const float *imp) {
    block_tq1_0 *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b)
        tq1_block(src + QK_K * b, ternary_scale(src + QK_K * b, imp ? imp + QK_K * b : NULL), &y[b]);
}

void mote_tq2_0_quantize_row_fitted(const float *src, void *dst, int64_t n, const float *imp) {
    block_tq2_0 *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b)
        tq2_block(src + QK_K * b, ternary_scale(src + QK_K * b, imp ? imp + QK_K * b : NULL), &y[b]);
}
