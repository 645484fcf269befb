/*
 * neon.c — NEON kernels for every ARM CPU with NEON: AArch64 (where NEON is
 * always present) and 32-bit ARMv7 (Raspberry Pi 2; this file is compiled
 * with -mfpu=neon-vfpv4 there and used only when the kernel reports NEON).
 *
 * Holds the integer dot products in their baseline form (neon_body.h with
 * the 8-bit widening multiply vmull_s8 and pairwise accumulation vpadalq_s16:
 * no dot-product instruction needed), the F32/F16 dot products, and the
 * activation quantizers Q8_0/Q8_1/Q8_K. The quantizers must match the
 * reference bytes exactly (simd.h): AArch64 has the two roundings as single
 * conversions (vcvtaq: half away from zero = roundf; vcvtnq: half to even =
 * rintf). ARMv7 has neither and its NEON flushes subnormals to zero, so
 * there rounding is rebuilt exactly from truncation, and a block whose
 * largest value is near the subnormal range goes to the scalar reference.
 */
#if defined(__aarch64__) || defined(__arm__)

#if !defined(__ARM_NEON)
#error "neon.c needs NEON enabled (CMakeLists.txt adds -mfpu=neon-vfpv4 on 32-bit ARM)"
#endif

#include <float.h>
#include <math.h>
#include <string.h>

#include "quant/arm/neon_kernels.h"
#include "quant/arm/neon_util.h"
#include "quant/kernels.h"
#include "quant/simd.h"

/* acc + the 16 products a[k]*b[k]: widening multiplies, pairwise adds. */
static inline int32x4_t neon_dot16_widen(int32x4_t acc, int8x16_t a, int8x16_t b) {
    const int16x8_t lo = vmull_s8(vget_low_s8(a), vget_low_s8(b));
    const int16x8_t hi = vmull_s8(vget_high_s8(a), vget_high_s8(b));
    return vpadalq_s16(vpadalq_s16(acc, lo), hi);
}
#define NEON_DOT16(acc, a, b) neon_dot16_widen(acc, a, b)
#define NEON_NAME(x) mote_neon_##x
#include "quant/arm/neon_body.h"

/* ---- float dot products -------------------------------------------------------- */

float mote_neon_vec_dot_f32(int64_t n, const void *w, const void *x) {
    const float *a = w, *b = x;
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = neon_madd_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
        s1 = neon_madd_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        s2 = neon_madd_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        s3 = neon_madd_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
    }
    for (; i + 4 <= n; i += 4) s0 = neon_madd_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
    float sum = neon_hsum_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

/* F16 and BF16 weights widened to float four at a time (the half-precision
 * conversion: baseline on AArch64, VFPv4 on ARMv7; bf16 is the top half of
 * a float, so a widening shift left by 16). */
static inline float32x4_t load_f16x4(const mote_fp16 *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
static inline float32x4_t load_bf16x4(const mote_bf16 *p) { return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16)); }

#define NEON_FLOAT_DOT(LOAD4, SCALAR)                                               \
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;                                    \
    int64_t i = 0;                                                                  \
    for (; i + 8 <= n; i += 8) {                                                    \
        s0 = neon_madd_f32(s0, LOAD4(a + i), vld1q_f32(b + i));                     \
        s1 = neon_madd_f32(s1, LOAD4(a + i + 4), vld1q_f32(b + i + 4));             \
    }                                                                               \
    float sum = neon_hsum_f32(vaddq_f32(s0, s1));                                   \
    for (; i < n; i++) sum += SCALAR(a[i]) * b[i];                                  \
    return sum

float mote_neon_vec_dot_f16_f32(int64_t n, const void *w, const void *x) {
    const mote_fp16 *a = w;
    const float *b = x;
    NEON_FLOAT_DOT(load_f16x4, neon_h2f);
}

float mote_neon_vec_dot_bf16_f32(int64_t n, const void *w, const void *x) {
    const mote_bf16 *a = w;
    const float *b = x;
    NEON_FLOAT_DOT(load_bf16x4, mote_bf16_to_f32);
}

/* ---- activation quantizers ------------------------------------------------------ */

/* Largest |x| over n (a multiple of 4) values; NaNs skipped like the scalar
 * "a > amax" (vmaxnm ignores a quiet NaN; on ARMv7 a NaN block is left to the
 * scalar path by the caller's finiteness check). */
static inline float abs_max(const float *x, int n) {
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int k = 0; k < n; k += 4)
#if defined(__aarch64__)
        m = vmaxnmq_f32(m, vabsq_f32(vld1q_f32(x + k)));
#else
        m = vmaxq_f32(m, vabsq_f32(vld1q_f32(x + k)));
#endif
    return neon_hmax_f32(m);
}

/* 16 int32 (four registers) narrowed to 16 int8, order kept. */
static inline int8x16_t narrow16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
    const int16x8_t lo = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
    const int16x8_t hi = vcombine_s16(vqmovn_s32(c), vqmovn_s32(d));
    return vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi));
}

/* roundf per lane (half away from zero), |v| < 2^23. */
static inline int32x4_t round_away(float32x4_t v) {
#if defined(__aarch64__)
    return vcvtaq_s32_f32(v);
#else
    /* truncate |v|, add one when the exact remainder is at least a half */
    const float32x4_t a = vabsq_f32(v);
    const int32x4_t t = vcvtq_s32_f32(a);
    const uint32x4_t up = vcgeq_f32(vsubq_f32(a, vcvtq_f32_s32(t)), vdupq_n_f32(0.5f));
    const int32x4_t r = vsubq_s32(t, vreinterpretq_s32_u32(up)); /* up is all ones = -1 */
    const uint32x4_t neg = vcltq_f32(v, vdupq_n_f32(0.0f));
    return vbslq_s32(neg, vnegq_s32(r), r);
#endif
}

/* rintf per lane (half to even), |v| <= 127.5. */
static inline int32x4_t round_even(float32x4_t v) {
#if defined(__aarch64__)
    return vcvtnq_s32_f32(v);
#else
    /* adding and removing 1.5 * 2^23 leaves v rounded to an integer, half to even */
    const float32x4_t magic = vdupq_n_f32(12582912.0f);
    return vcvtq_s32_f32(vsubq_f32(vaddq_f32(v, magic), magic));
#endif
}

/* Whether a block with this largest magnitude can take the vector path: on
 * ARMv7 the NEON unit flushes subnormals, which matters only when values
 * near them could scale to a nonzero quant (amax below 256 * FLT_MIN), and
 * it cannot handle inf/NaN like the scalar code. */
static inline int vector_safe(float amax) {
#if defined(__aarch64__)
    (void)amax;
    return 1;
#else
    return amax >= 256.0f * FLT_MIN && amax <= FLT_MAX;
#endif
}

/* The 32 quants roundf(x * inv), stored to q; returns their sum. */
static inline int32_t quantize32(const float *x, float inv, int8_t *q) {
    const float32x4_t s = vdupq_n_f32(inv);
    int32x4_t sum = vdupq_n_s32(0);
    for (int h = 0; h < 2; h++, x += 16, q += 16) {
        const int32x4_t a = round_away(vmulq_f32(vld1q_f32(x), s));
        const int32x4_t b = round_away(vmulq_f32(vld1q_f32(x + 4), s));
        const int32x4_t c = round_away(vmulq_f32(vld1q_f32(x + 8), s));
        const int32x4_t d = round_away(vmulq_f32(vld1q_f32(x + 12), s));
        vst1q_s8(q, narrow16(a, b, c, d));
        sum = vaddq_s32(sum, vaddq_s32(vaddq_s32(a, b), vaddq_s32(c, d)));
    }
    return neon_hsum_s32(sum);
}

void mote_neon_q8_0_from_float(const float *src, void *dst, int64_t n) {
    block_q8_0 *b = dst;
    for (int64_t i = 0; i < n / QK8_0; i++, b++, src += QK8_0) {
        const float amax = abs_max(src, QK8_0);
        if (!vector_safe(amax)) {
            mote_q8_0_from_float(src, b, QK8_0);
            continue;
        }
        const float d = amax / 127.0f;
        const float inv = d != 0.0f ? 1.0f / d : 0.0f;
        b->d = mote_f32_to_fp16(d);
        quantize32(src, inv, b->qs);
    }
}

void mote_neon_q8_1_from_float(const float *src, void *dst, int64_t n) {
    block_q8_1 *b = dst;
    for (int64_t i = 0; i < n / QK8_1; i++, b++, src += QK8_1) {
        const float amax = abs_max(src, QK8_1);
        if (!vector_safe(amax)) {
            mote_q8_1_from_float(src, b, QK8_1);
            continue;
        }
        const float d = amax / 127.0f;
        const float inv = d != 0.0f ? 1.0f / d : 0.0f;
        b->d = mote_f32_to_fp16(d);
        const int32_t sum = quantize32(src, inv, b->qs);
        b->s = mote_f32_to_fp16((float)sum * d);
    }
}

void mote_neon_q8_K_from_float(const float *src, void *dst, int64_t n) {
    block_q8_K *b = dst;
    for (int64_t i = 0; i < n / QK_K; i++, b++, src += QK_K) {
        const float amax = abs_max(src, QK_K);
        if (amax == 0.0f || !vector_safe(amax)) {
            mote_q8_K_from_float(src, b, QK_K);
            continue;
        }
        float vmax = 0.0f;
        for (int j = 0; j < QK_K; j++)
            if (fabsf(src[j]) == amax) {
                vmax = src[j];
                break;
            }
        const float iscale = -127.0f / vmax;
        const float32x4_t s = vdupq_n_f32(iscale), top = vdupq_n_f32(127.0f);
        for (int g = 0; g < QK_K / 16; g++) {
            int32x4_t v[4];
            for (int r = 0; r < 4; r++) v[r] = round_even(vminq_f32(vmulq_f32(vld1q_f32(src + 16 * g + 4 * r), s), top));
            vst1q_s8(b->qs + 16 * g, narrow16(v[0], v[1], v[2], v[3]));
            b->bsums[g] = (int16_t)neon_hsum_s32(vaddq_s32(vaddq_s32(v[0], v[1]), vaddq_s32(v[2], v[3])));
        }
        b->d = 1.0f / iscale;
    }
}

const mote_kernel_entry mote_neon_kernels[] = {
    {MOTE_TYPE_F32, NULL, NULL, mote_neon_vec_dot_f32},
    /* F16/BF16: see avx2_set.c (activations are f16/bf16; reference kernels
     * until f16 x f16 and bf16 x bf16 NEON versions exist). */
    {MOTE_TYPE_Q8_0, NULL, mote_neon_q8_0_from_float, mote_neon_vec_dot_q8_0_q8_0},
    {MOTE_TYPE_Q8_1, NULL, mote_neon_q8_1_from_float, NULL},
    {MOTE_TYPE_Q8_K, NULL, mote_neon_q8_K_from_float, NULL},
    {MOTE_TYPE_Q4_0, NULL, NULL, mote_neon_vec_dot_q4_0_q8_0},
    {MOTE_TYPE_Q4_1, NULL, NULL, mote_neon_vec_dot_q4_1_q8_1},
    {MOTE_TYPE_Q5_0, NULL, NULL, mote_neon_vec_dot_q5_0_q8_0},
    {MOTE_TYPE_Q5_1, NULL, NULL, mote_neon_vec_dot_q5_1_q8_1},
    {MOTE_TYPE_IQ4_NL, NULL, NULL, mote_neon_vec_dot_iq4_nl_q8_0},
    {MOTE_TYPE_Q2_K, NULL, NULL, mote_neon_vec_dot_q2_K_q8_K},
    {MOTE_TYPE_Q3_K, NULL, NULL, mote_neon_vec_dot_q3_K_q8_K},
    {MOTE_TYPE_Q4_K, NULL, NULL, mote_neon_vec_dot_q4_K_q8_K},
    {MOTE_TYPE_Q5_K, NULL, NULL, mote_neon_vec_dot_q5_K_q8_K},
    {MOTE_TYPE_Q6_K, NULL, NULL, mote_neon_vec_dot_q6_K_q8_K},
    {MOTE_TYPE_IQ4_XS, NULL, NULL, mote_neon_vec_dot_iq4_xs_q8_K},
    {MOTE_TYPE_TQ1_0, NULL, NULL, mote_neon_vec_dot_tq1_0_q8_K},
    {MOTE_TYPE_TQ2_0, NULL, NULL, mote_neon_vec_dot_tq2_0_q8_K},
    {-1, NULL, NULL, NULL},
};

#else
typedef int mote_neon_unused; /* not an ARM build */
#endif
