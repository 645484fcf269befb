/*
 * q8.c — the 8-bit types: Q8_0 as a weight type, and the three activation
 * formats that weights are multiplied against (Q8_0, Q8_1, Q8_K).
 *
 * Quantized matrix products in GGML (and so in the reference logits we are
 * checked against) first round the activation row to 8 bits, then take
 * integer dot products. To land on the same numbers, the activation
 * quantizers here reproduce GGML's reference quantizers byte for byte:
 *
 *   Q8_0  32 values, d = amax/127 (stored fp16), q = round-half-away(x/d)
 *   Q8_1  the same, plus s = d * sum(q) (fp16), used by types with an offset
 *   Q8_K  256 values, float d from the value of largest magnitude (sign
 *         included, so that value maps to exactly -127), q rounded half to
 *         even, plus bsums = sums of each group of 16 q (used by k-quants to
 *         apply their per-group minimums without touching every element).
 *
 * The order of float operations matters for bit-exactness (1/d is taken
 * once, then multiplied), so it is kept exactly.
 */
#include <math.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/kernels.h"

/* Largest |x| over n values (0 for an all-zero block). */
static float abs_max(const float *x, int n) {
    float amax = 0.0f;
    for (int j = 0; j < n; j++) {
        float a = fabsf(x[j]);
        if (a > amax) amax = a;
    }
    return amax;
}

/* ---- Q8_0 ------------------------------------------------------------------ */

void mote_q8_0_to_float(const void *src, float *dst, int64_t n) {
    const block_q8_0 *b = src;
    for (int64_t i = 0; i < n / QK8_0; i++, b++, dst += QK8_0) {
        const float d = mote_fp16_to_f32(b->d);
        for (int j = 0; j < QK8_0; j++) dst[j] = (float)b->qs[j] * d;
    }
}

void mote_q8_0_from_float(const float *src, void *dst, int64_t n) {
    block_q8_0 *b = dst;
    for (int64_t i = 0; i < n / QK8_0; i++, b++, src += QK8_0) {
        const float d = abs_max(src, QK8_0) / 127.0f;
        const float inv = d != 0.0f ? 1.0f / d : 0.0f;
        b->d = mote_f32_to_fp16(d);
        /* roundf rounds halves away from zero; |src*inv| <= 127 so the cast is safe. */
        for (int j = 0; j < QK8_0; j++) b->qs[j] = (int8_t)roundf(src[j] * inv);
    }
}

float mote_vec_dot_q8_0_q8_0(int64_t n, const void *w, const void *x) {
    const block_q8_0 *a = w, *b = x;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK8_0; i++) {
        int32_t isum = 0;
        for (int j = 0; j < QK8_0; j++) isum += a[i].qs[j] * b[i].qs[j];
        const float scale = mote_fp16_to_f32(a[i].d) * mote_fp16_to_f32(b[i].d);
        sum += (float)isum * scale;
    }
    return sum;
}

/* ---- Q8_1 ------------------------------------------------------------------ */

void mote_q8_1_to_float(const void *src, float *dst, int64_t n) {
    const block_q8_1 *b = src;
    for (int64_t i = 0; i < n / QK8_1; i++, b++, dst += QK8_1) {
        const float d = mote_fp16_to_f32(b->d);
        for (int j = 0; j < QK8_1; j++) dst[j] = (float)b->qs[j] * d;
    }
}

void mote_q8_1_from_float(const float *src, void *dst, int64_t n) {
    block_q8_1 *b = dst;
    for (int64_t i = 0; i < n / QK8_1; i++, b++, src += QK8_1) {
        const float d = abs_max(src, QK8_1) / 127.0f;
        const float inv = d != 0.0f ? 1.0f / d : 0.0f;
        b->d = mote_f32_to_fp16(d);
        int sum = 0;
        for (int j = 0; j < QK8_1; j++) {
            b->qs[j] = (int8_t)roundf(src[j] * inv);
            sum += b->qs[j];
        }
        /* The unrounded d (not its fp16 image) scales the sum, as GGML does. */
        b->s = mote_f32_to_fp16((float)sum * d);
    }
}

/* ---- Q8_K ------------------------------------------------------------------ */

void mote_q8_K_to_float(const void *src, float *dst, int64_t n) {
    const block_q8_K *b = src;
    for (int64_t i = 0; i < n / QK_K; i++, b++, dst += QK_K)
        for (int j = 0; j < QK_K; j++) dst[j] = b->d * (float)b->qs[j];
}

void mote_q8_K_from_float(const float *src, void *dst, int64_t n) {
    block_q8_K *b = dst;
    for (int64_t i = 0; i < n / QK_K; i++, b++, src += QK_K) {
        /* The signed value of largest magnitude (the first one, on ties). */
        float amax = 0.0f, vmax = 0.0f;
        for (int j = 0; j < QK_K; j++) {
            float a = fabsf(src[j]);
            if (a > amax) { amax = a; vmax = src[j]; }
        }
        if (amax == 0.0f) {
            memset(b, 0, sizeof *b);
            continue;
        }
        /* The scale is negative when vmax is positive: vmax maps to -127, so
         * every q stays within [-127, 127] and never needs -128 (which SIMD
         * sign tricks in the dot products cannot negate). */
        const float iscale = -127.0f / vmax;
        for (int j = 0; j < QK_K; j++) {
            /* rintf: round half to even in the default rounding mode. */
            int v = (int)rintf(iscale * src[j]);
            b->qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int g = 0; g < QK_K / 16; g++) {
            int sum = 0;
            for (int j = 0; j < 16; j++) sum += b->qs[g * 16 + j];
            b->bsums[g] = (int16_t)sum;
        }
        b->d = 1.0f / iscale;
    }
}
