/*
 * neon_panel.c — the NEON panel kernels (neon_panel_body.h) for every ARM
 * CPU with NEON (AArch64, and ARMv7 built with -mfpu=neon-vfpv4), with the
 * dot of 4 bytes per lane rebuilt from widening multiplies and pairwise
 * adds; the "neon" set's panel lists. neon_dotprod_panel.c replaces them
 * with vdotq_laneq_s32 where the CPU has it.
 */
#if defined(__aarch64__) || defined(__arm__)

#if !defined(__ARM_NEON)
#error "neon_panel.c needs NEON enabled (cmake/MoteSimdFlags.cmake adds -mfpu=neon-vfpv4 on 32-bit ARM)"
#endif

#include "quant/arm/neon_util.h"
#include "quant/simd.h"

/* A 32-bit lane of x (a literal lane) in every lane. */
#if defined(__aarch64__)
#define NEON_BCAST_LANE(x, lane) vreinterpretq_s8_s32(vdupq_laneq_s32(vreinterpretq_s32_s8(x), lane))
#else
#define NEON_BCAST_LANE(x, lane)                                                                   \
    vreinterpretq_s8_s32((lane) < 2 ? vdupq_lane_s32(vget_low_s32(vreinterpretq_s32_s8(x)), (lane) & 1) \
                                    : vdupq_lane_s32(vget_high_s32(vreinterpretq_s32_s8(x)), (lane) & 1))
#endif

/* acc + in lane r the dot of w's bytes 4r..4r+3 with the 4 bytes of xb's
 * lanes (all equal): byte products (each at most 128 * 127 in magnitude, so
 * a pair's sum fits int16), pairs added, then pairs of pairs into int32. */
static inline int32x4_t neon_dot4_widen(int32x4_t acc, int8x16_t w, int8x16_t xb) {
    const int16x8_t lo = vmull_s8(vget_low_s8(w), vget_low_s8(xb));
    const int16x8_t hi = vmull_s8(vget_high_s8(w), vget_high_s8(xb));
#if defined(__aarch64__)
    return vpadalq_s16(acc, vpaddq_s16(lo, hi));
#else
    return vpadalq_s16(acc, vcombine_s16(vpadd_s16(vget_low_s16(lo), vget_high_s16(lo)),
                                         vpadd_s16(vget_low_s16(hi), vget_high_s16(hi))));
#endif
}

#define NEON_DOT_LANE(acc, w, x, lane) neon_dot4_widen(acc, w, NEON_BCAST_LANE(x, lane))
#define NEON_NAME(x) neon_##x
/* 2 tokens at a time: the widening dot needs more registers than vdot, and
 * with 4 tokens the loop spilled (counted under qemu, bench/arm-insn-proxy.sh:
 * a fifth fewer instructions per token with 2). */
#define NEON_PANEL_COLS 2
#include "quant/arm/neon_panel_body.h"
#include "quant/arm/neon_panel_q4_K_body.h"

const mote_panel_entry mote_neon_panel_kernels[] = {
    {MOTE_TYPE_Q4_0, &neon_panel_q4_0},
    {MOTE_TYPE_Q8_0, &neon_panel_q8_0},
    {MOTE_TYPE_Q4_K, &neon_panel_q4_K},
    {-1, NULL},
};

const mote_panel_entry mote_neon_stored_panels[] = {
    {MOTE_TYPE_Q4_0, &neon_stored_q4_0},
    {-1, NULL},
};

#else
typedef int mote_neon_panel_unused; /* not an ARM build */
#endif
