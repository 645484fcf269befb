/*
 * neon_dotprod.c — the NEON integer dot products again (neon_body.h), built
 * with the ARMv8.2 dot-product instruction vdotq_s32, which sums four byte
 * products per lane in one step (compiled with -march=armv8.2-a+dotprod;
 * installed over the baseline neon.c versions only when the CPU reports
 * the extension, so the binary still runs on a Cortex-A53/A72).
 */
#if defined(__aarch64__)

#if !defined(__ARM_FEATURE_DOTPROD)
#error "neon_dotprod.c needs -march=armv8.2-a+dotprod (CMakeLists.txt sets it)"
#endif

#include "quant/arm/neon_kernels.h"
#include "quant/arm/neon_util.h"
#include "quant/simd.h"

#define NEON_DOT16(acc, a, b) vdotq_s32(acc, a, b)
#define NEON_NAME(x) mote_neon_dotprod_##x
#include "quant/arm/neon_body.h"

const mote_kernel_entry mote_neon_dotprod_kernels[] = {
    {MOTE_TYPE_Q8_0, NULL, NULL, mote_neon_dotprod_vec_dot_q8_0_q8_0},
    {MOTE_TYPE_Q4_0, NULL, NULL, mote_neon_dotprod_vec_dot_q4_0_q8_0},
    {MOTE_TYPE_Q4_1, NULL, NULL, mote_neon_dotprod_vec_dot_q4_1_q8_1},
    {MOTE_TYPE_Q5_0, NULL, NULL, mote_neon_dotprod_vec_dot_q5_0_q8_0},
    {MOTE_TYPE_Q5_1, NULL, NULL, mote_neon_dotprod_vec_dot_q5_1_q8_1},
    {MOTE_TYPE_IQ4_NL, NULL, NULL, mote_neon_dotprod_vec_dot_iq4_nl_q8_0},
    {MOTE_TYPE_Q2_K, NULL, NULL, mote_neon_dotprod_vec_dot_q2_K_q8_K},
    {MOTE_TYPE_Q3_K, NULL, NULL, mote_neon_dotprod_vec_dot_q3_K_q8_K},
    {MOTE_TYPE_Q4_K, NULL, NULL, mote_neon_dotprod_vec_dot_q4_K_q8_K},
    {MOTE_TYPE_Q5_K, NULL, NULL, mote_neon_dotprod_vec_dot_q5_K_q8_K},
    {MOTE_TYPE_Q6_K, NULL, NULL, mote_neon_dotprod_vec_dot_q6_K_q8_K},
    {MOTE_TYPE_IQ4_XS, NULL, NULL, mote_neon_dotprod_vec_dot_iq4_xs_q8_K},
    {MOTE_TYPE_TQ1_0, NULL, NULL, mote_neon_dotprod_vec_dot_tq1_0_q8_K},
    {MOTE_TYPE_TQ2_0, NULL, NULL, mote_neon_dotprod_vec_dot_tq2_0_q8_K},
    {-1, NULL, NULL, NULL},
};

#else
typedef int mote_neon_dotprod_unused; /* not an AArch64 build */
#endif
