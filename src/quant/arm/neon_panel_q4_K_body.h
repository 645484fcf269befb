/*
 * neon_panel_q4_K_body.h — the NEON Q4_K panel kernels, included after
 * neon_panel_body.h (whose k-group step, PANEL_STEP, and vector layout they
 * reuse) by neon_panel.c and neon_dotprod_panel.c.
 *
 * Panel, per super-block of 256 weights and 8 rows:
 *   8 sub-blocks x 16 vectors: the unsigned nibbles 0..15 in the layout of
 *     neon_panel_body.h (k group j of the sub-block, rows 0-3 then 4-7);
 *   8 sub-blocks x 2 int32 vectors: the rows' 6-bit sub-block scales;
 *   8 sub-blocks x 2 int32 vectors: the rows' 6-bit sub-block minimums;
 *   2 + 2 float vectors: the rows' d and dmin.
 * Activations: the Q8_K quants (the installed quantizer's, equal to the
 * reference's), d, and each 32-quant sub-block's sum.
 * Per token and row the integer sums are the reference's (kquants.c,
 * k4_dot): isum = sum over sub-blocks of scale * dot(nibbles, quants),
 * msum = sum of minimum * sub-block sum, each below 2^31 (63 * 15 * 127 *
 * 256); then d_w * d_x * isum - dmin * d_x * msum.
 */
#include "quant/kernels.h"

#define Q4K_VECTORS (8 * 16 * 16)                                  /* 2048 bytes */
#define Q4K_SCALES Q4K_VECTORS                                     /* 8 x 2 int32x4 */
#define Q4K_MINS (Q4K_SCALES + 8 * 32)                             /* 8 x 2 int32x4 */
#define Q4K_D (Q4K_MINS + 8 * 32)                                  /* d rows 0-7, dmin rows 0-7 */
#define Q4K_BLOCK (Q4K_D + 64)                                     /* 2624 bytes */

typedef struct {
    int8_t qs[256];
    float d;
    int32_t sub[8]; /* sum of the quants of each 32-quant sub-block */
} neon_panel_act_k;

_Static_assert(sizeof(neon_panel_act_k) == 292, "neon_panel_act_k layout");

static size_t q4_K_act_row_bytes(int64_t n) { return (size_t)(n / 256) * sizeof(neon_panel_act_k); }
static size_t q4_K_panel_bytes(int64_t n) { return ((size_t)(n / 256) * Q4K_BLOCK + 63) & ~(size_t)63; }

static void q4_K_act_from_float(const float *x, void *dst, int64_t n) {
    const mote_from_float_fn q8k = mote_traits(MOTE_TYPE_Q8_K)->from_float;
    neon_panel_act_k *out = dst;
    block_q8_K tmp;
    for (int64_t b = 0; b < n / 256; b++) {
        q8k(x + b * 256, &tmp, 256);
        memcpy(out[b].qs, tmp.qs, 256);
        out[b].d = tmp.d;
        for (int sb = 0; sb < 8; sb++) out[b].sub[sb] = tmp.bsums[2 * sb] + tmp.bsums[2 * sb + 1];
    }
}

static void pack_q4_K(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    uint8_t *out = panel;
    for (int64_t b = 0; b < n / 256; b++, out += Q4K_BLOCK) {
        int32_t sc[8][NEON_PANEL_ROWS] = {{0}}, mn[8][NEON_PANEL_ROWS] = {{0}};
        float d[2][NEON_PANEL_ROWS] = {{0}};
        int8_t wk[8][NEON_PANEL_ROWS][32] = {{{0}}};
        for (int r = 0; r < rows; r++) {
            const block_q4_K *blk = (const block_q4_K *)((const uint8_t *)w + (size_t)r * w_stride) + b;
            uint8_t s8[8], m8[8];
            mote_k4_scales(blk->scales, s8, m8);
            d[0][r] = neon_h2f(blk->d);
            d[1][r] = neon_h2f(blk->dmin);
            for (int sb = 0; sb < 8; sb++) {
                sc[sb][r] = s8[sb];
                mn[sb][r] = m8[sb];
            }
            /* sub-blocks 2c and 2c+1: low and high nibbles of qs[32c..32c+31] */
            for (int c = 0; c < 4; c++)
                for (int l = 0; l < 32; l++) {
                    wk[2 * c][r][l] = (int8_t)(blk->qs[32 * c + l] & 0x0F);
                    wk[2 * c + 1][r][l] = (int8_t)(blk->qs[32 * c + l] >> 4);
                }
        }
        for (int sb = 0; sb < 8; sb++) put_vectors(out + 256 * sb, (const int8_t(*)[32])wk[sb]);
        memcpy(out + Q4K_SCALES, sc, sizeof sc);
        memcpy(out + Q4K_MINS, mn, sizeof mn);
        memcpy(out + Q4K_D, d, sizeof d);
    }
}

static inline __attribute__((always_inline)) void q4_K_gemm_cols(int64_t n, const uint8_t *panel, const void *x,
                                                                 size_t x_stride, float *y, size_t y_stride,
                                                                 const int C) {
    const neon_panel_act_k *a[NEON_PANEL_COLS];
    float32x4_t acc_lo[NEON_PANEL_COLS], acc_hi[NEON_PANEL_COLS];
    for (int c = 0; c < C; c++) {
        a[c] = (const neon_panel_act_k *)((const uint8_t *)x + (size_t)c * x_stride);
        acc_lo[c] = acc_hi[c] = vdupq_n_f32(0.0f);
    }
    for (int64_t b = 0; b < n / 256; b++, panel += Q4K_BLOCK) {
        const int32_t *sc = (const int32_t *)(panel + Q4K_SCALES), *mn = (const int32_t *)(panel + Q4K_MINS);
        int32x4_t i_lo[NEON_PANEL_COLS], i_hi[NEON_PANEL_COLS];
        for (int c = 0; c < C; c++) i_lo[c] = i_hi[c] = vdupq_n_s32(0);
        for (int sb = 0; sb < 8; sb++) {
            const uint8_t *blk = panel + 256 * sb;
            int8x16_t x0[NEON_PANEL_COLS], x1[NEON_PANEL_COLS];
            int32x4_t s_lo[NEON_PANEL_COLS], s_hi[NEON_PANEL_COLS];
            for (int c = 0; c < C; c++) {
                x0[c] = vld1q_s8(a[c][b].qs + 32 * sb);
                x1[c] = vld1q_s8(a[c][b].qs + 32 * sb + 16);
                s_lo[c] = s_hi[c] = vdupq_n_s32(0);
            }
            PANEL_STEP(unpacked_w, 0, x0, 0); PANEL_STEP(unpacked_w, 1, x0, 1);
            PANEL_STEP(unpacked_w, 2, x0, 2); PANEL_STEP(unpacked_w, 3, x0, 3);
            PANEL_STEP(unpacked_w, 4, x1, 0); PANEL_STEP(unpacked_w, 5, x1, 1);
            PANEL_STEP(unpacked_w, 6, x1, 2); PANEL_STEP(unpacked_w, 7, x1, 3);
            const int32x4_t sc_lo = vld1q_s32(sc + 8 * sb), sc_hi = vld1q_s32(sc + 8 * sb + 4);
            for (int c = 0; c < C; c++) {
                i_lo[c] = vmlaq_s32(i_lo[c], s_lo[c], sc_lo);
                i_hi[c] = vmlaq_s32(i_hi[c], s_hi[c], sc_hi);
            }
        }
        const float32x4_t d_lo = vld1q_f32((const float *)(panel + Q4K_D)),
                          d_hi = vld1q_f32((const float *)(panel + Q4K_D) + 4),
                          m_lo = vld1q_f32((const float *)(panel + Q4K_D) + 8),
                          m_hi = vld1q_f32((const float *)(panel + Q4K_D) + 12);
        for (int c = 0; c < C; c++) {
            /* the minimums' term, from memory: it does not depend on the weights' nibbles */
            int32x4_t ms_lo = vdupq_n_s32(0), ms_hi = ms_lo;
            for (int sb = 0; sb < 8; sb++) {
                ms_lo = vmlaq_n_s32(ms_lo, vld1q_s32(mn + 8 * sb), a[c][b].sub[sb]);
                ms_hi = vmlaq_n_s32(ms_hi, vld1q_s32(mn + 8 * sb + 4), a[c][b].sub[sb]);
            }
            const float dx = a[c][b].d;
            acc_lo[c] = neon_madd_f32(acc_lo[c], vcvtq_f32_s32(i_lo[c]), vmulq_n_f32(d_lo, dx));
            acc_hi[c] = neon_madd_f32(acc_hi[c], vcvtq_f32_s32(i_hi[c]), vmulq_n_f32(d_hi, dx));
            acc_lo[c] = neon_madd_f32(acc_lo[c], vcvtq_f32_s32(ms_lo), vmulq_n_f32(m_lo, -dx));
            acc_hi[c] = neon_madd_f32(acc_hi[c], vcvtq_f32_s32(ms_hi), vmulq_n_f32(m_hi, -dx));
        }
    }
    for (int c = 0; c < C; c++) {
        vst1q_f32(y + (size_t)c * y_stride, acc_lo[c]);
        vst1q_f32(y + (size_t)c * y_stride + 4, acc_hi[c]);
    }
}

static void q4_K_gemm(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,
                      size_t y_stride) {
    switch (cols) {
#if NEON_PANEL_COLS > 2
    case 4: q4_K_gemm_cols(n, panel, x, x_stride, y, y_stride, 4); break;
    case 3: q4_K_gemm_cols(n, panel, x, x_stride, y, y_stride, 3); break;
#endif
    case 2: q4_K_gemm_cols(n, panel, x, x_stride, y, y_stride, 2); break;
    default: q4_K_gemm_cols(n, panel, x, x_stride, y, y_stride, 1); break;
    }
}

static const mote_panel_kernels NEON_NAME(panel_q4_K) = {q4_K_act_row_bytes, q4_K_act_from_float, q4_K_panel_bytes,
                                                         pack_q4_K, q4_K_gemm, NEON_PANEL_ROWS, NEON_PANEL_COLS, NULL};
