/*
 * gpt2.c — GPT-2 (gpt2, distilgpt2): the 2019 transformer. Positions are
 * learned rows added to the token embeddings (no rope); LayerNorm with a
 * bias before attention, before the MLP and at the end; one fused attn_qkv
 * projection (rows q, then k, then v); a bias on every linear layer; a
 * plain MLP (up, tanh-GELU, down, no gate); the head tied to token_embd.
 * docs/architectures.md uses this file as its worked example.
 */
#include "model/loader.h"

const mote_arch mote_arch_gpt2 = {
    .name = "gpt2",
    .norm = MOTE_NORM_LAYER,
    .ffn = MOTE_FFN_PLAIN,
    .act = MOTE_ACT_GELU_TANH,
    .qkv = MOTE_QKV_FUSED,
    .pos = MOTE_POS_LEARNED,
    .bias = MOTE_BIAS_QKV | MOTE_BIAS_O | MOTE_BIAS_UP | MOTE_BIAS_DOWN,
    .causal = true,
    .head = MOTE_HEAD_EITHER,
};
