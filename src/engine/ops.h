/*
 * ops.h — the element-wise and row-wise operations of the forward pass,
 * each on plain float arrays. They follow GGML's arithmetic where it is
 * observable (sums in double for norms and softmax, rope angles built by
 * repeated multiplication, GELU's tanh form) so logits agree with
 * llama.cpp's to float rounding.
 */
#ifndef MOTE_ENGINE_OPS_H
#define MOTE_ENGINE_OPS_H

#include <stdint.h>

#include "model/model.h"

/* out[i] = x[i] / rms(x) * w[i] over n values (w may be NULL: no weight); out may be x. */
void mote_rmsnorm(float *out, const float *x, const float *w, int64_t n, float eps);

/* out = (x - mean(x)) / sqrt(var(x) + eps) * w + b over n values (w, b may
 * be NULL); out may be x. */
void mote_layernorm(float *out, const float *x, const float *w, const float *b, int64_t n, float eps);
/* The model's norm (hp->norm): RMSNorm (b unused) or LayerNorm, with hp->norm_eps. */
void mote_norm(float *out, const float *x, const float *w, const float *b, int64_t n, const mote_hparams *hp);

/* The rotation angles of one position: cs[2i] = cos, cs[2i+1] = sin of
 * theta_i for i < n_rot/2, already multiplied by the rope's attn_factor. */
void mote_rope_angles(float *cs, int32_t n_rot, int32_t pos, const mote_rope *rope);
/* Rotate the first n_rot dimensions of each of n_heads heads of head_dim
 * values in x, in place, by the angles cs of one position. Vectorized where
 * the kernel set has it, bit-identical to mote_rope_apply_portable. */
void mote_rope_apply(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cs,
                     mote_rope_mode mode);
/* mote_rope_apply in plain C, one pair at a time (the tests' reference). */
void mote_rope_apply_portable(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cs,
                              mote_rope_mode mode);

/* The index of the largest of x[0..n) (n >= 1), the lowest among equals: the
 * greedy choice over a step's logits. Same answer as one compare per value
 * in order (x[0] a NaN gives 0, other NaNs never win), faster. */
int32_t mote_argmax(const float *x, int32_t n);

/* x = softmax(x) over n values, in place. */
void mote_softmax(float *x, int64_t n);

/* out[i] = act(gate[i]) * up[i] for i < n (SiLU, GELU-tanh or squared ReLU); out may alias gate.
 * Vectorized where the CPU allows, bit-identical to mote_glu_portable. */
void mote_glu(float *out, const float *gate, const float *up, int64_t n, mote_activation act);
/* mote_glu in plain C, one value at a time (the reference the tests compare
 * the vector versions with). */
void mote_glu_portable(float *out, const float *gate, const float *up, int64_t n, mote_activation act);

/* out[i] = act(x[i]) (no gate: GPT-2's and BERT's MLP); out may be x.
 * Vectorized as mote_glu is, bit-identical to mote_activate_portable. */
void mote_activate(float *out, const float *x, int64_t n, mote_activation act);
void mote_activate_portable(float *out, const float *x, int64_t n, mote_activation act);

/* x[i] = cap * tanh(x[i] / cap). */
void mote_softcap(float *x, int64_t n, float cap);

#endif
