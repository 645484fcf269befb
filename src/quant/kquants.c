/*
 * kquants.c — the k-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K.
 *
 * A k-quant super-block holds 256 weights with one fp16 scale d (and, for
 * the types with an offset, one fp16 dmin), plus small per-sub-block scales
 * that d multiplies:
 *
 *   type  bits  sub-blocks        weight
 *   Q2_K  2     16 x 16, 4+4 bit  d*sc*q - dmin*m      q in 0..3
 *   Q3_K  3     16 x 16, 6 bit    d*(sc-32)*q          q in -4..3
 *   Q4_K  4      8 x 32, 6+6 bit  d*sc*q - dmin*m      q in 0..15
 *   Q5_K  5      8 x 32, 6+6 bit  d*sc*q - dmin*m      q in 0..31
 *   Q6_K  6     16 x 16, int8     d*sc*(q-32)          q in 0..63
 *
 * Each type has an unpack function that turns a block's packed bits into
 * one small integer per weight, in weight order, and a scales function that
 * decodes its sub-block scales (the bit layouts are described there). The
 * kernels are then plain loops over sub-blocks. Dot products run against
 * Q8_K activations: integer sums per sub-block, scaled by the integer
 * sub-block scale, one float multiply per super-block; the offsets use
 * Q8_K's bsums (sums of 16 activations) so they cost one multiply per group.
 *
 * Float expressions keep GGML's order (d*sc first, then *q, then - dmin*m,
 * each product rounded), so to_float is bit-exact with dequantize_row_*.
 */

#include "quant/blocks.h"
#include "quant/kernels.h"

/* ---- unpacking --------------------------------------------------------------- */

/* Q2_K and Q3_K store 2 low bits per weight the same way: each 32-byte half of
 * qs covers 128 weights; weight 128*h + 32*j + l sits at bits 2j..2j+1 of byte
 * qs[32*h + l]. Q3_K's third bit is bit 4h+j of hmask[l], and a set bit means
 * "no subtraction": q = low2 - (bit ? 0 : 4). */
static void unpack_2bit(const uint8_t *qs, uint8_t q[QK_K]) {
    for (int h = 0; h < 2; h++)
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 32; l++) q[128 * h + 32 * j + l] = (qs[32 * h + l] >> (2 * j)) & 3;
}

static void q3_K_unpack(const block_q3_K *b, int8_t q[QK_K]) {
    uint8_t low[QK_K];
    unpack_2bit(b->qs, low);
    for (int h = 0; h < 2; h++)
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 32; l++) {
                const int e = 128 * h + 32 * j + l;
                const int high = (b->hmask[l] >> (4 * h + j)) & 1;
                q[e] = (int8_t)(low[e] - (high ? 0 : 4));
            }
}

/* Q4_K and Q5_K: each 32 bytes of qs cover 64 weights, the low nibbles the
 * first 32 and the high nibbles the next 32 (weight 64*c + 32*s + l is nibble
 * s of qs[32*c + l]). Q5_K's fifth bit is bit 2c+s of qh[l]. */
static void q4_K_unpack(const uint8_t *qs, uint8_t q[QK_K]) {
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++) {
            q[64 * c + l] = qs[32 * c + l] & 0x0F;
            q[64 * c + 32 + l] = qs[32 * c + l] >> 4;
        }
}

static void q5_K_unpack(const block_q5_K *b, uint8_t q[QK_K]) {
    q4_K_unpack(b->qs, q);
    for (int sub = 0; sub < 8; sub++)
        for (int l = 0; l < 32; l++) q[32 * sub + l] |= (uint8_t)(((b->qh[l] >> sub) & 1) << 4);
}

/* Q6_K: each half (128 weights) uses 64 bytes of ql and 32 of qh. Quarter k
 * (32 weights) takes nibble k/2 of ql[64*h + 32*(k%2) + l] and bits 2k..2k+1
 * of qh[32*h + l] as its high two bits. Returns q - 32, in -32..31. */
static void q6_K_unpack(const block_q6_K *b, int8_t q[QK_K]) {
    for (int h = 0; h < 2; h++)
        for (int k = 0; k < 4; k++)
            for (int l = 0; l < 32; l++) {
                const uint8_t lo = b->ql[64 * h + 32 * (k % 2) + l];
                const int low4 = k < 2 ? lo & 0x0F : lo >> 4;
                const int high2 = (b->qh[32 * h + l] >> (2 * k)) & 3;
                q[128 * h + 32 * k + l] = (int8_t)((low4 | high2 << 4) - 32);
            }
}

/* ---- sub-block scales ---------------------------------------------------------- */

/* Q3_K: sixteen 6-bit scales in 12 bytes. The low 4 bits of scale j are the
 * low nibble of byte j (j < 8) or the high nibble of byte j-8 (j >= 8); the
 * high 2 bits are bits 2*(j/4)..+1 of byte 8 + j%4. Stored with offset 32. */
static void q3_K_scales(const uint8_t s[12], int sc[16]) {
    for (int j = 0; j < 16; j++) {
        const int low4 = j < 8 ? s[j] & 0x0F : s[j - 8] >> 4;
        const int high2 = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
        sc[j] = (low4 | high2 << 4) - 32;
    }
}

/* Q4_K/Q5_K: eight 6-bit scales and eight 6-bit mins in 12 bytes. For j < 4
 * they are the low 6 bits of bytes j (scale) and j+4 (min). For j >= 4 the low
 * 4 bits come from byte j+4 (scale: low nibble, min: high nibble) and the top 2
 * bits from the spare top bits of bytes j-4 (scale) and j (min). */
void mote_k4_scales(const uint8_t s[K_SCALE_SIZE], uint8_t sc[8], uint8_t mn[8]) {
    for (int j = 0; j < 8; j++) {
        if (j < 4) {
            sc[j] = s[j] & 63;
            mn[j] = s[j + 4] & 63;
        } else {
            sc[j] = (uint8_t)((s[j + 4] & 0x0F) | (s[j - 4] >> 6) << 4);
            mn[j] = (uint8_t)((s[j + 4] >> 4) | (s[j] >> 6) << 4);
        }
    }
}

/* d*q - dmin, each product rounded before the subtraction (GGML's order). */
static inline float scaled_minus(float dl, int q, float ml) {
    const float p = dl * (float)q;
    return p - ml;
}

/* Sum of q[i]*a[i] over n weights. */
static inline int32_t idot_u8(const uint8_t *q, const int8_t *a, int n) {
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += q[i] * a[i];
    return s;
}

static inline int32_t idot_i8(const int8_t *q, const int8_t *a, int n) {
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += q[i] * a[i];
    return s;
}

/* ---- Q2_K: scales[j] = sc | m << 4 for the 16-weight sub-block j ------------ */

void mote_q2_K_to_float(const void *src, float *dst, int64_t n) {
    const block_q2_K *b = src;
    uint8_t q[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, b++, dst += QK_K) {
        const float d = mote_fp16_to_f32(b->d), dmin = mote_fp16_to_f32(b->dmin);
        unpack_2bit(b->qs, q);
        for (int j = 0; j < 16; j++) {
            const float dl = d * (float)(b->scales[j] & 0x0F);
            const float ml = dmin * (float)(b->scales[j] >> 4);
            for (int l = 0; l < 16; l++) dst[16 * j + l] = scaled_minus(dl, q[16 * j + l], ml);
        }
    }
}

float mote_vec_dot_q2_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q2_K *a = w;
    const block_q8_K *y = x;
    uint8_t q[QK_K];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        unpack_2bit(a[i].qs, q);
        int32_t isum = 0, msum = 0;
        for (int j = 0; j < 16; j++) {
            isum += (a[i].scales[j] & 0x0F) * idot_u8(q + 16 * j, y[i].qs + 16 * j, 16);
            msum += (a[i].scales[j] >> 4) * y[i].bsums[j];
        }
        const float dall = y[i].d * mote_fp16_to_f32(a[i].d);
        const float dmin = y[i].d * mote_fp16_to_f32(a[i].dmin);
        sum += dall * (float)isum - dmin * (float)msum;
    }
    return sum;
}

/* ---- Q3_K ------------------------------------------------------------------- */

void mote_q3_K_to_float(const void *src, float *dst, int64_t n) {
    const block_q3_K *b = src;
    int8_t q[QK_K];
    int sc[16];
    for (int64_t i = 0; i < n / QK_K; i++, b++, dst += QK_K) {
        const float d = mote_fp16_to_f32(b->d);
        q3_K_unpack(b, q);
        q3_K_scales(b->scales, sc);
        for (int j = 0; j < 16; j++) {
            const float dl = d * (float)sc[j];
            for (int l = 0; l < 16; l++) dst[16 * j + l] = dl * (float)q[16 * j + l];
        }
    }
}

float mote_vec_dot_q3_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q3_K *a = w;
    const block_q8_K *y = x;
    int8_t q[QK_K];
    int sc[16];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        q3_K_unpack(&a[i], q);
        q3_K_scales(a[i].scales, sc);
        int32_t isum = 0;
        for (int j = 0; j < 16; j++) isum += sc[j] * idot_i8(q + 16 * j, y[i].qs + 16 * j, 16);
        sum += mote_fp16_to_f32(a[i].d) * y[i].d * (float)isum;
    }
    return sum;
}

/* ---- Q4_K and Q5_K ------------------------------------------------------------ */

/* Dequantize one Q4_K/Q5_K super-block whose weights are already unpacked. */
static void k4_to_float(const uint8_t q[QK_K], const uint8_t scales[K_SCALE_SIZE], mote_fp16 d16,
                        mote_fp16 dmin16, float *dst) {
    const float d = mote_fp16_to_f32(d16), dmin = mote_fp16_to_f32(dmin16);
    uint8_t sc[8], mn[8];
    mote_k4_scales(scales, sc, mn);
    for (int j = 0; j < 8; j++) {
        const float dl = d * (float)sc[j], ml = dmin * (float)mn[j];
        for (int l = 0; l < 32; l++) dst[32 * j + l] = scaled_minus(dl, q[32 * j + l], ml);
    }
}

/* Dot product of one unpacked Q4_K/Q5_K super-block with a Q8_K block. */
static float k4_dot(const uint8_t q[QK_K], const uint8_t scales[K_SCALE_SIZE], mote_fp16 d16,
                    mote_fp16 dmin16, const block_q8_K *y) {
    uint8_t sc[8], mn[8];
    mote_k4_scales(scales, sc, mn);
    int32_t isum = 0, msum = 0;
    for (int j = 0; j < 8; j++) {
        isum += sc[j] * idot_u8(q + 32 * j, y->qs + 32 * j, 32);
        msum += mn[j] * (y->bsums[2 * j] + y->bsums[2 * j + 1]);
    }
    const float d = mote_fp16_to_f32(d16) * y->d, dmin = mote_fp16_to_f32(dmin16) * y->d;
    return d * (float)isum - dmin * (float)msum;
}

void mote_q4_K_to_float(const void *src, float *dst, int64_t n) {
    const block_q4_K *b = src;
    uint8_t q[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, b++, dst += QK_K) {
        q4_K_unpack(b->qs, q);
        k4_to_float(q, b->scales, b->d, b->dmin, dst);
    }
}

float mote_vec_dot_q4_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q4_K *a = w;
    const block_q8_K *y = x;
    uint8_t q[QK_K];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        q4_K_unpack(a[i].qs, q);
        sum += k4_dot(q, a[i].scales, a[i].d, a[i].dmin, &y[i]);
    }
    return sum;
}

void mote_q5_K_to_float(const void *src, float *dst, int64_t n) {
    const block_q5_K *b = src;
    uint8_t q[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, b++, dst += QK_K) {
        q5_K_unpack(b, q);
        k4_to_float(q, b->scales, b->d, b->dmin, dst);
    }
}

float mote_vec_dot_q5_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q5_K *a = w;
    const block_q8_K *y = x;
    uint8_t q[QK_K];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        q5_K_unpack(&a[i], q);
        sum += k4_dot(q, a[i].scales, a[i].d, a[i].dmin, &y[i]);
    }
    return sum;
}

/* ---- Q6_K: int8 scale per 16-weight sub-block --------------------------------- */

void mote_q6_K_to_float(const void *src, float *dst, int64_t n) {
    const block_q6_K *b = src;
    int8_t q[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, b++, dst += QK_K) {
        const float d = mote_fp16_to_f32(b->d);
        q6_K_unpack(b, q);
        for (int j = 0; j < 16; j++) {
            const float dl = d * (float)b->scales[j];
            for (int l = 0; l < 16; l++) dst[16 * j + l] = dl * (float)q[16 * j + l];
        }
    }
}

float mote_vec_dot_q6_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q6_K *a = w;
    const block_q8_K *y = x;
    int8_t q[QK_K];
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        q6_K_unpack(&a[i], q);
        int32_t isum = 0;
        for (int j = 0; j < 16; j++) isum += a[i].scales[j] * idot_i8(q + 16 * j, y[i].qs + 16 * j, 16);
        sum += mote_fp16_to_f32(a[i].d) * y[i].d * (float)isum;
    }
    return sum;
}
