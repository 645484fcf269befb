/*
 * tensor_names.h — the one table of GGUF tensor names (as llama.cpp's
 * converter writes them), shared by the loader, which binds them, and by
 * `mote synth`, which writes them. A tensor is named by its id, its layer
 * (for blk.N.* ones) and its kind (".weight" or ".bias").
 */
#ifndef MOTE_MODEL_TENSOR_NAMES_H
#define MOTE_MODEL_TENSOR_NAMES_H

#include <stddef.h>

typedef enum {
    /* outside the blocks */
    MOTE_TN_TOKEN_EMBD,         /* token_embd: one row per token */
    MOTE_TN_TOKEN_TYPES,        /* token_types: one row per token type (BERT) */
    MOTE_TN_POS_EMBD,           /* position_embd: learned absolute positions (GPT-2, BERT) */
    MOTE_TN_TOKEN_EMBD_NORM,    /* token_embd_norm: norm of the summed embeddings (BERT) */
    MOTE_TN_OUTPUT_NORM,        /* output_norm */
    MOTE_TN_OUTPUT,             /* output: the head, unless tied to token_embd */
    MOTE_TN_ROPE_FREQS,         /* rope_freqs: per-frequency divisors (Llama 3) */
    MOTE_TN_ROPE_FACTORS_SHORT, /* rope_factors_short / _long: Phi-3 longrope */
    MOTE_TN_ROPE_FACTORS_LONG,
    /* per layer */
    MOTE_TN_ATTN_NORM,          /* pre-norm of the attention block */
    MOTE_TN_ATTN_Q,
    MOTE_TN_ATTN_K,
    MOTE_TN_ATTN_V,
    MOTE_TN_ATTN_QKV,           /* fused q|k|v */
    MOTE_TN_ATTN_Q_NORM,        /* per-head norms of q and k */
    MOTE_TN_ATTN_K_NORM,
    MOTE_TN_ATTN_SUB_NORM,      /* norm of the attention output before attn_output (BitNet) */
    MOTE_TN_ATTN_OUT,           /* attn_output */
    MOTE_TN_ATTN_POST_NORM,     /* post_attention_norm: of the block's output (Gemma) */
    MOTE_TN_ATTN_OUT_NORM,      /* attn_output_norm: post-norm after the residual add (BERT) */
    MOTE_TN_FFN_NORM,           /* pre-norm of the feed-forward block */
    MOTE_TN_FFN_GATE,
    MOTE_TN_FFN_UP,             /* or gate|up fused (Phi-3) */
    MOTE_TN_FFN_SUB_NORM,       /* norm of the activation before ffn_down (BitNet) */
    MOTE_TN_FFN_DOWN,
    MOTE_TN_FFN_POST_NORM,      /* post_ffw_norm (Gemma) */
    MOTE_TN_LAYER_OUT_NORM,     /* layer_output_norm: post-norm after the ffn residual (BERT) */
    MOTE_TN_COUNT
} mote_tensor_id;

/* The name's format: "token_embd" or "blk.%d.attn_q" (no kind suffix). */
const char *mote_tensor_base(mote_tensor_id id);
/* True for blk.N.* tensors. */
int mote_tensor_in_layer(mote_tensor_id id);
/* The full name, e.g. "blk.3.attn_q.bias", into buf (il ignored outside
 * the blocks); returns buf. */
const char *mote_tensor_name(char *buf, size_t cap, mote_tensor_id id, int il, const char *kind);

#endif
