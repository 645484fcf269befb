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
#include <stdbool.h>

#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

#define RNE (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

/* 2^(i/32), i = 0..31, as double bit patterns (each correctly rounded);
 * avx512_attention.c reads it too. */
const uint64_t mote_exp2_32nds[32] __attribute__((aligned(64))) = {
    0x3ff0000000000000ull, 0x3ff059b0d3158574ull, 0x3ff0b5586cf9890full, 0x3ff11301d0125b51ull,
    0x3ff172b83c7d517bull, 0x3ff1d4873168b9aaull, 0x3ff2387a6e756238ull, 0x3ff29e9df51fdee1ull,
    0x3ff306fe0a31b715ull, 0x3ff371a7373aa9cbull, 0x3ff3dea64c123422ull, 0x3ff44e086061892dull,
    0x3ff4bfdad5362a27ull, 0x3ff5342b569d4f82ull, 0x3ff5ab07dd485429ull, 0x3ff6247eb03a5585ull,
    0x3ff6a09e667f3bcdull, 0x3ff71f75e8ec5f74ull, 0x3ff7a11473eb0187ull, 0x3ff82589994cce13ull,
    0x3ff8ace5422aa0dbull, 0x3ff93737b0cdc5e5ull, 0x3ff9c49182a3f090ull, 0x3ffa5503b23e255dull,
    0x3ffae89f995ad3adull, 0x3ffb7f76f2fb5e47ull, 0x3ffc199bdd85529cull, 0x3ffcb720dcef9069ull,
    0x3ffd5818dcfba487ull, 0x3ffdfc97337b9b5full, 0x3ffea4afa2a490daull, 0x3fff50765b6e4540ull,
};

/* e^x of 4 floats x <= 0 (or nan), with the bits of glibc's expf on an FMA
 * CPU (the softmax in llama.cpp's attention calls expf; so did this kernel,
 * once per query and key, and was ~3% of a prompt's time). Checked against
 * libm over every float <= 0 once, and over a sample of them by
 * test_attention_block. The method: in double, x/ln2 = k/32 + r/32 with k an
 * integer (rounded by the 1.5*2^52 shifter) and |r| <= 1/2; e^x = 2^(k/32)
 * * 2^(r/32), the first a table entry (k mod 32) with k/32 rounded down
 * added to its exponent, the second a cubic in r; rounded once to float.
 * Below -0x1.9fe368p6 the result is 0 (the cubic's double would still give
 * a tiny subnormal there). */
static inline __m128 expf4_nonpos(__m128 x) {
    const __m256d shifter = _mm256_set1_pd(0x1.8p52);
    const __m256d z = _mm256_mul_pd(_mm256_cvtps_pd(x), _mm256_set1_pd(MOTE_EXPF_LOG2E_32));
    const __m256d kd = _mm256_add_pd(z, shifter);
    const __m256i ki = _mm256_castpd_si256(kd);
    const __m256d r = _mm256_sub_pd(z, _mm256_sub_pd(kd, shifter));
    const __m256i entry =
        _mm256_i64gather_epi64((const long long *)mote_exp2_32nds, _mm256_and_si256(ki, _mm256_set1_epi64x(31)), 8);
    const __m256d scale = _mm256_castsi256_pd(_mm256_add_epi64(entry, _mm256_slli_epi64(_mm256_srli_epi64(ki, 5), 52)));
    const __m256d c0 = _mm256_set1_pd(MOTE_EXPF_C0);
    const __m256d c1 = _mm256_set1_pd(MOTE_EXPF_C1);
    const __m256d c2 = _mm256_set1_pd(MOTE_EXPF_C2);
    const __m256d hi = _mm256_fmadd_pd(c0, r, c1);
    const __m256d lo = _mm256_fmadd_pd(c2, r, _mm256_set1_pd(1.0));
    const __m256d y = _mm256_mul_pd(_mm256_fmadd_pd(hi, _mm256_mul_pd(r, r), lo), scale);
    const __m128 under = _mm_cmp_ps(x, _mm_set1_ps(MOTE_EXPF_UNDER), _CMP_LT_OQ);
    return _mm_andnot_ps(under, _mm256_cvtpd_ps(y));
}

void mote_avx2_expf_nonpos(int64_t n, const float *x, float *y) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, expf4_nonpos(_mm_loadu_ps(x + i)));
    for (; i < n; i++) _mm_store_ss(y + i, expf4_nonpos(_mm_set1_ps(x[i])));
}

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
        /* every query's exponential at once: max - score for a new maximum
         * (the rescale), score - max otherwise (the weight); both <= 0 */
        float score[4], arg[4] = {0.0f, 0.0f, 0.0f, 0.0f}, e[4];
        bool new_max[MOTE_AVX2_ATTN_MAX];
#pragma GCC unroll 4
        for (int j = 0; j < n; j++) {
            score[j] = avx2_hsum_ps(_mm256_add_ps(d0[j], d1[j])) * scale;
            new_max[j] = score[j] > max[j];
            arg[j] = new_max[j] ? max[j] - score[j] : score[j] - max[j];
        }
        _mm_storeu_ps(e, expf4_nonpos(_mm_loadu_ps(arg)));
        __m256 wv[MOTE_AVX2_ATTN_MAX];
#pragma GCC unroll 4
        for (int j = 0; j < n; j++) {
            float rescale = 1.0f, weight = 1.0f;
            if (new_max[j]) {
                /* a new maximum: shrink what was summed so far */
                rescale = e[j];
                max[j] = score[j];
                const __m256 r = _mm256_set1_ps(rescale);
                for (int32_t k = 0; k < hd; k += 8) {
                    __m128i *a = (__m128i *)(acc[j] + k);
                    _mm_storeu_si128(a, _mm256_cvtps_ph(_mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128(a)), r), RNE));
                }
            } else {
                weight = e[j];
            }
            /* two statements: a compiler that fuses within an expression
             * (clang's default) must not make this one fma */
            const float kept = sum[j] * rescale;
            sum[j] = kept + weight;
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

/* mote_avx2_attend_block for nq <= MOTE_AVX2_ATTN_MAX. */
static void attend_few(int32_t hd, float scale, int32_t nq, const float *const *q, float *const *out,
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

/* Blocks of more queries (up to MOTE_ATTEND_MAX, quant/simd.h), four at a
 * time: a query's numbers do not depend on its company. */
void mote_avx2_attend_block(int32_t hd, float scale, int32_t nq, const float *const *q, float *const *out,
                            const int32_t *lo, const int32_t *hi, const mote_fp16 *key, const mote_fp16 *val,
                            int64_t stride, float *qh, mote_fp16 *acc) {
    for (int32_t j = 0; j < nq; j += MOTE_AVX2_ATTN_MAX) {
        const int32_t m = nq - j < MOTE_AVX2_ATTN_MAX ? nq - j : MOTE_AVX2_ATTN_MAX;
        attend_few(hd, scale, m, q + j, out + j, lo + j, hi + j, key, val, stride, qh, acc);
    }
}

#else
typedef int mote_avx2_attention_unused; /* not an x86-64 build */
#endif
