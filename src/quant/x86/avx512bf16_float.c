/*
 * avx512bf16_float.c — BF16 weights on CPUs with AVX512_BF16 (the
 * "avx512bf16" kernel set, dispatch.c): the one-token BF16 x BF16 dot
 * product and a 16-row x 8-token panel kernel, both built on vdpbf16ps,
 * which multiplies pairs of bf16 values and adds both products to an f32
 * lane in one instruction (32 products per 512-bit instruction, where
 * widening and FMA give 16).
 *
 * Rounding. BF16's vec_dot_type is BF16, in mote as in GGML (whose x86
 * build with AVX512_BF16 also multiplies bf16 x bf16 with vdpbf16ps, in its
 * one-row dot and in its llamafile tinyBLAS prompt kernels): activations
 * are rounded to bf16 before the product, the reference from_float's
 * nearest-even rounding, which is where precision is lost (8-bit
 * significands). What vdpbf16ps changes against the reference dot
 * (mote_vec_dot_bf16_bf16) is only this: each bf16 x bf16 product is exact
 * in f32 either way, but the sums run in f32 lanes (the reference sums in
 * double), each lane adding two products at a time with round-to-nearest-
 * even, and the instruction treats subnormal inputs and results as zero
 * (DAZ/FTZ, whatever MXCSR says): products below 2^-126 in magnitude are
 * dropped. test_simd_kernels and test_panel hold both to their tolerances;
 * the fixtures' BF16 model to llama.cpp's logits (test_logits).
 *
 * The panel kernel gives the one-token dot's sums bit for bit (a prompt's
 * logits equal its tokens' one at a time); it gains by reusing each loaded
 * weight chunk for 8 tokens and each token chunk for 2 rows. Activations:
 * the bf16 row, as BF16's from_float.
 */
#if defined(__x86_64__)

#include <immintrin.h>
#include <string.h>

#include "quant/fp16.h"
#include "quant/types.h"
#include "quant/x86/avx512_kernels.h"

#define R MOTE_AVX512_PANEL_ROWS
#define C MOTE_AVX512_PANEL_COLS

static inline __m512bh as_bh(__m512i v) { return (__m512bh)v; }

static inline __m512bh chunk(const mote_bf16 *p, int64_t i, int64_t n);

/* bf16 x bf16 dot: 32 products per step in two accumulators, the tail
 * through a masked load (zeros multiply to nothing). */
float mote_avx512bf16_vec_dot_bf16_bf16(int64_t n, const void *w, const void *x) {
    const mote_bf16 *a = w, *b = x;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        s0 = _mm512_dpbf16_ps(s0, as_bh(_mm512_loadu_si512(a + i)), as_bh(_mm512_loadu_si512(b + i)));
        s1 = _mm512_dpbf16_ps(s1, as_bh(_mm512_loadu_si512(a + i + 32)), as_bh(_mm512_loadu_si512(b + i + 32)));
    }
    for (; i < n; i += 32) s0 = _mm512_dpbf16_ps(s0, chunk(a, i, n), chunk(b, i, n));
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

/* ---- panels ------------------------------------------------------------------ */

static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }
static size_t act_row_bytes(int64_t n) { return (size_t)n * 2; }
static size_t panel_bytes(int64_t n) { return round64((size_t)n * 2 * R); }

/* 16 floats to bf16, as mote_f32_to_bf16 (nearest even on the bits; NaN:
 * the top half with the quiet bit set). Not vcvtneps2bf16: it flushes
 * subnormal inputs to zero, the reference keeps them. */
static inline __m256i to_bf16x16(__m512 x) {
    const __m512i b = _mm512_castps_si512(x);
    const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(1));
    __m512i h = _mm512_srli_epi32(_mm512_add_epi32(b, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff))), 16);
    const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    h = _mm512_mask_or_epi32(h, nan, _mm512_srli_epi32(b, 16), _mm512_set1_epi32(64));
    return _mm512_cvtepi32_epi16(h);
}

/* The activation row: BF16's from_float, bit for bit. */
static void act_from_float(const float *x, void *dst, int64_t n) {
    uint16_t *d = dst;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm256_storeu_si256((__m256i *)(d + i), to_bf16x16(_mm512_loadu_ps(x + i)));
    for (; i < n; i++) d[i] = mote_f32_to_bf16(x[i]);
}

/* The panel: the R rows one after the other, as in the GGUF (the rows after
 * `rows` zero). */
static void pack(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    memset(panel, 0, panel_bytes(n));
    for (int r = 0; r < rows; r++)
        memcpy((uint8_t *)panel + (size_t)r * (size_t)n * 2, (const uint8_t *)w + (size_t)r * w_stride, (size_t)n * 2);
}

/* The 32 bf16 at p + i (fewer at the end of a row of n, the rest zero). */
static inline __m512bh chunk(const mote_bf16 *p, int64_t i, int64_t n) {
    const __mmask32 m = n - i >= 32 ? 0xffffffffu : (__mmask32)((1u << (n - i)) - 1);
    return as_bh(_mm512_maskz_loadu_epi16(m, p + i));
}

/* y[c * y_stride + r] = mote_avx512bf16_vec_dot_bf16_bf16 of row r with
 * token c, bit for bit: its sum 0 (chunks k = 64i..+31, then the chunks
 * after the last 64) and sum 1 (k = 64i + 32..+63), each one pass over 2
 * rows x 8 tokens (16 accumulators: a weight chunk serves 8 tokens, a token
 * chunk 2 rows), added as it adds them. The columns past `cols` repeat the
 * last one and are not stored. */
static void gemm(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y, size_t y_stride) {
    const mote_bf16 *xc[C];
    for (int c = 0; c < C; c++) xc[c] = (const mote_bf16 *)((const uint8_t *)x + (size_t)(c < cols ? c : cols - 1) * x_stride);
    const int64_t n64 = n / 64 * 64;
    for (int r = 0; r < R; r += 2) {
        const mote_bf16 *w0 = (const mote_bf16 *)panel + (size_t)r * (size_t)n, *w1 = w0 + n;
        __m512 part[2][C][2];
        for (int j = 0; j < 2; j++) {
            __m512 a0[C], a1[C];
            for (int c = 0; c < C; c++) a0[c] = a1[c] = _mm512_setzero_ps();
            const int64_t end = j == 0 ? n : n64;
            for (int64_t i = 32 * j; i < end; i += i < n64 ? 64 : 32) {
                const __m512bh v0 = chunk(w0, i, n), v1 = chunk(w1, i, n);
                for (int c = 0; c < C; c++) {
                    const __m512bh xv = chunk(xc[c], i, n);
                    a0[c] = _mm512_dpbf16_ps(a0[c], v0, xv);
                    a1[c] = _mm512_dpbf16_ps(a1[c], v1, xv);
                }
            }
            for (int c = 0; c < C; c++) part[0][c][j] = a0[c], part[1][c][j] = a1[c];
        }
        for (int h = 0; h < 2; h++)
            for (int c = 0; c < cols; c++)
                y[(size_t)c * y_stride + (size_t)(r + h)] = _mm512_reduce_add_ps(_mm512_add_ps(part[h][c][0], part[h][c][1]));
    }
}

const mote_panel_kernels mote_avx512bf16_panel_bf16 = {act_row_bytes, act_from_float, panel_bytes, pack, gemm, R, C, NULL};

#else
typedef int mote_avx512bf16_float_unused; /* not an x86-64 build */
#endif
