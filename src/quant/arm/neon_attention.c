/*
 * neon_attention.c — the inner loop of attention (query heads that read the
 * same cached f16 key/value head, engine/attention.c) with AArch64 NEON:
 * the kernel sets' attend_block (quant/simd.h) for "neon" and, through the
 * ladder, "neon-dotprod".
 *
 * Same arithmetic per query as the other sets' kernels and the single-query
 * definition in tests/kernels/attention_check.c: the query rounded to
 * f16, the q.k dot in 8 lanes (two 4-lane halves here) split over two
 * accumulators by alternate blocks of 8 and summed (lo+hi halves, then
 * pairs), the online softmax with libm's expf, values summed into an f16
 * accumulator rounded after every step. Without it ARM ran the portable
 * loop of attention.c, which converts every accumulator element to f16 in
 * software at every key: 37% of smollm2-135m's instructions per prompt
 * token on cortex-a76 at 12-16 tokens (bench/RESULTS.md, the profiler's
 * section). Queries are walked one at a time, each over its own rows in
 * order, so a query's result does not depend on its company.
 */
#if defined(__aarch64__)

#include <arm_neon.h>
#include <math.h>

#include "quant/simd.h"

/* 8 f16 at p as two float32x4 (elements 0-3, 4-7). */
static inline float32x4_t f16_lo(const mote_fp16 *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
static inline float32x4_t f16_hi(const mote_fp16 *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p + 4))); }

/* Stores a (elements 0-3) and b (4-7) rounded to f16 (round to nearest even). */
static inline void store_f16x8(mote_fp16 *p, float32x4_t a, float32x4_t b) {
    vst1q_u16(p, vreinterpretq_u16_f16(vcvt_high_f16_f32(vcvt_f16_f32(a), b)));
}

/* One query (qh: f16-rounded, acc: hd f16 of scratch) over `len` rows at
 * key/val, `stride` elements apart; result in out. */
static void attend_one(int32_t hd, float scale, const float *qh, mote_fp16 *acc, const mote_fp16 *key,
                       const mote_fp16 *val, int64_t stride, int32_t len, float *out) {
    const int32_t paired = hd / 16 * 2; /* blocks of 8 that alternate between the two accumulators */
    float max = -INFINITY, sum = 0.0f;
    for (int32_t s = 0; s < len; s++, key += stride, val += stride) {
        float32x4_t d0a = vdupq_n_f32(0.0f), d0b = d0a, d1a = d0a, d1b = d0a;
        int32_t c = 0;
        for (; c < paired; c += 2) {
            d0a = vfmaq_f32(d0a, vld1q_f32(qh + 8 * c), f16_lo(key + 8 * c));
            d0b = vfmaq_f32(d0b, vld1q_f32(qh + 8 * c + 4), f16_hi(key + 8 * c));
            d1a = vfmaq_f32(d1a, vld1q_f32(qh + 8 * c + 8), f16_lo(key + 8 * c + 8));
            d1b = vfmaq_f32(d1b, vld1q_f32(qh + 8 * c + 12), f16_hi(key + 8 * c + 8));
        }
        for (; c < hd / 8; c++) {
            d0a = vfmaq_f32(d0a, vld1q_f32(qh + 8 * c), f16_lo(key + 8 * c));
            d0b = vfmaq_f32(d0b, vld1q_f32(qh + 8 * c + 4), f16_hi(key + 8 * c));
        }
        /* v8 = d0 + d1; h[l] = v8[l] + v8[l + 4]; ((h0 + h2) + (h1 + h3)) */
        const float32x4_t h = vaddq_f32(vaddq_f32(d0a, d1a), vaddq_f32(d0b, d1b));
        const float32x2_t pair = vadd_f32(vget_low_f32(h), vget_high_f32(h));
        const float score = (vget_lane_f32(pair, 0) + vget_lane_f32(pair, 1)) * scale;
        float rescale = 1.0f, weight = 1.0f;
        if (score > max) {
            /* a new maximum: shrink what was summed so far */
            rescale = expf(max - score);
            max = score;
            for (int32_t k = 0; k < hd; k += 8)
                store_f16x8(acc + k, vmulq_n_f32(f16_lo(acc + k), rescale), vmulq_n_f32(f16_hi(acc + k), rescale));
        } else {
            weight = expf(score - max);
        }
        const float32x4_t w = vdupq_n_f32(weight);
        for (int32_t k = 0; k < hd; k += 8)
            store_f16x8(acc + k, vfmaq_f32(f16_lo(acc + k), f16_lo(val + k), w),
                        vfmaq_f32(f16_hi(acc + k), f16_hi(val + k), w));
        const float kept = sum * rescale; /* not fused: the reference rounds the product */
        sum = kept + weight;
    }
    const float inv = 1.0f / sum;
    for (int32_t k = 0; k < hd; k += 8) {
        vst1q_f32(out + k, vmulq_n_f32(f16_lo(acc + k), inv));
        vst1q_f32(out + k + 4, vmulq_n_f32(f16_hi(acc + k), inv));
    }
}

/* quant/simd.h's attend_block: nq queries, query j over rows lo[j]..hi[j]-1;
 * hd a multiple of 8; qh and acc scratch for hd floats and hd f16 (used
 * for one query at a time). */
void mote_neon_attend_block(int32_t hd, float scale, int32_t nq, const float *const *q, float *const *out,
                            const int32_t *lo, const int32_t *hi, const mote_fp16 *key, const mote_fp16 *val,
                            int64_t stride, float *qh, mote_fp16 *acc) {
    for (int32_t j = 0; j < nq; j++) {
        for (int32_t i = 0; i < hd; i += 4)
            vst1q_f32(qh + i, vcvt_f32_f16(vcvt_f16_f32(vld1q_f32(q[j] + i))));
        for (int32_t i = 0; i < hd; i += 8) vst1q_u16(acc + i, vdupq_n_u16(0));
        attend_one(hd, scale, qh, acc, key + (int64_t)lo[j] * stride, val + (int64_t)lo[j] * stride, stride,
                   hi[j] - lo[j], out[j]);
    }
}

#else
typedef int mote_neon_attention_unused; /* not an AArch64 build */
#endif
