/*
 * avx512_panel_kquants.c — AVX-512 VNNI panel kernels (types.h, "Panel
 * kernels") of the k-quants Q2_K, Q3_K, Q4_K, Q5_K and Q6_K against Q8_K
 * activations used as they are (the AVX2 Q8_K quantizer's block_q8_K rows).
 * 16 weight rows x 8 tokens.
 *
 * One panel super-block holds 16 weight rows x 256 weights, unpacked once
 * (the codes and offsets of avx2_unpack.h, as in avx2_panel_kquants.c):
 *   q[64]    64-byte vectors; bytes 4r..4r+3 of vector j are the unsigned
 *            codes of weights 4j..4j+3 of row r;
 *   sc[NSUB] int32 sub-block scales, one vector per sub-block, row r's in
 *            lane r;
 *   mp[8]    int16 offset factors against Q8_K's bsums, one vector per pair
 *            of bsums (2p, 2p+1): lane r holds row r's two;
 *   d[16], dm[16]   float super-block scales of the 16 rows.
 * Per token and sub-block, vpdpbusd adds the code x quant products of each
 * row into its int32 lane (exactly: no 16-bit step), one vpmulld scales the
 * sub-block, vpdpwssd forms the offset sums against the bsums. A row's
 * super-block total is d * isum - dm * msum, or for the constant offsets of
 * Q3_K and Q6_K (which share d) d * (isum - msum): the integer sums of the
 * reference vec_dot (kquants.c) exactly; only the float order differs.
 */
#if defined(__x86_64__)

#include <string.h>

#include "quant/blocks.h"
#include "quant/kernels.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx512_kernels.h"
#include "quant/x86/avx512_util.h"

#define R MOTE_AVX512_PANEL_ROWS
#define C MOTE_AVX512_PANEL_COLS

/* Bytes of one panel super-block with nsub sub-block scale vectors. */
static inline size_t sb_bytes(int nsub) { return 64 * (size_t)(64 + nsub + 8 + 2); }

/* Repack `rows` rows of n weights (super-blocks of bbytes bytes) into the
 * panel; rows past `rows` get zero codes and scales, so they read as 0. */
static void pack_generic(int64_t n, const void *w, size_t w_stride, int rows, void *panel, size_t bbytes,
                         int nsub, void (*unpack)(const void *, row_block *)) {
    const size_t sbb = sb_bytes(nsub);
    for (int64_t b = 0; b < n / QK_K; b++) {
        __m512i *out = (__m512i *)((uint8_t *)panel + (size_t)b * sbb);
        row_block rb[R];
        for (int r = 0; r < R; r++) {
            if (r < rows) unpack((const uint8_t *)w + (size_t)r * w_stride + (size_t)b * bbytes, &rb[r]);
            else memset(&rb[r], 0, sizeof rb[r]);
        }
        for (int s = 0; s < 8; s++) {
            __m256i in[R];
            for (int r = 0; r < R; r++) in[r] = rb[r].u[s];
            avx512_transpose16(in, out + 8 * s);
        }
        int32_t *sc = (int32_t *)(out + 64);
        int16_t *mp = (int16_t *)(out + 64 + nsub);
        for (int t = 0; t < nsub; t++)
            for (int r = 0; r < R; r++) sc[16 * t + r] = rb[r].sc[t];
        for (int p = 0; p < 8; p++)
            for (int r = 0; r < R; r++) {
                mp[32 * p + 2 * r] = rb[r].m[2 * p];
                mp[32 * p + 2 * r + 1] = rb[r].m[2 * p + 1];
            }
        float *d = (float *)(out + 64 + nsub + 8), *dm = d + 16;
        for (int r = 0; r < R; r++) d[r] = rb[r].d, dm[r] = rb[r].dm;
    }
}

/* The panel product for NC tokens (a constant after inlining). NSUB: 8 or
 * 16 sub-blocks; FOLD: the offset shares d and is subtracted in the integer
 * domain (else dm * msum). */
static inline __attribute__((always_inline)) void gemm_generic(int64_t n, const void *panel, const void *x,
                                                               size_t x_stride, float *y, size_t y_stride,
                                                               const int NC, const int NSUB, const int FOLD) {
    const int JS = 64 / NSUB; /* vectors per sub-block */
    const size_t sbb = sb_bytes(NSUB);
    const block_q8_K *xb[C];
    for (int c = 0; c < NC; c++) xb[c] = (const block_q8_K *)((const uint8_t *)x + (size_t)c * x_stride);
    __m512 acc[C];
    for (int c = 0; c < NC; c++) acc[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++) {
        const __m512i *p = (const __m512i *)((const uint8_t *)panel + (size_t)b * sbb);
        __m512i isum[C];
        for (int c = 0; c < NC; c++) isum[c] = _mm512_setzero_si512();
        for (int s = 0; s < NSUB; s++) {
            __m512i t[C];
            for (int c = 0; c < NC; c++) t[c] = _mm512_setzero_si512();
            for (int k = 0; k < JS; k++) {
                const int j = s * JS + k;
                const __m512i Q = _mm512_load_si512(p + j);
                for (int c = 0; c < NC; c++) t[c] = avx512_dot_u8_i8(t[c], Q, avx512_bcast4(xb[c][b].qs + 4 * j));
            }
            const __m512i S = _mm512_load_si512(p + 64 + s);
            for (int c = 0; c < NC; c++) isum[c] = _mm512_add_epi32(isum[c], _mm512_mullo_epi32(t[c], S));
        }
        const float *dp = (const float *)(p + 64 + NSUB + 8);
        const __m512 D = _mm512_load_ps(dp), DM = _mm512_load_ps(dp + 16);
        for (int c = 0; c < NC; c++) {
            __m512i msum = _mm512_setzero_si512();
            for (int q = 0; q < 8; q++)
                msum = _mm512_dpwssd_epi32(msum, _mm512_load_si512(p + 64 + NSUB + q), avx512_bcast4(xb[c][b].bsums + 2 * q));
            __m512 v;
            if (FOLD) {
                v = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(isum[c], msum)), D);
            } else {
                v = _mm512_mul_ps(_mm512_cvtepi32_ps(isum[c]), D);
                v = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(msum), DM, v);
            }
            acc[c] = _mm512_fmadd_ps(v, _mm512_set1_ps(xb[c][b].d), acc[c]);
        }
    }
    for (int c = 0; c < NC; c++) _mm512_storeu_ps(y + (size_t)c * y_stride, acc[c]);
}

static size_t act_row_bytes(int64_t n) { return (size_t)(n / QK_K) * sizeof(block_q8_K); }

/* One type's five entry points. */
#define PANEL_TYPE(name, block_t, NSUB, FOLD)                                                                    \
    static size_t name##_panel_bytes(int64_t n) { return (size_t)(n / QK_K) * sb_bytes(NSUB); }                \
    static void name##_pack(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {               \
        pack_generic(n, w, w_stride, rows, panel, sizeof(block_t), NSUB, unpack_##name);                      \
    }                                                                                                          \
    static void name##_gemm(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y, \
                            size_t y_stride) {                                                                 \
        switch (cols) {                                                                                        \
        case 1: gemm_generic(n, panel, x, x_stride, y, y_stride, 1, NSUB, FOLD); break;                        \
        case 2: gemm_generic(n, panel, x, x_stride, y, y_stride, 2, NSUB, FOLD); break;                        \
        case 3: gemm_generic(n, panel, x, x_stride, y, y_stride, 3, NSUB, FOLD); break;                        \
        case 4: gemm_generic(n, panel, x, x_stride, y, y_stride, 4, NSUB, FOLD); break;                        \
        case 5: gemm_generic(n, panel, x, x_stride, y, y_stride, 5, NSUB, FOLD); break;                        \
        case 6: gemm_generic(n, panel, x, x_stride, y, y_stride, 6, NSUB, FOLD); break;                        \
        case 7: gemm_generic(n, panel, x, x_stride, y, y_stride, 7, NSUB, FOLD); break;                        \
        default: gemm_generic(n, panel, x, x_stride, y, y_stride, 8, NSUB, FOLD); break;                       \
        }                                                                                                      \
    }                                                                                                          \
    const mote_panel_kernels mote_avx512_panel_##name = {act_row_bytes, mote_avx2_q8_K_from_float,             \
                                                         name##_panel_bytes, name##_pack, name##_gemm, R, C, NULL};

PANEL_TYPE(q2_K, block_q2_K, 16, 0)
PANEL_TYPE(q3_K, block_q3_K, 16, 1)
PANEL_TYPE(q4_K, block_q4_K, 8, 0)
PANEL_TYPE(q5_K, block_q5_K, 8, 0)
PANEL_TYPE(q6_K, block_q6_K, 16, 1)

#else
typedef int mote_avx512_panel_kquants_unused; /* not an x86-64 build */
#endif
