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
 * MOTE_PANEL_ROWS rows each, stored->panel_bytes(n_in) bytes apart; rows
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
} mote_weight;

/* How rotary position embedding pairs up dimensions. */
typedef enum {
    MOTE_ROPE_NORMAL,  /* adjacent pairs (x[2i], x[2i+1]): llama */
    MOTE_ROPE_NEOX,    /* halves (x[i], x[i + n_rot/2]): qwen3, gemma3, phi3 */
} mote_rope_mode;

/* The gate's activation in the feed-forward block. */
typedef enum {
    MOTE_ACT_SILU,       /* SwiGLU: silu(gate) * up */
    MOTE_ACT_GELU_TANH,  /* GeGLU with the tanh approximation: gelu(gate) * up */
} mote_activation;

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
    float norm_eps;         /* RMSNorm epsilon */
    float embd_scale;       /* token embeddings are multiplied by this (gemma3: sqrt(n_embd)) */
    float attn_scale;       /* scores are q.k * attn_scale (default 1/sqrt(head_dim)) */
    float logit_softcap;    /* 0: off; else logits = cap * tanh(logits / cap) */
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

typedef struct {
    const float *attn_norm;       /* (n_embd) */
    mote_weight wq;               /* n_embd -> n_head * head_dim */
    mote_weight wk;               /* n_embd -> n_head_kv * head_dim */
    mote_weight wv;               /* n_embd -> n_head_kv * head_dim */
    mote_weight wqkv;             /* fused q|k|v (phi3); when set, wq/wk/wv are unset */
    const float *q_norm;          /* (head_dim) per-head RMSNorm of q, or NULL (qwen3, gemma3) */
    const float *k_norm;          /* (head_dim) per-head RMSNorm of k, or NULL */
    mote_weight wo;               /* n_head * head_dim -> n_embd */
    const float *post_attn_norm;  /* (n_embd) RMSNorm of the attention output, or NULL (gemma3) */
    const float *ffn_norm;        /* (n_embd) */
    mote_weight ffn_gate;         /* n_embd -> n_ff; unset when ffn_up is fused (phi3) */
    mote_weight ffn_up;           /* n_embd -> n_ff, or n_embd -> 2 n_ff as gate|up when fused */
    mote_weight ffn_down;         /* n_ff -> n_embd */
    const float *post_ffn_norm;   /* (n_embd) RMSNorm of the ffn output, or NULL (gemma3) */
    bool swa;                     /* sliding-window attention with rope_swa */
} mote_layer;

struct mote_model {
    mote_gguf *gguf;              /* owns the mapping every pointer below points into */
    mote_hparams hp;
    mote_weight tok_embd;         /* (n_vocab rows of n_embd), read one row at a time */
    const float *output_norm;     /* (n_embd) */
    mote_weight output;           /* n_embd -> n_vocab; token_embd itself when tied */
    mote_layer *layers;           /* (n_layer) */
    uint64_t n_params;
    size_t weight_bytes;
    void *repacked;               /* one allocation holding every repacked matrix, or NULL */
};

#endif
