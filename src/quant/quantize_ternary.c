/*
 * quantize_ternary.c — quantizers of the ternary types TQ1_0 and TQ2_0:
 * every value becomes -1, 0 or +1 times the super-block's largest magnitude.
 * Meant for models trained ternary (BitNet b1.58); any other model loses
 * most of its precision. Importance cannot change a 3-level rounding with a
 * fixed scale, so both entry points give the same result.
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

void mote_tq1_0_from_float(const float *src, void *dst, int64_t n) {
    block_tq1_0 *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float *x = src + QK_K * b;
        const float d = absmax(x, QK_K);
        const float id = d ? 1.0f / d : 0.0f;
        y[b].d = mote_f32_to_fp16(d);
        /* Values 0..159: byte m (0..31) holds values m + 32k, k = 0..4. */
        for (int m = 0; m < 32; ++m) {
            int v = 0;
            for (int k = 0; k < 5; ++k) v = v * 3 + trit(x[m + 32 * k], id);
            y[b].qs[m] = pack5(v);
        }
        /* Values 160..239: byte 32+m (m = 0..15) holds values 160 + m + 16k. */
        for (int m = 0; m < 16; ++m) {
            int v = 0;
            for (int k = 0; k < 5; ++k) v = v * 3 + trit(x[160 + m + 16 * k], id);
            y[b].qs[32 + m] = pack5(v);
        }
        /* Values 240..255: qh byte j holds values 240 + j + 4k, k = 0..3, as
         * the top four trits of five (the last one zero). */
        for (int j = 0; j < 4; ++j) {
            int v = 0;
            for (int k = 0; k < 4; ++k) v = v * 3 + trit(x[240 + j + 4 * k], id);
            y[b].qh[j] = pack5(v * 3);
        }
    }
}

void mote_tq2_0_from_float(const float *src, void *dst, int64_t n) {
    block_tq2_0 *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float *x = src + QK_K * b;
        const float d = absmax(x, QK_K);
        const float id = d ? 1.0f / d : 0.0f;
        y[b].d = mote_f32_to_fp16(d);
        /* Per 128 values: byte m holds values m + 32k at bits 2k. */
        for (int h = 0; h < 2; ++h)
            for (int m = 0; m < 32; ++m) {
                int v = 0;
                for (int k = 0; k < 4; ++k) v |= trit(x[128 * h + m + 32 * k], id) << (2 * k);
                y[b].qs[32 * h + m] = (uint8_t)v;
            }
    }
}

void mote_tq1_0_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    (void)imp;
    mote_tq1_0_from_float(src, dst, n);
}

void mote_tq2_0_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    (void)imp;
    mote_tq2_0_from_float(src, dst, n);
}
