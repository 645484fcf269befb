/*
 * iq4.c — the non-linear 4-bit types IQ4_NL and IQ4_XS.
 *
 * Both store 4-bit indices into one fixed table of 16 levels, spaced more
 * tightly near zero (where trained weights cluster) than a uniform 4-bit
 * grid. The nibble layout is Q4_0's: in each 32-weight group, byte j holds
 * weight j (low nibble) and weight j+16 (high nibble).
 *
 *   IQ4_NL  32 weights, fp16 d:           x = d * level[q]
 *   IQ4_XS  256 weights, fp16 d and one 6-bit scale per 32 (offset 32):
 *           x = d * (ls - 32) * level[q]
 *
 * IQ4_NL multiplies against Q8_0 activations, IQ4_XS against Q8_K.
 */
#include "quant/blocks.h"
#include "quant/kernels.h"

const int8_t mote_iq4_levels[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                    1,    13,   25,  38,  53,  69,  89,  113};

/* The levels of one 32-weight group, in weight order: byte j gives weights
 * j (low nibble) and j+16 (high nibble). */
static inline void unpack_levels(const uint8_t *qs, int8_t v[32]) {
    for (int j = 0; j < 16; j++) {
        v[j] = mote_iq4_levels[qs[j] & 0x0F];
        v[j + 16] = mote_iq4_levels[qs[j] >> 4];
    }
}

/* Sum of level*a over one 32-weight group. */
static inline int32_t group_dot(const uint8_t *qs, const int8_t *a) {
    int8_t v[32];
    unpack_levels(qs, v);
    int32_t s = 0;
    for (int k = 0; k < 32; k++) s += v[k] * a[k];
    return s;
}

/* IQ4_XS: the 6-bit scale of group g: 4 low bits from scales_l (two groups
 * per byte, even group in the low nibble), 2 high bits from scales_h. */
static inline int xs_scale(const block_iq4_xs *b, int g) {
    const int low4 = (b->scales_l[g / 2] >> (4 * (g % 2))) & 0x0F;
    const int high2 = (b->scales_h >> (2 * g)) & 3;
    return (low4 | high2 << 4) - 32;
}

/* ---- IQ4_NL ------------------------------------------------------------------ */

void mote_iq4_nl_to_float(const void *src, float *dst, int64_t n) {
    const block_iq4_nl *b = src;
    for (int64_t i = 0; i < n / QK4_NL; i++, b++, dst += QK4_NL) {
        const float d = mote_fp16_to_f32(b->d);
        int8_t v[32];
        unpack_levels(b->qs, v);
        for (int k = 0; k < QK4_NL; k++) dst[k] = d * (float)v[k];
    }
}

float mote_vec_dot_iq4_nl_q8_0(int64_t n, const void *w, const void *x) {
    const block_iq4_nl *a = w;
    const block_q8_0 *y = x;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK4_NL; i++) {
        const float d = mote_fp16_to_f32(y[i].d) * mote_fp16_to_f32(a[i].d);
        sum += d * (float)group_dot(a[i].qs, y[i].qs);
    }
    return sum;
}

/* ---- IQ4_XS ------------------------------------------------------------------ */

void mote_iq4_xs_to_float(const void *src, float *dst, int64_t n) {
    const block_iq4_xs *b = src;
    for (int64_t i = 0; i < n / QK_K; i++, b++) {
        const float d = mote_fp16_to_f32(b->d);
        for (int g = 0; g < QK_K / 32; g++, dst += 32) {
            const float dl = d * (float)xs_scale(b, g);
            int8_t v[32];
            unpack_levels(b->qs + 16 * g, v);
            for (int k = 0; k < 32; k++) dst[k] = dl * (float)v[k];
        }
    }
}

float mote_vec_dot_iq4_xs_q8_K(int64_t n, const void *w, const void *x) {
    const block_iq4_xs *a = w;
    const block_q8_K *y = x;
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        int32_t isum = 0;
        for (int g = 0; g < QK_K / 32; g++) isum += xs_scale(&a[i], g) * group_dot(a[i].qs + 16 * g, y[i].qs + 32 * g);
        sum += mote_fp16_to_f32(a[i].d) * y[i].d * (float)isum;
    }
    return sum;
}
