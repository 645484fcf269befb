/*
 * avx2_unpack.h — GGUF blocks unpacked into registers of plain codes, shared
 * by the panel packers of the AVX2 and AVX-512 kernel sets (avx2_panel_*.c,
 * avx512_panel_*.c): a 32-weight block into one register of its 32 codes in
 * weight order, a k-quant super-block into eight such registers plus its
 * scales and offsets. Included only by files compiled with at least
 * -mavx2 -mfma -mf16c (CMakeLists.txt).
 */
#ifndef MOTE_QUANT_X86_AVX2_UNPACK_H
#define MOTE_QUANT_X86_AVX2_UNPACK_H

#include "quant/blocks.h"
#include "quant/kernels.h"
#include "quant/x86/avx2_util.h"

/* ---- 32-weight blocks: the 32 weights in order k = 0..31 ------------------- */

static inline __m256i q4_0_unsigned(const void *blk, float *d) {
    const block_q4_0 *b = blk;
    *d = avx2_h2f(b->d);
    return avx2_unpack_nibbles(b->qs);
}
static inline __m256i q5_0_unsigned(const void *blk, float *d) {
    const block_q5_0 *b = blk;
    *d = avx2_h2f(b->d);
    return _mm256_or_si256(avx2_unpack_nibbles(b->qs), avx2_bit_to_0x10(b->qh));
}
static inline __m256i q4_1_unsigned(const void *blk, float *d, float *m) {
    const block_q4_1 *b = blk;
    *d = avx2_h2f(b->d);
    *m = avx2_h2f(b->m);
    return avx2_unpack_nibbles(b->qs);
}
static inline __m256i q5_1_unsigned(const void *blk, float *d, float *m) {
    const block_q5_1 *b = blk;
    *d = avx2_h2f(b->d);
    *m = avx2_h2f(b->m);
    return _mm256_or_si256(avx2_unpack_nibbles(b->qs), avx2_bit_to_0x10(b->qh));
}
static inline __m256i q8_0_signed(const void *blk, float *d) {
    const block_q8_0 *b = blk;
    *d = avx2_h2f(b->d);
    return _mm256_loadu_si256((const __m256i *)b->qs);
}
static inline __m256i iq4_nl_signed(const void *blk, float *d) {
    const block_iq4_nl *b = blk;
    *d = avx2_h2f(b->d);
    const __m256i levels = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)mote_iq4_levels));
    return _mm256_shuffle_epi8(levels, avx2_unpack_nibbles(b->qs));
}

/* ---- k-quant super-blocks ---------------------------------------------------- */

static inline __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }

/* One row's super-block, unpacked: u[s] = the unsigned codes of weights
 * 32s..32s+31 in order, sc[t] = scale of sub-block t (t < nsub), m[t] = the
 * offset factor of bsum t (16 of them), d and dm the float scales. */
typedef struct {
    __m256i u[8];
    int16_t sc[16];
    int16_t m[16];
    float d, dm;
} row_block;

/* Transpose 8 vectors of 8 dwords: out[j] dword r = in[r] dword j. */
static inline void transpose8(const __m256i in[8], __m256i *out) {
    __m256i t[8], v[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_epi32(in[2 * i], in[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_epi32(in[2 * i], in[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {
        v[4 * i + 0] = _mm256_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
        v[4 * i + 1] = _mm256_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
        v[4 * i + 2] = _mm256_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        v[4 * i + 3] = _mm256_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    for (int j = 0; j < 4; j++) {
        _mm256_store_si256(out + j, _mm256_permute2x128_si256(v[j], v[4 + j], 0x20));
        _mm256_store_si256(out + 4 + j, _mm256_permute2x128_si256(v[j], v[4 + j], 0x31));
    }
}

/* Q4_K/Q5_K: eight 6-bit scales and mins in 12 bytes (kquants.c). */
static inline void k4_scales_mins(const uint8_t s[K_SCALE_SIZE], row_block *rb) {
    uint8_t sc[8], mn[8];
    mote_k4_scales(s, sc, mn);
    for (int j = 0; j < 8; j++) {
        rb->sc[j] = sc[j];
        rb->m[2 * j] = rb->m[2 * j + 1] = mn[j]; /* a 32-weight min covers two bsums */
    }
}

/* Q4_K: weight 64c + 32h + l is nibble h of qs[32c + l]. */
static inline void unpack_q4_K(const void *block, row_block *rb) {
    const block_q4_K *a = block;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int c = 0; c < 4; c++) {
        const __m256i Q = load32(a->qs + 32 * c);
        rb->u[2 * c] = _mm256_and_si256(Q, low4);
        rb->u[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(Q, 4), low4);
    }
    k4_scales_mins(a->scales, rb);
    rb->d = avx2_h2f(a->d);
    rb->dm = avx2_h2f(a->dmin);
}

/* Q5_K: as Q4_K, plus bit s of qh[l] as bit 4 of weight 32s + l. */
static inline void unpack_q5_K(const void *block, row_block *rb) {
    const block_q5_K *a = block;
    const __m256i low4 = _mm256_set1_epi8(0x0F), b4 = _mm256_set1_epi8(0x10);
    const __m256i H = load32(a->qh);
    for (int c = 0; c < 4; c++) {
        const __m256i Q = load32(a->qs + 32 * c);
        const __m256i h0 = _mm256_and_si256(_mm256_slli_epi16(_mm256_srli_epi16(H, 2 * c), 4), b4);
        const __m256i h1 = _mm256_and_si256(_mm256_slli_epi16(_mm256_srli_epi16(H, 2 * c + 1), 4), b4);
        rb->u[2 * c] = _mm256_or_si256(_mm256_and_si256(Q, low4), h0);
        rb->u[2 * c + 1] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(Q, 4), low4), h1);
    }
    k4_scales_mins(a->scales, rb);
    rb->d = avx2_h2f(a->d);
    rb->dm = avx2_h2f(a->dmin);
}

/* Q6_K: quarter k of half h (weights 128h + 32k + l) takes nibble k/2 of
 * ql[64h + 32(k%2) + l] and bits 2k..2k+1 of qh[32h + l] as bits 4..5.
 * q = u - 32: the offset is 32 * scale per bsum, taken out as an integer. */
static inline void unpack_q6_K(const void *block, row_block *rb) {
    const block_q6_K *a = block;
    const __m256i low4 = _mm256_set1_epi8(0x0F), top2 = _mm256_set1_epi8(0x30);
    for (int h = 0; h < 2; h++) {
        const __m256i L0 = load32(a->ql + 64 * h), L1 = load32(a->ql + 64 * h + 32);
        const __m256i H = load32(a->qh + 32 * h);
        rb->u[4 * h + 0] = _mm256_or_si256(_mm256_and_si256(L0, low4), _mm256_and_si256(_mm256_slli_epi16(H, 4), top2));
        rb->u[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(L1, low4), _mm256_and_si256(_mm256_slli_epi16(H, 2), top2));
        rb->u[4 * h + 2] =
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(L0, 4), low4), _mm256_and_si256(H, top2));
        rb->u[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(L1, 4), low4),
                                           _mm256_and_si256(_mm256_srli_epi16(H, 2), top2));
    }
    for (int t = 0; t < 16; t++) {
        rb->sc[t] = a->scales[t];
        rb->m[t] = (int16_t)(32 * a->scales[t]); /* |32 * -128| fits int16 */
    }
    rb->d = avx2_h2f(a->d);
    rb->dm = 0.0f;
}

/* Q3_K: weight 128h + 32j + l has bits 2j..2j+1 of qs[32h + l] as its low
 * two bits and bit 4h+j of hmask[l] as its third; q = u - 4 (a set bit
 * means "no subtraction", so u = low2 | bit << 2). Sixteen 6-bit scales,
 * stored + 32 (layout: kquants.c q3_K_scales). */
static inline void unpack_q3_K(const void *block, row_block *rb) {
    const block_q3_K *a = block;
    const __m256i three = _mm256_set1_epi8(3), four = _mm256_set1_epi8(4);
    const __m256i H = load32(a->hmask);
    for (int h = 0; h < 2; h++) {
        const __m256i Q = load32(a->qs + 32 * h);
        for (int j = 0; j < 4; j++) {
            const __m256i low = _mm256_and_si256(_mm256_srli_epi16(Q, 2 * j), three);
            const int bit = 4 * h + j;
            const __m256i high = bit >= 2 ? _mm256_and_si256(_mm256_srli_epi16(H, bit - 2), four)
                                          : _mm256_and_si256(_mm256_slli_epi16(H, 2 - bit), four);
            rb->u[4 * h + j] = _mm256_or_si256(low, high);
        }
    }
    const uint8_t *s = a->scales;
    for (int t = 0; t < 16; t++) {
        const int low4 = t < 8 ? s[t] & 0x0F : s[t - 8] >> 4;
        const int high2 = (s[8 + t % 4] >> (2 * (t / 4))) & 3;
        const int sc = (low4 | high2 << 4) - 32;
        rb->sc[t] = (int16_t)sc;
        rb->m[t] = (int16_t)(4 * sc);
    }
    rb->d = avx2_h2f(a->d);
    rb->dm = 0.0f;
}

/* Q2_K: weight 128h + 32j + l is bits 2j..2j+1 of qs[32h + l]; scales[t] =
 * scale | min << 4 of the 16-weight sub-block t. */
static inline void unpack_q2_K(const void *block, row_block *rb) {
    const block_q2_K *a = block;
    const __m256i three = _mm256_set1_epi8(3);
    for (int h = 0; h < 2; h++) {
        const __m256i Q = load32(a->qs + 32 * h);
        for (int j = 0; j < 4; j++) rb->u[4 * h + j] = _mm256_and_si256(_mm256_srli_epi16(Q, 2 * j), three);
    }
    for (int t = 0; t < 16; t++) {
        rb->sc[t] = a->scales[t] & 0x0F;
        rb->m[t] = a->scales[t] >> 4;
    }
    rb->d = avx2_h2f(a->d);
    rb->dm = avx2_h2f(a->dmin);
}

#endif
