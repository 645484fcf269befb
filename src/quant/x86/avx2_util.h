/*
 * avx2_util.h — small AVX2 building blocks shared by the avx2_*.c kernels.
 * Included only by files compiled with -mavx2 -mfma -mf16c (CMakeLists.txt).
 */
#ifndef MOTE_QUANT_X86_AVX2_UTIL_H
#define MOTE_QUANT_X86_AVX2_UTIL_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "quant/fp16.h"

/* fp16 -> float by the F16C unit (exact, like mote_fp16_to_f32). */
static inline float avx2_h2f(mote_fp16 h) { return _cvtsh_ss(h); }

/* The 4 bytes at p (4 consecutive quants) in every 32-bit lane: the panel
 * kernels' broadcast of a token's quants against 8 rows' weights. */
static inline __m256i avx2_bcast4(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
}

/* v, opaque to the optimizer: keeps a running sum one chain. Left free,
 * GCC regroups a panel kernel's int16 additions into a tree whose partial
 * sums outnumber the 16 registers and spill to the stack. */
static inline __m256i avx2_pin(__m256i v) {
    __asm__("" : "+x"(v));
    return v;
}

/* Sum of the 8 floats of v. */
static inline float avx2_hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Sum of the 8 int32 of v. */
static inline int32_t avx2_hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

/* The byte dot products of the AVX2 kernels, in one place. The kernels are
 * compiled twice: as the "avx2" set, and again by the avxvnni_*.c files
 * (with MOTE_AVXVNNI defined and -mavxvnni) as the "avxvnni" set, where
 * vpdpbusd replaces the maddubs/madd pair and vpdpwssd the madd/add pair.
 * Both compilations give the same integers: maddubs saturates its int16
 * pair sums where vpdpbusd does not, so every caller keeps u * |s| * 2
 * below 32768 (each kernel states its bound) and the two agree exactly.
 *
 * A running sum (avx2_dot_run_start / _run / _run_sub / _run_widen) adds
 * many byte products of the same lanes before they are widened: as 16 int16
 * pair sums under AVX2 (the caller bounds the final pair sums to int16;
 * int16 adds wrap, so the values in between do not matter), as 8 int32
 * under AVX-VNNI (no widening left to do). Either way the widened result is
 * the same 8 int32 of four-product sums. */
#if defined(MOTE_AVXVNNI)
#if !defined(__AVXVNNI__)
#error "MOTE_AVXVNNI needs -mavxvnni (cmake/MoteSimdFlags.cmake)"
#endif
/* acc + in every int32 lane the four products of the unsigned bytes of u
 * with the signed bytes of s. */
static inline __m256i avx2_dot_u8_i8_acc(__m256i acc, __m256i u, __m256i s) { return _mm256_dpbusd_avx_epi32(acc, u, s); }
/* A running byte dot product (avx2_dot_run): int32 lanes here. */
static inline __m256i avx2_dot_run(__m256i run, __m256i u, __m256i s) { return _mm256_dpbusd_avx_epi32(run, u, s); }
/* The int32 lanes of a running sum. */
static inline __m256i avx2_dot_run_widen(__m256i run) { return run; }
/* A running sum's start: the int32 of a word holding two int16 (low, high)
 * whose sum is the start value. */
static inline __m256i avx2_dot_run_start(int32_t pair) {
    return _mm256_set1_epi32((int16_t)(uint16_t)((uint32_t)pair & 0xFFFF) + (int16_t)(uint16_t)((uint32_t)pair >> 16));
}
/* The difference of two running sums. */
static inline __m256i avx2_dot_run_sub(__m256i a, __m256i b) { return _mm256_sub_epi32(a, b); }
/* acc + in every int32 lane the two products of the int16 of a with b. */
static inline __m256i avx2_madd_acc(__m256i acc, __m256i a, __m256i b) { return _mm256_dpwssd_avx_epi32(acc, a, b); }
#else
static inline __m256i avx2_dot_u8_i8_acc(__m256i acc, __m256i u, __m256i s) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
}
static inline __m256i avx2_dot_run(__m256i run, __m256i u, __m256i s) {
    return _mm256_add_epi16(run, _mm256_maddubs_epi16(u, s));
}
static inline __m256i avx2_dot_run_widen(__m256i run) { return _mm256_madd_epi16(run, _mm256_set1_epi16(1)); }
static inline __m256i avx2_dot_run_start(int32_t pair) { return _mm256_set1_epi32(pair); }
static inline __m256i avx2_dot_run_sub(__m256i a, __m256i b) { return _mm256_sub_epi16(a, b); }
static inline __m256i avx2_madd_acc(__m256i acc, __m256i a, __m256i b) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
}
#endif

/* A running sum of one byte dot product u * s (avx2_dot_run from zero). */
static inline __m256i avx2_dot_pairs(__m256i u, __m256i s) { return avx2_dot_run(_mm256_setzero_si256(), u, s); }

/* Pairwise products of unsigned bytes u (0..255, here at most 128) with
 * signed bytes s, summed in fours into 8 int32 (avx2_dot_u8_i8_acc). */
static inline __m256i avx2_dot_u8_i8(__m256i u, __m256i s) { return avx2_dot_u8_i8_acc(_mm256_setzero_si256(), u, s); }

/* Products of two signed byte vectors, summed in fours into 8 int32. The sign
 * of a moves onto b so the unsigned-by-signed multiply applies; b must not
 * hold -128 (activations never do), a may. */
static inline __m256i avx2_dot_i8_i8(__m256i a, __m256i b) {
    return avx2_dot_u8_i8(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
}

/* The 32 nibbles of 16 packed bytes in weight order: low nibbles first (lower
 * 128-bit lane), then high nibbles. */
static inline __m256i avx2_unpack_nibbles(const uint8_t *qs) {
    const __m128i b = _mm_loadu_si128((const __m128i *)qs);
    const __m128i m = _mm_set1_epi8(0x0F);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(b, 4), m), _mm_and_si128(b, m));
}

/* 0x10 in byte k where bit k of the 32-bit little-endian mask qh is set. */
static inline __m256i avx2_bit_to_0x10(const uint8_t qh[4]) {
    uint32_t bits;
    memcpy(&bits, qh, 4);
    /* byte k takes mask byte k/8, then isolates bit k%8 */
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32((int)bits),
        _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL, 0x0101010101010101LL, 0));
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

/* The 16-bit value v in the low 8 int16 lanes and w in the high 8. */
static inline __m256i avx2_pair16(int v, int w) {
    return _mm256_set_m128i(_mm_set1_epi16((short)w), _mm_set1_epi16((short)v));
}

#endif
