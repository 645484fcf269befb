/*
 * quantize_iq4.c — quantizers of the non-linear 4-bit types IQ4_NL (blocks
 * of 32, fp16 scale) and IQ4_XS (super-blocks of 256: eight 32-value blocks
 * with 6-bit scales under one fp16 scale).
 *
 * Each 4-bit code indexes a fixed table of 16 levels that are denser near 0,
 * where most weights are; a block's scale is searched over 15 candidates and
 * the least-squares one for the chosen codes kept.
 */
#include <string.h>

#include "quant/blocks.h"
#include "quant/quantize.h"
#include "quant/quantize_fit.h"


#define IQ4_TRIES 7 /* candidate scales on each side of the first guess */

/* Best scale of one 32-value block for the IQ4 levels, weighted by w.
 * Returns 0 for an all-zero block. */
static float iq4_block_scale(const float *x, const float *w) {
    float max = signed_absmax(x, 32);
    if (fabsf(max) < MOTE_QUANT_EPS) return 0;
    /* First guess: the extreme value on the outermost level (-127). */
    float d = -max / mote_iq4_levels[0];
    float id = 1 / d;
    float sumqx = 0, sumq2 = 0;
    for (int j = 0; j < 32; ++j) {
        float q = mote_iq4_levels[nearest_index(16, mote_iq4_levels, id * x[j])];
        sumqx += w[j] * q * x[j];
        sumq2 += w[j] * q * q;
    }
    d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
    float best = d * sumqx;
    for (int t = -IQ4_TRIES; t <= IQ4_TRIES; ++t) {
        id = (t + mote_iq4_levels[0]) / max;
        sumqx = sumq2 = 0;
        for (int j = 0; j < 32; ++j) {
            float q = mote_iq4_levels[nearest_index(16, mote_iq4_levels, id * x[j])];
            sumqx += w[j] * q * x[j];
            sumq2 += w[j] * q * q;
        }
        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
            d = sumqx / sumq2;
            best = d * sumqx;
        }
    }
    return d;
}

/* Weights of one block: importance * sqrt(sigma2 + x^2), or x^2 without importance. */
static void iq4_weights(const float *x, const float *imp, float sigma2, float *w) {
    for (int j = 0; j < 32; ++j) w[j] = imp ? imp[j] * sqrtf(sigma2 + x[j] * x[j]) : x[j] * x[j];
}

static void iq4_codes(const float *x, float inv_scale, uint8_t *qs) {
    uint8_t L[32];
    for (int j = 0; j < 32; ++j) L[j] = (uint8_t)nearest_index(16, mote_iq4_levels, inv_scale * x[j]);
    for (int j = 0; j < 16; ++j) qs[j] = (uint8_t)(L[j] | (L[j + 16] << 4));
}

static float doubled_mean_square(const float *x, int n) {
    float s = 0;
    for (int j = 0; j < n; ++j) s += x[j] * x[j];
    return s * (2.f / n);
}

void mote_iq4_nl_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    block_iq4_nl *y = dst;
    float w[32];
    for (int64_t b = 0; b < n / 32; ++b) {
        const float *x = src + 32 * b;
        iq4_weights(x, imp ? imp + 32 * b : NULL, doubled_mean_square(x, 32), w);
        const float d = iq4_block_scale(x, w);
        y[b].d = mote_f32_to_fp16(d);
        iq4_codes(x, d ? 1 / d : 0, y[b].qs);
    }
}

void mote_iq4_nl_from_float(const float *src, void *dst, int64_t n) { mote_iq4_nl_quantize_row(src, dst, n, NULL); }

void mote_iq4_xs_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    block_iq4_xs *y = dst;
    float w[32], scales[8];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const float *x = src + QK_K * b;
        const float sigma2 = doubled_mean_square(x, QK_K);
        float max_scale = 0, amax_scale = 0;
        for (int ib = 0; ib < 8; ++ib) {
            iq4_weights(x + 32 * ib, imp ? imp + QK_K * b + 32 * ib : NULL, sigma2, w);
            scales[ib] = iq4_block_scale(x + 32 * ib, w);
            if (fabsf(scales[ib]) > amax_scale) {
                amax_scale = fabsf(scales[ib]);
                max_scale = scales[ib];
            }
        }
        /* Block scales become 6-bit multiples (-32..31) of d; the codes are
         * then chosen against the float scale d*l. */
        const float d = -max_scale / 32;
        const float id = d ? 1 / d : 0.f;
        y[b].d = mote_f32_to_fp16(d);
        y[b].scales_h = 0;
        memset(y[b].scales_l, 0, sizeof y[b].scales_l);
        for (int ib = 0; ib < 8; ++ib) {
            const int l = qclamp(qround(id * scales[ib]), -32, 31);
            const float dl = d * l;
            iq4_codes(x + 32 * ib, dl ? 1 / dl : 0.f, y[b].qs + 16 * ib);
            const int u = l + 32;
            y[b].scales_l[ib / 2] |= (uint8_t)((u & 0xF) << (4 * (ib % 2)));
            y[b].scales_h |= (uint16_t)((u >> 4) << (2 * ib));
        }
    }
}

void mote_iq4_xs_from_float(const float *src, void *dst, int64_t n) { mote_iq4_xs_quantize_row(src, dst, n, NULL); }
