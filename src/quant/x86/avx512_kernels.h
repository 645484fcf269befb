/*
 * avx512_kernels.h — the AVX-512 (F, BW, VL, VNNI) kernels, by name (for the
 * lists in avx512_set.c and for the tests and benchmark that compare each
 * one with its reference). Same contracts as the references.
 */
#ifndef MOTE_QUANT_X86_AVX512_KERNELS_H
#define MOTE_QUANT_X86_AVX512_KERNELS_H

#include "quant/types.h"

/* The geometry of the AVX-512 panel kernels (types.h): 16 weight rows (one
 * 32-bit lane of a 512-bit register each) x 8 tokens. */
#define MOTE_AVX512_PANEL_ROWS 16
#define MOTE_AVX512_PANEL_COLS 8

/* Panel kernels (types.h) of the Q8_0-activation 32-weight block types, and
 * the stored Q4_0 and Q5_0 layouts (avx512_panel_q32.c). */
extern const mote_panel_kernels mote_avx512_panel_q4_0;
extern const mote_panel_kernels mote_avx512_panel_q5_0;
extern const mote_panel_kernels mote_avx512_panel_q8_0;
extern const mote_panel_kernels mote_avx512_panel_iq4_nl;
extern const mote_panel_kernels mote_avx512_stored_q4_0;
extern const mote_panel_kernels mote_avx512_stored_q5_0;
/* Panel kernels (types.h) of the k-quants, Q8_K activations (avx512_panel_kquants.c). */
extern const mote_panel_kernels mote_avx512_panel_q2_K;
extern const mote_panel_kernels mote_avx512_panel_q3_K;
extern const mote_panel_kernels mote_avx512_panel_q4_K;
extern const mote_panel_kernels mote_avx512_panel_q5_K;
extern const mote_panel_kernels mote_avx512_panel_q6_K;
/* F16 and BF16 weights, bit for bit the AVX2 one-token dots
 * (avx512_panel_float.c). */
extern const mote_panel_kernels mote_avx512_panel_f16;
extern const mote_panel_kernels mote_avx512_panel_bf16;
/* The AVX2 stored k-quant layout (avx2_stored_kquants.c) multiplied with
 * VNNI, 8 rows x 8 tokens (avx512_stored_kquants.c). */
extern const mote_panel_kernels mote_avx512_stored_q4_K;
extern const mote_panel_kernels mote_avx512_stored_q5_K;
extern const mote_panel_kernels mote_avx512_stored_q6_K;
/* The "avx512bf16" set (AVX512_BF16, vdpbf16ps): BF16 weights with BF16
 * activations, one token and panels (avx512bf16_float.c). */
float mote_avx512bf16_vec_dot_bf16_bf16(int64_t n, const void *w, const void *x);
extern const mote_panel_kernels mote_avx512bf16_panel_bf16;

/* Attention (quant/simd.h's attend_block; contract beside
 * mote_avx2_attend_block, same numbers bit for bit): 16 queries at a time
 * (avx512_attention.c). */
#include "quant/fp16.h"
void mote_avx512_attend_block(int32_t hd, float scale, int32_t nq, const float *const *q, float *const *out,
                              const int32_t *lo, const int32_t *hi, const mote_fp16 *key, const mote_fp16 *val,
                              int64_t stride, float *qh, mote_fp16 *acc);
/* The softmax exponential of mote_avx512_attend_block (glibc's expf bits for
 * x <= 0 or nan), for tests. */
void mote_avx512_expf_nonpos(int64_t n, const float *x, float *y);

#endif
