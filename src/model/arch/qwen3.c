/*
 * qwen3.c — Qwen 3 (dense): Llama's blocks with NeoX rope (the two halves
 * of each head rotate together) and an RMSNorm on every query and key head
 * before rope.
 */
#include "model/loader.h"

const mote_arch mote_arch_qwen3 = {
    .name = "qwen3",
    .norm = MOTE_NORM_RMS,
    .ffn = MOTE_FFN_GATED,
    .act = MOTE_ACT_SILU,
    .qkv = MOTE_QKV_SEPARATE,
    .pos = MOTE_POS_ROPE,
    .rope_mode = MOTE_ROPE_NEOX,
    .qk_norm = true,
    .causal = true,
    .head = MOTE_HEAD_EITHER,
};
