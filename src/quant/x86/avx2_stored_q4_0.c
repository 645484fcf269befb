/*
 * avx2_stored_q4_0.c — Q4_0 matrices in a stored panel layout (types.h,
 * "stored panels"): the model loader rewrites every Q4_0 matrix, 8 rows at
 * a time, into this layout once, and every product after that (one token
 * or a prompt) reads it directly.
 *
 * Why: in GGUF's layout a row's 32 weights of a block sit in one register,
 * so each block of each row costs an unpack, a multiply, a widening and a
 * horizontal sum, plus a scalar scale product; generation was arithmetic-
 * bound at about 60% of this machine's read bandwidth. Here one register
 * holds 4 weights of each of 8 rows, the token's 4 matching activation
 * bytes are broadcast to all of them, and the 8 rows' sums build up in
 * the 8 lanes: per block and 8 rows, 8 multiplies and one scale step.
 *
 * Layout of a group of 8 rows, per block of 32 weights (144 bytes, the
 * same as the 8 GGUF blocks it replaces):
 *   16 bytes: the 8 rows' fp16 scales d, row 0 first;
 *   4 x 32 bytes: vector v (0..3) holds, for row r in bytes 4r..4r+3, the
 *   GGUF quant bytes qs[4v..4v+3] of that row. A quant byte carries weight
 *   k in its low nibble and weight k + 16 in its high nibble, so the low
 *   nibbles of vector v are weights 4v..4v+3 and the high nibbles weights
 *   16+4v..16+4v+3: masking and shifting gives 8 vectors of unsigned
 *   weights 0..15, each matching 4 consecutive activation bytes.
 * Missing rows of a last, partial group are zero bytes (scale 0).
 *
 * Activations: per block a float scale, 8 times the sum of the quants (to
 * take off the weights' offset of 8 exactly, in integers) and the 32
 * quants themselves, which equal the q8_0 reference's: the integer block
 * sums are vec_dot's, only the float order of summation differs.
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
#define GROUP_BLOCK_BYTES (ROWS * sizeof(block_q4_0)) /* 144 */

typedef mote_avx2_stored_act act_block;

size_t mote_avx2_stored_act_row_bytes(int64_t n) { return (size_t)(n / 32) * sizeof(act_block); }

/* Quantize through the installed q8_0 quantizer (same quants as the
 * reference), a chunk at a time, then widen the scale and add the sums. */
void mote_avx2_stored_act_from_float(const float *x, void *dst, int64_t n) {
    const mote_from_float_fn q8 = mote_traits(MOTE_TYPE_Q8_0)->from_float;
    act_block *out = dst;
    enum { CHUNK = 64 };
    block_q8_0 tmp[CHUNK];
    for (int64_t b0 = 0; b0 < n / 32; b0 += CHUNK) {
        const int64_t nb = n / 32 - b0 < CHUNK ? n / 32 - b0 : CHUNK;
        q8(x + b0 * 32, tmp, nb * 32);
        for (int64_t b = 0; b < nb; b++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)tmp[b].qs);
            /* sum of 32 signed bytes: widen pairs against ones, then fold */
            const __m256i s16 = _mm256_maddubs_epi16(_mm256_set1_epi8(1), q);
            out[b0 + b].s8 = 8 * avx2_hsum_epi32(_mm256_madd_epi16(s16, _mm256_set1_epi16(1)));
            out[b0 + b].d = avx2_h2f(tmp[b].d);
            memcpy(out[b0 + b].qs, tmp[b].qs, 32);
        }
    }
}

static size_t group_bytes(int64_t n) { return (size_t)(n / 32) * GROUP_BLOCK_BYTES; }

static void repack(int64_t n, const void *w, size_t w_stride, int rows, void *group) {
    uint8_t *out = group;
    memset(out, 0, group_bytes(n));
    for (int64_t b = 0; b < n / 32; b++, out += GROUP_BLOCK_BYTES)
        for (int r = 0; r < rows; r++) {
            const block_q4_0 *blk = (const block_q4_0 *)((const uint8_t *)w + (size_t)r * w_stride) + b;
            memcpy(out + 2 * r, &blk->d, 2);
            for (int v = 0; v < 4; v++) memcpy(out + 16 + 32 * v + 4 * r, blk->qs + 4 * v, 4);
        }
}

/* The product for a constant number of columns C, so that the column loop
 * unrolls and the accumulators stay in registers. */
static inline __attribute__((always_inline)) void gemm_cols(int64_t n, const uint8_t *g, const act_block *const *a,
                                                            float *y, size_t y_stride, const int C) {
    const __m256i mask = _mm256_set1_epi8(0x0F);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t b = 0; b < n / 32; b++, g += GROUP_BLOCK_BYTES) {
        const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)g));
        __m256i u[8];
        for (int v = 0; v < 4; v++) {
            const __m256i p = _mm256_loadu_si256((const __m256i *)(g + 16 + 32 * v));
            u[v] = _mm256_and_si256(p, mask);
            u[v + 4] = _mm256_and_si256(_mm256_srli_epi16(p, 4), mask);
        }
#pragma GCC unroll 4
        for (int c = 0; c < C; c++) {
            const act_block *ab = a[c] + b;
            /* |sum| per i16 lane <= 8 * 2 * 15 * 127 = 30480: no saturation */
            __m256i s = avx2_dot_pairs(u[0], avx2_bcast4(ab->qs));
            for (int j = 1; j < 8; j++) s = avx2_dot_run(s, u[j], avx2_bcast4(ab->qs + 4 * j));
            const __m256i i32 = _mm256_sub_epi32(avx2_dot_run_widen(s), _mm256_set1_epi32(ab->s8));
            acc[c] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i32), _mm256_mul_ps(dw, _mm256_set1_ps(ab->d)), acc[c]);
        }
    }
    for (int c = 0; c < C; c++) _mm256_storeu_ps(y + (size_t)c * y_stride, acc[c]);
}

static void gemm(int64_t n, const void *group, const void *x, size_t x_stride, int cols, float *y, size_t y_stride) {
    const act_block *a[4];
    for (int c = 0; c < cols; c++) a[c] = (const act_block *)((const uint8_t *)x + (size_t)c * x_stride);
    switch (cols) {
    case 1: gemm_cols(n, group, a, y, y_stride, 1); break;
    case 2: gemm_cols(n, group, a, y, y_stride, 2); break;
    case 3: gemm_cols(n, group, a, y, y_stride, 3); break;
    default: gemm_cols(n, group, a, y, y_stride, 4); break;
    }
}

/* Row r of a group back in GGUF blocks: the inverse of repack. */
static void unpack(int64_t n, const void *group, int r, void *row) {
    const uint8_t *g = group;
    block_q4_0 *out = row;
    for (int64_t b = 0; b < n / 32; b++, g += GROUP_BLOCK_BYTES) {
        memcpy(&out[b].d, g + 2 * r, 2);
        for (int v = 0; v < 4; v++) memcpy(out[b].qs + 4 * v, g + 16 + 32 * v + 4 * r, 4);
    }
}

const mote_panel_kernels mote_avx2_stored_q4_0 = {mote_avx2_stored_act_row_bytes, mote_avx2_stored_act_from_float,
                                                  group_bytes, repack, gemm, ROWS,
                                                  MOTE_AVX2_PANEL_COLS, unpack};

#else
typedef int mote_avx2_stored_q4_0_unused; /* not an x86-64 build */
#endif
