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

/* sum over the 16 sub-blocks of scale[j] * bsums[j], the scales as 16 int16. */
static inline int32_t bsum_dot(const int16_t bsums[16], __m256i scales16) {
    return avx2_hsum_epi32(_mm256_madd_epi16(load32(bsums), scales16));
}

/* ---- Q2_K: u in 0..3, sub-block scale and min 4 bits each ------------------- */

float mote_avx2_vec_dot_q2_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q2_K *a = w;
    const block_q8_K *y = x;
    const __m256i three = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    float msum_f = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        const uint8_t *sc = a[i].scales;
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)sc);
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(sc8, 4), _mm_set1_epi8(0x0F)));
        const int32_t msum = bsum_dot(y[i].bsums, mins);
        __m256i isum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i Q = load32(a[i].qs + 32 * h);
            for (int j = 0; j < 4; j++) {
                const __m256i u = _mm256_and_si256(_mm256_srli_epi16(Q, 2 * j), three);
                const int s = 8 * h + 2 * j;
                /* pairs <= 2*3*127; times a 4-bit scale */
                const __m256i p = _mm256_maddubs_epi16(u, load32(y[i].qs + 128 * h + 32 * j));
                isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, avx2_pair16(sc[s] & 0x0F, sc[s + 1] & 0x0F)));
            }
        }
        const float dall = y[i].d * avx2_h2f(a[i].d), dmin = y[i].d * avx2_h2f(a[i].dmin);
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(dall), acc);
        msum_f += dmin * (float)msum;
    }
    return avx2_hsum_ps(acc) - msum_f;
}

/* ---- Q3_K: q = u - 4 with u = low2 | high << 2 in 0..7, 6-bit signed scales -- */

static void q3_K_scales(const uint8_t s[12], int16_t sc[16]) {
    for (int j = 0; j < 16; j++) {
        const int low4 = j < 8 ? s[j] & 0x0F : s[j - 8] >> 4;
        const int high2 = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
        sc[j] = (int16_t)((low4 | high2 << 4) - 32);
    }
}

float mote_avx2_vec_dot_q3_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q3_K *a = w;
    const block_q8_K *y = x;
    const __m256i three = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; i++) {
        int16_t sc[16];
        q3_K_scales(a[i].scales, sc);
        const int32_t offset = 4 * bsum_dot(y[i].bsums, load32(sc));
        const __m256i H = load32(a[i].hmask);
        __m256i isum = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i Q = load32(a[i].qs + 32 * h);
            for (int j = 0; j < 4; j++) {
                const __m256i low = _mm256_and_si256(_mm256_srli_epi16(Q, 2 * j), three);
                const __m256i high = _mm256_and_si256(_mm256_srli_epi16(H, 4 * h + j), one);
                const __m256i u = _mm256_or_si256(low, _mm256_slli_epi16(high, 2));
                const int s = 8 * h + 2 * j;
                /* pairs <= 2*7*127; times |scale| <= 32 */
                const __m256i p = _mm256_maddubs_epi16(u, load32(y[i].qs + 128 * h + 32 * j));
                isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, avx2_pair16(sc[s], sc[s + 1])));
            }
        }
        const int32_t total = avx2_hsum_epi32(isum) - offset;
        acc = _mm256_fmadd_ps(_mm256_set1_ps((float)total), _mm256_set1_ps(avx2_h2f(a[i].d) * y[i].d), acc);
    }
    /* all 8 lanes hold the same sum: one lane is the answer */
    return _mm256_cvtss_f32(acc);
}

/* ---- Q4_K and Q5_K: 8 sub-blocks of 32, 6-bit scales and mins ----------------- */

static void k4_scales(const uint8_t s[K_SCALE_SIZE], uint8_t sc[8], uint8_t mn[8]) {
    for (int j = 0; j < 4; j++) {
        sc[j] = s[j] & 63;
        mn[j] = s[j + 4] & 63;
        sc[j + 4] = (uint8_t)((s[j + 8] & 0x0F) | (s[j] >> 6) << 4);
        mn[j + 4] = (uint8_t)((s[j + 8] >> 4) | (s[j + 4] >> 6) << 4);
    }
}

/* sum_j mn[j] * (bsums[2j] + bsums[2j+1]). */
static inline int32_t k4_min_sum(const uint8_t mn[8], const int16_t bsums[16]) {
    uint64_t m8;
    memcpy(&m8, mn, 8);
    const __m128i m = _mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)m8));
    const __m256i twice = _mm256_set_m128i(_mm_unpackhi_epi16(m, m), _mm_unpacklo_epi16(m, m));
    return bsum_dot(bsums, twice);
}

float mote_avx2_vec_dot_q4_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q4_K *a = w;
    const block_q8_K *y = x;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256 acc = _mm256_setzero_ps();
    float msum_f = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        uint8_t sc[8], mn[8];
        k4_scales(a[i].scales, sc, mn);
        const int32_t msum = k4_min_sum(mn, y[i].bsums);
        __m256i isum = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i Q = load32(a[i].qs + 32 * c);
            /* pairs <= 2*15*127; times a scale <= 63 */
            const __m256i plo = _mm256_maddubs_epi16(_mm256_and_si256(Q, low4), load32(y[i].qs + 64 * c));
            const __m256i phi = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(Q, 4), low4),
                                                     load32(y[i].qs + 64 * c + 32));
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(plo, _mm256_set1_epi16(sc[2 * c])));
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(phi, _mm256_set1_epi16(sc[2 * c + 1])));
        }
        const float d = avx2_h2f(a[i].d) * y[i].d, dmin = avx2_h2f(a[i].dmin) * y[i].d;
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(d), acc);
        msum_f += dmin * (float)msum;
    }
    return avx2_hsum_ps(acc) - msum_f;
}

float mote_avx2_vec_dot_q5_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q5_K *a = w;
    const block_q8_K *y = x;
    const __m256i low4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    float msum_f = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        uint8_t sc[8], mn[8];
        k4_scales(a[i].scales, sc, mn);
        const int32_t msum = k4_min_sum(mn, y[i].bsums);
        const __m256i H = load32(a[i].qh);
        __m256i isum = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i Q = load32(a[i].qs + 32 * c);
            const __m256i hlo = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(H, 2 * c), one), 4);
            const __m256i hhi = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(H, 2 * c + 1), one), 4);
            const __m256i ulo = _mm256_or_si256(_mm256_and_si256(Q, low4), hlo);
            const __m256i uhi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(Q, 4), low4), hhi);
            /* pairs <= 2*31*127; times a scale <= 63 */
            const __m256i plo = _mm256_maddubs_epi16(ulo, load32(y[i].qs + 64 * c));
            const __m256i phi = _mm256_maddubs_epi16(uhi, load32(y[i].qs + 64 * c + 32));
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(plo, _mm256_set1_epi16(sc[2 * c])));
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(phi, _mm256_set1_epi16(sc[2 * c + 1])));
        }
        const float d = avx2_h2f(a[i].d) * y[i].d, dmin = avx2_h2f(a[i].dmin) * y[i].d;
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(d), acc);
        msum_f += dmin * (float)msum;
    }
    return avx2_hsum_ps(acc) - msum_f;
}

/* ---- Q6_K: u in 0..63 (q = u - 32), 16 int8 scales ------------------------------ */

float mote_avx2_vec_dot_q6_K_q8_K(int64_t n, const void *w, const void *x) {
    const block_q6_K *a = w;
    const block_q8_K *y = x;
    const __m256i low4 = _mm256_set1_epi8(0x0F), top2 = _mm256_set1_epi8(0x30);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; i++) {
        const int8_t *sc = a[i].scales;
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc));
        const int32_t offset = 32 * bsum_dot(y[i].bsums, sc16);
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
                const int s = 8 * h + 2 * k;
                /* pairs <= 2*63*127 = 16002; times |scale| <= 128 in int32 */
                const __m256i p = _mm256_maddubs_epi16(u[k], load32(y[i].qs + 128 * h + 32 * k));
                isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, avx2_pair16(sc[s], sc[s + 1])));
            }
        }
        const int32_t total = avx2_hsum_epi32(isum) - offset;
        acc = _mm256_fmadd_ps(_mm256_set1_ps((float)total), _mm256_set1_ps(avx2_h2f(a[i].d) * y[i].d), acc);
    }
    return _mm256_cvtss_f32(acc);
}

/* ---- IQ4_XS: 8 groups of 32 levels, 6-bit signed group scales -------------------- */

static const int8_t iq4_levels[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

float mote_avx2_vec_dot_iq4_xs_q8_K(int64_t n, const void *w, const void *x) {
    const block_iq4_xs *a = w;
    const block_q8_K *y = x;
    const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)iq4_levels));
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        __m256i isum = _mm256_setzero_si256();
        for (int g = 0; g < QK_K / 32; g++) {
            const int low4 = (a[i].scales_l[g / 2] >> (4 * (g % 2))) & 0x0F;
            const int high2 = (a[i].scales_h >> (2 * g)) & 3;
            const int scale = (low4 | high2 << 4) - 32;
            const __m256i v = _mm256_shuffle_epi8(table, avx2_unpack_nibbles(a[i].qs + 16 * g));
            const __m256i yv = load32(y[i].qs + 32 * g);
            /* pairs <= 2*127*127 = 32258; times |scale| <= 32 in int32 */
            const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(v, v), _mm256_sign_epi8(yv, v));
            isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, _mm256_set1_epi16((short)scale)));
        }
        sum += avx2_h2f(a[i].d) * y[i].d * (float)avx2_hsum_epi32(isum);
    }
    return sum;
}

/* ---- ternary ------------------------------------------------------------------------ */

/* sum of t*y over 32 lanes for t in {-1, 0, 1}: the sign of t applied to y. */
static inline __m256i ternary_dot(__m256i t, __m256i yv) {
    return avx2_dot_u8_i8(_mm256_set1_epi8(1), _mm256_sign_epi8(yv, t));
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
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        __m256i isum = _mm256_setzero_si256();
        /* bytes 0..31: trit k is weights 32k..32k+31 */
        __m256i f = load32(a[i].qs);
        for (int k = 0; k < 5; k++, f = times3(f))
            isum = _mm256_add_epi32(isum, ternary_dot(top_trit(f), load32(y[i].qs + 32 * k)));
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
            isum = _mm256_add_epi32(isum, ternary_dot(t, yv));
            g = _mm256_castsi256_si128(times3(_mm256_castsi128_si256(g1)));
        }
        sum += (float)avx2_hsum_epi32(isum) * (avx2_h2f(a[i].d) * y[i].d);
    }
    return sum;
}

float mote_avx2_vec_dot_tq2_0_q8_K(int64_t n, const void *w, const void *x) {
    const block_tq2_0 *a = w;
    const block_q8_K *y = x;
    const __m256i three = _mm256_set1_epi8(3), ones16 = _mm256_set1_epi16(1);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; i++) {
        /* t = u - 1: sum(u*y) minus sum(y), the latter from the bsums */
        const int32_t ysum = bsum_dot(y[i].bsums, ones16);
        __m256i isum = _mm256_setzero_si256();
        for (int c = 0; c < 2; c++) {
            const __m256i Q = load32(a[i].qs + 32 * c);
            for (int j = 0; j < 4; j++) {
                const __m256i u = _mm256_and_si256(_mm256_srli_epi16(Q, 2 * j), three);
                isum = _mm256_add_epi32(isum, avx2_dot_u8_i8(u, load32(y[i].qs + 128 * c + 32 * j)));
            }
        }
        sum += (float)(avx2_hsum_epi32(isum) - ysum) * (y[i].d * avx2_h2f(a[i].d));
    }
    return sum;
}

#else
typedef int mote_avx2_kquants_unused; /* not an x86-64 build */
#endif
