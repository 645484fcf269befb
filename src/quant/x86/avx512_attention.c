/*
 * avx512_attention.c — the inner loop of attention for the AVX-512 set: up
 * to MOTE_ATTEND_MAX query heads (a GQA group's heads times several tokens,
 * engine/attention.c) walked together over the cached f16 key/value head
 * they share.
 *
 * The per-query arithmetic is the AVX2 kernel's (avx2_attention.c), bit for
 * bit, so a query's result does not depend on its company nor on which of
 * the two kernels ran it (prefill = one token at a time):
 *   - q.k: one 16-lane accumulator per query whose lanes 0-7 take the even
 *     blocks of 8 elements and lanes 8-15 the odd ones — AVX2's d0 and d1
 *     side by side; then (d0 + d1), halves of 4, pairs, pairs: the same
 *     additions, done for 16 queries at once by a transposing tree of
 *     shuffles, so the row of 16 scores comes out as one vector;
 *   - the online softmax on that vector (16 queries per instruction), with
 *     expf16_nonpos giving the bits of AVX2's expf4_nonpos (glibc's expf);
 *   - the f16 accumulator rounded after every key.
 * What changes is the cost: each key and value row is widened from f16 once
 * per 16 queries (not per 4), the dot products need no horizontal sum per
 * query, and one exponential instruction sequence serves 16 queries.
 *
 * Blocks of 4 queries or fewer (one-token steps) go to the AVX2 kernel.
 */
#if defined(__x86_64__)

#include <immintrin.h>
#include <math.h>

#include "quant/simd.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx512_kernels.h"

#define RNE (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)


/* e^x of 8 floats <= 0, as avx2_attention.c's expf4_nonpos computes it
 * (same table and constants, same operations in the same order, so the same
 * bits); the table entry is picked by two-register permutes instead of a
 * gather. */
static inline __m256 expf8_nonpos(__m256 x) {
    const __m512d shifter = _mm512_set1_pd(0x1.8p52);
    const __m512d z = _mm512_mul_pd(_mm512_cvtps_pd(x), _mm512_set1_pd(MOTE_EXPF_LOG2E_32));
    const __m512d kd = _mm512_add_pd(z, shifter);
    const __m512i ki = _mm512_castpd_si512(kd);
    const __m512d r = _mm512_sub_pd(z, _mm512_sub_pd(kd, shifter));
    const __m512i t0 = _mm512_loadu_si512(mote_exp2_32nds), t1 = _mm512_loadu_si512(mote_exp2_32nds + 8);
    const __m512i t2 = _mm512_loadu_si512(mote_exp2_32nds + 16), t3 = _mm512_loadu_si512(mote_exp2_32nds + 24);
    const __m512i low16 = _mm512_permutex2var_epi64(t0, ki, t1);  /* entry (ki mod 16) */
    const __m512i high16 = _mm512_permutex2var_epi64(t2, ki, t3); /* entry 16 + (ki mod 16) */
    const __mmask8 upper = _mm512_test_epi64_mask(ki, _mm512_set1_epi64(16));
    const __m512i entry = _mm512_mask_blend_epi64(upper, low16, high16);
    const __m512d scale = _mm512_castsi512_pd(_mm512_add_epi64(entry, _mm512_slli_epi64(_mm512_srli_epi64(ki, 5), 52)));
    const __m512d c0 = _mm512_set1_pd(MOTE_EXPF_C0);
    const __m512d c1 = _mm512_set1_pd(MOTE_EXPF_C1);
    const __m512d c2 = _mm512_set1_pd(MOTE_EXPF_C2);
    const __m512d hi = _mm512_fmadd_pd(c0, r, c1);
    const __m512d lo = _mm512_fmadd_pd(c2, r, _mm512_set1_pd(1.0));
    const __m512d y = _mm512_mul_pd(_mm512_fmadd_pd(hi, _mm512_mul_pd(r, r), lo), scale);
    const __mmask8 under = _mm256_cmp_ps_mask(x, _mm256_set1_ps(MOTE_EXPF_UNDER), _CMP_LT_OQ);
    return _mm256_maskz_mov_ps((__mmask8)~under, _mm512_cvtpd_ps(y));
}

/* e^x of 16 floats x <= 0 (or nan): expf4_nonpos's bits. */
static inline __m512 expf16_nonpos(__m512 x) {
    const __m256 lo = expf8_nonpos(_mm512_castps512_ps256(x));
    const __m256 hi = expf8_nonpos(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)));
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(lo)), _mm256_castps_pd(hi), 1));
}

void mote_avx512_expf_nonpos(int64_t n, const float *x, float *y) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, expf16_nonpos(_mm512_loadu_ps(x + i)));
    if (i < n) {
        const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(y + i, m, expf16_nonpos(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

/* The scores of 16 queries from their dot accumulators d[0..15] (lanes 0-7:
 * even blocks, 8-15: odd blocks), each summed exactly as avx2_hsum_ps(d0 +
 * d1) sums it: lanes l + l+8, then l + l+4, then (0 + 2) and (1 + 3), then
 * those two. Query j's score lands in lane 4 * (j % 4) + j / 4. */
static inline __m512 tree16(const __m512 *d) {
    __m512 p[8], h[4], g[2];
    for (int k = 0; k < 8; k++) /* [d0.v8 | d1.v8] with v8 = low 8 + high 8 */
        p[k] = _mm512_add_ps(_mm512_shuffle_f32x4(d[2 * k], d[2 * k + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                             _mm512_shuffle_f32x4(d[2 * k], d[2 * k + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    for (int k = 0; k < 4; k++) /* 128-bit lane m: query 4k' + m's v8[0..3] + v8[4..7] */
        h[k] = _mm512_add_ps(_mm512_shuffle_f32x4(p[2 * k], p[2 * k + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                             _mm512_shuffle_f32x4(p[2 * k], p[2 * k + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    for (int k = 0; k < 2; k++) /* per 128-bit lane: (h0 + h2), (h1 + h3) of two queries */
        g[k] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(h[2 * k]), _mm512_castps_pd(h[2 * k + 1]))),
                             _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(h[2 * k]), _mm512_castps_pd(h[2 * k + 1]))));
    return _mm512_add_ps(_mm512_shuffle_ps(g[0], g[1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_ps(g[0], g[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

/* The running state of the block's queries, by query index. */
typedef struct {
    const float *qh[MOTE_ATTEND_MAX]; /* f16-rounded queries */
    mote_fp16 *acc[MOTE_ATTEND_MAX];  /* f16 accumulators */
    float max[MOTE_ATTEND_MAX], sum[MOTE_ATTEND_MAX];
} block_state;

/* Rows 0..len-1 (at key/val, `stride` apart) folded into the n <= 16
 * queries act[0..n-1] of st. N (8 or 16, >= n) is a constant: slots past n
 * repeat query act[0]'s dot products and are dropped. */
static inline __attribute__((always_inline)) void run_n(const int N, block_state *st, const int *act, int n,
                                                        int32_t hd, float scale, const mote_fp16 *key,
                                                        const mote_fp16 *val, int64_t stride, int32_t len) {
    /* query slot j's score lane in tree16, and back */
    const __m512i unscramble = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    const float *qh[MOTE_ATTEND_MAX];
    mote_fp16 *acc[MOTE_ATTEND_MAX];
    float mx[16], sm[16];
    for (int j = 0; j < 16; j++) {
        const int q = act[j < n ? j : 0];
        qh[j] = st->qh[q];
        acc[j] = st->acc[q];
        mx[j] = st->max[q];
        sm[j] = st->sum[q];
    }
    __m512 max = _mm512_loadu_ps(mx), sum = _mm512_loadu_ps(sm);
    const __m512 vscale = _mm512_set1_ps(scale);
    const int32_t paired = hd & ~15;
    for (int32_t s = 0; s < len; s++, key += stride, val += stride) {
        __m512 d[16];
#pragma GCC unroll 16
        for (int j = 0; j < 16; j++) d[j] = _mm512_setzero_ps();
        int32_t i = 0;
        for (; i < paired; i += 16) {
            const __m512 k = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(key + i)));
#pragma GCC unroll 16
            for (int j = 0; j < N; j++) d[j] = _mm512_fmadd_ps(_mm512_loadu_ps(qh[j] + i), k, d[j]);
        }
        if (i < hd) { /* a last block of 8: into the even lanes (AVX2's d0) */
            const __m512 k = _mm512_cvtph_ps(_mm256_zextsi128_si256(_mm_loadu_si128((const __m128i *)(key + i))));
#pragma GCC unroll 16
            for (int j = 0; j < N; j++) d[j] = _mm512_mask3_fmadd_ps(_mm512_maskz_loadu_ps(0xff, qh[j] + i), k, d[j], 0xff);
        }
        const __m512 score = _mm512_mul_ps(_mm512_permutexvar_ps(unscramble, tree16(d)), vscale);
        /* max - score for a new maximum (the rescale), score - max otherwise
         * (the weight); both <= 0 */
        const __mmask16 new_max = _mm512_cmp_ps_mask(score, max, _CMP_GT_OQ);
        const __m512 arg = _mm512_mask_sub_ps(_mm512_sub_ps(score, max), new_max, max, score);
        const __m512 e = expf16_nonpos(arg);
        const __m512 one = _mm512_set1_ps(1.0f);
        const __m512 rescale = _mm512_mask_mov_ps(one, new_max, e);
        const __m512 weight = _mm512_mask_mov_ps(e, new_max, one);
        max = _mm512_mask_mov_ps(max, new_max, score);
        sum = _mm512_add_ps(_mm512_mul_ps(sum, rescale), weight); /* no fma, as in the AVX2 kernel */
        float w[16], r[16];
        _mm512_storeu_ps(w, weight);
        _mm512_storeu_ps(r, rescale);
        /* a new maximum: shrink what was summed so far */
        for (unsigned m = new_max & ((1u << n) - 1); m; m &= m - 1) {
            const int j = __builtin_ctz(m);
            const __m256 rs = _mm256_set1_ps(r[j]);
            for (int32_t k = 0; k < hd; k += 8) {
                __m128i *a = (__m128i *)(acc[j] + k);
                _mm_storeu_si128(a, _mm256_cvtps_ph(_mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128(a)), rs), RNE));
            }
        }
        i = 0;
        for (; i < paired; i += 16) {
            const __m512 v = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(val + i)));
            for (int j = 0; j < n; j++) {
                __m256i *a = (__m256i *)(acc[j] + i);
                _mm256_storeu_si256(a, _mm512_cvtps_ph(_mm512_fmadd_ps(v, _mm512_set1_ps(w[j]),
                                                                       _mm512_cvtph_ps(_mm256_loadu_si256(a))),
                                                       RNE));
            }
        }
        if (i < hd) {
            const __m256 v = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(val + i)));
            for (int j = 0; j < n; j++) {
                __m128i *a = (__m128i *)(acc[j] + i);
                _mm_storeu_si128(a, _mm256_cvtps_ph(_mm256_fmadd_ps(v, _mm256_set1_ps(w[j]), _mm256_cvtph_ps(_mm_loadu_si128(a))), RNE));
            }
        }
    }
    _mm512_storeu_ps(mx, max);
    _mm512_storeu_ps(sm, sum);
    for (int j = 0; j < n; j++) {
        st->max[act[j]] = mx[j];
        st->sum[act[j]] = sm[j];
    }
}

/* run_n with N made a constant. */
static void run(block_state *st, const int *act, int n, int32_t hd, float scale, const mote_fp16 *key,
                const mote_fp16 *val, int64_t stride, int32_t len) {
    if (n <= 8)
        run_n(8, st, act, n, hd, scale, key, val, stride, len);
    else
        run_n(16, st, act, n, hd, scale, key, val, stride, len);
}

void mote_avx512_attend_block(int32_t hd, float scale, int32_t nq, const float *const *q, float *const *out,
                              const int32_t *lo, const int32_t *hi, const mote_fp16 *key, const mote_fp16 *val,
                              int64_t stride, float *qh, mote_fp16 *acc) {
    if (nq <= MOTE_AVX2_ATTN_MAX) { /* one-token steps: same numbers, less padding */
        mote_avx2_attend_block(hd, scale, nq, q, out, lo, hi, key, val, stride, qh, acc);
        return;
    }
    block_state st;
    int32_t s = INT32_MAX, end = INT32_MIN;
    for (int32_t j = 0; j < nq; j++) {
        float *h = qh + (int64_t)j * hd;
        mote_fp16 *a = acc + (int64_t)j * hd;
        for (int32_t i = 0; i < hd; i += 8) {
            _mm256_storeu_ps(h + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(q[j] + i), RNE)));
            _mm_storeu_si128((__m128i *)(a + i), _mm_setzero_si128());
        }
        st.qh[j] = h;
        st.acc[j] = a;
        st.max[j] = -INFINITY;
        st.sum[j] = 0.0f;
        if (lo[j] < s) s = lo[j];
        if (hi[j] > end) end = hi[j];
    }
    /* Runs of rows read by the same set of queries, in row order: every
     * query meets its rows in order, whatever company it keeps. */
    while (s < end) {
        int act[MOTE_ATTEND_MAX], n = 0;
        int32_t next = end;
        for (int32_t j = 0; j < nq; j++) {
            if (lo[j] <= s && s < hi[j]) {
                act[n++] = j;
                if (hi[j] < next) next = hi[j];
            } else if (lo[j] > s && lo[j] < next) {
                next = lo[j];
            }
        }
        if (n) run(&st, act, n, hd, scale, key + s * stride, val + s * stride, stride, next - s);
        s = next;
    }
    for (int32_t j = 0; j < nq; j++) {
        const __m256 inv = _mm256_set1_ps(1.0f / st.sum[j]);
        for (int32_t i = 0; i < hd; i += 8)
            _mm256_storeu_ps(out[j] + i,
                             _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(st.acc[j] + i))), inv));
    }
}

#else
typedef int mote_avx512_attention_unused; /* not an x86-64 build */
#endif
