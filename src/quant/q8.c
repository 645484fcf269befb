/*
 * q8.c — the 8-bit types: Q8_0 as a weight type, and the three activation
 * formats that weights are multiplied against (Q8_0, Q8_1, Q8_K).
 *
 * Quantized matrix products in GGML (and so in the reference logits we are
 * checked against) first round the activation row to 8 bits, then take
 * integer dot products. To land on the same numbers, the activation
 * quantizers here reproduce, byte for byte, the quantizers GGML's CPU
 * backend runs on x86-64 with AVX2 — the build that produced the fixtures'
 * reference logits. For Q8_0/Q8_1 that build differs from GGML's portable
 * reference quantizer in two ways that flip roughly one quant in a few
 * hundred, enough to decide near-ties between the two best next tokens:
 * it multiplies by 127/amax (not by 1/(amax/127)) and it rounds halves to
 * even (not away from zero).
 *
 *   Q8_0  32 values, d = amax/127 (stored fp16), q = round-half-even(x * (127/amax))
 *   Q8_1  the same, plus s = d * sum(q) (fp16), used by types with an offset
 *   Q8_K  256 values, float d from the value of largest magnitude (sign
 *         included, so that value maps to exactly -127), q rounded half to
 *         even, plus bsums = sums of each group of 16 q (used by k-quants to
 *         apply their per-group minimums without touching every element).
 *         (GGML's x86 build uses its portable quantizer here.)
 *
 * The order of float operations matters for bit-exactness (the multiplier
 * is taken once, then multiplied), so it is kept exactly. The SIMD copies in
 * x86/avx2_float.c and arm/neon.c must give the same bytes.
 */
#include <math.h>
#include <string.h>

#include <float.h>

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

/* The Q8_0/Q8_1 multiplier 127/amax, 0 for an all-zero block. A block so
 * small that 127/amax overflows (amax < ~3.7e-37) also gets 0: its fp16
 * scale is 0, so its quants do not matter, and 0 keeps them in range. */
float mote_q8_multiplier(float amax) {
    const float m = amax != 0.0f ? 127.0f / amax : 0.0f;
    return m <= FLT_MAX ? m : 0.0f;
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
        const float amax = abs_max(src, QK8_0);
        const float mul = mote_q8_multiplier(amax);
        b->d = mote_f32_to_fp16(amax / 127.0f);
        /* rintf rounds halves to even (default mode); |src*mul| <= 127 so the cast is safe. */
        for (int j = 0; j < QK8_0; j++) b->qs[j] = (int8_t)rintf(src[j] * mul);
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
        const float amax = abs_max(src, QK8_1);
        const float d = amax / 127.0f, mul = mote_q8_multiplier(amax);
        b->d = mote_f32_to_fp16(d);
        int sum = 0;
        for (int j = 0; j < QK8_1; j++) {
            b->qs[j] = (int8_t)rintf(src[j] * mul);
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
