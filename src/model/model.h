/*
 * model.h — the in-memory form of a loaded model: hyper-parameters and one
 * pointer per weight, with its shape in a comment (llama2.c's lesson).
 *
 * The shared loader (model.c, loader.c) reads what every architecture has;
 * each file in arch/ reads what its family adds and sets the switches that
 * the forward pass (engine/forward.c) consults: rope mode, activation,
 * optional norms, fused tensors. Nothing here is per-sequence state: that
 * lives in mote_context (engine/context.h).
 */
#ifndef MOTE_MODEL_MODEL_H
#define MOTE_MODEL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "mote.h"
#include "quant/types.h"

/* A matrix used in place from the mapping: n_out rows of n_in weights,
 * y = W x maps n_in activations to n_out outputs. When `stored` is set the
 * matrix was repacked at load (model/repack.c) and data holds its panels,
 * stored->rows rows each, stored->panel_bytes(n_in) bytes apart; rows
 * are then no longer at data + r * row_bytes. */
typedef struct {
    const char *name;              /* tensor name, for messages */
    const void *data;              /* row r starts at data + r * row_bytes */
    int type;                      /* mote_type */
    const mote_type_traits *traits;
    int64_t n_in;                  /* ne[0]: row length */
    int64_t n_out;                 /* ne[1]: number of rows */
    size_t row_bytes;
    const mote_panel_kernels *stored;
    const float *bias;             /* (n_out) added after the product, or NULL */
} mote_weight;

/* How rotary position embedding pairs up dimensions. */
typedef enum {
    MOTE_ROPE_NORMAL,  /* adjacent pairs (x[2i], x[2i+1]): llama */
    MOTE_ROPE_NEOX,    /* halves (x[i], x[i + n_rot/2]): qwen3, gemma3, phi3 */
} mote_rope_mode;

/* The activation in the feed-forward block (of the gate when it is gated). */
typedef enum {
    MOTE_ACT_SILU,       /* SwiGLU: silu(gate) * up */
    MOTE_ACT_GELU_TANH,  /* GeGLU with the tanh approximation: gelu(gate) * up */
    MOTE_ACT_RELU_SQR,   /* relu(x)^2 */
} mote_activation;

/* ---- variation points: what an architecture declares (model/arch/) ---- */

/* Which normalisation every norm of the model is. */
typedef enum {
    MOTE_NORM_RMS,    /* x / rms(x) * w */
    MOTE_NORM_LAYER,  /* (x - mean) / std(x) * w + b */
} mote_norm_kind;

/* The feed-forward block's shape. */
typedef enum {
    MOTE_FFN_GATED,        /* down(act(gate x) * up x), gate and up separate */
    MOTE_FFN_GATED_FUSED,  /* the same with gate|up in one ffn_up of 2 n_ff rows (phi3) */
    MOTE_FFN_PLAIN,        /* down(act(up x)): no gate (gpt2, bert) */
} mote_ffn_kind;

/* How positions enter the model. */
typedef enum {
    MOTE_POS_ROPE,     /* rotary, on q and k (mode, partial rotation and factors in the hparams) */
    MOTE_POS_LEARNED,  /* a learned row per absolute position added to the embeddings */
    MOTE_POS_NONE,
} mote_pos_kind;

/* Pooling of the last hidden states into one vector per text; numbered as
 * llama.cpp's {arch}.pooling_type. */
typedef enum {
    MOTE_POOL_NONE = 0,
    MOTE_POOL_MEAN = 1,
    MOTE_POOL_CLS = 2,
    MOTE_POOL_LAST = 3,
} mote_pool_kind;

/* One set of rotary frequencies: theta_i = pos * freq_scale * base^(-2i/n_rot) / factor_i. */
typedef struct {
    float base;                 /* rope.freq_base */
    float freq_scale;           /* 1 / rope.scaling.factor (linear scaling) */
    float attn_factor;          /* multiplies cos and sin (rope.scaling.attn_factor) */
    const float *freq_factors;  /* (n_rot/2) divisors of each frequency, or NULL (llama3, phi3 longrope) */
} mote_rope;

typedef struct {
    char arch[16];
    int32_t n_vocab;        /* rows of the output head */
    int32_t n_ctx_train;    /* context length the model was trained for */
    int32_t n_embd;         /* width of the residual stream */
    int32_t n_layer;
    int32_t n_head;         /* query heads */
    int32_t n_head_kv;      /* key/value heads (GQA: n_head is a multiple) */
    int32_t head_dim;       /* per head, keys and values alike (attention.key_length) */
    int32_t n_rot;          /* dimensions rotated by rope (<= head_dim) */
    int32_t n_ff;           /* hidden width of the feed-forward block */
    float norm_eps;         /* epsilon of every norm */
    mote_norm_kind norm;    /* see the variation points above */
    bool post_norm;         /* norm after each residual add (bert), not before each block */
    mote_ffn_kind ffn;
    mote_pos_kind pos;
    bool causal;            /* false: every token attends to the whole text (bert) */
    mote_pool_kind pooling; /* embedding models: the file's pooling; decoders: MOTE_POOL_NONE */
    float embd_scale;       /* token embeddings are multiplied by this (gemma3: sqrt(n_embd)) */
    float attn_scale;       /* scores are q.k * attn_scale (default 1/sqrt(head_dim)) */
    float logit_softcap;    /* 0: off; else logits = cap * tanh(logits / cap) */
    float attn_softcap;     /* 0: off; else attention scores = cap * tanh(score / cap) (gemma2) */
    mote_rope_mode rope_mode;
    mote_activation act;
    mote_rope rope;         /* global-attention layers */
    mote_rope rope_swa;     /* sliding-window layers (gemma3: own base) */
    int32_t n_swa;          /* sliding window in tokens; 0: none */
    /* Phi-3 "longrope": factors for contexts longer than n_ctx_orig replace
     * rope.freq_factors (the short ones) when a context is that long. */
    const float *freq_factors_long;  /* (n_rot/2) or NULL */
    int32_t n_ctx_orig;              /* rope.scaling.original_context_length */
} mote_hparams;

/* Every weight below may carry a bias (mote_weight.bias), and every norm
 * may have one (`*_b`, LayerNorm only): NULL when the family has none. */
typedef struct {
    const float *attn_norm;       /* (n_embd); NULL with post-norms (bert) */
    const float *attn_norm_b;
    mote_weight wq;               /* n_embd -> n_head * head_dim */
    mote_weight wk;               /* n_embd -> n_head_kv * head_dim */
    mote_weight wv;               /* n_embd -> n_head_kv * head_dim */
    mote_weight wqkv;             /* fused q|k|v (phi3); when set, wq/wk/wv are unset */
    const float *q_norm;          /* (head_dim) per-head RMSNorm of q, or NULL (qwen3, gemma3) */
    const float *k_norm;          /* (head_dim) per-head RMSNorm of k, or NULL */
    const float *attn_sub_norm;   /* (n_head * head_dim) norm of the attention output before wo, or NULL (bitnet) */
    mote_weight wo;               /* n_head * head_dim -> n_embd */
    const float *post_attn_norm;  /* (n_embd) RMSNorm of the attention output, or NULL (gemma3) */
    const float *attn_out_norm;   /* (n_embd) post-norm of x after the attention residual, or NULL (bert) */
    const float *attn_out_norm_b;
    const float *ffn_norm;        /* (n_embd); NULL with post-norms */
    const float *ffn_norm_b;
    mote_weight ffn_gate;         /* n_embd -> n_ff; unset when ffn_up is fused (phi3) */
    mote_weight ffn_up;           /* n_embd -> n_ff, or n_embd -> 2 n_ff as gate|up when fused */
    const float *ffn_sub_norm;    /* (n_ff) norm of the activation before ffn_down, or NULL (bitnet) */
    mote_weight ffn_down;         /* n_ff -> n_embd */
    const float *post_ffn_norm;   /* (n_embd) RMSNorm of the ffn output, or NULL (gemma3) */
    const float *layer_out_norm;  /* (n_embd) post-norm of x after the ffn residual, or NULL (bert) */
    const float *layer_out_norm_b;
    bool swa;                     /* sliding-window attention with rope_swa */
    bool no_rope;                 /* no rotary positions in this layer (SmolLM3: every 4th) */
} mote_layer;

struct mote_model {
    mote_gguf *gguf;              /* owns the mapping every pointer below points into */
    mote_hparams hp;
    mote_weight tok_embd;         /* (n_vocab rows of n_embd), read one row at a time */
    mote_weight tok_types;        /* (token types rows of n_embd); row 0 is added to every token (bert), or unset */
    mote_weight pos_embd;         /* (n_ctx_train rows of n_embd) learned positions, or unset */
    const float *embd_norm;       /* (n_embd) norm of the summed embeddings, or NULL (bert) */
    const float *embd_norm_b;
    const float *output_norm;     /* (n_embd), NULL without a head */
    const float *output_norm_b;
    mote_weight output;           /* n_embd -> n_vocab; token_embd itself when tied; unset without a head */
    mote_layer *layers;           /* (n_layer) */
    uint64_t n_params;
    size_t weight_bytes;
    void *repacked;               /* one allocation holding every repacked matrix, or NULL */
    size_t repacked_bytes;        /* its size */
    size_t locked_bytes;          /* mlocked (mote_model_params.mlock) */
    char lock_error[160];         /* why locking failed, or "" */
    char repack_note[200];        /* why the weights were not repacked (no memory), or "" */
    float *vectors;               /* copies of the bound f32 vectors (norms, biases, rope factors) */
    size_t n_vectors_used, n_vectors_cap; /* floats of it used, and allocated */
    bool vector_in_file;          /* some vector is read from the mapping (no room to copy it) */
    bool file_mapped;             /* the file is mapped (not read into memory): its pages can be dropped */
    uint8_t *bound;               /* while loading: which of the file's tensors were bound */
};

#endif
