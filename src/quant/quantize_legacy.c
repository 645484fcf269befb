/*
 * quantize_legacy.c — quantizers of the 32-value block types Q4_0, Q4_1,
 * Q5_0, Q5_1 and Q8_0 (layouts in blocks.h).
 *
 * Without importance weights each block is mapped linearly from its extreme
 * values (what every GGUF reader expects of these types, and what
 * llama-quantize writes). With weights, the scale (and minimum) of each block
 * is searched to minimise the weighted error instead (quantize_fit.h).
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/kernels.h"
#include "quant/quantize.h"
#include "quant/quantize_fit.h"

/* Pack 32 levels (0..15) as 16 bytes: value j in the low nibble, j+16 in the high one. */
static void pack_nibbles32(const uint8_t *L, uint8_t *qs) {
    for (int j = 0; j < 16; ++j) qs[j] = (uint8_t)(L[j] | (L[j + 16] << 4));
}

/* Pack 32 five-bit levels: low nibbles as above, the fifth bits into qh (bit j for value j). */
static void pack_five_bits32(const uint8_t *L, uint8_t *qs, uint8_t qh_bytes[4]) {
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
        qs[j] = (uint8_t)((L[j] & 0x0F) | ((L[j + 16] & 0x0F) << 4));
        qh |= (uint32_t)((L[j] >> 4) & 1) << j;
        qh |= (uint32_t)((L[j + 16] >> 4) & 1) << (j + 16);
    }
    for (int b = 0; b < 4; ++b) qh_bytes[b] = (uint8_t)(qh >> (8 * b)); /* little-endian on disk */
}

static void min_max(const float *x, int n, float *mn, float *mx) {
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (int j = 0; j < n; ++j) {
        if (x[j] < lo) lo = x[j];
        if (x[j] > hi) hi = x[j];
    }
    *mn = lo;
    *mx = hi;
}

/* Symmetric reference block: the extreme value lands on level 0 of 2*half
 * levels, x = d*(q - half). */
static float symmetric_block(const float *x, int half, uint8_t *L) {
    const float d = signed_absmax(x, 32) / -half;
    const float id = d ? 1.0f / d : 0.0f;
    for (int j = 0; j < 32; ++j) {
        int q = (int)(int8_t)(x[j] * id + (half + 0.5f)); /* truncation after +0.5 = rounding */
        L[j] = (uint8_t)qclamp(q, 0, 2 * half - 1);
    }
    return d;
}

/* Affine reference block: x = d*q + min over nlev levels spanning [min, max]. */
static void affine_block(const float *x, int nlev, uint8_t *L, float *d_out, float *min_out) {
    float mn, mx;
    min_max(x, 32, &mn, &mx);
    const float d = (mx - mn) / (nlev - 1);
    const float id = d ? 1.0f / d : 0.0f;
    for (int j = 0; j < 32; ++j) L[j] = (uint8_t)qclamp((int)((x[j] - mn) * id + 0.5f), 0, nlev - 1);
    *d_out = d;
    *min_out = mn;
}

/* Importance of each value of one block: the column's importance, scaled by
 * how large the value is relative to the row (sigma2 = mean square of the row). */
static void block_weights(const float *x, const float *imp, float sigma2, float *w) {
    for (int j = 0; j < 32; ++j) w[j] = imp[j] * sqrtf(sigma2 + x[j] * x[j]);
}

static float mean_square(const float *x, int64_t n) {
    float s = 0;
    for (int64_t j = 0; j < n; ++j) s += x[j] * x[j];
    return s / n;
}

/* ---- Q4_0 ------------------------------------------------------------------ */

void mote_q4_0_from_float(const float *src, void *dst, int64_t n) {
    block_q4_0 *y = dst;
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b, src += 32) {
        y[b].d = mote_f32_to_fp16(symmetric_block(src, 8, L));
        pack_nibbles32(L, y[b].qs);
    }
}

void mote_q4_0_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    if (!imp) {
        mote_q4_0_from_float(src, dst, n);
        return;
    }
    block_q4_0 *y = dst;
    const float sigma2 = mean_square(src, n);
    float w[32];
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b) {
        block_weights(src + 32 * b, imp + 32 * b, sigma2, w);
        y[b].d = mote_f32_to_fp16(fit_symmetric(32, 8, src + 32 * b, w, L));
        pack_nibbles32(L, y[b].qs);
    }
}

/* ---- Q4_1 ------------------------------------------------------------------ */

void mote_q4_1_from_float(const float *src, void *dst, int64_t n) {
    block_q4_1 *y = dst;
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b, src += 32) {
        float d, mn;
        affine_block(src, 16, L, &d, &mn);
        y[b].d = mote_f32_to_fp16(d);
        y[b].m = mote_f32_to_fp16(mn);
        pack_nibbles32(L, y[b].qs);
    }
}

void mote_q4_1_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    if (!imp) {
        mote_q4_1_from_float(src, dst, n);
        return;
    }
    block_q4_1 *y = dst;
    const float sigma2 = mean_square(src, n);
    float w[32], neg_min;
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b) {
        block_weights(src + 32 * b, imp + 32 * b, sigma2, w);
        float d = fit_affine(32, 15, src + 32 * b, w, L, &neg_min, -0.9f, 0.05f, 36, false);
        y[b].d = mote_f32_to_fp16(d);
        y[b].m = mote_f32_to_fp16(-neg_min);
        pack_nibbles32(L, y[b].qs);
    }
}

/* ---- Q5_0 ------------------------------------------------------------------ */

void mote_q5_0_from_float(const float *src, void *dst, int64_t n) {
    block_q5_0 *y = dst;
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b, src += 32) {
        y[b].d = mote_f32_to_fp16(symmetric_block(src, 16, L));
        pack_five_bits32(L, y[b].qs, y[b].qh);
    }
}

void mote_q5_0_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    if (!imp) {
        mote_q5_0_from_float(src, dst, n);
        return;
    }
    block_q5_0 *y = dst;
    const float sigma2 = mean_square(src, n);
    float w[32];
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b) {
        block_weights(src + 32 * b, imp + 32 * b, sigma2, w);
        y[b].d = mote_f32_to_fp16(fit_symmetric(32, 16, src + 32 * b, w, L));
        pack_five_bits32(L, y[b].qs, y[b].qh);
    }
}

/* ---- Q5_1 ------------------------------------------------------------------ */

void mote_q5_1_from_float(const float *src, void *dst, int64_t n) {
    block_q5_1 *y = dst;
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b, src += 32) {
        float d, mn;
        affine_block(src, 32, L, &d, &mn);
        y[b].d = mote_f32_to_fp16(d);
        y[b].m = mote_f32_to_fp16(mn);
        pack_five_bits32(L, y[b].qs, y[b].qh);
    }
}

void mote_q5_1_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    if (!imp) {
        mote_q5_1_from_float(src, dst, n);
        return;
    }
    block_q5_1 *y = dst;
    const float sigma2 = mean_square(src, n);
    float w[32], neg_min;
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b) {
        block_weights(src + 32 * b, imp + 32 * b, sigma2, w);
        float d = fit_affine(32, 31, src + 32 * b, w, L, &neg_min, -0.9f, 0.05f, 36, false);
        y[b].d = mote_f32_to_fp16(d);
        y[b].m = mote_f32_to_fp16(-neg_min);
        pack_five_bits32(L, y[b].qs, y[b].qh);
    }
}

/* ---- Q8_0 ------------------------------------------------------------------
 * llama-quantize writes Q8_0 weights with GGML's portable reference
 * rounding: d = amax/127, then q = round-half-away(x * (1/d)). That is NOT
 * the activation quantizer of q8.c (mote_q8_0_from_float), which follows
 * GGML's x86 kernel (127/amax, half to even) because the fixtures' logits
 * were computed with it; the two disagree on about one value in a few
 * hundred, so weights keep their own rounding here. */

/* 8 bits leave nothing for importance to decide: one reference rounding. */
void mote_q8_0_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    (void)imp;
    block_q8_0 *b = dst;
    for (int64_t i = 0; i < n / QK8_0; i++, b++, src += QK8_0) {
        float amax = 0.0f;
        for (int j = 0; j < QK8_0; j++) amax = fabsf(src[j]) > amax ? fabsf(src[j]) : amax;
        const float d = amax / 127.0f;
        const float inv = d != 0.0f ? 1.0f / d : 0.0f;
        b->d = mote_f32_to_fp16(d);
        for (int j = 0; j < QK8_0; j++) b->qs[j] = (int8_t)roundf(src[j] * inv);
    }
}

/* ---- direct weighted searches ----------------------------------------------------
 * The importance-aware quantizers above weigh value j by imp[j]*sqrt(sigma2 +
 * x[j]^2), llama-quantize's heuristic. These take the weights as the exact
 * error metric instead (w[j] = importance, or 1 for plain squared error); the
 * best-of search in quantize_rows.c tries them as one more candidate. */

static void direct_symmetric(const float *src, int64_t n, const float *w, int nmax, uint8_t *L, mote_fp16 *d_out,
                             int64_t b) {
    *d_out = mote_f32_to_fp16(fit_symmetric(32, nmax, src + 32 * b, w + 32 * b, L));
    (void)n;
}

void mote_q4_0_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w) {
    block_q4_0 *y = dst;
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b) {
        direct_symmetric(src, n, w, 8, L, &y[b].d, b);
        pack_nibbles32(L, y[b].qs);
    }
}

void mote_q5_0_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w) {
    block_q5_0 *y = dst;
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b) {
        direct_symmetric(src, n, w, 16, L, &y[b].d, b);
        pack_five_bits32(L, y[b].qs, y[b].qh);
    }
}

void mote_q4_1_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w) {
    block_q4_1 *y = dst;
    uint8_t L[32];
    float neg_min;
    for (int64_t b = 0; b < n / 32; ++b) {
        float d = fit_affine(32, 15, src + 32 * b, w + 32 * b, L, &neg_min, -0.9f, 0.05f, 36, false);
        y[b].d = mote_f32_to_fp16(d);
        y[b].m = mote_f32_to_fp16(-neg_min);
        pack_nibbles32(L, y[b].qs);
    }
}

void mote_q5_1_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w) {
    block_q5_1 *y = dst;
    uint8_t L[32];
    float neg_min;
    for (int64_t b = 0; b < n / 32; ++b) {
        float d = fit_affine(32, 31, src + 32 * b, w + 32 * b, L, &neg_min, -0.9f, 0.05f, 36, false);
        y[b].d = mote_f32_to_fp16(d);
        y[b].m = mote_f32_to_fp16(-neg_min);
        pack_five_bits32(L, y[b].qs, y[b].qh);
    }
}

/* Q8_0 levels may use -128 too: the extreme value on -128 and a scale search. */
void mote_q8_0_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w) {
    block_q8_0 *y = dst;
    uint8_t L[32];
    for (int64_t b = 0; b < n / 32; ++b) {
        y[b].d = mote_f32_to_fp16(fit_symmetric(32, 128, src + 32 * b, w + 32 * b, L));
        for (int j = 0; j < 32; ++j) y[b].qs[j] = (int8_t)(L[j] - 128);
    }
}
