/*
 * neon_dotprod_panel.c — the NEON panel kernels (neon_panel_body.h) built
 * with the ARMv8.2 dot-product instruction in its by-lane form,
 * vdotq_laneq_s32: 4 rows x 4 weights against one token's 4 quants in one
 * step (compiled with -march=armv8.2-a+dotprod; installed only when the CPU
 * reports the extension). The "neon-dotprod" set's panel lists.
 */
#if defined(__aarch64__)

#if !defined(__ARM_FEATURE_DOTPROD)
#error "neon_dotprod_panel.c needs -march=armv8.2-a+dotprod (cmake/MoteSimdFlags.cmake sets it)"
#endif

#include "quant/arm/neon_util.h"
#include "quant/simd.h"

#define NEON_DOT_LANE(acc, w, x, lane) vdotq_laneq_s32(acc, w, x, lane)
#define NEON_NAME(x) neon_dotprod_##x
#define NEON_STORED_Q8_0 /* generation's Q8_0 matrices read 8 rows per pass (neon_panel_body.h) */
#include "quant/arm/neon_panel_body.h"
#include "quant/arm/neon_panel_q4_K_body.h"

const mote_panel_entry mote_neon_dotprod_panel_kernels[] = {
    {MOTE_TYPE_Q4_0, &neon_dotprod_panel_q4_0},
    {MOTE_TYPE_Q8_0, &neon_dotprod_panel_q8_0},
    {MOTE_TYPE_Q4_K, &neon_dotprod_panel_q4_K},
    {-1, NULL},
};

const mote_panel_entry mote_neon_dotprod_stored_panels[] = {
    {MOTE_TYPE_Q4_0, &neon_dotprod_stored_q4_0},
    {MOTE_TYPE_Q8_0, &neon_dotprod_stored_q8_0},
    {-1, NULL},
};

#else
typedef int mote_neon_dotprod_panel_unused; /* not an AArch64 build */
#endif
