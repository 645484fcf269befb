/*
 * avx2_panel_kquants.c — AVX2 panel kernels (types.h "Panel kernels") of the
 * k-quants Q2_K, Q3_K, Q4_K, Q5_K and Q6_K, against Q8_K activations used
 * as they are (the installed AVX2 Q8_K quantizer, block_q8_K rows).
 *
 * One panel super-block holds 8 weight rows x 256 weights, unpacked once:
 *   q[64]    32-byte vectors; vector j holds weights 4j..4j+3 of row 0, then
 *            row 1, ... row 7 (bytes 4r..4r+3 are row r), as UNSIGNED codes u
 *            (Q2_K 0..3, Q3_K 0..7, Q4_K 0..15, Q5_K 0..31, Q6_K 0..63);
 *   sc[NSUB] int16 sub-block scales, one vector per sub-block (8 of 32
 *            weights or 16 of 16), the scale of row r in lanes 2r and 2r+1,
 *            so one madd multiplies a row's two pair sums and adds them;
 *   mp[8]    int16 offset factors against Q8_K's bsums (sums of 16
 *            activations), one vector per pair of bsums (2p, 2p+1): lanes 2r
 *            and 2r+1 hold row r's factors for bsum 2p and 2p+1;
 *   d[8], dm[8]   float super-block scales of the 8 rows.
 * A row's super-block total is d * isum - dm * msum, where isum is the
 * scaled sum of u * y and msum the madd of mp with the bsums. The mins of
 * Q2/Q4/Q5_K are such an msum with dm = dmin. The constant offsets of Q3_K
 * (q = u - 4) and Q6_K (q = u - 32) have the same float scale as the rest,
 * so they are taken out in the integer domain instead (isum - msum, mp =
 * offset * scale): the integer sums are exactly those of the reference
 * vec_dot (kquants.c); only the float order of the final sums differs.
 *
 * gemm, per token and group of GROUP consecutive vectors j: broadcast the
 * token's 4 activation bytes of j, maddubs with q[j] (16 int16 = pair sums
 * of the 8 rows), add the group in int16, madd with the sub-block's scale
 * vector into 8 int32 row sums. Each panel vector is loaded once for all
 * tokens of the call. GROUP is the largest count that cannot overflow int16:
 * |u| * 128 * 2 per maddubs lane (Q8_K quants lie in -128..127), times GROUP,
 * below 32768 (worst cases next to each type's table entry).
 */
#if defined(__x86_64__)

#include <string.h>

#include "quant/blocks.h"
#include "quant/kernels.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_unpack.h"
#include "quant/x86/avx2_util.h"

#define PR MOTE_AVX2_PANEL_ROWS
#define PC MOTE_AVX2_PANEL_COLS

/* Bytes of one panel super-block with nsub sub-block scale vectors. */
static inline size_t sb_bytes(int nsub) { return 32 * (size_t)(64 + nsub + 8 + 2); }

/* ---- packing ------------------------------------------------------------------ */

typedef void (*unpack_fn)(const void *block, row_block *rb);

/* Repack `rows` rows of n weights (super-blocks of bbytes bytes) into the
 * panel; rows past `rows` get zero codes and scales, so they read as 0. */
static void pack_generic(int64_t n, const void *w, size_t w_stride, int rows, void *panel, size_t bbytes,
                         int nsub, unpack_fn unpack) {
    const size_t sbb = sb_bytes(nsub);
    for (int64_t b = 0; b < n / QK_K; b++) {
        __m256i *out = (__m256i *)((uint8_t *)panel + (size_t)b * sbb);
        row_block rb[PR];
        for (int r = 0; r < PR; r++) {
            if (r < rows) {
                unpack((const uint8_t *)w + (size_t)r * w_stride + (size_t)b * bbytes, &rb[r]);
            } else {
                memset(&rb[r], 0, sizeof rb[r]);
            }
        }
        for (int s = 0; s < 8; s++) {
            __m256i in[PR];
            for (int r = 0; r < PR; r++) in[r] = rb[r].u[s];
            transpose8(in, out + 8 * s);
        }
        int16_t *sc = (int16_t *)(out + 64), *mp = (int16_t *)(out + 64 + nsub);
        for (int t = 0; t < nsub; t++)
            for (int r = 0; r < PR; r++) sc[16 * t + 2 * r] = sc[16 * t + 2 * r + 1] = rb[r].sc[t];
        for (int p = 0; p < 8; p++)
            for (int r = 0; r < PR; r++) {
                mp[16 * p + 2 * r] = rb[r].m[2 * p];
                mp[16 * p + 2 * r + 1] = rb[r].m[2 * p + 1];
            }
        float *d = (float *)(out + 64 + nsub + 8), *dm = d + 8;
        for (int r = 0; r < PR; r++) d[r] = rb[r].d, dm[r] = rb[r].dm;
    }
}

/* ---- multiplying ---------------------------------------------------------------- */

/* The panel product for C tokens (a constant after inlining). NSUB: 8 or 16
 * sub-blocks; GROUP: vectors added in int16 before a madd; FOLD: the offset
 * shares d and is subtracted in the integer domain (else dm * msum). */
static inline __attribute__((always_inline)) void gemm_generic(int64_t n, const void *panel, const void *x,
                                                               size_t x_stride, float *y, size_t y_stride,
                                                               const int C, const int NSUB, const int GROUP,
                                                               const int FOLD) {
    const int JS = 64 / NSUB; /* vectors per sub-block */
    const size_t sbb = sb_bytes(NSUB);
    const block_q8_K *xb[PC];
    for (int c = 0; c < C; c++) xb[c] = (const block_q8_K *)((const uint8_t *)x + (size_t)c * x_stride);
    __m256 acc[PC];
    for (int c = 0; c < C; c++) acc[c] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++) {
        const __m256i *p = (const __m256i *)((const uint8_t *)panel + (size_t)b * sbb);
        __m256i isum[PC];
        for (int c = 0; c < C; c++) isum[c] = _mm256_setzero_si256();
        for (int s = 0; s < NSUB; s++) {
            const __m256i S = _mm256_load_si256(p + 64 + s);
            for (int g = 0; g < JS; g += GROUP) {
                __m256i a16[PC];
                for (int k = 0; k < GROUP; k++) {
                    const int j = s * JS + g + k;
                    const __m256i Q = _mm256_load_si256(p + j);
                    for (int c = 0; c < C; c++) {
                        const __m256i m = _mm256_maddubs_epi16(Q, avx2_bcast4(xb[c][b].qs + 4 * j));
                        a16[c] = k == 0 ? m : avx2_pin(_mm256_add_epi16(a16[c], m));
                    }
                }
                for (int c = 0; c < C; c++) isum[c] = avx2_madd_acc(isum[c], a16[c], S);
            }
        }
        __m256i msum[PC];
        for (int c = 0; c < C; c++) {
            msum[c] = _mm256_madd_epi16(_mm256_load_si256(p + 64 + NSUB), avx2_bcast4(xb[c][b].bsums));
            for (int q = 1; q < 8; q++)
                msum[c] = avx2_pin(avx2_madd_acc(msum[c], _mm256_load_si256(p + 64 + NSUB + q), avx2_bcast4(xb[c][b].bsums + 2 * q)));
        }
        const float *dp = (const float *)(p + 64 + NSUB + 8);
        const __m256 D = _mm256_load_ps(dp);
        for (int c = 0; c < C; c++) {
            __m256 v;
            if (FOLD) {
                v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(isum[c], msum[c])), D);
            } else {
                v = _mm256_mul_ps(_mm256_cvtepi32_ps(isum[c]), D);
                v = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(msum[c]), _mm256_load_ps(dp + 8), v);
            }
            acc[c] = _mm256_fmadd_ps(v, _mm256_set1_ps(xb[c][b].d), acc[c]);
        }
    }
    for (int c = 0; c < C; c++) _mm256_storeu_ps(y + (size_t)c * y_stride, acc[c]);
}

/* ---- the types -------------------------------------------------------------------- */

static size_t act_row_bytes(int64_t n) { return (size_t)(n / QK_K) * sizeof(block_q8_K); }

/* One type's five entry points. The worst-case int16 sum of a GROUP, with
 * |y| <= 128: Q2_K 3*128*2*4 = 3072, Q3_K 7*128*2*4 = 7168, Q4_K 15*128*2*8
 * = 30720, Q5_K 31*128*2*4 = 31744, Q6_K 63*128*2*2 = 32256. A madd then
 * multiplies by a scale of at most 128 in int32. */
#define PANEL_TYPE(name, block_t, NSUB, GROUP, FOLD)                                                           \
    static size_t name##_panel_bytes(int64_t n) { return (size_t)(n / QK_K) * sb_bytes(NSUB); }                \
    static void name##_pack(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {               \
        pack_generic(n, w, w_stride, rows, panel, sizeof(block_t), NSUB, unpack_##name);                      \
    }                                                                                                          \
    static void name##_gemm(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y, \
                            size_t y_stride) {                                                                 \
        switch (cols) {                                                                                        \
        case 1: gemm_generic(n, panel, x, x_stride, y, y_stride, 1, NSUB, GROUP, FOLD); break;                 \
        case 2: gemm_generic(n, panel, x, x_stride, y, y_stride, 2, NSUB, GROUP, FOLD); break;                 \
        case 3: gemm_generic(n, panel, x, x_stride, y, y_stride, 3, NSUB, GROUP, FOLD); break;                 \
        default: gemm_generic(n, panel, x, x_stride, y, y_stride, 4, NSUB, GROUP, FOLD); break;                \
        }                                                                                                      \
    }                                                                                                          \
    const mote_panel_kernels mote_avx2_panel_##name = {act_row_bytes, mote_avx2_q8_K_from_float,               \
                                                       name##_panel_bytes, name##_pack, name##_gemm, PR, PC, NULL};

PANEL_TYPE(q2_K, block_q2_K, 16, 4, 0)
PANEL_TYPE(q3_K, block_q3_K, 16, 4, 1)
PANEL_TYPE(q4_K, block_q4_K, 8, 8, 0)
PANEL_TYPE(q5_K, block_q5_K, 8, 4, 0)
PANEL_TYPE(q6_K, block_q6_K, 16, 2, 1)

#else
typedef int mote_avx2_panel_kquants_unused; /* not an x86-64 build */
#endif
