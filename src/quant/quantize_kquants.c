/*
 * quantize_kquants.c — quantizers of the k-quant super-block types Q2_K,
 * Q3_K, Q4_K, Q5_K and Q6_K (layouts in blocks.h).
 *
 * A super-block of 256 values is cut into sub-blocks of 16 or 32. Each
 * sub-block gets its own scale (and minimum), found by a search of
 * quantize_fit.h; those scales are then themselves quantized to 4-8 bits
 * against one fp16 super-scale, and finally every value is re-rounded with
 * the scale as the reader will decode it, so rounding of the scales costs as
 * little as possible. With an importance vector, the searches weigh each
 * value by its column's importance.
 */
#include <string.h>

#include "quant/blocks.h"
#include "quant/quantize.h"
#include "quant/quantize_fit.h"

/* ---- bit packing shared by several types -------------------------------------- */

/* 2-bit levels of 256 values into 64 bytes: in each half of 128 values, byte l
 * holds values l, l+32, l+64, l+96 at bits 0, 2, 4, 6. */
static void pack_2bit(const uint8_t *L, uint8_t *qs) {
    for (int h = 0; h < QK_K; h += 128)
        for (int l = 0; l < 32; ++l)
            qs[h / 4 + l] = (uint8_t)(L[h + l] | (L[h + l + 32] << 2) | (L[h + l + 64] << 4) | (L[h + l + 96] << 6));
}

/* The 6-bit scale and minimum of sub-block j (0..7) in the 12-byte K_SCALE layout:
 * sub-blocks 0-3 use the low 6 bits of bytes j and j+4; sub-blocks 4-7 put
 * their low nibbles in byte j+4 and their top 2 bits in the high bits of bytes
 * j-4 (scale) and j (minimum). */
static void put_scale_min_k4(uint8_t *s, int j, uint8_t ls, uint8_t lm) {
    if (j < 4) {
        s[j] = ls;
        s[j + 4] = lm;
    } else {
        s[j + 4] = (uint8_t)((ls & 0xF) | ((lm & 0xF) << 4));
        s[j - 4] |= (uint8_t)((ls >> 4) << 6);
        s[j] |= (uint8_t)((lm >> 4) << 6);
    }
}

static void get_scale_min_k4(const uint8_t *s, int j, uint8_t *ls, uint8_t *lm) {
    if (j < 4) {
        *ls = s[j] & 63;
        *lm = s[j + 4] & 63;
    } else {
        *ls = (uint8_t)((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4));
        *lm = (uint8_t)((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
    }
}

/* Q3_K's 16 six-bit scales (stored +32) in 12 bytes: low nibbles in bytes 0-7
 * (sub-blocks 8-15 in the high nibble), top 2 bits in bytes 8-11. */
static void put_scale_q3(uint8_t *s, int j, int l) {
    if (j < 8) s[j] = (uint8_t)(l & 0xF);
    else s[j - 8] |= (uint8_t)((l & 0xF) << 4);
    s[8 + j % 4] |= (uint8_t)((l >> 4) << (2 * (j / 4)));
}

static int get_scale_q3(const uint8_t *s, int j) {
    int lo = j < 8 ? s[j] & 0xF : s[j - 8] >> 4;
    return (lo | (((s[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
}

static float sum_squares(const float *x, int n) {
    float s = 0;
    for (int j = 0; j < n; ++j) s += x[j] * x[j];
    return s;
}

/* ---- Q2_K: 16 sub-blocks of 16, 2-bit levels, 4-bit scales and minimums -------- */

/* Re-round every value with the decoded (scale, minimum) of its sub-block. */
static void q2_requantize(const float *x, const block_q2_K *y, uint8_t *L) {
    const float d_all = mote_fp16_to_f32(y->d), m_all = mote_fp16_to_f32(y->dmin);
    for (int j = 0; j < 16; ++j) {
        const float d = d_all * (y->scales[j] & 0xF);
        if (!d) continue;
        const float m = m_all * (y->scales[j] >> 4);
        for (int i = 0; i < 16; ++i) L[16 * j + i] = (uint8_t)qclamp(qround((x[16 * j + i] + m) / d), 0, 3);
    }
}

static void q2_K_block_plain(const float *x, block_q2_K *y) {
    uint8_t L[QK_K];
    float w[16], scales[16], mins[16];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 16; ++j) {
        for (int i = 0; i < 16; ++i) w[i] = fabsf(x[16 * j + i]);
        scales[j] = fit_affine(16, 3, x + 16 * j, w, L + 16 * j, &mins[j], -0.5f, 0.1f, 15, true);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    memset(y->scales, 0, sizeof y->scales);
    if (max_scale > 0) {
        const float is = 15.f / max_scale;
        for (int j = 0; j < 16; ++j) y->scales[j] = (uint8_t)qclamp(qround(is * scales[j]), 0, 15);
        y->d = mote_f32_to_fp16(max_scale / 15.f);
    } else {
        y->d = mote_f32_to_fp16(0.f);
    }
    if (max_min > 0) {
        const float is = 15.f / max_min;
        for (int j = 0; j < 16; ++j) y->scales[j] |= (uint8_t)(qclamp(qround(is * mins[j]), 0, 15) << 4);
        y->dmin = mote_f32_to_fp16(max_min / 15.f);
    } else {
        y->dmin = mote_f32_to_fp16(0.f);
    }
    q2_requantize(x, y, L);
    pack_2bit(L, y->qs);
}

static void q2_K_block_weighted(const float *x, block_q2_K *y, const float *imp) {
    uint8_t L[QK_K], Ls[16], Lm[16];
    float w[16], scales[16], mins[16], sw[16];
    const float sigma2 = sum_squares(x, QK_K) / QK_K;
    for (int j = 0; j < 16; ++j) {
        sw[j] = 0;
        for (int i = 0; i < 16; ++i) {
            w[i] = imp[16 * j + i] * sqrtf(sigma2 + x[16 * j + i] * x[16 * j + i]);
            sw[j] += w[i];
        }
        scales[j] = fit_affine(16, 3, x + 16 * j, w, L + 16 * j, &mins[j], -0.9f, 0.05f, 36, false);
    }
    /* Sub-blocks that matter more (larger total weight) get their scale rounded more carefully. */
    y->d = mote_f32_to_fp16(fit_positive(16, 15, scales, sw, Ls));
    y->dmin = mote_f32_to_fp16(fit_positive(16, 15, mins, sw, Lm));
    for (int j = 0; j < 16; ++j) y->scales[j] = (uint8_t)(Ls[j] | (Lm[j] << 4));
    q2_requantize(x, y, L);
    pack_2bit(L, y->qs);
}

void mote_q2_K_from_float(const float *src, void *dst, int64_t n) {
    block_q2_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) q2_K_block_plain(src + QK_K * b, &y[b]);
}

void mote_q2_K_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    block_q2_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        if (imp) q2_K_block_weighted(src + QK_K * b, &y[b], imp + QK_K * b);
        else q2_K_block_plain(src + QK_K * b, &y[b]);
    }
}

/* ---- Q3_K: 16 sub-blocks of 16, 3-bit levels (2 low bits + high-bit mask), 6-bit scales */

static void q3_finish(const float *x, block_q3_K *y, int8_t *L) {
    const float d_all = mote_fp16_to_f32(y->d);
    for (int j = 0; j < 16; ++j) {
        const float d = d_all * get_scale_q3(y->scales, j);
        if (!d) continue;
        for (int i = 0; i < 16; ++i) L[16 * j + i] = (int8_t)(qclamp(qround(x[16 * j + i] / d), -4, 3) + 4);
    }
    /* Third bit of value j: byte j % 32, bit j / 32. */
    memset(y->hmask, 0, sizeof y->hmask);
    for (int j = 0; j < QK_K; ++j) {
        if (L[j] > 3) {
            y->hmask[j % 32] |= (uint8_t)(1u << (j / 32));
            L[j] -= 4;
        }
    }
    pack_2bit((const uint8_t *)L, y->qs);
}

static void q3_K_block_plain(const float *x, block_q3_K *y) {
    int8_t L[QK_K];
    float scales[16];
    float max_scale = 0, amax = 0;
    for (int j = 0; j < 16; ++j) {
        scales[j] = fit_symmetric_iterative(16, 4, x + 16 * j, L + 16 * j);
        if (fabsf(scales[j]) > amax) {
            amax = fabsf(scales[j]);
            max_scale = scales[j];
        }
    }
    memset(y->scales, 0, sizeof y->scales);
    if (max_scale) {
        const float is = -32.f / max_scale;
        for (int j = 0; j < 16; ++j) put_scale_q3(y->scales, j, qclamp(qround(is * scales[j]), -32, 31) + 32);
        y->d = mote_f32_to_fp16(1 / is);
    } else {
        y->d = mote_f32_to_fp16(0.f);
    }
    q3_finish(x, y, L);
}

static void q3_K_block_weighted(const float *x, block_q3_K *y, const float *imp) {
    int8_t L[QK_K], Ls[16];
    float w[16], scales[16], sw[16];
    const float sigma2 = 2 * sum_squares(x, QK_K) / QK_K;
    for (int j = 0; j < 16; ++j) {
        for (int i = 0; i < 16; ++i) w[i] = imp[16 * j + i] * sqrtf(sigma2 + x[16 * j + i] * x[16 * j + i]);
        sw[j] = 0;
        for (int i = 0; i < 16; ++i) sw[j] += w[i];
        scales[j] = fit_symmetric(16, 4, x + 16 * j, w, (uint8_t *)L + 16 * j);
    }
    memset(y->scales, 0, sizeof y->scales);
    const float d = fit_symmetric(16, 32, scales, sw, (uint8_t *)Ls);
    for (int j = 0; j < 16; ++j) put_scale_q3(y->scales, j, Ls[j]);
    y->d = mote_f32_to_fp16(d);
    q3_finish(x, y, L);
}

void mote_q3_K_from_float(const float *src, void *dst, int64_t n) {
    block_q3_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) q3_K_block_plain(src + QK_K * b, &y[b]);
}

void mote_q3_K_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    block_q3_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        if (imp) q3_K_block_weighted(src + QK_K * b, &y[b], imp + QK_K * b);
        else q3_K_block_plain(src + QK_K * b, &y[b]);
    }
}

/* ---- Q4_K and Q5_K: 8 sub-blocks of 32, affine, 6-bit scales and minimums ---- */

/* Sub-block scales and minimums of one super-block, found by the affine search.
 * Without importance each value is weighed by mean magnitude + |x|. */
static void k4_sub_blocks(const float *x, int nmax, const float *imp, uint8_t *L, float *scales, float *mins,
                          float *sw) {
    float w[32];
    if (!imp) {
        for (int j = 0; j < 8; ++j) {
            const float *xs = x + 32 * j;
            const float av = sqrtf(sum_squares(xs, 32) / 32);
            for (int i = 0; i < 32; ++i) w[i] = av + fabsf(xs[i]);
            if (nmax == 15)
                scales[j] = fit_affine(32, 15, xs, w, L + 32 * j, &mins[j], -1.f, 0.1f, 20, false);
            else
                scales[j] = fit_affine(32, nmax, xs, w, L + 32 * j, &mins[j], -0.5f, 0.1f, 15, false);
        }
        return;
    }
    const float sigma2 = 2 * sum_squares(x, QK_K) / QK_K;
    for (int j = 0; j < 8; ++j) {
        const float *xs = x + 32 * j;
        for (int i = 0; i < 32; ++i) w[i] = imp[32 * j + i] * sqrtf(sigma2 + xs[i] * xs[i]);
        sw[j] = 0;
        for (int i = 0; i < 32; ++i) sw[j] += w[i];
        scales[j] = fit_affine(32, nmax, xs, w, L + 32 * j, &mins[j], -0.9f, 0.05f, 36, false);
    }
}

/* Quantize the sub-block scales and minimums into y's d, dmin and scales[12],
 * then re-round all values (levels 0..nmax) against the decoded ones. */
static void k4_scales_and_levels(const float *x, int nmax, const float *imp, uint8_t *L, const float *scales,
                                 const float *mins, const float *sw, mote_fp16 *yd, mote_fp16 *ydmin,
                                 uint8_t *ysc) {
    memset(ysc, 0, K_SCALE_SIZE);
    if (!imp) {
        float max_scale = 0, max_min = 0;
        for (int j = 0; j < 8; ++j) {
            if (scales[j] > max_scale) max_scale = scales[j];
            if (mins[j] > max_min) max_min = mins[j];
        }
        const float is = max_scale > 0 ? 63.f / max_scale : 0.f;
        const float im = max_min > 0 ? 63.f / max_min : 0.f;
        for (int j = 0; j < 8; ++j)
            put_scale_min_k4(ysc, j, (uint8_t)qclamp(qround(is * scales[j]), 0, 63),
                             (uint8_t)qclamp(qround(im * mins[j]), 0, 63));
        *yd = mote_f32_to_fp16(max_scale / 63.f);
        *ydmin = mote_f32_to_fp16(max_min / 63.f);
    } else {
        uint8_t Ls[8], Lm[8];
        const float d = fit_positive(8, 63, scales, sw, Ls);
        const float m = fit_positive(8, 63, mins, sw, Lm);
        for (int j = 0; j < 8; ++j) put_scale_min_k4(ysc, j, Ls[j] > 63 ? 63 : Ls[j], Lm[j] > 63 ? 63 : Lm[j]);
        *yd = mote_f32_to_fp16(d);
        *ydmin = mote_f32_to_fp16(m);
    }
    const float d_all = mote_fp16_to_f32(*yd), m_all = mote_fp16_to_f32(*ydmin);
    for (int j = 0; j < 8; ++j) {
        uint8_t ls, lm;
        get_scale_min_k4(ysc, j, &ls, &lm);
        const float d = d_all * ls;
        if (!d) continue;
        const float m = m_all * lm;
        for (int i = 0; i < 32; ++i) L[32 * j + i] = (uint8_t)qclamp(qround((x[32 * j + i] + m) / d), 0, nmax);
    }
}

static void q4_K_block(const float *x, block_q4_K *y, const float *imp) {
    uint8_t L[QK_K];
    float scales[8], mins[8], sw[8];
    k4_sub_blocks(x, 15, imp, L, scales, mins, sw);
    k4_scales_and_levels(x, 15, imp, L, scales, mins, sw, &y->d, &y->dmin, y->scales);
    /* Each 64 values: 32 bytes, first 32 in the low nibbles, next 32 in the high ones. */
    for (int h = 0; h < 4; ++h)
        for (int l = 0; l < 32; ++l) y->qs[32 * h + l] = (uint8_t)(L[64 * h + l] | (L[64 * h + l + 32] << 4));
}

void mote_q4_K_from_float(const float *src, void *dst, int64_t n) {
    block_q4_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) q4_K_block(src + QK_K * b, &y[b], NULL);
}

void mote_q4_K_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    block_q4_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) q4_K_block(src + QK_K * b, &y[b], imp ? imp + QK_K * b : NULL);
}

static void q5_K_block(const float *x, block_q5_K *y, const float *imp) {
    uint8_t L[QK_K];
    float scales[8], mins[8], sw[8];
    k4_sub_blocks(x, 31, imp, L, scales, mins, sw);
    k4_scales_and_levels(x, 31, imp, L, scales, mins, sw, &y->d, &y->dmin, y->scales);
    /* As Q4_K for the low nibbles; the fifth bit of value 64h+l goes to bit 2h
     * of qh[l], that of value 64h+32+l to bit 2h+1. */
    memset(y->qh, 0, sizeof y->qh);
    for (int h = 0; h < 4; ++h) {
        for (int l = 0; l < 32; ++l) {
            int a = L[64 * h + l], b = L[64 * h + l + 32];
            if (a > 15) {
                a -= 16;
                y->qh[l] |= (uint8_t)(1u << (2 * h));
            }
            if (b > 15) {
                b -= 16;
                y->qh[l] |= (uint8_t)(2u << (2 * h));
            }
            y->qs[32 * h + l] = (uint8_t)(a | (b << 4));
        }
    }
}

void mote_q5_K_from_float(const float *src, void *dst, int64_t n) {
    block_q5_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) q5_K_block(src + QK_K * b, &y[b], NULL);
}

void mote_q5_K_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    block_q5_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) q5_K_block(src + QK_K * b, &y[b], imp ? imp + QK_K * b : NULL);
}

/* ---- Q6_K: 16 sub-blocks of 16, 6-bit levels, 8-bit signed scales ------------- */

static void q6_K_block(const float *x, block_q6_K *y, const float *imp) {
    int8_t L[QK_K];
    float scales[16];
    float max_scale = 0, amax = 0;
    for (int j = 0; j < 16; ++j) {
        /* The importance is used as is here: 6 bits leave little to trade. */
        scales[j] = fit_symmetric(16, 32, x + 16 * j, imp ? imp + 16 * j : NULL, (uint8_t *)L + 16 * j);
        if (fabsf(scales[j]) > amax) {
            amax = fabsf(scales[j]);
            max_scale = scales[j];
        }
    }
    if (amax < MOTE_QUANT_EPS) {
        memset(y, 0, sizeof *y);
        return;
    }
    const float is = -128.f / max_scale;
    y->d = mote_f32_to_fp16(1 / is);
    for (int j = 0; j < 16; ++j) {
        int s = qround(is * scales[j]);
        y->scales[j] = (int8_t)(s > 127 ? 127 : s < -128 ? -128 : s);
    }
    const float d_all = mote_fp16_to_f32(y->d);
    for (int j = 0; j < 16; ++j) {
        const float d = d_all * y->scales[j];
        if (!d) continue;
        for (int i = 0; i < 16; ++i) L[16 * j + i] = (int8_t)(qclamp(qround(x[16 * j + i] / d), -32, 31) + 32);
    }
    /* Per 128 values: low nibbles of values l and l+64 share ql[l], l+32 and
     * l+96 share ql[l+32]; the top 2 bits of l, l+32, l+64, l+96 fill qh[l]. */
    for (int h = 0; h < 2; ++h) {
        const int8_t *Lh = L + 128 * h;
        uint8_t *ql = y->ql + 64 * h, *qh = y->qh + 32 * h;
        for (int l = 0; l < 32; ++l) {
            ql[l] = (uint8_t)((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
            ql[l + 32] = (uint8_t)((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
            qh[l] = (uint8_t)((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) | ((Lh[l + 64] >> 4) << 4) |
                              ((Lh[l + 96] >> 4) << 6));
        }
    }
}

void mote_q6_K_from_float(const float *src, void *dst, int64_t n) {
    block_q6_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) q6_K_block(src + QK_K * b, &y[b], NULL);
}

void mote_q6_K_quantize_row(const float *src, void *dst, int64_t n, const float *imp) {
    block_q6_K *y = dst;
    for (int64_t b = 0; b < n / QK_K; ++b) q6_K_block(src + QK_K * b, &y[b], imp ? imp + QK_K * b : NULL);
}
