/*
 * bert.c — BERT encoders for embeddings (bge, all-MiniLM, ...): the sum of
 * token, token-type (row 0) and learned position embeddings, LayerNormed;
 * then per layer x = LN(x + attention(x)) and x = LN(x + mlp(x)), the norms
 * after the residual adds ("post-norm"); attention over the whole text
 * (not causal, no rope); biases on every linear layer; a plain GELU MLP.
 * No head: the last hidden states are pooled (the file's pooling_type:
 * mean by default, or the [CLS] token) into one vector per text.
 */
#include "model/loader.h"

const mote_arch mote_arch_bert = {
    .name = "bert",
    .norm = MOTE_NORM_LAYER,
    .post_norm = true,
    .ffn = MOTE_FFN_PLAIN,
    .act = MOTE_ACT_GELU_TANH,
    .qkv = MOTE_QKV_SEPARATE,
    .pos = MOTE_POS_LEARNED,
    .bias = MOTE_BIAS_Q | MOTE_BIAS_K | MOTE_BIAS_V | MOTE_BIAS_O | MOTE_BIAS_UP | MOTE_BIAS_DOWN,
    .token_types = true,
    .embd_norm = true,
    .causal = false,
    .head = MOTE_HEAD_NONE,
    .pooling = MOTE_POOL_MEAN,
};
