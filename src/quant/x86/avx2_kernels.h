/*
 * avx2_kernels.h — the AVX2 (+FMA, F16C) kernels, by name (for the kernel
 * list in avx2_set.c and for the tests and benchmark that compare each one
 * with its reference in kernels.h). Same contracts as the references.
 */
#ifndef MOTE_QUANT_X86_AVX2_KERNELS_H
#define MOTE_QUANT_X86_AVX2_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "quant/types.h"

float mote_avx2_vec_dot_f32(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_f16_f32(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_f16_f16(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_bf16_f32(int64_t n, const void *w, const void *x);
void mote_avx2_f16_to_float(const void *src, float *dst, int64_t n);
void mote_avx2_q8_0_from_float(const float *src, void *dst, int64_t n);
void mote_avx2_q8_1_from_float(const float *src, void *dst, int64_t n);
void mote_avx2_q8_K_from_float(const float *src, void *dst, int64_t n);

float mote_avx2_vec_dot_q8_0_q8_0(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_q4_0_q8_0(int64_t n, const void *w, const void *x);
/* One query head over len cached rows (engine/attention.c, attend_head);
 * hd a multiple of 8. */
#include "quant/fp16.h"
void mote_avx2_attend_head(int32_t hd, float scale, const float *q, const mote_fp16 *key, const mote_fp16 *val,
                           int64_t stride, int32_t len, float *out, float *qh, mote_fp16 *acc);
/* Stored panels (types.h): the layout Q4_0 matrices are repacked into at load. */
extern const mote_panel_kernels mote_avx2_stored_q4_0;
/* vec_dot_multi (types.h): MOTE_DOT_COLS activation rows per weight row. */
void mote_avx2_vec_dot_multi_q8_0_q8_0(int64_t n, const void *w, const void *x, size_t x_stride, float *y,
                                       size_t y_stride);
void mote_avx2_vec_dot_multi_q4_K_q8_K(int64_t n, const void *w, const void *x, size_t x_stride, float *y,
                                       size_t y_stride);
void mote_avx2_vec_dot_multi_q6_K_q8_K(int64_t n, const void *w, const void *x, size_t x_stride, float *y,
                                       size_t y_stride);
void mote_avx2_vec_dot_multi_q4_0_q8_0(int64_t n, const void *w, const void *x, size_t x_stride, float *y,
                                       size_t y_stride);
float mote_avx2_vec_dot_q4_1_q8_1(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_q5_0_q8_0(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_q5_1_q8_1(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_iq4_nl_q8_0(int64_t n, const void *w, const void *x);

float mote_avx2_vec_dot_q2_K_q8_K(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_q3_K_q8_K(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_q4_K_q8_K(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_q5_K_q8_K(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_q6_K_q8_K(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_iq4_xs_q8_K(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_tq1_0_q8_K(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_tq2_0_q8_K(int64_t n, const void *w, const void *x);

/* Panel kernels (types.h) of the k-quants, Q8_K activations (avx2_panel_kquants.c). */
#include "quant/types.h"
extern const mote_panel_kernels mote_avx2_panel_q2_K;
extern const mote_panel_kernels mote_avx2_panel_q3_K;
extern const mote_panel_kernels mote_avx2_panel_q4_K;
extern const mote_panel_kernels mote_avx2_panel_q5_K;
extern const mote_panel_kernels mote_avx2_panel_q6_K;

#endif
