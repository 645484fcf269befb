/*
 * neon_util.h — small NEON helpers that differ between AArch64 and 32-bit
 * ARMv7 (horizontal sums, fp16 scales), shared by the neon*.c kernels.
 * Included only by files compiled with NEON enabled.
 */
#ifndef MOTE_QUANT_ARM_NEON_UTIL_H
#define MOTE_QUANT_ARM_NEON_UTIL_H

#include <arm_neon.h>
#include <stdint.h>

#include "quant/fp16.h"

static inline int32_t neon_hsum_s32(int32x4_t v) {
#if defined(__aarch64__)
    return vaddvq_s32(v);
#else
    const int32x2_t s = vadd_s32(vget_low_s32(v), vget_high_s32(v));
    return vget_lane_s32(vpadd_s32(s, s), 0);
#endif
}

static inline float neon_hsum_f32(float32x4_t v) {
#if defined(__aarch64__)
    return vaddvq_f32(v);
#else
    const float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpadd_f32(s, s), 0);
#endif
}

static inline float neon_hmax_f32(float32x4_t v) {
#if defined(__aarch64__)
    return vmaxvq_f32(v);
#else
    const float32x2_t m = vmax_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpmax_f32(m, m), 0);
#endif
}

/* An fp16 scale as float, by the half-precision conversion instruction
 * (exact, like mote_fp16_to_f32): baseline on AArch64, part of VFPv4 on
 * ARMv7 (neon.c is built with -mfpu=neon-vfpv4 -mfp16-format=ieee there). */
static inline float neon_h2f(mote_fp16 h) {
#if defined(__aarch64__) || defined(__ARM_FP16_FORMAT_IEEE)
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
#else
    return mote_fp16_to_f32(h);
#endif
}

/* acc + a * b per float lane (fused where the ISA has it). */
static inline float32x4_t neon_madd_f32(float32x4_t acc, float32x4_t a, float32x4_t b) {
#if defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
    return vfmaq_f32(acc, a, b);
#else
    return vmlaq_f32(acc, a, b);
#endif
}

#endif
