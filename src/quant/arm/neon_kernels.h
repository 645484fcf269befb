/*
 * neon_kernels.h — the NEON kernels by name (baseline neon.c, and the
 * dot-product versions of neon_dotprod.c on AArch64), for the kernel lists
 * and the benchmark. Same contracts as the references in kernels.h.
 */
#ifndef MOTE_QUANT_ARM_NEON_KERNELS_H
#define MOTE_QUANT_ARM_NEON_KERNELS_H

#include <stdint.h>

#define MOTE_NEON_INTEGER_KERNELS(P)                                           \
    float P##vec_dot_q8_0_q8_0(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_q4_0_q8_0(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_q4_1_q8_1(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_q5_0_q8_0(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_q5_1_q8_1(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_iq4_nl_q8_0(int64_t n, const void *w, const void *x);     \
    float P##vec_dot_iq4_xs_q8_K(int64_t n, const void *w, const void *x);     \
    float P##vec_dot_q2_K_q8_K(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_q3_K_q8_K(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_q4_K_q8_K(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_q5_K_q8_K(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_q6_K_q8_K(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_tq1_0_q8_K(int64_t n, const void *w, const void *x);       \
    float P##vec_dot_tq2_0_q8_K(int64_t n, const void *w, const void *x);

MOTE_NEON_INTEGER_KERNELS(mote_neon_)
MOTE_NEON_INTEGER_KERNELS(mote_neon_dotprod_)

float mote_neon_vec_dot_f32(int64_t n, const void *w, const void *x);
float mote_neon_vec_dot_f16_f32(int64_t n, const void *w, const void *x);
float mote_neon_vec_dot_bf16_f32(int64_t n, const void *w, const void *x);
void mote_neon_q8_0_from_float(const float *src, void *dst, int64_t n);
void mote_neon_q8_1_from_float(const float *src, void *dst, int64_t n);
void mote_neon_q8_K_from_float(const float *src, void *dst, int64_t n);

#endif
