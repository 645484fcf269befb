/*
 * avx512_stored_kquants.c — the AVX-512 set's products of Q4_K, Q5_K and
 * Q6_K matrices in their stored layout: the very bytes of the AVX2 stored
 * layout (avx2_stored_kquants.c, 8 rows per group, repacked once at load;
 * pack and unpack are that file's), multiplied with VNNI in 512-bit
 * vectors, 16 rows (two of its 8-row groups, side by side in one vector)
 * x up to 8 tokens per call; a single token instead group after group, two
 * code vectors of a group per vector (one_k4, one_q6: one stream).
 *
 * Why: on an AVX-512 CPU the AVX2 stored layout was outranked by the
 * AVX-512 panels, so a batch of a few sequences ran the AVX2 maddubs
 * kernel (a multiply, an add and a 16-bit step per code vector and token)
 * and a batch of 12 or more repacked every matrix into AVX-512 panels at
 * every product, every step. Here one vpdpbusd per code vector pair and
 * token adds the four code x quant products of each of the 16 rows
 * straight into the row's int32 lane (as the AVX-512 panels do, with the
 * codes unpacked from the stored bytes on the way, once for all tokens),
 * so the stored layout serves a batch of a few tokens with no repacking,
 * at about the panels' speed for Q4_K. A long batch (a prompt) is still faster repacked into
 * the unpacked AVX-512 panels: quant/stored_repack.c says from how many
 * tokens.
 *
 * Sums: per sub-block and token the code x quant products of each row in
 * int32 (exact), one vpmulld with the sub-block scale, the offsets (Q4_K/
 * Q5_K mins, Q6_K's 32) against Q8_K's bsums as in the AVX2 kernel. The
 * integer sums are the reference vec_dot's (kquants.c) and the float steps
 * are the AVX2 stored kernel's, in its order: the results are bit-identical
 * to it, so a token gives the same numbers whichever set multiplies it.
 */
#if defined(__x86_64__)

#include <immintrin.h>
#include <stddef.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/types.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx512_kernels.h"
#include "quant/x86/avx512_util.h"

#define GROUP 8 /* the AVX2 stored layout's rows per group */
#define ROWS 16 /* two consecutive groups per product: one 512-bit lane per row */
#define COLS 8  /* tokens per call */
/* Below this many tokens each token's sub-block sum runs in two chains of
 * vpdpbusd: one chain's latency would hold back the loads of a matrix
 * streaming from memory (one or two sequences generating). */
#define SPLIT_BELOW 4


/* Vector v of group 0 in the low half, the same vector of group 1 in the high half. */
static inline __m512i load_pair(const uint8_t *g0, const uint8_t *g1) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(load32(g0)), load32(g1), 1);
}

/* 8 bytes at a then 8 at b: one byte per row of the 16. */
static inline __m128i bytes16(const void *a, const void *b) {
    return _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)a), _mm_loadl_epi64((const __m128i *)b));
}

/* 8 fp16 at a then 8 at b, as 16 floats. */
static inline __m512 halfs16(const void *a, const void *b) {
    return _mm512_cvtph_ps(_mm256_set_m128i(_mm_loadu_si128((const __m128i *)b), _mm_loadu_si128((const __m128i *)a)));
}

/* The 4 bytes at p in every 32-bit lane (vpdpbusd's broadcast operand). */
static inline __m512i bcast4(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

/* Scales (sm[8j + r], bytes 0..63) and mins (from byte 64) of a stored Q4_K/Q5_K group's 8 rows. */
static inline void k4_scales(const uint8_t *gs, uint8_t sm[128]) {
    const __m256i m0f = _mm256_set1_epi8(0x0F), m63 = _mm256_set1_epi8(63), m30 = _mm256_set1_epi8(0x30);
    const __m256i A = load32(gs), B = load32(gs + 32), K = load32(gs + 64);
    _mm256_store_si256((__m256i *)sm, _mm256_and_si256(A, m63));
    _mm256_store_si256((__m256i *)(sm + 32),
                       _mm256_or_si256(_mm256_and_si256(K, m0f), _mm256_and_si256(_mm256_srli_epi16(A, 2), m30)));
    _mm256_store_si256((__m256i *)(sm + 64), _mm256_and_si256(B, m63));
    _mm256_store_si256((__m256i *)(sm + 96), _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(K, 4), m0f),
                                                             _mm256_and_si256(_mm256_srli_epi16(B, 2), m30)));
}

/* Q4_K/Q5_K: min j of the 16 rows (sm0, sm1: k4_scales of the two groups),
 * lanes 2r and 2r+1 of each row's pair both holding it: a 32-weight min
 * covers Q8_K bsums 2j and 2j+1, which madd against it. */
static inline __m512i k4_min_pairs(const uint8_t *sm0, const uint8_t *sm1, int j) {
    const __m512i m = _mm512_cvtepu8_epi32(bytes16(sm0 + 64 + 8 * j, sm1 + 64 + 8 * j));
    return _mm512_or_si512(m, _mm512_slli_epi32(m, 16));
}

/* Q6_K: lanes 2r, 2r+1 of the 16 rows (scales sc0, sc1 of the two groups):
 * row r's scales 2p and 2p+1 (signed), against Q8_K bsums 2p and 2p+1. */
static inline __m512i q6_scale_pairs(const int8_t *sc0, const int8_t *sc1, int p) {
    const __m512i a = _mm512_cvtepi8_epi32(bytes16(sc0 + 16 * p, sc1 + 16 * p));
    const __m512i z = _mm512_cvtepi8_epi32(bytes16(sc0 + 16 * p + 8, sc1 + 16 * p + 8));
    return _mm512_mask_blend_epi16(0xAAAAAAAAu, a, _mm512_slli_epi32(z, 16));
}

/* Several tokens make these products long enough per super-block that the
 * hardware prefetcher, following two streams (g0, g1) a few hundred
 * nanoseconds apart, let the first loads of each super-block wait on
 * memory (perf at 8 sequences, llama3.2-1b: the scale loads of Q4_K and
 * the code loads of Q6_K were the hottest instructions). So super-block b
 * of nb asks for the one PREFETCH_AHEAD super-blocks on, in both groups;
 * near a panel's end that is the same super-block of the next panel's
 * groups (the panels of a matrix lie back to back: g0 + 2 * nb * gb is the
 * next g0), where the products go next. Past a matrix's end this touches
 * nothing of use, harmlessly: prefetches never fault. The requests are
 * spread over the super-block's products, slice s of `slices` before each
 * sub-block's (Q4_K) or scale's (Q6_K) products: all at the super-block's
 * start, the prefetches themselves stalled, waiting for free line fill
 * slots (perf: a quarter of Q6_K's time on them).
 * Measured 2026-12-04 (one core, busy AVX-512 Zen, 8 tokens, matrices of
 * 2048 and 8192 columns from memory): once the prefetches were really there
 * (see avx512_prefetch_lines), Q4_K ~55 -> ~170-200 GMAC/s and Q6_K
 * ~25-45 -> ~45-65; sliced, Q6_K ~60-90 (2048 columns) and ~120-175 (8192),
 * Q4_K about the same (~170-220). In cache: Q4_K ~260, Q6_K ~200. */
#define PREFETCH_AHEAD 2
static inline __attribute__((always_inline)) void prefetch_slice(const uint8_t *g0, const uint8_t *g1, size_t gb,
                                                                 int64_t b, int64_t nb, const int s, const int slices) {
    const size_t step = ((gb + (size_t)slices - 1) / (size_t)slices + 63) & ~(size_t)63; /* whole lines */
    const size_t from = (size_t)s * step;
    if (from >= gb) return;
    const size_t ahead = (size_t)(b + PREFETCH_AHEAD < nb ? PREFETCH_AHEAD : PREFETCH_AHEAD + nb) * gb + from;
    const size_t len = gb - from < step ? gb - from : step;
    avx512_prefetch_lines(g0 + ahead, len);
    avx512_prefetch_lines(g1 + ahead, len);
}

/* Q4_K / Q5_K (Q5 = 1): C tokens, constants after inlining. g0, g1: the two
 * groups' panels. Offsets in a super-block group as in avx2_stored_kquants.c:
 * qs, then (Q5_K) qh, scales, d, dmin. */
static inline __attribute__((always_inline)) void gemm_k4(int64_t n, const uint8_t *g0, const uint8_t *g1,
                                                          const block_q8_K *const *xb, float *y, size_t y_stride,
                                                          const int C, const int Q5) {
    const size_t gb = GROUP * (Q5 ? sizeof(block_q5_K) : sizeof(block_q4_K));
    const size_t at_qh = 1024, at_sc = Q5 ? 1280 : 1024;
    const __m512i m0f = _mm512_set1_epi8(0x0F), b4 = _mm512_set1_epi8(0x10);
    __m512 acc[COLS];
    for (int c = 0; c < C; c++) acc[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, g0 += gb, g1 += gb) {
        _Alignas(32) uint8_t sm0[128], sm1[128];
        k4_scales(g0 + at_sc, sm0);
        k4_scales(g1 + at_sc, sm1);
        __m512i isum[COLS];
        for (int c = 0; c < C; c++) isum[c] = _mm512_setzero_si512();
        for (int s = 0; s < 8; s++) {
            prefetch_slice(g0, g1, gb, b, n / QK_K, s, 8);
            __m512i t[2][COLS]; /* few tokens: two chains per token (even and odd i), so loads run ahead */
            for (int c = 0; c < C; c++) t[0][c] = t[1][c] = _mm512_setzero_si512();
            for (int i = 0; i < 8; i++) {
                const size_t at = 32 * (size_t)(8 * (s / 2) + i);
                const __m512i P = load_pair(g0 + at, g1 + at);
                __m512i u = (s & 1) ? _mm512_and_si512(_mm512_srli_epi16(P, 4), m0f) : _mm512_and_si512(P, m0f);
                if (Q5) {
                    const __m512i H = load_pair(g0 + at_qh + 32 * i, g1 + at_qh + 32 * i); /* bit s becomes bit 4 */
                    const __m512i h = s <= 4 ? _mm512_slli_epi16(H, 4 - s) : _mm512_srli_epi16(H, s - 4);
                    u = _mm512_or_si512(u, _mm512_and_si512(h, b4));
                }
                const int k = C < SPLIT_BELOW ? i & 1 : 0;
                for (int c = 0; c < C; c++) t[k][c] = _mm512_dpbusd_epi32(t[k][c], u, bcast4(xb[c][b].qs + 32 * s + 4 * i));
            }
            const __m512i S = _mm512_cvtepu8_epi32(bytes16(sm0 + 8 * s, sm1 + 8 * s));
            for (int c = 0; c < C; c++)
                isum[c] = _mm512_add_epi32(isum[c], _mm512_mullo_epi32(_mm512_add_epi32(t[0][c], t[1][c]), S));
        }
        const __m512 D = halfs16(g0 + at_sc + 96, g1 + at_sc + 96);
        const __m512 DM = halfs16(g0 + at_sc + 112, g1 + at_sc + 112);
        __m512i M[8];
        for (int j = 0; j < 8; j++) M[j] = k4_min_pairs(sm0, sm1, j);
        for (int c = 0; c < C; c++) {
            __m512i msum = _mm512_setzero_si512();
            for (int j = 0; j < 8; j++) msum = _mm512_add_epi32(msum, _mm512_madd_epi16(M[j], bcast4(xb[c][b].bsums + 2 * j)));
            const __m512 v = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(msum), DM, _mm512_mul_ps(_mm512_cvtepi32_ps(isum[c]), D));
            acc[c] = _mm512_fmadd_ps(v, _mm512_set1_ps(xb[c][b].d), acc[c]);
        }
    }
    for (int c = 0; c < C; c++) _mm512_storeu_ps(y + (size_t)c * y_stride, acc[c]);
}

/* Q6_K, one scale's 16 weights (quarter k of half h, rows' sub-block
 * 2(4h + k) + half) of super-block b, added into isum: k and C are constants
 * after inlining, so that the loop is straight code with the accumulators in
 * registers (with k a loop variable the compiler kept it as branches and
 * register moves, and the products ran at about 60% of Q4_K's). Weight
 * 128h + 32k + l: nibble k/2 of ql byte 64h + 32(k%2) + l, bits 2k..2k+1 of
 * qh byte 32h + l as bits 4..5; q = u - 32, taken off as 32 * sum(scale *
 * bsum) in int32 by the caller. */
static inline __attribute__((always_inline)) void q6_scale_block(const uint8_t *g0, const uint8_t *g1,
                                                                 const block_q8_K *const *xb, int64_t b, int h,
                                                                 const int k, int half, __m512i *isum, const int C) {
    const __m512i m0f = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
    const int8_t *sc0 = (const int8_t *)(g0 + 1536), *sc1 = (const int8_t *)(g1 + 1536); /* sc[8t + r] */
    __m512i t[2][COLS]; /* as in gemm_k4 */
    for (int c = 0; c < C; c++) t[0][c] = t[1][c] = _mm512_setzero_si512();
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        const int i = 4 * half + j;
        const size_t at_l = 32 * (size_t)(16 * h + 8 * (k % 2) + i), at_h = 1024 + 32 * (size_t)(8 * h + i);
        const __m512i L = load_pair(g0 + at_l, g1 + at_l), H = load_pair(g0 + at_h, g1 + at_h);
        const __m512i lo = k < 2 ? _mm512_and_si512(L, m0f) : _mm512_and_si512(_mm512_srli_epi16(L, 4), m0f);
        const __m512i hi = k == 0 ? _mm512_slli_epi16(H, 4) : k == 1 ? _mm512_slli_epi16(H, 2)
                                                     : k == 2 ? H : _mm512_srli_epi16(H, 2);
        const __m512i u = _mm512_or_si512(lo, _mm512_and_si512(hi, m30));
        const int e = C < SPLIT_BELOW ? i & 1 : 0;
#pragma GCC unroll 8
        for (int c = 0; c < C; c++)
            t[e][c] = _mm512_dpbusd_epi32(t[e][c], u, bcast4(xb[c][b].qs + 128 * h + 32 * k + 4 * i));
    }
    const int st = 8 * (2 * (4 * h + k) + half);
    const __m512i S = _mm512_cvtepi8_epi32(bytes16(sc0 + st, sc1 + st));
#pragma GCC unroll 8
    for (int c = 0; c < C; c++) isum[c] = _mm512_add_epi32(isum[c], _mm512_mullo_epi32(_mm512_add_epi32(t[0][c], t[1][c]), S));
}

/* Q6_K: C tokens (the integer sums are exact, so their order is free). */
static inline __attribute__((always_inline)) void gemm_q6(int64_t n, const uint8_t *g0, const uint8_t *g1,
                                                          const block_q8_K *const *xb, float *y, size_t y_stride,
                                                          const int C) {
    const size_t gb = GROUP * sizeof(block_q6_K);
    __m512 acc[COLS];
    for (int c = 0; c < C; c++) acc[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, g0 += gb, g1 += gb) {
        const int8_t *sc0 = (const int8_t *)(g0 + 1536), *sc1 = (const int8_t *)(g1 + 1536); /* sc[8t + r] */
        __m512i isum[COLS];
        for (int c = 0; c < C; c++) isum[c] = _mm512_setzero_si512();
        for (int h = 0; h < 2; h++)
            for (int half = 0; half < 2; half++) { /* 16 weights: one scale; k written out (q6_scale_block) */
                prefetch_slice(g0, g1, gb, b, n / QK_K, 8 * h + 4 * half + 0, 16);
                q6_scale_block(g0, g1, xb, b, h, 0, half, isum, C);
                prefetch_slice(g0, g1, gb, b, n / QK_K, 8 * h + 4 * half + 1, 16);
                q6_scale_block(g0, g1, xb, b, h, 1, half, isum, C);
                prefetch_slice(g0, g1, gb, b, n / QK_K, 8 * h + 4 * half + 2, 16);
                q6_scale_block(g0, g1, xb, b, h, 2, half, isum, C);
                prefetch_slice(g0, g1, gb, b, n / QK_K, 8 * h + 4 * half + 3, 16);
                q6_scale_block(g0, g1, xb, b, h, 3, half, isum, C);
            }
        const __m512 D = halfs16(g0 + 1664, g1 + 1664);
        __m512i M[8];
        for (int p = 0; p < 8; p++) M[p] = q6_scale_pairs(sc0, sc1, p);
        for (int c = 0; c < C; c++) {
            __m512i msum = _mm512_setzero_si512();
            for (int p = 0; p < 8; p++) msum = _mm512_add_epi32(msum, _mm512_madd_epi16(M[p], bcast4(xb[c][b].bsums + 2 * p)));
            const __m512i t = _mm512_sub_epi32(isum[c], _mm512_slli_epi32(msum, 5));
            acc[c] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(t), D), _mm512_set1_ps(xb[c][b].d), acc[c]);
        }
    }
    for (int c = 0; c < C; c++) _mm512_storeu_ps(y + (size_t)c * y_stride, acc[c]);
}

/* ---- one token: one 8-row group at a time ------------------------------------------ */

/* A single token (one sequence generating) reads each group once. Here one
 * 64-byte load holds two consecutive code vectors of the same group (lanes
 * 0..7: vector i, rows 0..7; lanes 8..15: vector i + 1), so the matrix is
 * read as one stream, in the order it lies in memory (the 16-row products
 * above read two streams a group apart: from memory, measured 2026-12-04,
 * they fell to a fraction of the AVX2 kernel's speed), and each vpdpbusd
 * does twice an AVX2 maddubs' work. The token's quants for that pair, the
 * dword of vector i in the low half and of i + 1 in the high half, come
 * from one permute of its 32 bytes. A row's two halves are added at the end
 * of each super-block, so the integer sums, and the float steps after
 * them, are the AVX2 kernel's (avx2_stored_kquants.c): bit for bit the
 * same numbers.
 *
 * Prefetch: with one 64-byte load per line these products outran the
 * hardware prefetcher (weights from memory: ~5 GB/s, against ~25 with
 * this), so each super-block asks for the one ONE_PREFETCH_AHEAD on. */
#define ONE_PREFETCH_AHEAD 4

/* Lanes 0..7: dword 2j of X's low 256 bits; lanes 8..15: dword 2j + 1. */
static inline __m512i act_pair(__m512i X, int j) {
    const __m512i at = _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_permutexvar_epi32(_mm512_add_epi32(at, _mm512_set1_epi32(2 * j)), X);
}

/* 32 bytes at p in the low half of a vector (act_pair's X). */
static inline __m512i act32(const int8_t *p) { return _mm512_castsi256_si512(load32(p)); }

/* The 8 rows' int32 of a vector whose halves are parts of the same rows. */
static inline __m256i fold_halves(__m512i v) {
    return _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
}

/* Q4_K / Q5_K (Q5 = 1), one token, the 8 rows of group g into y[0..7]. */
static inline __attribute__((always_inline)) void one_k4(int64_t n, const uint8_t *g, const block_q8_K *x, float *y,
                                                         const int Q5) {
    const size_t gb = GROUP * (Q5 ? sizeof(block_q5_K) : sizeof(block_q4_K));
    const size_t at_qh = 1024, at_sc = Q5 ? 1280 : 1024;
    const __m512i m0f = _mm512_set1_epi8(0x0F), b4 = _mm512_set1_epi8(0x10);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, g += gb) {
        avx512_prefetch_lines(g + ONE_PREFETCH_AHEAD * gb, gb);
        _Alignas(32) uint8_t sm[128];
        k4_scales(g + at_sc, sm);
        __m512i isum = _mm512_setzero_si512();
        for (int s2 = 0; s2 < 4; s2++) { /* sub-blocks s = 2 s2 (low nibbles) and 2 s2 + 1 (high) */
            const __m512i X0 = act32(x[b].qs + 64 * s2), X1 = act32(x[b].qs + 64 * s2 + 32);
            __m512i t0 = _mm512_setzero_si512(), t1 = t0;
            for (int j = 0; j < 4; j++) {
                const __m512i P = _mm512_loadu_si512(g + 32 * (8 * s2 + 2 * j));
                __m512i u0 = _mm512_and_si512(P, m0f), u1 = _mm512_and_si512(_mm512_srli_epi16(P, 4), m0f);
                if (Q5) { /* bit s of each qh byte becomes bit 4 */
                    const __m512i H = _mm512_loadu_si512(g + at_qh + 64 * j);
                    const int s = 2 * s2;
                    const __m512i h0 = s <= 4 ? _mm512_slli_epi16(H, 4 - s) : _mm512_srli_epi16(H, s - 4);
                    const __m512i h1 = s + 1 <= 4 ? _mm512_slli_epi16(H, 3 - s) : _mm512_srli_epi16(H, s - 3);
                    u0 = _mm512_or_si512(u0, _mm512_and_si512(h0, b4));
                    u1 = _mm512_or_si512(u1, _mm512_and_si512(h1, b4));
                }
                t0 = _mm512_dpbusd_epi32(t0, u0, act_pair(X0, j));
                t1 = _mm512_dpbusd_epi32(t1, u1, act_pair(X1, j));
            }
            const uint8_t *sc = sm + 16 * s2;
            isum = _mm512_add_epi32(isum, _mm512_mullo_epi32(t0, _mm512_cvtepu8_epi32(bytes16(sc, sc))));
            isum = _mm512_add_epi32(isum, _mm512_mullo_epi32(t1, _mm512_cvtepu8_epi32(bytes16(sc + 8, sc + 8))));
        }
        __m512i msum = _mm512_setzero_si512(); /* both halves the same: the low one is used */
        for (int j = 0; j < 8; j++) msum = _mm512_add_epi32(msum, _mm512_madd_epi16(k4_min_pairs(sm, sm, j), bcast4(x[b].bsums + 2 * j)));
        const __m256 D = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(g + at_sc + 96)));
        const __m256 DM = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(g + at_sc + 112)));
        const __m256 v = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(_mm512_castsi512_si256(msum)), DM,
                                          _mm256_mul_ps(_mm256_cvtepi32_ps(fold_halves(isum)), D));
        acc = _mm256_fmadd_ps(v, _mm256_set1_ps(x[b].d), acc);
    }
    _mm256_storeu_ps(y, acc);
}

/* Q6_K, one token, the 8 rows of group g into y[0..7]. Weight 128h + 32k + l
 * as in q6_scale_block; the ql vectors of k = 0 and 2 (k = 1 and 3) are the
 * same bytes, so each pair of code vectors is loaded once for all four k. */
static inline __attribute__((always_inline)) void one_q6(int64_t n, const uint8_t *g, const block_q8_K *x, float *y) {
    const size_t gb = GROUP * sizeof(block_q6_K);
    const __m512i m0f = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / QK_K; b++, g += gb) {
        avx512_prefetch_lines(g + ONE_PREFETCH_AHEAD * gb, gb);
        const int8_t *sc = (const int8_t *)(g + 1536); /* sc[8t + r] */
        __m512i isum = _mm512_setzero_si512();
        for (int h = 0; h < 2; h++) {
            __m512i X[4], t[4][2]; /* t[k][i / 4]: one scale each */
            for (int k = 0; k < 4; k++) {
                X[k] = act32(x[b].qs + 128 * h + 32 * k);
                t[k][0] = t[k][1] = _mm512_setzero_si512();
            }
            for (int j = 0; j < 4; j++) { /* code vectors i = 2j, 2j + 1 */
                const __m512i L0 = _mm512_loadu_si512(g + 32 * (16 * h + 2 * j));
                const __m512i L1 = _mm512_loadu_si512(g + 32 * (16 * h + 8 + 2 * j));
                const __m512i H = _mm512_loadu_si512(g + 1024 + 32 * (8 * h + 2 * j));
                const __m512i u[4] = {
                    _mm512_or_si512(_mm512_and_si512(L0, m0f), _mm512_and_si512(_mm512_slli_epi16(H, 4), m30)),
                    _mm512_or_si512(_mm512_and_si512(L1, m0f), _mm512_and_si512(_mm512_slli_epi16(H, 2), m30)),
                    _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(L0, 4), m0f), _mm512_and_si512(H, m30)),
                    _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(L1, 4), m0f),
                                    _mm512_and_si512(_mm512_srli_epi16(H, 2), m30))};
                for (int k = 0; k < 4; k++) t[k][j / 2] = _mm512_dpbusd_epi32(t[k][j / 2], u[k], act_pair(X[k], j));
            }
            for (int k = 0; k < 4; k++)
                for (int half = 0; half < 2; half++) {
                    const int8_t *st = sc + 8 * (2 * (4 * h + k) + half);
                    isum = _mm512_add_epi32(isum, _mm512_mullo_epi32(t[k][half], _mm512_cvtepi8_epi32(bytes16(st, st))));
                }
        }
        __m512i msum = _mm512_setzero_si512(); /* both halves the same: the low one is used */
        for (int p = 0; p < 8; p++) msum = _mm512_add_epi32(msum, _mm512_madd_epi16(q6_scale_pairs(sc, sc, p), bcast4(x[b].bsums + 2 * p)));
        const __m256 D = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(g + 1664)));
        const __m256i t = _mm256_sub_epi32(fold_halves(isum), _mm256_slli_epi32(_mm512_castsi512_si256(msum), 5));
        acc = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(t), D), _mm256_set1_ps(x[b].d), acc);
    }
    _mm256_storeu_ps(y, acc);
}

/* ---- the types: two AVX2 groups per panel, these products ----------------------------- */

static size_t act_row_bytes(int64_t n) { return (size_t)(n / QK_K) * sizeof(block_q8_K); }

#define GEMM_SWITCH(call)                                                                                        \
    const block_q8_K *xb[COLS];                                                                                  \
    for (int c = 0; c < cols && c < COLS; c++)                                                                   \
        xb[c] = (const block_q8_K *)((const uint8_t *)x + (size_t)c * x_stride);                                 \
    switch (cols) {                                                                                              \
    case 2: call(2); break;                                                                                      \
    case 3: call(3); break;                                                                                      \
    case 4: call(4); break;                                                                                      \
    case 5: call(5); break;                                                                                      \
    case 6: call(6); break;                                                                                      \
    case 7: call(7); break;                                                                                      \
    default: call(8); break;                                                                                     \
    }

/* A panel is the AVX2 layout's panel of rows 0..7 followed by that of rows
 * 8..15 (all zero when there are none): a whole matrix is byte for byte
 * the AVX2 stored matrix (plus a zero group when its row count is an odd
 * multiple of 8). One token: one_k4 / one_q6, group after group. */
#define STORED_TYPE(name, CALL, ONE)                                                                                               \
    static size_t name##_bytes(int64_t n) { return 2 * mote_avx2_stored_##name.panel_bytes(n); }                   \
    static void name##_pack(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {                   \
        const size_t half = mote_avx2_stored_##name.panel_bytes(n);                                                \
        mote_avx2_stored_##name.pack(n, w, w_stride, rows < GROUP ? rows : GROUP, panel);                          \
        mote_avx2_stored_##name.pack(n, rows > GROUP ? (const uint8_t *)w + GROUP * w_stride : w, w_stride,          \
                                     rows > GROUP ? rows - GROUP : 0, (uint8_t *)panel + half);                    \
    }                                                                                                              \
    static void name##_unpack(int64_t n, const void *panel, int r, void *row) {                                   \
        const size_t half = mote_avx2_stored_##name.panel_bytes(n);                                                \
        mote_avx2_stored_##name.unpack(n, (const uint8_t *)panel + (size_t)(r / GROUP) * half, r % GROUP, row);    \
    }                                                                                                              \
    static void name##_gemm(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,     \
                            size_t y_stride) {                                                                     \
        const size_t half = mote_avx2_stored_##name.panel_bytes(n);                                                \
        if (cols == 1) {                                                                                           \
            ONE((const uint8_t *)panel, (const block_q8_K *)x, y);                                                 \
            ONE((const uint8_t *)panel + half, (const block_q8_K *)x, y + GROUP);                                  \
            return;                                                                                                \
        }                                                                                                          \
        const uint8_t *g0 = panel, *g1 = g0 + half;                                                                \
        GEMM_SWITCH(CALL)                                                                                          \
    }                                                                                                              \
    const mote_panel_kernels mote_avx512_stored_##name = {act_row_bytes, mote_avx2_q8_K_from_float, name##_bytes,  \
                                                          name##_pack,   name##_gemm,               ROWS,          \
                                                          COLS,          name##_unpack};

#define CALL_Q4(C) gemm_k4(n, g0, g1, xb, y, y_stride, C, 0)
#define CALL_Q5(C) gemm_k4(n, g0, g1, xb, y, y_stride, C, 1)
#define CALL_Q6(C) gemm_q6(n, g0, g1, xb, y, y_stride, C)

#define ONE_Q4(g, x, y) one_k4(n, g, x, y, 0)
#define ONE_Q5(g, x, y) one_k4(n, g, x, y, 1)
#define ONE_Q6(g, x, y) one_q6(n, g, x, y)

STORED_TYPE(q4_K, CALL_Q4, ONE_Q4)
STORED_TYPE(q5_K, CALL_Q5, ONE_Q5)
STORED_TYPE(q6_K, CALL_Q6, ONE_Q6)

#else
typedef int mote_avx512_stored_kquants_unused; /* not an x86-64 build */
#endif
