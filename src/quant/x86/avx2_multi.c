/*
 * avx2_multi.c — AVX2 vec_dot_multi kernels (types.h): one weight row
 * against MOTE_DOT_COLS (4) activation rows at once, for batched prefill.
 *
 * A prompt's matrix products are arithmetic-bound, and in the one-row
 * kernels (avx2_q32.c) a good part of the arithmetic is preparing the
 * weights: unpacking nibbles, recentring them, taking their absolute value
 * for the unsigned-by-signed byte multiply. Here each weight block is
 * prepared once (as |w| and its sign) and then multiplied with the four
 * activation blocks; the integer sums per block are the same as vec_dot's,
 * each column accumulates its blocks in 8 float lanes in block order.
 */
#if defined(__x86_64__)

#include <stddef.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

#define COLS 4

/* Shared loop: W_BYTES(blk) yields the block's 32 signed weights as bytes. */
#define MULTI_LOOP(BLOCK_T, W_BYTES)                                                                   \
    const BLOCK_T *a = w;                                                                              \
    const int64_t nb = n / 32;                                                                         \
    const block_q8_0 *b[COLS];                                                                         \
    for (int c = 0; c < COLS; c++) b[c] = (const block_q8_0 *)((const uint8_t *)x + (size_t)c * x_stride); \
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                     \
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();                                     \
    const __m256i ones = _mm256_set1_epi16(1);                                                         \
    for (int64_t i = 0; i < nb; i++) {                                                                 \
        const __m256i q = W_BYTES(&a[i]);                                                              \
        const __m256i aq = _mm256_sign_epi8(q, q);                                                     \
        const float da = avx2_h2f(a[i].d);                                                             \
        _Pragma("GCC unroll 4") for (int c = 0; c < COLS; c++) {                                       \
            const __m256i y = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)b[c][i].qs), q);    \
            const __m256 s = _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(aq, y), ones)); \
            const __m256 d = _mm256_set1_ps(da * avx2_h2f(b[c][i].d));                                 \
            if (c == 0) acc0 = _mm256_fmadd_ps(s, d, acc0);                                            \
            else if (c == 1) acc1 = _mm256_fmadd_ps(s, d, acc1);                                       \
            else if (c == 2) acc2 = _mm256_fmadd_ps(s, d, acc2);                                       \
            else acc3 = _mm256_fmadd_ps(s, d, acc3);                                                   \
        }                                                                                              \
    }                                                                                                  \
    y[0] = avx2_hsum_ps(acc0);                                                                         \
    y[y_stride] = avx2_hsum_ps(acc1);                                                                  \
    y[2 * y_stride] = avx2_hsum_ps(acc2);                                                              \
    y[3 * y_stride] = avx2_hsum_ps(acc3);

/* Q8_0 weights are already signed bytes. */
static inline __m256i q8_0_bytes(const block_q8_0 *blk) { return _mm256_loadu_si256((const __m256i *)blk->qs); }

/* Q4_0 nibbles recentred to -8..7. */
static inline __m256i q4_0_bytes(const block_q4_0 *blk) {
    return _mm256_sub_epi8(avx2_unpack_nibbles(blk->qs), _mm256_set1_epi8(8));
}

void mote_avx2_vec_dot_multi_q8_0_q8_0(int64_t n, const void *w, const void *x, size_t x_stride, float *y,
                                       size_t y_stride) {
    MULTI_LOOP(block_q8_0, q8_0_bytes)
}

void mote_avx2_vec_dot_multi_q4_0_q8_0(int64_t n, const void *w, const void *x, size_t x_stride, float *y,
                                       size_t y_stride) {
    MULTI_LOOP(block_q4_0, q4_0_bytes)
}

#else
typedef int mote_avx2_multi_unused; /* not an x86-64 build */
#endif
