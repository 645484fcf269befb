/*
 * loader.h — architectures as declarations, and the helpers that read
 * hyper-parameters and bind weights, each checking what it binds
 * (presence, shape, type with kernels) and failing with a message that
 * names the tensor.
 *
 * An architecture (one file in arch/, one line in model.c's registry)
 * declares its variation points in a mote_arch: norm kind, FFN kind,
 * position kind, which linear layers have biases, optional norms, head,
 * pooling. The shared loader binds exactly the tensors the declaration
 * implies (names from tensor_names.h) and refuses a file with a tensor it
 * does not declare, naming it. A `setup` hook reads what no declaration
 * says (Gemma's sliding-window pattern, Phi-3's long-rope factors).
 * docs/architectures.md walks through adding one.
 */
#ifndef MOTE_MODEL_LOADER_H
#define MOTE_MODEL_LOADER_H

#include "model/model.h"

/* One bit per linear layer that may carry a bias. */
enum {
    MOTE_BIAS_Q = 1u << 0,
    MOTE_BIAS_K = 1u << 1,
    MOTE_BIAS_V = 1u << 2,
    MOTE_BIAS_QKV = 1u << 3,
    MOTE_BIAS_O = 1u << 4,
    MOTE_BIAS_GATE = 1u << 5,
    MOTE_BIAS_UP = 1u << 6,
    MOTE_BIAS_DOWN = 1u << 7,
    MOTE_BIAS_OUTPUT = 1u << 8,
    MOTE_BIAS_ALL = (1u << 9) - 1,
};

/* Whether q, k and v come from separate matrices, one fused attn_qkv, or either. */
typedef enum { MOTE_QKV_SEPARATE, MOTE_QKV_FUSED, MOTE_QKV_EITHER } mote_qkv_kind;

/* The output head. */
typedef enum {
    MOTE_HEAD_EITHER,    /* output.weight if present, else tied to token_embd */
    MOTE_HEAD_TIED,      /* always token_embd */
    MOTE_HEAD_SEPARATE,  /* output.weight required */
    MOTE_HEAD_NONE,      /* an embedding model: no output_norm, no head */
} mote_head_kind;

typedef struct {
    const char *name;          /* general.architecture */
    mote_norm_kind norm;       /* RMSNorm (eps key ...layer_norm_rms_epsilon) or LayerNorm with bias (...layer_norm_epsilon) */
    bool post_norm;            /* norms after the residual adds (attn_output_norm, layer_output_norm), none before */
    mote_ffn_kind ffn;
    mote_activation act;
    mote_qkv_kind qkv;
    mote_pos_kind pos;
    mote_rope_mode rope_mode;  /* with MOTE_POS_ROPE */
    bool rope_whole_head;      /* refuse partial rotation (rope.dimension_count < head size) */
    unsigned bias;             /* MOTE_BIAS_* the file must have */
    unsigned bias_optional;    /* MOTE_BIAS_* the file may have */
    bool qk_norm;              /* attn_q_norm / attn_k_norm per head */
    bool post_norms;           /* post_attention_norm / post_ffw_norm (Gemma: on the block outputs) */
    bool sub_norms;            /* attn_sub_norm / ffn_sub_norm (BitNet) */
    bool token_types;          /* may have token_types rows (row 0 is added to every token) */
    bool embd_norm;            /* token_embd_norm on the summed embeddings */
    bool causal;               /* default of {arch}.attention.causal */
    mote_head_kind head;
    mote_pool_kind pooling;    /* embedding models: default of {arch}.pooling_type */
    /* What the declaration cannot say, after everything declared is bound; NULL: nothing. */
    int (*setup)(mote_model *m);
} mote_arch;

extern const mote_arch mote_arch_llama, mote_arch_qwen3, mote_arch_gemma3, mote_arch_phi3, mote_arch_qwen2,
    mote_arch_gpt2, mote_arch_bert, mote_arch_bitnet, mote_arch_smollm3, mote_arch_gemma2;

/* The registered architecture called `name`, or NULL (model.c). */
const mote_arch *mote_arch_find(const char *name);

/* "{arch}.{suffix}" of this model, in a static rotating buffer. */
const char *mote_arch_key(const mote_model *m, const char *suffix);

/* Read the keys every supported architecture shares (sizes, heads, eps,
 * rope base/scaling) and set the defaults of the declaration. */
int mote_load_common_hparams(mote_model *m, const mote_arch *a);

/* Bind every tensor the declaration implies; then the file must hold no
 * other tensor (checked by mote_check_all_bound after `setup`). */
int mote_bind_declared(mote_model *m, const mote_arch *a);
int mote_check_all_bound(mote_model *m);

/* Bind tensor `name` (a printf format with the layer index, if any) as a
 * matrix n_in -> n_out; fails if absent, of another shape, or of a type
 * without a vec_dot kernel. */
int mote_bind_matrix(mote_model *m, mote_weight *w, int64_t n_in, int64_t n_out, const char *fmt, int il);
/* Same but absent is fine: *w is left zeroed and *found false. */
int mote_bind_matrix_opt(mote_model *m, mote_weight *w, int64_t n_in, int64_t n_out, const char *fmt, int il,
                         bool *found);
/* Bind an f32 vector of n elements (norm weights, biases, rope factors). */
int mote_bind_vector(mote_model *m, const float **v, int64_t n, const char *fmt, int il);
int mote_bind_vector_opt(mote_model *m, const float **v, int64_t n, const char *fmt, int il);

#endif
