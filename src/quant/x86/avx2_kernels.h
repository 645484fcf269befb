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
void mote_avx2_f16_from_float(const float *src, void *dst, int64_t n); /* avx2_f16_from_float.c */
void mote_avx2_q8_0_from_float(const float *src, void *dst, int64_t n);
void mote_avx2_q8_1_from_float(const float *src, void *dst, int64_t n);
void mote_avx2_q8_K_from_float(const float *src, void *dst, int64_t n);

float mote_avx2_vec_dot_q8_0_q8_0(int64_t n, const void *w, const void *x);
float mote_avx2_vec_dot_q4_0_q8_0(int64_t n, const void *w, const void *x);
/* Attention of nq <= MOTE_ATTEND_MAX (quant/simd.h) query heads, walked
 * MOTE_AVX2_ATTN_MAX at a time, that read the same cached
 * key/value head (engine/attention.c, attend_block): query j (q[j], hd
 * floats) over rows lo[j]..hi[j]-1 of key/val (rows `stride` elements
 * apart), result in out[j]. qh and acc are scratch for nq * hd floats and
 * nq * hd f16. hd a multiple of 8. */
#include "quant/fp16.h"
#define MOTE_AVX2_ATTN_MAX 4
/* The softmax exponential's table (2^(i/32) as double bits, 64-byte
 * aligned) and constants, shared by the AVX2 and AVX-512 kernels so both
 * give glibc's bits (avx2_attention.c, expf4_nonpos, says how). */
extern const uint64_t mote_exp2_32nds[32];
#define MOTE_EXPF_LOG2E_32 (0x1.71547652b82fep+0 * 32)
#define MOTE_EXPF_C0 (0x1.c6af84b912394p-5 / 32 / 32 / 32)
#define MOTE_EXPF_C1 (0x1.ebfce50fac4f3p-3 / 32 / 32)
#define MOTE_EXPF_C2 (0x1.62e42ff0c52d6p-1 / 32)
#define MOTE_EXPF_UNDER (-0x1.9fe368p6f)
void mote_avx2_attend_block(int32_t hd, float scale, int32_t nq, const float *const *q, float *const *out,
                            const int32_t *lo, const int32_t *hi, const mote_fp16 *key, const mote_fp16 *val,
                            int64_t stride, float *qh, mote_fp16 *acc);
/* y[i] = expf(x[i]) for x[i] <= 0 (or nan), bit for bit glibc's expf on an
 * FMA CPU: the softmax exponential of mote_avx2_attend_block, for tests. */
void mote_avx2_expf_nonpos(int64_t n, const float *x, float *y);
/* engine/ops.c's mote_glu, bit for bit: out[i] = silu(gate[i]) * up[i], and
 * gelu via ops.c's table of f16 results (table[f16 bits of x]). up NULL:
 * no gate, out[i] = silu(gate[i]) or gelu(gate[i]) (mote_activate). */
void mote_avx2_glu_silu(float *out, const float *gate, const float *up, int64_t n);
void mote_avx2_glu_gelu_table(float *out, const float *gate, const float *up, int64_t n, const float *table);
void mote_avx2_rope(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cs, bool neox);
/* The geometry of every AVX2 panel kernel (types.h): 8 weight rows (one
 * 32-bit lane each) x 4 tokens. */
#define MOTE_AVX2_PANEL_ROWS 8
#define MOTE_AVX2_PANEL_COLS 4
/* Stored panels (types.h): the layout Q4_0 matrices are repacked into at load. */
extern const mote_panel_kernels mote_avx2_stored_q4_0;
extern const mote_panel_kernels mote_avx2_stored_q8_0;   /* avx2_stored_q8_0.c */
extern const mote_panel_kernels mote_avx2_stored_q4_K;   /* avx2_stored_kquants.c */
extern const mote_panel_kernels mote_avx2_stored_q5_K;
extern const mote_panel_kernels mote_avx2_stored_q6_K;
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

/* Panel kernels (types.h, avx2_panel_q32.c): Q8_0-activation 32-weight block types. */
extern const mote_panel_kernels mote_avx2_panel_q4_0;
extern const mote_panel_kernels mote_avx2_panel_q5_0;
extern const mote_panel_kernels mote_avx2_panel_q8_0;
extern const mote_panel_kernels mote_avx2_panel_iq4_nl;
extern const mote_panel_kernels mote_avx2_panel_q4_1;
extern const mote_panel_kernels mote_avx2_panel_q5_1;
/* Panel kernels (types.h) of the k-quants, Q8_K activations (avx2_panel_kquants.c). */
extern const mote_panel_kernels mote_avx2_panel_q2_K;
extern const mote_panel_kernels mote_avx2_panel_q3_K;
extern const mote_panel_kernels mote_avx2_panel_q4_K;
extern const mote_panel_kernels mote_avx2_panel_q5_K;
extern const mote_panel_kernels mote_avx2_panel_q6_K;
/* Panel kernels (types.h) of F16 and BF16 weights, bit for bit their
 * one-token dots, and the BF16 x BF16 dot (avx2_panel_float.c). */
extern const mote_panel_kernels mote_avx2_panel_f16;
extern const mote_panel_kernels mote_avx2_panel_bf16;
float mote_avx2_vec_dot_bf16_bf16(int64_t n, const void *w, const void *x);
/* The F16 and BF16 panels' activation rows (the AVX-512 ones too): n floats
 * rounded to f16 as mote_f32_to_fp16 rounds them, or to bf16 as
 * mote_f32_to_bf16 does, kept as floats. */
void mote_avx2_f16_round_float(const float *x, void *dst, int64_t n);
void mote_avx2_bf16_round_float(const float *x, void *dst, int64_t n);

#endif
