/*
 * neon_activation.c — SiLU-gated activation (engine/ops.c's mote_glu with
 * MOTE_ACT_SILU) with AArch64 NEON, bit for bit the portable form: silu(x)
 * = x / (1 + e^(0 - x)) with ops.c's exponential (exp_ggml_x86: the same
 * fused multiply-adds, in 4 lanes, its two out-of-range branches taken by
 * lane masks), the division and the product with up rounded as in C. The
 * kernel sets' glu_silu (quant/simd.h) for "neon" and "neon-dotprod" on
 * AArch64 (ARMv7 has no vector division). The portable loop was 10% of
 * smollm2-135m's instructions per prompt token on cortex-a76 once the
 * attention kernel came (bench/RESULTS.md, the profiler's section).
 */
#if defined(__aarch64__)

#include <arm_neon.h>

#include "quant/simd.h"

/* ops.c's exp_ggml_x86 in 4 lanes. fmaf(a, b, c) is vfmaq_f32(c, a, b). */
static inline float32x4_t exp4(float32x4_t x) {
    const float32x4_t shifter = vdupq_n_f32(0x1.8p23f);
    const float32x4_t z = vfmaq_f32(shifter, x, vdupq_n_f32(0x1.715476p+0f));
    const float32x4_t n = vsubq_f32(z, shifter);
    const float32x4_t neg_n = vnegq_f32(n);
    const float32x4_t b =
        vfmaq_f32(vfmaq_f32(x, neg_n, vdupq_n_f32(0x1.62e4p-1f)), neg_n, vdupq_n_f32(0x1.7f7d1cp-20f));
    const uint32x4_t e = vshlq_n_u32(vreinterpretq_u32_f32(z), 23);
    const float32x4_t k = vreinterpretq_f32_u32(vaddq_u32(e, vdupq_n_u32(0x3f800000u)));
    const float32x4_t u = vmulq_f32(b, b);
    const float32x4_t inner_hi = vfmaq_f32(vdupq_n_f32(0x1.573e2ep-5f), vdupq_n_f32(0x1.0e4020p-7f), b);
    const float32x4_t inner_lo = vfmaq_f32(vdupq_n_f32(0x1.fffdb6p-2f), vdupq_n_f32(0x1.555e66p-3f), b);
    const float32x4_t j =
        vfmaq_f32(vmulq_f32(vdupq_n_f32(0x1.ffffecp-1f), b), vfmaq_f32(inner_lo, inner_hi, u), u);
    const float32x4_t fast = vfmaq_f32(k, k, j);
    const uint32x4_t out_of_range = vcagtq_f32(n, vdupq_n_f32(126.0f)); /* false for nan, as !(|n| > 126) */
    if (vmaxvq_u32(out_of_range) == 0) return fast;
    /* the rare lanes past 2^+-126: ops.c's two scaled forms */
    const uint32x4_t g = vandq_u32(vcleq_f32(n, vdupq_n_f32(0.0f)), vdupq_n_u32(0x82000000u));
    const float32x4_t s1 = vreinterpretq_f32_u32(vaddq_u32(g, vdupq_n_u32(0x7f000000u)));
    const float32x4_t s2 = vreinterpretq_f32_u32(vsubq_u32(e, g));
    const float32x4_t huge = vmulq_f32(s1, s1);
    const float32x4_t scaled = vmulq_f32(vfmaq_f32(s2, s2, j), s1);
    const float32x4_t far = vbslq_f32(vcagtq_f32(n, vdupq_n_f32(192.0f)), huge, scaled);
    return vbslq_f32(out_of_range, far, fast);
}

static inline float32x4_t silu4(float32x4_t x) {
    const float32x4_t one = vdupq_n_f32(1.0f);
    return vdivq_f32(x, vaddq_f32(one, exp4(vsubq_f32(vdupq_n_f32(0.0f), x))));
}

/* quant/simd.h's glu_silu: out[i] = silu(gate[i]) * up[i] (up NULL: silu
 * alone); out may alias gate. */
void mote_neon_glu_silu(float *out, const float *gate, const float *up, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t s = silu4(vld1q_f32(gate + i));
        vst1q_f32(out + i, up ? vmulq_f32(s, vld1q_f32(up + i)) : s);
    }
    if (i < n) { /* the tail through one padded vector */
        float g[4] = {0.0f, 0.0f, 0.0f, 0.0f}, u[4] = {0.0f, 0.0f, 0.0f, 0.0f}, r[4];
        for (int64_t t = i; t < n; t++) g[t - i] = gate[t], u[t - i] = up ? up[t] : 0.0f;
        const float32x4_t s = silu4(vld1q_f32(g));
        vst1q_f32(r, up ? vmulq_f32(s, vld1q_f32(u)) : s);
        for (int64_t t = i; t < n; t++) out[t] = r[t - i];
    }
}

#else
typedef int mote_neon_activation_unused; /* not an AArch64 build */
#endif
