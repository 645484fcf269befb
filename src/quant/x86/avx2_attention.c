/*
 * avx2_attention.c — the inner loop of attention (a few query heads that
 * read the same cached f16 key/value head, engine/attention.c) with F16C
 * and FMA.
 *
 * Same arithmetic per query as the portable loop in attention.c: the query
 * rounded to f16, an online softmax, values summed into an f16 accumulator
 * rounded after every step (which is what the reference logits carry). Only
 * the order of the additions in each q.k dot product differs (8 lanes). The
 * portable loop converts f32 to f16 in software for every accumulator
 * element of every step; here that is one instruction per 8 elements.
 *
 * One query alone is a chain of dependent steps per key (dot, horizontal
 * sum, compare, expf, accumulator update) that leaves the core waiting.
 * Walking up to MOTE_AVX2_ATTN_MAX queries over the keys together gives it
 * independent chains to overlap, and each key and value row is widened from
 * f16 once for all of them. Every query still sees its own keys in the same
 * order with the same operations, so its result does not depend on which
 * queries it was grouped with (prefill = one token at a time, bit for bit).
 */
#if defined(__x86_64__)

#include <math.h>

#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

#define RNE (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

/* The running state of one query: its f16-rounded copy, its f16
 * accumulator, the largest score so far and the sum of the weights. */
typedef struct {
    const float *qh;
    mote_fp16 *acc;
    float max, sum;
} query_state;

/* Keys and values rows 0..len-1 (at key/val, `stride` apart) folded into the
 * n queries of st. n is a constant at every call (see run), so the loops
 * over queries unroll and the dot products stay in registers. */
static inline __attribute__((always_inline)) void run_n(const int n, query_state *const *st, int32_t hd,
                                                        float scale, const mote_fp16 *key, const mote_fp16 *val,
                                                        int64_t stride, int32_t len) {
    /* in locals: the accumulator stores could otherwise alias the states */
    const float *qh[MOTE_AVX2_ATTN_MAX];
    mote_fp16 *acc[MOTE_AVX2_ATTN_MAX];
    float max[MOTE_AVX2_ATTN_MAX], sum[MOTE_AVX2_ATTN_MAX];
#pragma GCC unroll 4
    for (int j = 0; j < n; j++) {
        qh[j] = st[j]->qh;
        acc[j] = st[j]->acc;
        max[j] = st[j]->max;
        sum[j] = st[j]->sum;
    }
    for (int32_t s = 0; s < len; s++, key += stride, val += stride) {
        __m256 d0[MOTE_AVX2_ATTN_MAX], d1[MOTE_AVX2_ATTN_MAX];
#pragma GCC unroll 4
        for (int j = 0; j < n; j++) d0[j] = d1[j] = _mm256_setzero_ps();
        /* even blocks of 8 into d0, odd ones into d1: the single-query order */
        int32_t i = 0;
        for (; i + 16 <= hd; i += 16) {
            const __m256 k0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(key + i)));
            const __m256 k1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(key + i + 8)));
#pragma GCC unroll 4
            for (int j = 0; j < n; j++) {
                d0[j] = _mm256_fmadd_ps(_mm256_loadu_ps(qh[j] + i), k0, d0[j]);
                d1[j] = _mm256_fmadd_ps(_mm256_loadu_ps(qh[j] + i + 8), k1, d1[j]);
            }
        }
        for (; i < hd; i += 8) {
            const __m256 k0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(key + i)));
#pragma GCC unroll 4
            for (int j = 0; j < n; j++) d0[j] = _mm256_fmadd_ps(_mm256_loadu_ps(qh[j] + i), k0, d0[j]);
        }
        __m256 wv[MOTE_AVX2_ATTN_MAX];
#pragma GCC unroll 4
        for (int j = 0; j < n; j++) {
            const float score = avx2_hsum_ps(_mm256_add_ps(d0[j], d1[j])) * scale;
            float rescale = 1.0f, weight = 1.0f;
            if (score > max[j]) {
                /* a new maximum: shrink what was summed so far */
                rescale = expf(max[j] - score);
                max[j] = score;
                const __m256 r = _mm256_set1_ps(rescale);
                for (int32_t k = 0; k < hd; k += 8) {
                    __m128i *a = (__m128i *)(acc[j] + k);
                    _mm_storeu_si128(a, _mm256_cvtps_ph(_mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128(a)), r), RNE));
                }
            } else {
                weight = expf(score - max[j]);
            }
            sum[j] = sum[j] * rescale + weight;
            wv[j] = _mm256_set1_ps(weight);
        }
        for (int32_t k = 0; k < hd; k += 8) {
            const __m256 v = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(val + k)));
#pragma GCC unroll 4
            for (int j = 0; j < n; j++) {
                __m128i *a = (__m128i *)(acc[j] + k);
                _mm_storeu_si128(a, _mm256_cvtps_ph(_mm256_fmadd_ps(v, wv[j], _mm256_cvtph_ps(_mm_loadu_si128(a))), RNE));
            }
        }
    }
#pragma GCC unroll 4
    for (int j = 0; j < n; j++) {
        st[j]->max = max[j];
        st[j]->sum = sum[j];
    }
}

/* run_n with n made a constant. */
static void run(int n, query_state *const *st, int32_t hd, float scale, const mote_fp16 *key,
                const mote_fp16 *val, int64_t stride, int32_t len) {
    switch (n) {
    case 1: run_n(1, st, hd, scale, key, val, stride, len); break;
    case 2: run_n(2, st, hd, scale, key, val, stride, len); break;
    case 3: run_n(3, st, hd, scale, key, val, stride, len); break;
    default: run_n(4, st, hd, scale, key, val, stride, len); break;
    }
}

void mote_avx2_attend_block(int32_t hd, float scale, int32_t nq, const float *const *q, float *const *out,
                            const int32_t *lo, const int32_t *hi, const mote_fp16 *key, const mote_fp16 *val,
                            int64_t stride, float *qh, mote_fp16 *acc) {
    query_state st[MOTE_AVX2_ATTN_MAX];
    int32_t s = INT32_MAX, end = INT32_MIN;
    for (int32_t j = 0; j < nq; j++) {
        float *h = qh + (int64_t)j * hd;
        mote_fp16 *a = acc + (int64_t)j * hd;
        for (int32_t i = 0; i < hd; i += 8) {
            _mm256_storeu_ps(h + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(q[j] + i), RNE)));
            _mm_storeu_si128((__m128i *)(a + i), _mm_setzero_si128());
        }
        st[j] = (query_state){h, a, -INFINITY, 0.0f};
        if (lo[j] < s) s = lo[j];
        if (hi[j] > end) end = hi[j];
    }
    /* Runs of rows read by the same set of queries, in row order: every
     * query meets its rows in order, whatever company it keeps. */
    while (s < end) {
        query_state *act[MOTE_AVX2_ATTN_MAX];
        int n = 0;
        int32_t next = end;
        for (int32_t j = 0; j < nq; j++) {
            if (lo[j] <= s && s < hi[j]) {
                act[n++] = &st[j];
                if (hi[j] < next) next = hi[j];
            } else if (lo[j] > s && lo[j] < next) {
                next = lo[j];
            }
        }
        if (n) run(n, act, hd, scale, key + s * stride, val + s * stride, stride, next - s);
        s = next;
    }
    for (int32_t j = 0; j < nq; j++) {
        const __m256 inv = _mm256_set1_ps(1.0f / st[j].sum);
        for (int32_t i = 0; i < hd; i += 8)
            _mm256_storeu_ps(out[j] + i,
                             _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(st[j].acc + i))), inv));
    }
}

#else
typedef int mote_avx2_attention_unused; /* not an x86-64 build */
#endif
