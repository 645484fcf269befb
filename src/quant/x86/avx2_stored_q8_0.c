/*
 * avx2_stored_q8_0.c — Q8_0 matrices in a stored panel layout (types.h,
 * "stored panels"), repacked once at load like Q4_0's (avx2_stored_q4_0.c).
 * Q8_0 is the output head of most q4_0 files, often tied to the token
 * embedding (model/repack.c), and without a stored layout a batch of a few
 * sequences either repacked the whole head at every step or ran it one row
 * at a time.
 *
 * Layout of a group of 8 rows, per block of 32 weights (272 bytes, the same
 * as the 8 GGUF blocks it replaces):
 *   16 bytes: the 8 rows' fp16 scales d, row 0 first;
 *   8 x 32 bytes: vector v (0..7) holds, in bytes 4r..4r+3, the quants
 *   qs[4v..4v+3] of row r.
 * Missing rows of a last, partial group are zero bytes (scale 0).
 *
 * Product: the weights are signed, and the byte multiply (maddubs) wants
 * one unsigned operand, so per vector |w| is taken once and each token's 4
 * broadcast activation bytes take w's sign. A pair of products reaches
 * 2 * 128 * 127, so every maddubs is widened to int32 before the next is
 * added. Activations: the shared q8_0 format (avx2_stored.h); the integer
 * block sums are vec_dot's, only the float order of summation differs.
 */
#if defined(__x86_64__)

#include <stddef.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/types.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_stored.h"
#include "quant/x86/avx2_util.h"

#define ROWS 8
#define GROUP_BLOCK_BYTES (ROWS * sizeof(block_q8_0)) /* 272 */

static size_t group_bytes(int64_t n) { return (size_t)(n / 32) * GROUP_BLOCK_BYTES; }

static void repack(int64_t n, const void *w, size_t w_stride, int rows, void *group) {
    uint8_t *out = group;
    memset(out, 0, group_bytes(n));
    for (int64_t b = 0; b < n / 32; b++, out += GROUP_BLOCK_BYTES)
        for (int r = 0; r < rows; r++) {
            const block_q8_0 *blk = (const block_q8_0 *)((const uint8_t *)w + (size_t)r * w_stride) + b;
            memcpy(out + 2 * r, &blk->d, 2);
            for (int v = 0; v < 8; v++) memcpy(out + 16 + 32 * v + 4 * r, blk->qs + 4 * v, 4);
        }
}

/* Row r of a group back in GGUF blocks: the inverse of repack. */
static void unpack(int64_t n, const void *group, int r, void *row) {
    const uint8_t *g = group;
    block_q8_0 *out = row;
    for (int64_t b = 0; b < n / 32; b++, g += GROUP_BLOCK_BYTES) {
        memcpy(&out[b].d, g + 2 * r, 2);
        for (int v = 0; v < 8; v++) memcpy(out[b].qs + 4 * v, g + 16 + 32 * v + 4 * r, 4);
    }
}

/* The product for a constant number of columns C (unrolled, accumulators in registers). */
static inline __attribute__((always_inline)) void gemm_cols(int64_t n, const uint8_t *g,
                                                            const mote_avx2_stored_act *const *a, float *y,
                                                            size_t y_stride, const int C) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t b = 0; b < n / 32; b++, g += GROUP_BLOCK_BYTES) {
        const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        __m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                        _mm256_setzero_si256()};
        /* One token: the odd vectors in a second chain. As vpdpbusd (the
         * avxvnni compilation) one chain of 8 waited on its latency, about at
         * the speed weights stream from memory (perf: the dot products the
         * hottest instructions). The int32 sums are exact: same result. */
        __m256i s_odd = _mm256_setzero_si256();
        for (int v = 0; v < 8; v++) {
            const __m256i w = _mm256_loadu_si256((const __m256i *)(g + 16 + 32 * v));
            const __m256i aw = _mm256_sign_epi8(w, w); /* |w|; -128 reads as 128 unsigned */
#pragma GCC unroll 4
            for (int c = 0; c < C; c++) {
                const __m256i x = _mm256_sign_epi8(avx2_bcast4(a[c][b].qs + 4 * v), w);
                if (C == 1 && (v & 1)) s_odd = avx2_dot_u8_i8_acc(s_odd, aw, x);
                else s[c] = avx2_dot_u8_i8_acc(s[c], aw, x);
            }
        }
        if (C == 1) s[0] = _mm256_add_epi32(s[0], s_odd);
        for (int c = 0; c < C; c++)
            acc[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[c]), _mm256_mul_ps(dw, _mm256_set1_ps(a[c][b].d)), acc[c]);
    }
    for (int c = 0; c < C; c++) _mm256_storeu_ps(y + (size_t)c * y_stride, acc[c]);
}

static void gemm(int64_t n, const void *group, const void *x, size_t x_stride, int cols, float *y, size_t y_stride) {
    const mote_avx2_stored_act *a[4];
    for (int c = 0; c < cols; c++) a[c] = (const mote_avx2_stored_act *)((const uint8_t *)x + (size_t)c * x_stride);
    switch (cols) {
    case 1: gemm_cols(n, group, a, y, y_stride, 1); break;
    case 2: gemm_cols(n, group, a, y, y_stride, 2); break;
    case 3: gemm_cols(n, group, a, y, y_stride, 3); break;
    default: gemm_cols(n, group, a, y, y_stride, 4); break;
    }
}

const mote_panel_kernels mote_avx2_stored_q8_0 = {mote_avx2_stored_act_row_bytes, mote_avx2_stored_act_from_float,
                                                  group_bytes, repack, gemm, ROWS, MOTE_AVX2_PANEL_COLS,
                                                  unpack};

#else
typedef int mote_avx2_stored_q8_0_unused; /* not an x86-64 build */
#endif
