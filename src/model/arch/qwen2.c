/*
 * qwen2.c — Qwen 2 / 2.5: Llama's blocks with NeoX rope and a bias on the
 * query, key and value projections (added before rope). Small Qwen 2.5
 * models tie the head to the embeddings, larger ones do not.
 */
#include "model/loader.h"

const mote_arch mote_arch_qwen2 = {
    .name = "qwen2",
    .norm = MOTE_NORM_RMS,
    .ffn = MOTE_FFN_GATED,
    .act = MOTE_ACT_SILU,
    .qkv = MOTE_QKV_SEPARATE,
    .pos = MOTE_POS_ROPE,
    .rope_mode = MOTE_ROPE_NEOX,
    .bias = MOTE_BIAS_Q | MOTE_BIAS_K | MOTE_BIAS_V,
    .causal = true,
    .head = MOTE_HEAD_EITHER,
};
