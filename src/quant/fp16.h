/*
 * fp16.h — IEEE half precision and bfloat16 <-> float conversion.
 *
 * Scalar and exact (round-to-nearest-even on the way down), so reference
 * kernels and the quantizer produce the same bits as GGML does. SIMD kernels
 * use the hardware conversions (F16C, NEON) where they exist.
 */
#ifndef MOTE_QUANT_FP16_H
#define MOTE_QUANT_FP16_H

#include <stdint.h>
#include <string.h>

typedef uint16_t mote_fp16;
typedef uint16_t mote_bf16;

static inline uint32_t mote_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float mote_bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

static inline float mote_fp16_to_f32(mote_fp16 h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    if (exp == 0x1f) /* inf / nan */
        return mote_bits_f32(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
        if (man == 0) return mote_bits_f32(sign);
        /* subnormal: value = man * 2^-24 */
        float v = (float)man * (1.0f / 16777216.0f);
        return sign ? -v : v;
    }
    return mote_bits_f32(sign | ((exp + 112) << 23) | (man << 13));
}

static inline mote_fp16 mote_f32_to_fp16(float f) {
    uint32_t x = mote_f32_bits(f);
    uint32_t sign = (x >> 16) & 0x8000;
    uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) /* inf or nan (keep nan quiet) */
        return (mote_fp16)(sign | 0x7c00 | (absx > 0x7f800000u ? 0x200 : 0));
    if (absx >= 0x477ff000u) /* rounds to >= 65520: overflow to inf */
        return (mote_fp16)(sign | 0x7c00);
    if (absx < 0x38800000u) { /* below the smallest normal half: subnormal or zero */
        if (absx < 0x33000000u) return (mote_fp16)sign; /* < 2^-25 rounds to 0 */
        uint32_t e = absx >> 23;
        uint32_t m = (absx & 0x7fffff) | 0x800000;
        uint32_t shift = 126 - e; /* 14..24 */
        uint32_t half = m >> shift;
        uint32_t rem = m & ((1u << shift) - 1);
        uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) half++;
        return (mote_fp16)(sign | half);
    }
    uint32_t h = ((absx - 0x38000000u) >> 13);
    uint32_t rem = absx & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;
    return (mote_fp16)(sign | h);
}

static inline float mote_bf16_to_f32(mote_bf16 h) { return mote_bits_f32((uint32_t)h << 16); }

static inline mote_bf16 mote_f32_to_bf16(float f) {
    uint32_t x = mote_f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (mote_bf16)((x >> 16) | 64); /* quiet nan */
    return (mote_bf16)((x + (0x7fff + ((x >> 16) & 1))) >> 16);
}

#endif
