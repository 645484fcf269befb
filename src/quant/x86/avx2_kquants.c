/*
 * avx2_kquants.c — AVX2 dot products of the 256-weight super-block types
 * (Q2_K..Q6_K, IQ4_XS, TQ1_0, TQ2_0) with Q8_K activations.
 *
 * Shape of every kernel: 32 weights at a time are widened to one register of
 * small unsigned bytes, multiplied with 32 activation bytes by maddubs into
 * 16 int16 pair sums (lanes 0..7 are weights 0..15, lanes 8..15 weights
 * 16..31, so a 16-weight sub-block is exactly one 128-bit half), then madd
 * with the sub-block scales gives int32 sums. The integer total of a
 * super-block is exact; it meets the float scales once per super-block.
 *
 * Types whose weights carry an offset (q - 32 in Q6_K, q - 4 in Q3_K, the
 * mins of Q2/Q4/Q5_K, t = u - 1 in TQ2_0) multiply the unsigned code and take
 * the offset out afterwards with Q8_K's bsums (sums of 16 activations), so
 * the inner loop never needs signed weights. Every int16 step is bounded
 * (comments give the worst case) so maddubs never saturates.
 */
#if defined(__x86_64__)

#include <string.h>

#include "quant/blocks.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

static inline __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }


/* The sub-block scales of a 32-weight step, from S (both 128-bit halves
 * holding the same 8 int16 scales): scale k in the low half's lanes and scale
 * k+1 in the high half's (a 32-weight step covering two 16-weight
 * sub-blocks), or scale k in all lanes (one 32-weight sub-block). */
static inline __m256i scale_pair(__m256i S, int k) {
    const short lo = (short)((2 * k + 1) << 8 | 2 * k), hi = (short)((2 * k + 3) << 8 | (2 * k + 2));
    return _mm256_shuffle_epi8(S, _mm256_set_m128i(_mm_set1_epi16(hi), _mm_set1_epi16(lo)));
}
static inline __m256i scale_all(__m256i S, int k) {
    return _mm256_shuffle_epi8(S, _mm256_set1_epi16((short)((2 * k + 1) << 8 | 2 * k)));
}

/* 8 int16 (one 128-bit register) copied to both halves. */
static inline __m256i both_halves(__m128i v) { return _mm256_broadcastsi128_si256(v); }

/* One super-block's share of the dot, d * isum - dmin * msum, in the
 * reference kernel's order: the int32 lanes are summed exactly first and
 * meet the float scales once. (Scaling lane by lane and summing the floats
 * afterwards overflowed to inf on extreme rows whose total is finite: the
 * lanes of the unsigned-code sums and of the offset/min terms cancel only in
 * total.) */
static inline float k_block_sum(__m256i isum, __m256i msum, float d, float dmin) {
    /* both integer totals at once: [i i m m | i i m m] -> [I M . .] */
    const __m256i h = _mm256_hadd_epi32(isum, msum);
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    t = _mm_hadd_epi32(t, t);
    /* d * I and dmin * M in lanes 0 and 1, then their difference: each
     * operation rounds as the reference's scalar expression does */
    const __m128 f = _mm_mul_ps(_mm_cvtepi32_ps(t), _mm_setr_ps(d, dmin, 0.0f, 0.0f));
    return _mm_cvtss_f32(_mm_sub_ss(f, _mm_movehdup_ps(f)));
}

/* ---- Q2_K: u in 0..3, sub-block scale and min 4 bits each ------------------- */

float mote_avx2_vec_dot_q2_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q2_K *a = w;
    const block_q8_K *y = x;
    const __m256i three = _mm256_set1_epi8(3);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)a[i].scales);
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sc8, 4), _mm_set1_epi8(0x0F)));
        const __m256i scales = _mm256_cvtepu8_epi16(_mm_and_si128(sc8, _mm_set1_epi8(0x0F)));
        /* both halves: scales 0..7, then 8..15 */
        const __m256i S[2] = {_mm256_permute2x128_si256(scales, scales, 0x00),
                              _mm256_permute2x128_si256(scales, scales, 0x11)};
        __m256i isum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i Q = load32(a[i].qs + 32 * h);
            for (int j = 0; j < 4; j++) {
                const __m256i u = _mm256_and_si256(_mm256_srli_epi16(Q, 2 * j), three);
                /* pairs <= 2*3*127; times a 4-bit scale */
                const __m256i p = _mm256_maddubs_epi16(u, load32(y[i].qs + 128 * h + 32 * j));
                isum = avx2_madd_acc(isum, p, scale_pair(S[h], 2 * j));
            }
        }
        const __m256i msum = _mm256_madd_epi16(load32(y[i].bsums), mins);
        sum += k_block_sum(isum, msum, y[i].d * avx2_h2f(a[i].d), y[i].d * avx2_h2f(a[i].dmin));
    }
    return sum;
}

/* ---- Q3_K: q = u - 4 with u = low2 | high << 2 in 0..7, 6-bit signed scales -- */

/* Sixteen 6-bit scales (stored + 32) as int16, decoded four at a time: the
 * low nibbles of bytes 0..7 then their high nibbles are the low 4 bits of
 * scales 0..7 and 8..15; bits 2g..2g+1 of bytes 8..11 are the high 2 bits of
 * scales 4g..4g+3. */
static inline __m256i q3_K_scales(const uint8_t s[12]) {
    uint32_t a0, a1, a2;
    memcpy(&a0, s, 4);
    memcpy(&a1, s + 4, 4);
    memcpy(&a2, s + 8, 4);
    const uint32_t w0 = (a0 & 0x0F0F0F0F) | (a2 & 0x03030303) << 4;
    const uint32_t w1 = (a1 & 0x0F0F0F0F) | (a2 >> 2 & 0x03030303) << 4;
    const uint32_t w2 = (a0 >> 4 & 0x0F0F0F0F) | (a2 >> 4 & 0x03030303) << 4;
    const uint32_t w3 = (a1 >> 4 & 0x0F0F0F0F) | (a2 >> 6 & 0x03030303) << 4;
    const __m128i b = _mm_sub_epi8(_mm_set_epi32((int)w3, (int)w2, (int)w1, (int)w0), _mm_set1_epi8(32));
    return _mm256_cvtepi8_epi16(b);
}

float mote_avx2_vec_dot_q3_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q3_K *a = w;
    const block_q8_K *y = x;
    const __m256i three = _mm256_set1_epi8(3), four = _mm256_set1_epi8(4);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        const __m256i scales = q3_K_scales(a[i].scales);
        const __m256i S[2] = {_mm256_permute2x128_si256(scales, scales, 0x00),
                              _mm256_permute2x128_si256(scales, scales, 0x11)};
        /* q = u - 4: the 4 * sum(y) part comes out through the bsums */
        const __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(load32(y[i].bsums), scales), 2);
        __m256i H = load32(a[i].hmask);
        __m256i isum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i Q = load32(a[i].qs + 32 * h);
            for (int j = 0; j < 4; j++) {
                const __m256i low = _mm256_and_si256(_mm256_srli_epi16(Q, 2 * j), three);
                /* bit 4h+j of hmask, moved to bit 2 */
                const __m256i high = _mm256_and_si256(_mm256_slli_epi16(H, 2), four);
                H = _mm256_srli_epi16(H, 1);
                const __m256i u = _mm256_or_si256(low, high);
                /* pairs <= 2*7*127; times |scale| <= 32 */
                const __m256i p = _mm256_maddubs_epi16(u, load32(y[i].qs + 128 * h + 32 * j));
                isum = avx2_madd_acc(isum, p, scale_pair(S[h], 2 * j));
            }
        }
        sum += avx2_h2f(a[i].d) * y[i].d * (float)avx2_hsum_epi32(_mm256_sub_epi32(isum, offset));
    }
    return sum;
}

/* ---- Q4_K and Q5_K: 8 sub-blocks of 32, 6-bit scales and mins ----------------- */

/* Eight 6-bit scales and eight 6-bit mins from 12 bytes, as 16 bytes
 * (scales 0..7 then mins 0..7), decoded a 32-bit word (four values) at a
 * time: values 0..3 are the low 6 bits of bytes 0..3 (scales) and 4..7
 * (mins); values 4..7 take their low 4 bits from the nibbles of bytes 8..11
 * and their top 2 bits from the spare top bits of bytes 0..3 / 4..7. */
static inline __m128i k4_scales(const uint8_t s[K_SCALE_SIZE]) {
    uint32_t a0, a1, a2;
    memcpy(&a0, s, 4);
    memcpy(&a1, s + 4, 4);
    memcpy(&a2, s + 8, 4);
    const uint32_t sc_lo = a0 & 0x3F3F3F3F, mn_lo = a1 & 0x3F3F3F3F;
    const uint32_t sc_hi = (a2 & 0x0F0F0F0F) | (a0 >> 6 & 0x03030303) << 4;
    const uint32_t mn_hi = (a2 >> 4 & 0x0F0F0F0F) | (a1 >> 6 & 0x03030303) << 4;
    return _mm_set_epi32((int)mn_hi, (int)mn_lo, (int)sc_hi, (int)sc_lo);
}

/* The per-block pieces both Q4_K and Q5_K need: S (the 8 scales as int16 in
 * both halves) and the min term mn[j] * (bsums[2j] + bsums[2j+1]) as int32. */
static inline __m256i k4_prepare(const uint8_t s[K_SCALE_SIZE], const int16_t bsums[16], __m256i *S) {
    const __m128i b = k4_scales(s);
    *S = both_halves(_mm_cvtepu8_epi16(b));
    const __m128i m = _mm_cvtepu8_epi16(_mm_srli_si128(b, 8));
    return _mm256_madd_epi16(load32(bsums), _mm256_set_m128i(_mm_unpackhi_epi16(m, m), _mm_unpacklo_epi16(m, m)));
}

float mote_avx2_vec_dot_q4_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q4_K *a = w;
    const block_q8_K *y = x;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        __m256i S;
        const __m256i msum = k4_prepare(a[i].scales, y[i].bsums, &S);
        __m256i isum = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i Q = load32(a[i].qs + 32 * c);
            /* pairs <= 2*15*127; times a scale <= 63 */
            const __m256i plo = _mm256_maddubs_epi16(_mm256_and_si256(Q, low4), load32(y[i].qs + 64 * c));
            const __m256i phi = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(Q, 4), low4),
                                                     load32(y[i].qs + 64 * c + 32));
            isum = avx2_madd_acc(isum, plo, scale_all(S, 2 * c));
            isum = avx2_madd_acc(isum, phi, scale_all(S, 2 * c + 1));
        }
        sum += k_block_sum(isum, msum, avx2_h2f(a[i].d) * y[i].d, avx2_h2f(a[i].dmin) * y[i].d);
    }
    return sum;
}

float mote_avx2_vec_dot_q5_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q5_K *a = w;
    const block_q8_K *y = x;
    const __m256i low4 = _mm256_set1_epi8(0x0F), b4 = _mm256_set1_epi8(0x10);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        __m256i S;
        const __m256i msum = k4_prepare(a[i].scales, y[i].bsums, &S);
        __m256i H = load32(a[i].qh);
        __m256i isum = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i Q = load32(a[i].qs + 32 * c);
            /* bits 2c and 2c+1 of qh, moved to bit 4 (H shifts down 2 per step) */
            const __m256i ulo = _mm256_or_si256(_mm256_and_si256(Q, low4), _mm256_and_si256(_mm256_slli_epi16(H, 4), b4));
            const __m256i uhi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(Q, 4), low4),
                                                _mm256_and_si256(_mm256_slli_epi16(H, 3), b4));
            H = _mm256_srli_epi16(H, 2);
            /* pairs <= 2*31*127; times a scale <= 63 */
            const __m256i plo = _mm256_maddubs_epi16(ulo, load32(y[i].qs + 64 * c));
            const __m256i phi = _mm256_maddubs_epi16(uhi, load32(y[i].qs + 64 * c + 32));
            isum = avx2_madd_acc(isum, plo, scale_all(S, 2 * c));
            isum = avx2_madd_acc(isum, phi, scale_all(S, 2 * c + 1));
        }
        sum += k_block_sum(isum, msum, avx2_h2f(a[i].d) * y[i].d, avx2_h2f(a[i].dmin) * y[i].d);
    }
    return sum;
}

/* ---- Q6_K: u in 0..63 (q = u - 32), 16 int8 scales ------------------------------ */

float mote_avx2_vec_dot_q6_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q6_K *a = w;
    const block_q8_K *y = x;
    const __m256i low4 = _mm256_set1_epi8(0x0F), top2 = _mm256_set1_epi8(0x30);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        const __m256i scales = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a[i].scales));
        const __m256i S[2] = {_mm256_permute2x128_si256(scales, scales, 0x00),
                              _mm256_permute2x128_si256(scales, scales, 0x11)};
        /* q = u - 32: the 32 * sum(y) part comes out through the bsums */
        const __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(load32(y[i].bsums), scales), 5);
        __m256i isum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i L0 = load32(a[i].ql + 64 * h), L1 = load32(a[i].ql + 64 * h + 32);
            const __m256i H = load32(a[i].qh + 32 * h);
            /* bits 2k..2k+1 of H move to bits 4..5 of each byte */
            const __m256i u[4] = {
                _mm256_or_si256(_mm256_and_si256(L0, low4), _mm256_and_si256(_mm256_slli_epi16(H, 4), top2)),
                _mm256_or_si256(_mm256_and_si256(L1, low4), _mm256_and_si256(_mm256_slli_epi16(H, 2), top2)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(L0, 4), low4), _mm256_and_si256(H, top2)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(L1, 4), low4),
                                _mm256_and_si256(_mm256_srli_epi16(H, 2), top2)),
            };
            for (int k = 0; k < 4; k++) {
                /* pairs <= 2*63*127 = 16002; times |scale| <= 128 in int32 */
                const __m256i p = _mm256_maddubs_epi16(u[k], load32(y[i].qs + 128 * h + 32 * k));
                isum = avx2_madd_acc(isum, p, scale_pair(S[h], 2 * k));
            }
        }
        sum += avx2_h2f(a[i].d) * y[i].d * (float)avx2_hsum_epi32(_mm256_sub_epi32(isum, offset));
    }
    return sum;
}

/* ---- IQ4_XS: 8 groups of 32 levels, 6-bit signed group scales -------------------- */


/* The 8 group scales of an IQ4_XS block as int16: the low 4 bits are the
 * nibbles of scales_l (group g in nibble g%2 of byte g/2), the top 2 bits
 * are bits 2g..2g+1 of scales_h, isolated by a multiply that shifts them to
 * the top of each lane (a per-lane left shift) and a right shift by 14. */
static inline __m128i iq4_xs_scales(const block_iq4_xs *b) {
    uint32_t l;
    memcpy(&l, b->scales_l, 4);
    const __m128i lo = _mm_cvtsi32_si128((int)(l & 0x0F0F0F0F)), hi = _mm_cvtsi32_si128((int)(l >> 4 & 0x0F0F0F0F));
    const __m128i low4 = _mm_cvtepu8_epi16(_mm_unpacklo_epi8(lo, hi));
    const __m128i shift = _mm_setr_epi16(1 << 14, 1 << 12, 1 << 10, 1 << 8, 1 << 6, 1 << 4, 1 << 2, 1);
    const __m128i high2 = _mm_srli_epi16(_mm_mullo_epi16(_mm_set1_epi16((short)b->scales_h), shift), 14);
    return _mm_sub_epi16(_mm_or_si128(low4, _mm_slli_epi16(high2, 4)), _mm_set1_epi16(32));
}

float mote_avx2_vec_dot_iq4_xs_q8_K(int64_t n, const void *w, const void *x) {
    const block_iq4_xs *a = w;
    const block_q8_K *y = x;
    const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)mote_iq4_levels));
    float sum = 0.0f; /* per super-block, as in k_block_sum */
    for (int64_t i = 0; i < n / QK_K; i++) {
        const __m256i S = both_halves(iq4_xs_scales(&a[i]));
        __m256i isum = _mm256_setzero_si256();
        for (int g = 0; g < QK_K / 32; g++) {
            const __m256i v = _mm256_shuffle_epi8(table, avx2_unpack_nibbles(a[i].qs + 16 * g));
            const __m256i yv = load32(y[i].qs + 32 * g);
            /* pairs <= 2*127*127 = 32258; times |scale| <= 32 in int32 */
            const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(v, v), _mm256_sign_epi8(yv, v));
            isum = avx2_madd_acc(isum, p, scale_all(S, g));
        }
        sum += avx2_h2f(a[i].d) * y[i].d * (float)avx2_hsum_epi32(isum);
    }
    return sum;
}

/* ---- ternary ------------------------------------------------------------------------ */

/* run + t*y for t in {-1, 0, 1} (the sign of t applied to y): a running
 * byte dot sum (avx2_util.h) whose int16 pairs are each at most 254 in
 * size, so eight such sums still fit. */
static inline __m256i ternary_run(__m256i run, __m256i t, __m256i yv) {
    return avx2_dot_run(run, _mm256_set1_epi8(1), _mm256_sign_epi8(yv, t));
}

/* The top trit of each byte (fraction f/256 of 3^5): t = [f >= 86] + [f >= 171] - 1. */
static inline __m256i top_trit(__m256i f) {
    const __m256i ge86 = _mm256_cmpeq_epi8(_mm256_max_epu8(f, _mm256_set1_epi8(86)), f);
    const __m256i ge171 = _mm256_cmpeq_epi8(_mm256_max_epu8(f, _mm256_set1_epi8((char)171)), f);
    return _mm256_sub_epi8(_mm256_sub_epi8(_mm256_set1_epi8(-1), ge86), ge171);
}

/* Multiplying every byte by 3 (mod 256) shifts its base-3 fraction one trit left. */
static inline __m256i times3(__m256i f) { return _mm256_add_epi8(f, _mm256_add_epi8(f, f)); }

float mote_avx2_vec_dot_tq1_0_q8_K(int64_t n, const void *w, const void *x) {
    const block_tq1_0 *a = w;
    const block_q8_K *y = x;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; i++) {
        __m256i sum16 = _mm256_setzero_si256();
        /* bytes 0..31: trit k is weights 32k..32k+31 */
        __m256i f = load32(a[i].qs);
        for (int k = 0; k < 5; k++, f = times3(f))
            sum16 = ternary_run(sum16, top_trit(f), load32(y[i].qs + 32 * k));
        /* bytes 32..47 (trit k: weights 160+16k..) and qh (trit k of byte m:
         * weight 240+4k+m), handled as 16-byte halves of one register */
        __m128i g = _mm_loadu_si128((const __m128i *)(a[i].qs + 32));
        uint32_t hbits;
        memcpy(&hbits, a[i].qh, 4);
        const __m128i h0 = _mm_set1_epi32((int)hbits);
        const __m128i h1 = _mm256_castsi256_si128(times3(_mm256_castsi128_si256(h0)));
        const __m128i h2 = _mm256_castsi256_si128(times3(_mm256_castsi128_si256(h1)));
        const __m128i h3 = _mm256_castsi256_si128(times3(_mm256_castsi128_si256(h2)));
        /* dword k of the qh register carries the bytes shifted by k trits */
        const __m128i hq = _mm_blend_epi32(_mm_blend_epi32(h0, h1, 0x2), _mm_blend_epi32(h2, h3, 0x8), 0xC);
        for (int k = 0; k < 5; k += 2) {
            /* low half: trit k of g; high half: trit k+1 of g (or the qh trits at the end) */
            const __m128i g1 = _mm256_castsi256_si128(times3(_mm256_castsi128_si256(g)));
            const __m128i hi = k + 1 < 5 ? g1 : hq;
            const __m256i t = top_trit(_mm256_set_m128i(hi, g));
            const __m256i yv = _mm256_set_m128i(
                _mm_loadu_si128((const __m128i *)(y[i].qs + (k + 1 < 5 ? 160 + 16 * (k + 1) : 240))),
                _mm_loadu_si128((const __m128i *)(y[i].qs + 160 + 16 * k)));
            sum16 = ternary_run(sum16, t, yv);
            g = _mm256_castsi256_si128(times3(_mm256_castsi128_si256(g1)));
        }
        const __m256i isum = avx2_dot_run_widen(sum16);
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(avx2_h2f(a[i].d) * y[i].d), acc);
    }
    return avx2_hsum_ps(acc);
}

float mote_avx2_vec_dot_tq2_0_q8_K(int64_t n, const void *w, const void *x) {
    const block_tq2_0 *a = w;
    const block_q8_K *y = x;
    const __m256i three = _mm256_set1_epi8(3), ones16 = _mm256_set1_epi16(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; i++) {
        /* u*y pairs are at most 2*3*127 = 762: all eight steps sum in int16 */
        __m256i sum16 = _mm256_setzero_si256();
        for (int c = 0; c < 2; c++) {
            const __m256i Q = load32(a[i].qs + 32 * c);
            for (int j = 0; j < 4; j++) {
                const __m256i u = _mm256_and_si256(_mm256_srli_epi16(Q, 2 * j), three);
                sum16 = avx2_dot_run(sum16, u, load32(y[i].qs + 128 * c + 32 * j));
            }
        }
        /* t = u - 1: sum(u*y) minus sum(y), the latter from the bsums */
        const __m256i isum = _mm256_sub_epi32(avx2_dot_run_widen(sum16), _mm256_madd_epi16(load32(y[i].bsums), ones16));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(y[i].d * avx2_h2f(a[i].d)), acc);
    }
    return avx2_hsum_ps(acc);
}

#else
typedef int mote_avx2_kquants_unused; /* not an x86-64 build */
#endif
