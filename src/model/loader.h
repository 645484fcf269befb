/*
 * loader.h — helpers the architecture files use to read hyper-parameters
 * and bind weights, each checking what it binds (presence, shape, type with
 * kernels) and failing with a message that names the tensor.
 */
#ifndef MOTE_MODEL_LOADER_H
#define MOTE_MODEL_LOADER_H

#include "model/model.h"

/* An architecture: its name and the function that fills the model from the
 * file once the shared hyper-parameters are read. */
typedef struct {
    const char *name;
    int (*load)(mote_model *m);
} mote_arch;

extern const mote_arch mote_arch_llama, mote_arch_qwen3, mote_arch_gemma3, mote_arch_phi3;

/* "{arch}.{suffix}" of this model, in a static rotating buffer. */
const char *mote_arch_key(const mote_model *m, const char *suffix);

/* Read the keys every supported architecture shares (sizes, heads, eps,
 * rope base/scaling) and set the defaults the arch file may override. */
int mote_load_common_hparams(mote_model *m);

/* Bind tensor `name` (a printf format with the layer index, if any) as a
 * matrix n_in -> n_out; fails if absent, of another shape, or of a type
 * without a vec_dot kernel. */
int mote_bind_matrix(mote_model *m, mote_weight *w, int64_t n_in, int64_t n_out, const char *fmt, int il);
/* Same but absent is fine: *w is left zeroed and *found false. */
int mote_bind_matrix_opt(mote_model *m, mote_weight *w, int64_t n_in, int64_t n_out, const char *fmt, int il,
                         bool *found);
/* Bind an f32 vector of n elements (norm weights, rope factors). */
int mote_bind_vector(mote_model *m, const float **v, int64_t n, const char *fmt, int il);
int mote_bind_vector_opt(mote_model *m, const float **v, int64_t n, const char *fmt, int il);

/* token_embd, output_norm and output (tied to token_embd when absent). */
int mote_bind_io(mote_model *m);
/* The blocks llama, qwen3 and gemma3 share: attn_norm, attn_q/k/v/output,
 * ffn_norm, ffn_gate/up/down. */
int mote_bind_standard_layer(mote_model *m, int il);
/* attn_q_norm and attn_k_norm (qwen3, gemma3). */
int mote_bind_qk_norms(mote_model *m, int il);

#endif
