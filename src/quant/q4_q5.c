/*
 * q4_q5.c — the classic 32-element block types Q4_0, Q4_1, Q5_0, Q5_1.
 *
 * Layout shared by all four: the 32 values of a block are split in two
 * halves; byte j of qs holds value j in its low nibble and value j+16 in its
 * high nibble. The 5-bit types add one more bit per value in qh, a 32-bit
 * little-endian mask whose bit k belongs to value k.
 *
 *   Q4_0  x = d * (q - 8)        q in 0..15
 *   Q4_1  x = d * q + m          q in 0..15
 *   Q5_0  x = d * (q - 16)       q in 0..31
 *   Q5_1  x = d * q + m          q in 0..31
 *
 * Dot products take activations in Q8_0 (symmetric types) or Q8_1 (types
 * with an offset m: Q8_1 carries s = d8 * sum(q8), so m's contribution is one
 * multiply per block). Integer sums per block, one float multiply per block.
 */
#include "quant/blocks.h"
#include "quant/kernels.h"

/* The 32-bit high-bit mask of a 5-bit block, read as little-endian bytes. */
static inline uint32_t high_bits(const uint8_t qh[4]) {
    return (uint32_t)qh[0] | (uint32_t)qh[1] << 8 | (uint32_t)qh[2] << 16 | (uint32_t)qh[3] << 24;
}

/* Unpack a block's 32 nibbles in weight order: byte j gives weights j and j+16. */
static inline void unpack_nibbles(const uint8_t *qs, uint8_t q[32]) {
    for (int j = 0; j < 16; j++) {
        q[j] = qs[j] & 0x0F;
        q[j + 16] = qs[j] >> 4;
    }
}

/* Unpack a 5-bit block: the nibbles plus bit k of the high mask as bit 4 of weight k. */
static inline void unpack_five_bits(const uint8_t *qs, const uint8_t qh_bytes[4], uint8_t q[32]) {
    const uint32_t qh = high_bits(qh_bytes);
    unpack_nibbles(qs, q);
    for (int k = 0; k < 32; k++) q[k] |= (uint8_t)(((qh >> k) & 1) << 4);
}

/* Sum of (q[k] - offset) * a[k] over a 32-weight block. */
static inline int32_t block_dot(const uint8_t q[32], int offset, const int8_t *a) {
    int32_t s = 0;
    for (int k = 0; k < 32; k++) s += (q[k] - offset) * a[k];
    return s;
}

/* x*d + m with the product rounded first (no fused multiply-add), as GGML's
 * reference does: keeping two statements stops compilers from fusing them. */
static inline float scale_add(int q, float d, float m) {
    const float p = (float)q * d;
    return p + m;
}

/* ---- Q4_0 ------------------------------------------------------------------ */

void mote_q4_0_to_float(const void *src, float *dst, int64_t n) {
    const block_q4_0 *b = src;
    uint8_t q[32];
    for (int64_t i = 0; i < n / QK4_0; i++, b++, dst += QK4_0) {
        const float d = mote_fp16_to_f32(b->d);
        unpack_nibbles(b->qs, q);
        for (int k = 0; k < QK4_0; k++) dst[k] = (float)(q[k] - 8) * d;
    }
}

float mote_vec_dot_q4_0_q8_0(int64_t n, const void *w, const void *x) {
    const block_q4_0 *a = w;
    const block_q8_0 *b = x;
    uint8_t q[32];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK4_0; i++) {
        unpack_nibbles(a[i].qs, q);
        const int32_t isum = block_dot(q, 8, b[i].qs);
        sum += (float)isum * mote_fp16_to_f32(a[i].d) * mote_fp16_to_f32(b[i].d);
    }
    return sum;
}

/* ---- Q4_1 ------------------------------------------------------------------ */

void mote_q4_1_to_float(const void *src, float *dst, int64_t n) {
    const block_q4_1 *b = src;
    uint8_t q[32];
    for (int64_t i = 0; i < n / QK4_1; i++, b++, dst += QK4_1) {
        const float d = mote_fp16_to_f32(b->d), m = mote_fp16_to_f32(b->m);
        unpack_nibbles(b->qs, q);
        for (int k = 0; k < QK4_1; k++) dst[k] = scale_add(q[k], d, m);
    }
}

/* sum(x*y) = d*d8*sum(q*q8) + m*(d8*sum(q8)), the last factor being Q8_1's s. */
float mote_vec_dot_q4_1_q8_1(int64_t n, const void *w, const void *x) {
    const block_q4_1 *a = w;
    const block_q8_1 *b = x;
    uint8_t q[32];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK4_1; i++) {
        unpack_nibbles(a[i].qs, q);
        const int32_t isum = block_dot(q, 0, b[i].qs);
        const float dd = mote_fp16_to_f32(a[i].d) * mote_fp16_to_f32(b[i].d);
        const float ms = mote_fp16_to_f32(a[i].m) * mote_fp16_to_f32(b[i].s);
        sum += dd * (float)isum + ms;
    }
    return sum;
}

/* ---- Q5_0 ------------------------------------------------------------------ */

void mote_q5_0_to_float(const void *src, float *dst, int64_t n) {
    const block_q5_0 *b = src;
    uint8_t q[32];
    for (int64_t i = 0; i < n / QK5_0; i++, b++, dst += QK5_0) {
        const float d = mote_fp16_to_f32(b->d);
        unpack_five_bits(b->qs, b->qh, q);
        for (int k = 0; k < QK5_0; k++) dst[k] = (float)(q[k] - 16) * d;
    }
}

float mote_vec_dot_q5_0_q8_0(int64_t n, const void *w, const void *x) {
    const block_q5_0 *a = w;
    const block_q8_0 *b = x;
    uint8_t q[32];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK5_0; i++) {
        unpack_five_bits(a[i].qs, a[i].qh, q);
        const int32_t isum = block_dot(q, 16, b[i].qs);
        sum += (mote_fp16_to_f32(a[i].d) * mote_fp16_to_f32(b[i].d)) * (float)isum;
    }
    return sum;
}

/* ---- Q5_1 ------------------------------------------------------------------ */

void mote_q5_1_to_float(const void *src, float *dst, int64_t n) {
    const block_q5_1 *b = src;
    uint8_t q[32];
    for (int64_t i = 0; i < n / QK5_1; i++, b++, dst += QK5_1) {
        const float d = mote_fp16_to_f32(b->d), m = mote_fp16_to_f32(b->m);
        unpack_five_bits(b->qs, b->qh, q);
        for (int k = 0; k < QK5_1; k++) dst[k] = scale_add(q[k], d, m);
    }
}

float mote_vec_dot_q5_1_q8_1(int64_t n, const void *w, const void *x) {
    const block_q5_1 *a = w;
    const block_q8_1 *b = x;
    uint8_t q[32];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK5_1; i++) {
        unpack_five_bits(a[i].qs, a[i].qh, q);
        const int32_t isum = block_dot(q, 0, b[i].qs);
        const float dd = mote_fp16_to_f32(a[i].d) * mote_fp16_to_f32(b[i].d);
        const float ms = mote_fp16_to_f32(a[i].m) * mote_fp16_to_f32(b[i].s);
        sum += dd * (float)isum + ms;
    }
    return sum;
}
