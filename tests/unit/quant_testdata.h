/*
 * quant_testdata.h — deterministic inputs shared by the quantization tests
 * and by the out-of-tree harness that computed their reference hashes with
 * llama.cpp's ggml (see tests/data/README.md). Changing anything here
 * invalidates tests/data/q8_act_hashes.txt.
 *
 * Only integer arithmetic and exact float operations (int -> float of values
 * below 2^24, ldexpf, adding 0.5 to small integers) are used, so every
 * platform produces the same float bits.
 */
#ifndef MOTE_QUANT_TESTDATA_H
#define MOTE_QUANT_TESTDATA_H

#include <math.h>
#include <stdint.h>

/* 64-bit FNV-1a over bytes: the hash of a dequantized tensor or of a
 * quantized activation row. */
static inline uint64_t fnv1a64(const void *data, size_t n, uint64_t h) {
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}
#define FNV1A64_INIT 0xcbf29ce484222325ull

/* Values in the activation test row: 16 super-blocks of 256. */
#define ACT_N 4096

static inline uint32_t act_xorshift(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* A uniform random float in [-2^e, 2^e) with 24 significant bits. */
static inline float act_uniform(uint32_t *s, int e) {
    int32_t u = (int32_t)(act_xorshift(s) >> 8) - 8388608;
    return ldexpf((float)u, e - 23);
}

/* Fill x[ACT_N]. Super-block r (256 values) exercises one situation:
 *   0      all zeros (d = 0 everywhere)
 *   1      halves k + 0.5 with |max| = 127 exactly: rounding ties (Q8_0/Q8_1
 *          round them away from zero, Q8_K to even)
 *   2      random, with its first 32 values zero (a zero Q8_0 block inside a
 *          non-zero Q8_K block)
 *   3      tiny values (2^-30): fp16 scales underflow to subnormals or zero
 *   4      +3 and -3 both at the maximum magnitude: the first one wins and
 *          fixes the sign of Q8_K's scale
 *   5      a single spike among small values
 *   6..14  random at scales 2^-12 .. 2^12
 *   15     huge values (2^24): Q8_0's fp16 scale overflows to infinity */
static inline void make_activation_input(float *x) {
    static const int scale_exp[16] = {0, 0, 2, -30, 0, 0, -12, -6, -2, -1, 0, 1, 3, 6, 12, 24};
    uint32_t s = 0x9E3779B9u;
    for (int i = 0; i < ACT_N; i++) {
        int r = i / 256, j = i % 256;
        float v;
        switch (r) {
        case 0: v = 0.0f; break;
        case 1:
            if (j % 32 == 0) v = (j / 32) % 2 ? 127.0f : -127.0f;
            else v = (float)((j * 37) % 254 - 127) + 0.5f * (float)(j % 2);
            break;
        case 2: v = j < 32 ? 0.0f : act_uniform(&s, scale_exp[r]); break;
        case 4: v = j % 5 == 0 ? 3.0f : j % 5 == 1 ? -3.0f : act_uniform(&s, 1); break;
        case 5: v = j == 77 ? -40.0f : act_uniform(&s, -3); break;
        default: v = act_uniform(&s, scale_exp[r]); break;
        }
        x[i] = v;
    }
}

#endif
