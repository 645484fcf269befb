/*
 * ternary.c — the ternary types TQ1_0 and TQ2_0 (BitNet b1.58, TriLM):
 * every weight is d * t with t in {-1, 0, 1} and one fp16 d per 256 weights.
 *
 * TQ2_0 spends 2 bits per weight (stored t+1): each 32 bytes of qs cover 128
 * weights, weight 128*c + 32*j + l at bits 2j..2j+1 of qs[32*c + l]. The
 * unused code 3 reads as t = 2, as in GGML.
 *
 * TQ1_0 packs 5 trits per byte (1.6 bits per weight). A byte holds the
 * base-3 number t0 t1 t2 t3 t4 (t0 most significant) as a fraction of 3^5,
 * rounded up onto 0..255: byte = ceil(value * 256 / 243). Trit k is then
 * read without division: multiplying the byte by 3^k (mod 256) shifts the
 * fraction left by k trits, and the top trit of a fraction f/256 is
 * (3 * f) >> 8. Weight order: the first 32 bytes of qs give weights 0..159
 * (trit k of byte m is weight 32*k + m), the next 16 bytes weights 160..239
 * (trit k of byte m is 160 + 16*k + m), and the 4 bytes of qh, 4 trits
 * each, weights 240..255 (trit k of byte m is 240 + 4*k + m).
 *
 * Both multiply against Q8_K activations.
 */
#include "quant/blocks.h"
#include "quant/kernels.h"

/* Trit k (0..4, most significant first) of a TQ1_0 byte, as -1, 0 or 1. */
static inline int trit(uint8_t byte, int k) {
    static const uint8_t pow3[5] = {1, 3, 9, 27, 81};
    const uint8_t shifted = (uint8_t)(byte * pow3[k]);
    return ((shifted * 3) >> 8) - 1;
}

/* All 256 ternary weights of a TQ1_0 block, in weight order. */
static void tq1_0_unpack(const block_tq1_0 *b, int8_t t[QK_K]) {
    for (int k = 0; k < 5; k++) {
        for (int m = 0; m < 32; m++) t[32 * k + m] = (int8_t)trit(b->qs[m], k);
        for (int m = 0; m < 16; m++) t[160 + 16 * k + m] = (int8_t)trit(b->qs[32 + m], k);
    }
    for (int k = 0; k < 4; k++)
        for (int m = 0; m < 4; m++) t[240 + 4 * k + m] = (int8_t)trit(b->qh[m], k);
}

static void tq2_0_unpack(const block_tq2_0 *b, int8_t t[QK_K]) {
    for (int c = 0; c < 2; c++)
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 32; l++) t[128 * c + 32 * j + l] = (int8_t)(((b->qs[32 * c + l] >> (2 * j)) & 3) - 1);
}

static inline int32_t idot(const int8_t *t, const int8_t *a) {
    int32_t s = 0;
    for (int i = 0; i < QK_K; i++) s += t[i] * a[i];
    return s;
}

void mote_tq1_0_to_float(const void *src, float *dst, int64_t n) {
    const block_tq1_0 *b = src;
    int8_t t[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, b++, dst += QK_K) {
        const float d = mote_fp16_to_f32(b->d);
        tq1_0_unpack(b, t);
        for (int k = 0; k < QK_K; k++) dst[k] = (float)t[k] * d;
    }
}

float mote_vec_dot_tq1_0_q8_K(int64_t n, const void *w, const void *x) {
    const block_tq1_0 *a = w;
    const block_q8_K *y = x;
    int8_t t[QK_K];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        tq1_0_unpack(&a[i], t);
        sum += (float)idot(t, y[i].qs) * (mote_fp16_to_f32(a[i].d) * y[i].d);
    }
    return sum;
}

void mote_tq2_0_to_float(const void *src, float *dst, int64_t n) {
    const block_tq2_0 *b = src;
    int8_t t[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, b++, dst += QK_K) {
        const float d = mote_fp16_to_f32(b->d);
        tq2_0_unpack(b, t);
        for (int k = 0; k < QK_K; k++) dst[k] = (float)t[k] * d;
    }
}

float mote_vec_dot_tq2_0_q8_K(int64_t n, const void *w, const void *x) {
    const block_tq2_0 *a = w;
    const block_q8_K *y = x;
    int8_t t[QK_K];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        tq2_0_unpack(&a[i], t);
        sum += (float)idot(t, y[i].qs) * (y[i].d * mote_fp16_to_f32(a[i].d));
    }
    return sum;
}
