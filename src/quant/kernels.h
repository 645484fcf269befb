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

#endif
