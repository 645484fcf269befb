/*
 * kernels.h — the reference (portable C) kernels of every weight type.
 *
 * Naming follows one pattern so a reader finds any kernel by guessing:
 *   mote_<type>_to_float, mote_<type>_from_float, mote_vec_dot_<type>[_<act>].
 * The traits table (types.c) is the only place that wires them to type ids.
 */
#ifndef MOTE_QUANT_KERNELS_H
#define MOTE_QUANT_KERNELS_H

#include <stdint.h>

/* plain float types (float_types.c) */
void mote_f32_to_float(const void *src, float *dst, int64_t n);
void mote_f32_from_float(const float *src, void *dst, int64_t n);
void mote_f16_to_float(const void *src, float *dst, int64_t n);
void mote_f16_from_float(const float *src, void *dst, int64_t n);
void mote_bf16_to_float(const void *src, float *dst, int64_t n);
void mote_bf16_from_float(const float *src, void *dst, int64_t n);
float mote_vec_dot_f32(int64_t n, const void *w, const void *x);
float mote_vec_dot_f16_f32(int64_t n, const void *w, const void *x);
float mote_vec_dot_bf16_f32(int64_t n, const void *w, const void *x);
float mote_vec_dot_f16_f16(int64_t n, const void *w, const void *x);
float mote_vec_dot_bf16_bf16(int64_t n, const void *w, const void *x);

/* The quantized types below follow GGML's reference semantics exactly:
 * to_float gives the same float bits as GGML's dequantize_row_*, the 8-bit
 * activation quantizers the same bytes as the quantize_row_q8_{0,1,K} that
 * GGML's CPU backend runs on x86-64/AVX2 (q8.c explains why not _ref), and
 * vec_dot the same sums as GGML's generic dot products up to float rounding
 * (integer sums per block, then float scales). */

/* 8-bit weights and activation formats (q8.c) */
void mote_q8_0_to_float(const void *src, float *dst, int64_t n);
void mote_q8_0_from_float(const float *src, void *dst, int64_t n);
/* The Q8_0/Q8_1 quant multiplier for a block whose largest |x| is amax: 127/amax (0 when that is 0 or overflows). */
float mote_q8_multiplier(float amax);
void mote_q8_1_to_float(const void *src, float *dst, int64_t n);
void mote_q8_1_from_float(const float *src, void *dst, int64_t n);
void mote_q8_K_to_float(const void *src, float *dst, int64_t n);
void mote_q8_K_from_float(const float *src, void *dst, int64_t n);
float mote_vec_dot_q8_0_q8_0(int64_t n, const void *w, const void *x);

/* 4- and 5-bit 32-element blocks (q4_q5.c) */
void mote_q4_0_to_float(const void *src, float *dst, int64_t n);
void mote_q4_1_to_float(const void *src, float *dst, int64_t n);
void mote_q5_0_to_float(const void *src, float *dst, int64_t n);
void mote_q5_1_to_float(const void *src, float *dst, int64_t n);
float mote_vec_dot_q4_0_q8_0(int64_t n, const void *w, const void *x);
float mote_vec_dot_q4_1_q8_1(int64_t n, const void *w, const void *x);
float mote_vec_dot_q5_0_q8_0(int64_t n, const void *w, const void *x);
float mote_vec_dot_q5_1_q8_1(int64_t n, const void *w, const void *x);

/* k-quants, 256-element super-blocks (kquants.c) */
void mote_q2_K_to_float(const void *src, float *dst, int64_t n);
void mote_q3_K_to_float(const void *src, float *dst, int64_t n);
void mote_q4_K_to_float(const void *src, float *dst, int64_t n);
void mote_q5_K_to_float(const void *src, float *dst, int64_t n);
void mote_q6_K_to_float(const void *src, float *dst, int64_t n);
/* The eight 6-bit scales and mins of a Q4_K/Q5_K block, unpacked from its 12 bytes. */
void mote_k4_scales(const uint8_t s[12], uint8_t sc[8], uint8_t mn[8]);
float mote_vec_dot_q2_K_q8_K(int64_t n, const void *w, const void *x);
float mote_vec_dot_q3_K_q8_K(int64_t n, const void *w, const void *x);
float mote_vec_dot_q4_K_q8_K(int64_t n, const void *w, const void *x);
float mote_vec_dot_q5_K_q8_K(int64_t n, const void *w, const void *x);
float mote_vec_dot_q6_K_q8_K(int64_t n, const void *w, const void *x);

/* non-linear 4-bit (iq4.c) */
void mote_iq4_nl_to_float(const void *src, float *dst, int64_t n);
void mote_iq4_xs_to_float(const void *src, float *dst, int64_t n);
float mote_vec_dot_iq4_nl_q8_0(int64_t n, const void *w, const void *x);
float mote_vec_dot_iq4_xs_q8_K(int64_t n, const void *w, const void *x);

/* ternary (ternary.c) */
void mote_tq1_0_to_float(const void *src, float *dst, int64_t n);
void mote_tq2_0_to_float(const void *src, float *dst, int64_t n);
float mote_vec_dot_tq1_0_q8_K(int64_t n, const void *w, const void *x);
float mote_vec_dot_tq2_0_q8_K(int64_t n, const void *w, const void *x);

#endif
