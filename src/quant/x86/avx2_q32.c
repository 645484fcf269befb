/*
 * avx2_q32.c — AVX2 dot products of the 32-weight block types (Q8_0, Q4_0,
 * Q4_1, Q5_0, Q5_1, IQ4_NL) with 8-bit activation blocks.
 *
 * One block is one 256-bit register of 32 bytes: the weights are widened to
 * bytes (nibbles split with a mask and a shift, the fifth bit spread from its
 * 32-bit mask, IQ4_NL levels looked up with a byte shuffle), multiplied with
 * the activation bytes (avx2_util.h's byte dot) into 8 int32 partial sums, and those
 * are scaled by the block's two fp16 scales into 8 float accumulators. The
 * integer part is exact; only the order of the float additions differs from
 * the reference. Generation streams every weight once per token, so these
 * loops run at memory speed as long as the unpacking stays this short.
 */
#if defined(__x86_64__)

#include <stddef.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

/* acc += isum * (da * db), as 8 lanes. */
static inline __m256 scale_acc(__m256 acc, __m256i isum, float da, float db) {
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(da * db), acc);
}

/* Q4_0 block as 16 int16 pair sums of (q - 8) * y: the unsigned nibbles
 * times y, minus 8 * y (a second maddubs with a constant), so no sign
 * juggling is needed; pairs stay within +-2*15*127. */
static inline __m256i q4_0_pairs(const block_q4_0 *a, const block_q8_0 *b) {
    const __m256i y = _mm256_loadu_si256((const __m256i *)b->qs);
    return avx2_dot_run_sub(avx2_dot_pairs(avx2_unpack_nibbles(a->qs), y), avx2_dot_pairs(_mm256_set1_epi8(8), y));
}

/* Two blocks' running sums reduced to 4 int32 each, block 0 in 32-bit lanes
 * 0,1,4,5 and block 1 in lanes 2,3,6,7, so one conversion and one fused
 * multiply-add serve both blocks. */
static inline __m256i two_blocks(__m256i p0, __m256i p1) {
    return _mm256_hadd_epi32(avx2_dot_run_widen(p0), avx2_dot_run_widen(p1));
}

/* Four fp16 values as four floats with one conversion. */
static inline __m128 four_h2f(mote_fp16 h0, mote_fp16 h1, mote_fp16 h2, mote_fp16 h3) {
    __m128i v = _mm_cvtsi32_si128(h0);
    v = _mm_insert_epi16(v, h1, 1);
    v = _mm_insert_epi16(v, h2, 2);
    v = _mm_insert_epi16(v, h3, 3);
    return _mm_cvtph_ps(v);
}

float mote_avx2_vec_dot_q4_0_q8_0(int64_t n, const void *w, const void *x) {
    const block_q4_0 *a = w;
    const block_q8_0 *b = x;
    const int64_t nb = n / QK4_0;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 3 < nb; i += 4) {
        const __m256i s01 = two_blocks(q4_0_pairs(&a[i], &b[i]), q4_0_pairs(&a[i + 1], &b[i + 1]));
        const __m256i s23 = two_blocks(q4_0_pairs(&a[i + 2], &b[i + 2]), q4_0_pairs(&a[i + 3], &b[i + 3]));
        /* the four blocks' scale products, spread to match two_blocks' lanes */
        const __m128 p = _mm_mul_ps(four_h2f(a[i].d, a[i + 1].d, a[i + 2].d, a[i + 3].d),
                                    four_h2f(b[i].d, b[i + 1].d, b[i + 2].d, b[i + 3].d));
        const __m128 p01 = _mm_unpacklo_ps(p, p), p23 = _mm_unpackhi_ps(p, p);
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s01), _mm256_set_m128(p01, p01), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s23), _mm256_set_m128(p23, p23), acc1);
    }
    for (; i < nb; i++) {
        const __m256i s = avx2_dot_run_widen(q4_0_pairs(&a[i], &b[i]));
        acc0 = scale_acc(acc0, s, avx2_h2f(a[i].d), avx2_h2f(b[i].d));
    }
    return avx2_hsum_ps(_mm256_add_ps(acc0, acc1));
}

/* The four-blocks-per-step loop shared by the remaining types: PAIRS(a, b)
 * gives a block's products as a running sum (avx2_util.h: 16 int16 pair sums
 * under AVX2); EXTRA(i) an optional per-four-blocks
 * float term (the offset of the types with a minimum). */
#define DOT_4BLOCKS(A, B, PAIRS)                                                                        \
    const int64_t nb = n / 32;                                                                          \
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                     \
    int64_t i = 0;                                                                                      \
    for (; i + 3 < nb; i += 4) {                                                                        \
        const __m256i s01 = two_blocks(PAIRS(&A[i], &B[i]), PAIRS(&A[i + 1], &B[i + 1]));               \
        const __m256i s23 = two_blocks(PAIRS(&A[i + 2], &B[i + 2]), PAIRS(&A[i + 3], &B[i + 3]));       \
        const __m128 p = _mm_mul_ps(four_h2f(A[i].d, A[i + 1].d, A[i + 2].d, A[i + 3].d),                \
                                    four_h2f(B[i].d, B[i + 1].d, B[i + 2].d, B[i + 3].d));               \
        const __m128 p01 = _mm_unpacklo_ps(p, p), p23 = _mm_unpackhi_ps(p, p);                          \
        acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s01), _mm256_set_m128(p01, p01), acc0);               \
        acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s23), _mm256_set_m128(p23, p23), acc1);               \
    }                                                                                                   \
    for (; i < nb; i++)                                                                                 \
        acc0 = scale_acc(acc0, avx2_dot_run_widen(PAIRS(&A[i], &B[i])),                            \
                         avx2_h2f(A[i].d), avx2_h2f(B[i].d));                                            \
    float sum = avx2_hsum_ps(_mm256_add_ps(acc0, acc1))

/* Q8_0 block as 16 int16 pair sums of w * y: the sign of w moves onto y so
 * the unsigned-by-signed multiply applies; pairs stay within 2*128*127. */
static inline __m256i q8_0_pairs(const block_q8_0 *a, const block_q8_0 *b) {
    const __m256i q = _mm256_loadu_si256((const __m256i *)a->qs);
    return avx2_dot_pairs(_mm256_sign_epi8(q, q), _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)b->qs), q));
}

float mote_avx2_vec_dot_q8_0_q8_0(int64_t n, const void *w, const void *x) {
    const block_q8_0 *a = w, *b = x;
    DOT_4BLOCKS(a, b, q8_0_pairs);
    return sum;
}

/* sum over blocks of m * s (the offset term of Q4_1/Q5_1 against Q8_1). */
static inline float offset_sum(const void *w, size_t wstride, size_t moff, const block_q8_1 *b, int64_t nb) {
    const uint8_t *p = (const uint8_t *)w + moff;
    __m128 acc = _mm_setzero_ps();
    int64_t i = 0;
    mote_fp16 m[4];
    for (; i + 3 < nb; i += 4) {
        for (int k = 0; k < 4; k++) memcpy(&m[k], p + (size_t)(i + k) * wstride, 2);
        acc = _mm_fmadd_ps(four_h2f(m[0], m[1], m[2], m[3]), four_h2f(b[i].s, b[i + 1].s, b[i + 2].s, b[i + 3].s), acc);
    }
    acc = _mm_add_ps(acc, _mm_movehl_ps(acc, acc));
    float s = _mm_cvtss_f32(_mm_add_ss(acc, _mm_movehdup_ps(acc)));
    for (; i < nb; i++) {
        memcpy(&m[0], p + (size_t)i * wstride, 2);
        s += avx2_h2f(m[0]) * avx2_h2f(b[i].s);
    }
    return s;
}

/* Q4_1: unsigned q (0..15) times the activation; the offset m meets Q8_1's
 * s = d8 * sum(q8), one multiply per block (summed apart). */
static inline __m256i q4_1_pairs(const block_q4_1 *a, const block_q8_1 *b) {
    return avx2_dot_pairs(avx2_unpack_nibbles(a->qs), _mm256_loadu_si256((const __m256i *)b->qs));
}

float mote_avx2_vec_dot_q4_1_q8_1(int64_t n, const void *w, const void *x) {
    const block_q4_1 *a = w;
    const block_q8_1 *b = x;
    DOT_4BLOCKS(a, b, q4_1_pairs);
    return sum + offset_sum(w, sizeof *a, offsetof(block_q4_1, m), b, nb);
}

/* The 5-bit quants of a Q5 block, 0..31. */
static inline __m256i q5_unpack(const uint8_t *qs, const uint8_t *qh) {
    return _mm256_or_si256(avx2_unpack_nibbles(qs), avx2_bit_to_0x10(qh));
}

/* Q5_0: (q - 16) * y as u*y - 16*y, pairs within +-2*31*127. */
static inline __m256i q5_0_pairs(const block_q5_0 *a, const block_q8_0 *b) {
    const __m256i y = _mm256_loadu_si256((const __m256i *)b->qs);
    return avx2_dot_run_sub(avx2_dot_pairs(q5_unpack(a->qs, a->qh), y), avx2_dot_pairs(_mm256_set1_epi8(16), y));
}

float mote_avx2_vec_dot_q5_0_q8_0(int64_t n, const void *w, const void *x) {
    const block_q5_0 *a = w;
    const block_q8_0 *b = x;
    DOT_4BLOCKS(a, b, q5_0_pairs);
    return sum;
}

static inline __m256i q5_1_pairs(const block_q5_1 *a, const block_q8_1 *b) {
    return avx2_dot_pairs(q5_unpack(a->qs, a->qh), _mm256_loadu_si256((const __m256i *)b->qs));
}

float mote_avx2_vec_dot_q5_1_q8_1(int64_t n, const void *w, const void *x) {
    const block_q5_1 *a = w;
    const block_q8_1 *b = x;
    DOT_4BLOCKS(a, b, q5_1_pairs);
    return sum + offset_sum(w, sizeof *a, offsetof(block_q5_1, m), b, nb);
}

/* IQ4_NL: the 16 levels are a byte table; pshufb maps each nibble to its
 * level. Levels reach -127, never -128, so the sign trick is safe. */

static inline __m256i iq4_nl_pairs(const block_iq4_nl *a, const block_q8_0 *b) {
    const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)mote_iq4_levels));
    const __m256i v = _mm256_shuffle_epi8(table, avx2_unpack_nibbles(a->qs));
    const __m256i y = _mm256_loadu_si256((const __m256i *)b->qs);
    /* pairs <= 2*127*127 */
    return avx2_dot_pairs(_mm256_sign_epi8(v, v), _mm256_sign_epi8(y, v));
}

float mote_avx2_vec_dot_iq4_nl_q8_0(int64_t n, const void *w, const void *x) {
    const block_iq4_nl *a = w;
    const block_q8_0 *b = x;
    DOT_4BLOCKS(a, b, iq4_nl_pairs);
    return sum;
}

#else
typedef int mote_avx2_q32_unused; /* not an x86-64 build */
#endif
