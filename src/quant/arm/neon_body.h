/*
 * neon_body.h — the NEON integer dot products, written once and compiled
 * twice: by neon.c with the baseline 8-bit multiply (vmull + pairwise add,
 * AArch64 and ARMv7) and by neon_dotprod.c with the ARMv8.2 dot-product
 * instruction (vdotq_s32, four byte products summed per lane in one step).
 * The includer defines NEON_DOT16(acc, a, b), "acc + the 16 byte products of
 * a and b, in 4 int32 lanes", and NEON_NAME(x), the kernel name prefix.
 *
 * Every kernel widens the packed weights to signed bytes in registers (masks
 * and shifts; the offsets of Q4_0/Q6_K subtracted per byte, so weights are
 * signed and small), takes integer dot products per block or sub-block,
 * multiplies by the integer sub-block scales in int32, and meets the float
 * scales once per block. Integer sums are exact; only float order differs
 * from the reference.
 */

#include <string.h>

#include "quant/blocks.h"

static inline int8x16_t NEON_NAME(low4)(uint8x16_t v) { return vreinterpretq_s8_u8(vandq_u8(v, vdupq_n_u8(0x0F))); }
static inline int8x16_t NEON_NAME(high4)(uint8x16_t v) { return vreinterpretq_s8_u8(vshrq_n_u8(v, 4)); }

float NEON_NAME(vec_dot_q8_0_q8_0)(int64_t n, const void *w, const void *x) {
    const block_q8_0 *a = w, *b = x;
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
    int64_t i = 0;
    const int64_t nb = n / QK8_0;
    for (; i + 1 < nb; i += 2) {
        int32x4_t p0 = NEON_DOT16(vdupq_n_s32(0), vld1q_s8(a[i].qs), vld1q_s8(b[i].qs));
        p0 = NEON_DOT16(p0, vld1q_s8(a[i].qs + 16), vld1q_s8(b[i].qs + 16));
        int32x4_t p1 = NEON_DOT16(vdupq_n_s32(0), vld1q_s8(a[i + 1].qs), vld1q_s8(b[i + 1].qs));
        p1 = NEON_DOT16(p1, vld1q_s8(a[i + 1].qs + 16), vld1q_s8(b[i + 1].qs + 16));
        acc0 = neon_madd_f32(acc0, vcvtq_f32_s32(p0), vdupq_n_f32(neon_h2f(a[i].d) * neon_h2f(b[i].d)));
        acc1 = neon_madd_f32(acc1, vcvtq_f32_s32(p1), vdupq_n_f32(neon_h2f(a[i + 1].d) * neon_h2f(b[i + 1].d)));
    }
    for (; i < nb; i++) {
        int32x4_t p = NEON_DOT16(vdupq_n_s32(0), vld1q_s8(a[i].qs), vld1q_s8(b[i].qs));
        p = NEON_DOT16(p, vld1q_s8(a[i].qs + 16), vld1q_s8(b[i].qs + 16));
        acc0 = neon_madd_f32(acc0, vcvtq_f32_s32(p), vdupq_n_f32(neon_h2f(a[i].d) * neon_h2f(b[i].d)));
    }
    return neon_hsum_f32(vaddq_f32(acc0, acc1));
}

/* Q4_0 block: (q - 8) in -8..7 against 32 activations. */
static inline int32x4_t NEON_NAME(q4_0_block)(const block_q4_0 *a, const block_q8_0 *b) {
    const uint8x16_t v = vld1q_u8(a->qs);
    const int8x16_t eight = vdupq_n_s8(8);
    const int32x4_t p = NEON_DOT16(vdupq_n_s32(0), vsubq_s8(NEON_NAME(low4)(v), eight), vld1q_s8(b->qs));
    return NEON_DOT16(p, vsubq_s8(NEON_NAME(high4)(v), eight), vld1q_s8(b->qs + 16));
}

float NEON_NAME(vec_dot_q4_0_q8_0)(int64_t n, const void *w, const void *x) {
    const block_q4_0 *a = w;
    const block_q8_0 *b = x;
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
    int64_t i = 0;
    const int64_t nb = n / QK4_0;
    for (; i + 1 < nb; i += 2) {
        const int32x4_t p0 = NEON_NAME(q4_0_block)(&a[i], &b[i]);
        const int32x4_t p1 = NEON_NAME(q4_0_block)(&a[i + 1], &b[i + 1]);
        acc0 = neon_madd_f32(acc0, vcvtq_f32_s32(p0), vdupq_n_f32(neon_h2f(a[i].d) * neon_h2f(b[i].d)));
        acc1 = neon_madd_f32(acc1, vcvtq_f32_s32(p1), vdupq_n_f32(neon_h2f(a[i + 1].d) * neon_h2f(b[i + 1].d)));
    }
    for (; i < nb; i++)
        acc0 = neon_madd_f32(acc0, vcvtq_f32_s32(NEON_NAME(q4_0_block)(&a[i], &b[i])),
                             vdupq_n_f32(neon_h2f(a[i].d) * neon_h2f(b[i].d)));
    return neon_hsum_f32(vaddq_f32(acc0, acc1));
}

/* Q4_1: unsigned nibbles 0..15 (fit a signed byte) plus the offset term via Q8_1's s. */
float NEON_NAME(vec_dot_q4_1_q8_1)(int64_t n, const void *w, const void *x) {
    const block_q4_1 *a = w;
    const block_q8_1 *b = x;
    float32x4_t acc = vdupq_n_f32(0.0f);
    float msum = 0.0f;
    for (int64_t i = 0; i < n / QK4_1; i++) {
        const uint8x16_t v = vld1q_u8(a[i].qs);
        int32x4_t p = NEON_DOT16(vdupq_n_s32(0), NEON_NAME(low4)(v), vld1q_s8(b[i].qs));
        p = NEON_DOT16(p, NEON_NAME(high4)(v), vld1q_s8(b[i].qs + 16));
        acc = neon_madd_f32(acc, vcvtq_f32_s32(p), vdupq_n_f32(neon_h2f(a[i].d) * neon_h2f(b[i].d)));
        msum += neon_h2f(a[i].m) * neon_h2f(b[i].s);
    }
    return neon_hsum_f32(acc) + msum;
}

/* Bit k of the 32-bit little-endian mask qh as 0x10 in byte k, for bytes
 * 0..15 (half 0) or 16..31 (half 1). */
static inline uint8x16_t NEON_NAME(bits_to_0x10)(const uint8_t qh[4], int half) {
    static const uint8_t bit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x8_t b0 = vdup_n_u8(qh[2 * half]), b1 = vdup_n_u8(qh[2 * half + 1]);
    const uint8x16_t spread = vcombine_u8(b0, b1);
    return vandq_u8(vtstq_u8(spread, vld1q_u8(bit)), vdupq_n_u8(0x10));
}

/* Q5_0 / Q5_1 partial dot: 5-bit q (minus `offset`) against 32 activations. */
static inline int32x4_t NEON_NAME(q5_block)(const uint8_t *qs, const uint8_t *qh, const int8_t *y, int8_t offset) {
    const uint8x16_t v = vld1q_u8(qs);
    const int8x16_t off = vdupq_n_s8(offset);
    const int8x16_t lo = vsubq_s8(vorrq_s8(NEON_NAME(low4)(v), vreinterpretq_s8_u8(NEON_NAME(bits_to_0x10)(qh, 0))), off);
    const int8x16_t hi = vsubq_s8(vorrq_s8(NEON_NAME(high4)(v), vreinterpretq_s8_u8(NEON_NAME(bits_to_0x10)(qh, 1))), off);
    return NEON_DOT16(NEON_DOT16(vdupq_n_s32(0), lo, vld1q_s8(y)), hi, vld1q_s8(y + 16));
}

float NEON_NAME(vec_dot_q5_0_q8_0)(int64_t n, const void *w, const void *x) {
    const block_q5_0 *a = w;
    const block_q8_0 *b = x;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < n / QK5_0; i++)
        acc = neon_madd_f32(acc, vcvtq_f32_s32(NEON_NAME(q5_block)(a[i].qs, a[i].qh, b[i].qs, 16)),
                            vdupq_n_f32(neon_h2f(a[i].d) * neon_h2f(b[i].d)));
    return neon_hsum_f32(acc);
}

float NEON_NAME(vec_dot_q5_1_q8_1)(int64_t n, const void *w, const void *x) {
    const block_q5_1 *a = w;
    const block_q8_1 *b = x;
    float32x4_t acc = vdupq_n_f32(0.0f);
    float msum = 0.0f;
    for (int64_t i = 0; i < n / QK5_1; i++) {
        acc = neon_madd_f32(acc, vcvtq_f32_s32(NEON_NAME(q5_block)(a[i].qs, a[i].qh, b[i].qs, 0)),
                            vdupq_n_f32(neon_h2f(a[i].d) * neon_h2f(b[i].d)));
        msum += neon_h2f(a[i].m) * neon_h2f(b[i].s);
    }
    return neon_hsum_f32(acc) + msum;
}

/* IQ4_NL: a 16-entry byte table maps each nibble to its level. */

static inline int8x16_t NEON_NAME(lookup16)(int8x16_t table, uint8x16_t idx) {
#if defined(__aarch64__)
    return vqtbl1q_s8(table, idx);
#else
    int8x8x2_t t = {{vget_low_s8(table), vget_high_s8(table)}};
    return vcombine_s8(vtbl2_s8(t, vreinterpret_s8_u8(vget_low_u8(idx))),
                       vtbl2_s8(t, vreinterpret_s8_u8(vget_high_u8(idx))));
#endif
}

/* Sum of level*y over one 32-weight IQ4 group. */
static inline int32x4_t NEON_NAME(iq4_group)(int8x16_t table, const uint8_t *qs, const int8_t *y) {
    const uint8x16_t v = vld1q_u8(qs);
    const int8x16_t lo = NEON_NAME(lookup16)(table, vandq_u8(v, vdupq_n_u8(0x0F)));
    const int8x16_t hi = NEON_NAME(lookup16)(table, vshrq_n_u8(v, 4));
    return NEON_DOT16(NEON_DOT16(vdupq_n_s32(0), lo, vld1q_s8(y)), hi, vld1q_s8(y + 16));
}

float NEON_NAME(vec_dot_iq4_nl_q8_0)(int64_t n, const void *w, const void *x) {
    const block_iq4_nl *a = w;
    const block_q8_0 *b = x;
    const int8x16_t table = vld1q_s8(mote_iq4_levels);
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t i = 0; i < n / QK4_NL; i++)
        acc = neon_madd_f32(acc, vcvtq_f32_s32(NEON_NAME(iq4_group)(table, a[i].qs, b[i].qs)),
                            vdupq_n_f32(neon_h2f(a[i].d) * neon_h2f(b[i].d)));
    return neon_hsum_f32(acc);
}

float NEON_NAME(vec_dot_iq4_xs_q8_K)(int64_t n, const void *w, const void *x) {
    const block_iq4_xs *a = w;
    const block_q8_K *y = x;
    const int8x16_t table = vld1q_s8(mote_iq4_levels);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        int32x4_t isum = vdupq_n_s32(0);
        for (int g = 0; g < QK_K / 32; g++) {
            const int low4 = (a[i].scales_l[g / 2] >> (4 * (g % 2))) & 0x0F;
            const int high2 = (a[i].scales_h >> (2 * g)) & 3;
            isum = vmlaq_n_s32(isum, NEON_NAME(iq4_group)(table, a[i].qs + 16 * g, y[i].qs + 32 * g), (low4 | high2 << 4) - 32);
        }
        sum += neon_h2f(a[i].d) * y[i].d * (float)neon_hsum_s32(isum);
    }
    return sum;
}

/* ---- k-quants ------------------------------------------------------------------ */

static void NEON_NAME(k4_scales)(const uint8_t s[K_SCALE_SIZE], uint8_t sc[8], uint8_t mn[8]) {
    for (int j = 0; j < 4; j++) {
        sc[j] = s[j] & 63;
        mn[j] = s[j + 4] & 63;
        sc[j + 4] = (uint8_t)((s[j + 8] & 0x0F) | (s[j] >> 6) << 4);
        mn[j + 4] = (uint8_t)((s[j + 8] >> 4) | (s[j + 4] >> 6) << 4);
    }
}

static inline int32_t NEON_NAME(k4_min_sum)(const uint8_t mn[8], const int16_t bsums[16]) {
    int32_t m = 0;
    for (int j = 0; j < 8; j++) m += mn[j] * (bsums[2 * j] + bsums[2 * j + 1]);
    return m;
}

float NEON_NAME(vec_dot_q4_K_q8_K)(int64_t n, const void *w, const void *x) {
    const block_q4_K *a = w;
    const block_q8_K *y = x;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        uint8_t sc[8], mn[8];
        NEON_NAME(k4_scales)(a[i].scales, sc, mn);
        const int32_t msum = NEON_NAME(k4_min_sum)(mn, y[i].bsums);
        const uint8_t *q = a[i].qs;
        const int8_t *yq = y[i].qs;
        int32x4_t isum = vdupq_n_s32(0);
        for (int c = 0; c < 4; c++, q += 32, yq += 64) {
            const uint8x16_t v0 = vld1q_u8(q), v1 = vld1q_u8(q + 16);
            int32x4_t plo = NEON_DOT16(vdupq_n_s32(0), NEON_NAME(low4)(v0), vld1q_s8(yq));
            plo = NEON_DOT16(plo, NEON_NAME(low4)(v1), vld1q_s8(yq + 16));
            int32x4_t phi = NEON_DOT16(vdupq_n_s32(0), NEON_NAME(high4)(v0), vld1q_s8(yq + 32));
            phi = NEON_DOT16(phi, NEON_NAME(high4)(v1), vld1q_s8(yq + 48));
            isum = vmlaq_n_s32(isum, plo, sc[2 * c]);
            isum = vmlaq_n_s32(isum, phi, sc[2 * c + 1]);
        }
        const float d = neon_h2f(a[i].d) * y[i].d, dmin = neon_h2f(a[i].dmin) * y[i].d;
        sum += d * (float)neon_hsum_s32(isum) - dmin * (float)msum;
    }
    return sum;
}

float NEON_NAME(vec_dot_q5_K_q8_K)(int64_t n, const void *w, const void *x) {
    const block_q5_K *a = w;
    const block_q8_K *y = x;
    const uint8x16_t sixteen = vdupq_n_u8(0x10);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        uint8_t sc[8], mn[8];
        NEON_NAME(k4_scales)(a[i].scales, sc, mn);
        const int32_t msum = NEON_NAME(k4_min_sum)(mn, y[i].bsums);
        const uint8_t *q = a[i].qs;
        const int8_t *yq = y[i].qs;
        /* qh shifted right once per sub-block: bit 0 is always the next fifth bit */
        uint8x16_t h0 = vld1q_u8(a[i].qh), h1 = vld1q_u8(a[i].qh + 16);
        int32x4_t isum = vdupq_n_s32(0);
        for (int c = 0; c < 4; c++, q += 32, yq += 64) {
            const uint8x16_t v0 = vld1q_u8(q), v1 = vld1q_u8(q + 16);
            const int8x16_t l0 = vorrq_s8(NEON_NAME(low4)(v0), vreinterpretq_s8_u8(vandq_u8(vshlq_n_u8(h0, 4), sixteen)));
            const int8x16_t l1 = vorrq_s8(NEON_NAME(low4)(v1), vreinterpretq_s8_u8(vandq_u8(vshlq_n_u8(h1, 4), sixteen)));
            const int8x16_t g0 = vorrq_s8(NEON_NAME(high4)(v0), vreinterpretq_s8_u8(vandq_u8(vshlq_n_u8(h0, 3), sixteen)));
            const int8x16_t g1 = vorrq_s8(NEON_NAME(high4)(v1), vreinterpretq_s8_u8(vandq_u8(vshlq_n_u8(h1, 3), sixteen)));
            h0 = vshrq_n_u8(h0, 2);
            h1 = vshrq_n_u8(h1, 2);
            int32x4_t plo = NEON_DOT16(NEON_DOT16(vdupq_n_s32(0), l0, vld1q_s8(yq)), l1, vld1q_s8(yq + 16));
            int32x4_t phi = NEON_DOT16(NEON_DOT16(vdupq_n_s32(0), g0, vld1q_s8(yq + 32)), g1, vld1q_s8(yq + 48));
            isum = vmlaq_n_s32(isum, plo, sc[2 * c]);
            isum = vmlaq_n_s32(isum, phi, sc[2 * c + 1]);
        }
        const float d = neon_h2f(a[i].d) * y[i].d, dmin = neon_h2f(a[i].dmin) * y[i].d;
        sum += d * (float)neon_hsum_s32(isum) - dmin * (float)msum;
    }
    return sum;
}

float NEON_NAME(vec_dot_q6_K_q8_K)(int64_t n, const void *w, const void *x) {
    const block_q6_K *a = w;
    const block_q8_K *y = x;
    const uint8x16_t low4 = vdupq_n_u8(0x0F), top2 = vdupq_n_u8(0x30);
    const int8x16_t m32 = vdupq_n_s8(32);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        const int8_t *sc = a[i].scales;
        int32x4_t isum = vdupq_n_s32(0);
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = a[i].ql + 64 * h, *qh = a[i].qh + 32 * h;
            const int8_t *yq = y[i].qs + 128 * h;
            for (int half16 = 0; half16 < 2; half16++) {
                /* 16 of the 32 lanes l at a time: lanes l give weights 32k + l of quarter k */
                const int o = 16 * half16;
                const uint8x16_t L0 = vld1q_u8(ql + o), L1 = vld1q_u8(ql + 32 + o), H = vld1q_u8(qh + o);
                const int8x16_t q0 = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vandq_u8(L0, low4), vandq_u8(vshlq_n_u8(H, 4), top2))), m32);
                const int8x16_t q1 = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vandq_u8(L1, low4), vandq_u8(vshlq_n_u8(H, 2), top2))), m32);
                const int8x16_t q2 = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(L0, 4), vandq_u8(H, top2))), m32);
                const int8x16_t q3 = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(L1, 4), vandq_u8(vshrq_n_u8(H, 2), top2))), m32);
                /* quarter k, lanes o..o+15 = sub-block 8h + 2k + half16 */
                const int s = 8 * h + half16;
                isum = vmlaq_n_s32(isum, NEON_DOT16(vdupq_n_s32(0), q0, vld1q_s8(yq + o)), sc[s]);
                isum = vmlaq_n_s32(isum, NEON_DOT16(vdupq_n_s32(0), q1, vld1q_s8(yq + 32 + o)), sc[s + 2]);
                isum = vmlaq_n_s32(isum, NEON_DOT16(vdupq_n_s32(0), q2, vld1q_s8(yq + 64 + o)), sc[s + 4]);
                isum = vmlaq_n_s32(isum, NEON_DOT16(vdupq_n_s32(0), q3, vld1q_s8(yq + 96 + o)), sc[s + 6]);
            }
        }
        sum += neon_h2f(a[i].d) * y[i].d * (float)neon_hsum_s32(isum);
    }
    return sum;
}

/* Q2_K and Q3_K: 2-bit codes, 16 sub-blocks of 16 weights. Q3_K's q = low2 - 4
 * unless its hmask bit is set. */
float NEON_NAME(vec_dot_q2_K_q8_K)(int64_t n, const void *w, const void *x) {
    const block_q2_K *a = w;
    const block_q8_K *y = x;
    const uint8x16_t three = vdupq_n_u8(3);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        const uint8_t *sc = a[i].scales;
        int32_t msum = 0;
        for (int j = 0; j < 16; j++) msum += (sc[j] >> 4) * y[i].bsums[j];
        int32x4_t isum = vdupq_n_s32(0);
        for (int h = 0; h < 2; h++)
            for (int half16 = 0; half16 < 2; half16++) {
                uint8x16_t Q = vld1q_u8(a[i].qs + 32 * h + 16 * half16);
                for (int j = 0; j < 4; j++, Q = vshrq_n_u8(Q, 2)) {
                    const int8x16_t u = vreinterpretq_s8_u8(vandq_u8(Q, three));
                    const int s = 8 * h + 2 * j + half16;
                    const int32x4_t p = NEON_DOT16(vdupq_n_s32(0), u, vld1q_s8(y[i].qs + 128 * h + 32 * j + 16 * half16));
                    isum = vmlaq_n_s32(isum, p, sc[s] & 0x0F);
                }
            }
        const float dall = y[i].d * neon_h2f(a[i].d), dmin = y[i].d * neon_h2f(a[i].dmin);
        sum += dall * (float)neon_hsum_s32(isum) - dmin * (float)msum;
    }
    return sum;
}

float NEON_NAME(vec_dot_q3_K_q8_K)(int64_t n, const void *w, const void *x) {
    const block_q3_K *a = w;
    const block_q8_K *y = x;
    const uint8x16_t three = vdupq_n_u8(3), one = vdupq_n_u8(1);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        int sc[16];
        const uint8_t *s = a[i].scales;
        for (int j = 0; j < 16; j++) {
            const int low4 = j < 8 ? s[j] & 0x0F : s[j - 8] >> 4;
            const int high2 = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
            sc[j] = (low4 | high2 << 4) - 32;
        }
        int32x4_t isum = vdupq_n_s32(0);
        for (int half16 = 0; half16 < 2; half16++) {
            uint8x16_t H = vld1q_u8(a[i].hmask + 16 * half16);
            for (int h = 0; h < 2; h++) {
                uint8x16_t Q = vld1q_u8(a[i].qs + 32 * h + 16 * half16);
                for (int j = 0; j < 4; j++, Q = vshrq_n_u8(Q, 2), H = vshrq_n_u8(H, 1)) {
                    /* low2 - 4 + 4 * hbit */
                    const uint8x16_t u = vorrq_u8(vandq_u8(Q, three), vshlq_n_u8(vandq_u8(H, one), 2));
                    const int8x16_t q = vsubq_s8(vreinterpretq_s8_u8(u), vdupq_n_s8(4));
                    const int k = 8 * h + 2 * j + half16;
                    const int32x4_t p = NEON_DOT16(vdupq_n_s32(0), q, vld1q_s8(y[i].qs + 128 * h + 32 * j + 16 * half16));
                    isum = vmlaq_n_s32(isum, p, sc[k]);
                }
            }
        }
        sum += neon_h2f(a[i].d) * y[i].d * (float)neon_hsum_s32(isum);
    }
    return sum;
}

float NEON_NAME(vec_dot_tq2_0_q8_K)(int64_t n, const void *w, const void *x) {
    const block_tq2_0 *a = w;
    const block_q8_K *y = x;
    const uint8x16_t three = vdupq_n_u8(3);
    const int8x16_t one = vdupq_n_s8(1);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        int32x4_t isum = vdupq_n_s32(0);
        for (int c = 0; c < 2; c++)
            for (int half16 = 0; half16 < 2; half16++) {
                uint8x16_t Q = vld1q_u8(a[i].qs + 32 * c + 16 * half16);
                for (int j = 0; j < 4; j++, Q = vshrq_n_u8(Q, 2)) {
                    const int8x16_t t = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(Q, three)), one);
                    isum = NEON_DOT16(isum, t, vld1q_s8(y[i].qs + 128 * c + 32 * j + 16 * half16));
                }
            }
        sum += (float)neon_hsum_s32(isum) * (y[i].d * neon_h2f(a[i].d));
    }
    return sum;
}

/* TQ1_0: the top trit of a byte (a base-3 fraction of 256) is (3 * f) >> 8;
 * multiplying the byte by 3 (mod 256) moves the next trit to the top. */
static inline int8x16_t NEON_NAME(top_trit)(uint8x16_t f) {
    const uint8x8_t three = vdup_n_u8(3);
    const uint8x16_t t = vcombine_u8(vshrn_n_u16(vmull_u8(vget_low_u8(f), three), 8),
                                     vshrn_n_u16(vmull_u8(vget_high_u8(f), three), 8));
    return vsubq_s8(vreinterpretq_s8_u8(t), vdupq_n_s8(1));
}

float NEON_NAME(vec_dot_tq1_0_q8_K)(int64_t n, const void *w, const void *x) {
    const block_tq1_0 *a = w;
    const block_q8_K *y = x;
    const uint8x16_t three = vdupq_n_u8(3);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        const int8_t *yq = y[i].qs;
        int32x4_t isum = vdupq_n_s32(0);
        /* bytes 0..31: trit k of byte m is weight 32k + m */
        uint8x16_t f0 = vld1q_u8(a[i].qs), f1 = vld1q_u8(a[i].qs + 16);
        for (int k = 0; k < 5; k++, f0 = vmulq_u8(f0, three), f1 = vmulq_u8(f1, three)) {
            isum = NEON_DOT16(isum, NEON_NAME(top_trit)(f0), vld1q_s8(yq + 32 * k));
            isum = NEON_DOT16(isum, NEON_NAME(top_trit)(f1), vld1q_s8(yq + 32 * k + 16));
        }
        /* bytes 32..47: trit k of byte m is weight 160 + 16k + m */
        uint8x16_t g = vld1q_u8(a[i].qs + 32);
        for (int k = 0; k < 5; k++, g = vmulq_u8(g, three))
            isum = NEON_DOT16(isum, NEON_NAME(top_trit)(g), vld1q_s8(yq + 160 + 16 * k));
        /* qh: trit k of byte m is weight 240 + 4k + m; 4-byte group k takes the bytes times 3^k */
        static const uint8_t pow3[16] = {1, 1, 1, 1, 3, 3, 3, 3, 9, 9, 9, 9, 27, 27, 27, 27};
        uint32_t hbits;
        memcpy(&hbits, a[i].qh, 4);
        const uint8x16_t h = vmulq_u8(vreinterpretq_u8_u32(vdupq_n_u32(hbits)), vld1q_u8(pow3));
        isum = NEON_DOT16(isum, NEON_NAME(top_trit)(h), vld1q_s8(yq + 240));
        sum += (float)neon_hsum_s32(isum) * (neon_h2f(a[i].d) * y[i].d);
    }
    return sum;
}
