/*
 * avx2_panel_float.c — AVX2 panel kernels (types.h, "Panel kernels") of the
 * F16 and BF16 weight types, 8 rows x 4 tokens, and the AVX2 one-token
 * BF16 x BF16 dot product. The "avx512" set has its own 16 x 8 ones
 * (avx512_panel_float.c), and "avx512bf16" its own BF16 one.
 *
 * Before, F16/BF16 prompts multiplied through the one-row dot products:
 * every weight chunk was loaded and widened once per token, every token
 * chunk once per row. Here each 8-weight chunk is widened once (F16C for
 * F16, a 16-bit shift for BF16) for 4 tokens, and each token chunk serves 2
 * rows, from registers.
 *
 * Numbers: bit for bit the one-token kernels (mote_avx2_vec_dot_f16_f16,
 * mote_avx2_vec_dot_bf16_bf16), so a prompt gives the logits its tokens
 * give one at a time (test_logits, test_batch demand it: a different
 * summation order shows through the f16 KV cache). The activations are
 * rounded to the weight type exactly as its vec_dot_type's reference
 * from_float rounds them (F16: nearest even by F16C, as mote_f32_to_fp16;
 * BF16: mote_f32_to_bf16's integer rounding) and kept as floats, which are
 * the values the one-token kernel widens; the products and the sums follow
 * that kernel's order (gemm_core). Against the reference (which sums in
 * double) only the float summation order differs.
 */
#if defined(__x86_64__)

#include <string.h>

#include "quant/fp16.h"
#include "quant/types.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

#define R MOTE_AVX2_PANEL_ROWS
#define C MOTE_AVX2_PANEL_COLS

static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }
static size_t act_row_bytes(int64_t n) { return (size_t)n * sizeof(float); }
static size_t panel_bytes(int64_t n) { return round64((size_t)n * 2 * R); }

/* The panel: the R rows one after the other, as in the GGUF (the rows after
 * `rows` zero). */
static void pack(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    memset(panel, 0, panel_bytes(n));
    for (int r = 0; r < rows; r++)
        memcpy((uint8_t *)panel + (size_t)r * (size_t)n * 2, (const uint8_t *)w + (size_t)r * w_stride, (size_t)n * 2);
}

/* ---- activations: floats rounded to the weight type, kept as floats ---------- */

/* F16 rounding of 8 floats, back to float (F16C, nearest even: mote_f32_to_fp16's value). */
static inline __m256 f16_round8(__m256 x) {
    return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

/* BF16 rounding of 8 floats, back to float: mote_f32_to_bf16's nearest-even
 * integer rounding of the bits; NaN lanes stay NaN (the reference keeps a
 * quiet NaN too). */
static inline __m256 bf16_round8(__m256 x) {
    const __m256i b = _mm256_castps_si256(x);
    const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(b, 16), _mm256_set1_epi32(1));
    const __m256i up = _mm256_add_epi32(b, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7fff)));
    const __m256 r = _mm256_castsi256_ps(_mm256_and_si256(up, _mm256_set1_epi32((int)0xffff0000u)));
    return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

void mote_avx2_f16_round_float(const float *x, void *dst, int64_t n) {
    float *d = dst;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, f16_round8(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) d[i] = mote_fp16_to_f32(mote_f32_to_fp16(x[i]));
}

void mote_avx2_bf16_round_float(const float *x, void *dst, int64_t n) {
    float *d = dst;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(d + i, bf16_round8(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) d[i] = mote_bf16_to_f32(mote_f32_to_bf16(x[i]));
}



/* ---- products in the one-token kernels' order ------------------------------- */

/* 8 weights of a row from element k, as floats. */
static inline __m256 widen_f16(const void *row, int64_t k) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)row + k)));
}
static inline __m256 widen_bf16(const void *row, int64_t k) {
    const __m128i h = _mm_loadu_si128((const __m128i *)((const uint16_t *)row + k));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

/* y[c * y_stride + r] = the one-token dot of row r with token c, bit for
 * bit: its four sums of 8 lanes (sum j takes the chunks k = 32i + 8j..+7,
 * sum 0 also the whole chunks after the last 32), added as it adds them,
 * then its scalar tail. Sum j of 2 rows x 4 tokens is one pass over the
 * rows (8 accumulators): each weight chunk is widened once for 4 tokens,
 * each token chunk loaded once for 2 rows. The columns past `cols` repeat
 * the last one and are not stored. */
static inline __attribute__((always_inline)) void gemm_core(int64_t n, const void *panel, const void *x,
                                                            size_t x_stride, int cols, float *y, size_t y_stride,
                                                            __m256 (*widen)(const void *, int64_t),
                                                            float (*scalar)(const void *, int64_t)) {
    const float *xc[C];
    for (int c = 0; c < C; c++) xc[c] = (const float *)((const uint8_t *)x + (size_t)(c < cols ? c : cols - 1) * x_stride);
    const int64_t n32 = n / 32 * 32, n8 = n / 8 * 8;
    for (int r = 0; r < R; r += 2) {
        const void *w0 = (const uint16_t *)panel + (size_t)r * (size_t)n, *w1 = (const uint16_t *)w0 + n;
        __m256 part[2][C][4];
        for (int j = 0; j < 4; j++) {
            __m256 a0[C], a1[C];
            for (int c = 0; c < C; c++) a0[c] = a1[c] = _mm256_setzero_ps();
            const int64_t end = j == 0 ? n8 : n32;
            for (int64_t i = 8 * j; i < end; i += i < n32 ? 32 : 8) {
                const __m256 v0 = widen(w0, i), v1 = widen(w1, i);
                for (int c = 0; c < C; c++) {
                    const __m256 xv = _mm256_loadu_ps(xc[c] + i);
                    a0[c] = _mm256_fmadd_ps(v0, xv, a0[c]);
                    a1[c] = _mm256_fmadd_ps(v1, xv, a1[c]);
                }
            }
            for (int c = 0; c < C; c++) part[0][c][j] = a0[c], part[1][c][j] = a1[c];
        }
        for (int h = 0; h < 2; h++) {
            const void *w = h ? w1 : w0;
            for (int c = 0; c < cols; c++) {
                const __m256 *p = part[h][c];
                float sum = avx2_hsum_ps(_mm256_add_ps(_mm256_add_ps(p[0], p[1]), _mm256_add_ps(p[2], p[3])));
                for (int64_t i = n8; i < n; i++) sum += scalar(w, i) * xc[c][i];
                y[(size_t)c * y_stride + (size_t)(r + h)] = sum;
            }
        }
    }
}

static inline float scalar_f16(const void *row, int64_t k) { return avx2_h2f(((const mote_fp16 *)row)[k]); }
static inline float scalar_bf16(const void *row, int64_t k) { return mote_bf16_to_f32(((const mote_bf16 *)row)[k]); }

static void gemm_f16(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y, size_t y_stride) {
    gemm_core(n, panel, x, x_stride, cols, y, y_stride, widen_f16, scalar_f16);
}
static void gemm_bf16(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y, size_t y_stride) {
    gemm_core(n, panel, x, x_stride, cols, y, y_stride, widen_bf16, scalar_bf16);
}

const mote_panel_kernels mote_avx2_panel_f16 = {act_row_bytes, mote_avx2_f16_round_float, panel_bytes,
                                                pack, gemm_f16, R, C, NULL};
const mote_panel_kernels mote_avx2_panel_bf16 = {act_row_bytes, mote_avx2_bf16_round_float,
                                                 panel_bytes, pack, gemm_bf16, R, C, NULL};

/* ---- one token: BF16 weights x BF16 activations -------------------------------- */

/* 8 bf16 at p widened to floats (exact: a bf16 is the top half of an f32). */
static inline __m256 bf16x8(const mote_bf16 *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

/* Both operands widened exactly, products exact in f32, summed in four f32
 * accumulators (the reference sums in double: float summation order). */
float mote_avx2_vec_dot_bf16_bf16(int64_t n, const void *w, const void *x) {
    const mote_bf16 *a = w, *b = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(bf16x8(a + i), bf16x8(b + i), s0);
        s1 = _mm256_fmadd_ps(bf16x8(a + i + 8), bf16x8(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(bf16x8(a + i + 16), bf16x8(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(bf16x8(a + i + 24), bf16x8(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(bf16x8(a + i), bf16x8(b + i), s0);
    float sum = avx2_hsum_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) sum += mote_bf16_to_f32(a[i]) * mote_bf16_to_f32(b[i]);
    return sum;
}

#else
typedef int mote_avx2_panel_float_unused; /* not an x86-64 build */
#endif
