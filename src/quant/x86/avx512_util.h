/*
 * avx512_util.h — small AVX-512 building blocks shared by the avx512_*.c
 * kernels. Included only by files compiled with -mavx512f -mavx512bw
 * -mavx512vl -mavx512vnni (cmake/MoteSimdFlags.cmake).
 *
 * The kernels meet in one byte dot product, avx512_dot_u8_i8: VNNI's
 * vpdpbusd multiplies unsigned weight bytes with signed activation bytes
 * and adds each four products straight into an int32 lane, exactly (no
 * 16-bit middle step to saturate), where AVX2 needs maddubs + madd. So the
 * AVX-512 panels hold unsigned codes: a type with signed weights stores
 * them + 128 (or its levels + 128), and the activation block carries the
 * integer that takes the offset off again (-K * sum of its quants).
 */
#ifndef MOTE_QUANT_X86_AVX512_UTIL_H
#define MOTE_QUANT_X86_AVX512_UTIL_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "quant/x86/avx2_unpack.h"

/* Ask for `bytes` of weights at p, cache line by cache line (the stored
 * products prefetch a few blocks ahead; prefetches never fault, so p may run
 * past a matrix's end). Always inlined, and the prefetch is a volatile asm
 * statement, not _mm_prefetch: GCC 12 took a function whose only work was
 * prefetching for one without effects and deleted the calls to it, and its
 * dead-code pass dropped _mm_prefetch in the stored K-quant products (found
 * 2026-12-04 with objdump: not one prefetch instruction was left there). */
static inline __attribute__((always_inline)) void avx512_prefetch_lines(const void *p, size_t bytes) {
    for (size_t off = 0; off < bytes; off += 64) __asm__ volatile("prefetcht0 %0" : : "m"(*((const char *)p + off)));
}

/* acc + in every int32 lane the four products of the unsigned bytes of u
 * with the signed bytes of s: the one byte dot product of this set. */
static inline __m512i avx512_dot_u8_i8(__m512i acc, __m512i u, __m512i s) { return _mm512_dpbusd_epi32(acc, u, s); }

/* The 4 bytes at p (4 consecutive quants) in every 32-bit lane. */
static inline __m512i avx512_bcast4(const void *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

/* 16 rows of 8 dwords (in[r] dword j) into 8 vectors out[j] of 16 dwords
 * (dword r = in[r] dword j); out 64-byte aligned. */
static inline void avx512_transpose16(const __m256i in[16], __m512i *out) {
    __m256i lo[8] __attribute__((aligned(64))), hi[8] __attribute__((aligned(64)));
    transpose8(in, lo);
    transpose8(in + 8, hi);
    for (int j = 0; j < 8; j++) _mm512_store_si512(out + j, _mm512_inserti64x4(_mm512_castsi256_si512(lo[j]), hi[j], 1));
}

#endif
