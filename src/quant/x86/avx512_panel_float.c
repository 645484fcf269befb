/*
 * avx512_panel_float.c — the AVX-512 panel kernels (types.h, "Panel
 * kernels") of F16 and BF16 weights, 16 rows x 8 tokens: the prompt road of
 * F16 models on the "avx512" set, and of BF16 models where the CPU lacks
 * AVX512_BF16 (the "avx512bf16" set has its own, avx512bf16_float.c). The
 * AVX2 ones are 8 x 4 (avx2_panel_float.c).
 *
 * Numbers: bit for bit the one-token dots these sets use
 * (mote_avx2_vec_dot_f16_f16, mote_avx2_vec_dot_bf16_bf16: four 8-lane f32
 * accumulators, chunk k = 32i + 8j..+7 into sum j, the whole chunks after
 * the last 32 into sum 0, then (s0 + s1) + (s2 + s3), its 8-lane horizontal
 * sum and a scalar tail), so a prompt gives the logits its tokens give one
 * at a time (test_panel, test_logits, test_batch). A 512-bit register holds
 * the 8-lane accumulators of two rows side by side, which changes no sum:
 * one widening (vcvtph2ps for F16, a zero-extension and shift for BF16)
 * serves a chunk of both rows, and each token's 8 floats are broadcast to
 * both halves, so one FMA does the work of two AVX2 ones. The panel stores
 * each row pair's chunks interleaved (row 2p's 8 weights, then row 2p+1's)
 * so that widening starts from one 32-byte load.
 *
 * Activations: floats rounded to the weight type (mote_avx2_f16_round_float,
 * mote_avx2_bf16_round_float), the values the one-token dots widen.
 */
#if defined(__x86_64__)

#include <immintrin.h>
#include <string.h>

#include "quant/fp16.h"
#include "quant/types.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"
#include "quant/x86/avx512_kernels.h"

#define R MOTE_AVX512_PANEL_ROWS
#define C MOTE_AVX512_PANEL_COLS
#define PAIRS_AT_ONCE 2 /* row pairs per pass: 2 x C accumulators of 32 registers */

static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }
static size_t act_row_bytes(int64_t n) { return (size_t)n * sizeof(float); }
static size_t panel_bytes(int64_t n) { return round64((size_t)n * 2 * R); }

/* Panel layout, in f16: first the whole 8-weight chunks, pair by pair
 * (pair p, chunk k at 16 * (p * n/8 + k): row 2p's 8 weights, row 2p+1's),
 * then the R rows' last n % 8 weights, row after row. Rows from `rows` on
 * are zero. */
static void pack(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    const int64_t chunks = n / 8, tail = n % 8;
    uint16_t *out = panel;
    memset(panel, 0, panel_bytes(n));
    for (int r = 0; r < rows; r++) {
        const uint16_t *row = (const uint16_t *)((const uint8_t *)w + (size_t)r * w_stride);
        uint16_t *pair = out + (size_t)(r / 2) * (size_t)chunks * 16 + (size_t)(r % 2) * 8;
        for (int64_t k = 0; k < chunks; k++) memcpy(pair + k * 16, row + k * 8, 16);
        memcpy(out + (size_t)R * (size_t)chunks * 8 + (size_t)r * (size_t)tail, row + chunks * 8, (size_t)tail * 2);
    }
}

/* Chunk k of a row pair (16 f16 or bf16 at p) as floats: row 2p in the low
 * half, row 2p+1 in the high half. */
static inline __m512 widen_pair_f16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
static inline __m512 widen_pair_bf16(const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
}
static inline float scalar_f16(uint16_t h) { return avx2_h2f(h); }
static inline float scalar_bf16(uint16_t h) { return mote_bf16_to_f32(h); }

/* 8 floats at p in both 256-bit halves (one vbroadcastf64x4, AVX-512F). */
static inline __m512 both_halves8(const float *p) {
    return _mm512_castpd_ps(_mm512_broadcast_f64x4(_mm256_loadu_pd((const double *)p)));
}

/* y[c * y_stride + r] = the one-token dot (mote_avx2_vec_dot_f16_f16 or
 * _bf16_bf16, as widen and scalar say) of panel row r with token c, bit for
 * bit (see the head comment). For PAIRS_AT_ONCE row pairs
 * at a time, sum j of every (pair, token) is one pass over the chunks (a
 * widened weight chunk serves C tokens, a broadcast token chunk 2 pairs).
 * The columns past `cols` repeat the last one and are not stored. */
static inline __attribute__((always_inline)) void gemm_core(int64_t n, const void *panel, const void *x,
                                                            size_t x_stride, int cols, float *y, size_t y_stride,
                                                            __m512 (*widen)(const uint16_t *),
                                                            float (*scalar)(uint16_t)) {
    const float *xc[C];
    for (int c = 0; c < C; c++) xc[c] = (const float *)((const uint8_t *)x + (size_t)(c < cols ? c : cols - 1) * x_stride);
    const int64_t chunks = n / 8, tail = n % 8, n32 = n / 32 * 32, n8 = chunks * 8;
    const uint16_t *tails = (const uint16_t *)panel + (size_t)R * (size_t)n8;
    for (int p0 = 0; p0 < R / 2; p0 += PAIRS_AT_ONCE) {
        const uint16_t *pw[PAIRS_AT_ONCE];
        for (int q = 0; q < PAIRS_AT_ONCE; q++) pw[q] = (const uint16_t *)panel + (size_t)(p0 + q) * (size_t)chunks * 16;
        __m512 part[PAIRS_AT_ONCE][C][4];
        for (int j = 0; j < 4; j++) {
            __m512 acc[PAIRS_AT_ONCE][C];
            for (int q = 0; q < PAIRS_AT_ONCE; q++)
                for (int c = 0; c < C; c++) acc[q][c] = _mm512_setzero_ps();
            const int64_t end = j == 0 ? n8 : n32;
            for (int64_t i = 8 * j; i < end; i += i < n32 ? 32 : 8) {
                __m512 v[PAIRS_AT_ONCE];
                for (int q = 0; q < PAIRS_AT_ONCE; q++) v[q] = widen(pw[q] + i * 2);
                for (int c = 0; c < C; c++) {
                    const __m512 xv = both_halves8(xc[c] + i);
                    for (int q = 0; q < PAIRS_AT_ONCE; q++) acc[q][c] = _mm512_fmadd_ps(v[q], xv, acc[q][c]);
                }
            }
            for (int q = 0; q < PAIRS_AT_ONCE; q++)
                for (int c = 0; c < C; c++) part[q][c][j] = acc[q][c];
        }
        for (int q = 0; q < PAIRS_AT_ONCE; q++)
            for (int c = 0; c < cols; c++) {
                const __m512 *s = part[q][c];
                const __m512 t = _mm512_add_ps(_mm512_add_ps(s[0], s[1]), _mm512_add_ps(s[2], s[3]));
                const __m256 half[2] = {_mm512_castps512_ps256(t),
                                        _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(t), 1))};
                for (int h = 0; h < 2; h++) {
                    const int r = 2 * (p0 + q) + h;
                    const uint16_t *wt = tails + (size_t)r * (size_t)tail;
                    float sum = avx2_hsum_ps(half[h]);
                    for (int64_t i = 0; i < tail; i++) sum += scalar(wt[i]) * xc[c][n8 + i];
                    y[(size_t)c * y_stride + (size_t)r] = sum;
                }
            }
    }
}

static void gemm_f16(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y, size_t y_stride) {
    gemm_core(n, panel, x, x_stride, cols, y, y_stride, widen_pair_f16, scalar_f16);
}
static void gemm_bf16(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y, size_t y_stride) {
    gemm_core(n, panel, x, x_stride, cols, y, y_stride, widen_pair_bf16, scalar_bf16);
}

const mote_panel_kernels mote_avx512_panel_f16 = {act_row_bytes, mote_avx2_f16_round_float, panel_bytes, pack,
                                                  gemm_f16, R, C, NULL};
const mote_panel_kernels mote_avx512_panel_bf16 = {act_row_bytes, mote_avx2_bf16_round_float, panel_bytes, pack,
                                                   gemm_bf16, R, C, NULL};

#else
typedef int mote_avx512_panel_float_unused; /* not an x86-64 build */
#endif
