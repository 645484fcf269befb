/*
 * bitnet.c — BitNet b1.58 as llama.cpp's `bitnet` architecture defines it:
 * Llama's blocks with NeoX rope, plus an RMSNorm of the attention output
 * before attn_output (attn_sub_norm) and of the gated activation before
 * ffn_down (ffn_sub_norm). The weights are ternary ({-s, 0, +s}), stored
 * without loss as TQ1_0 / TQ2_0; the head is token_embd.
 */
#include "model/loader.h"

const mote_arch mote_arch_bitnet = {
    .name = "bitnet",
    .norm = MOTE_NORM_RMS,
    .ffn = MOTE_FFN_GATED,
    .act = MOTE_ACT_SILU,
    .qkv = MOTE_QKV_SEPARATE,
    .pos = MOTE_POS_ROPE,
    .rope_mode = MOTE_ROPE_NEOX,
    .sub_norms = true,
    .causal = true,
    .head = MOTE_HEAD_TIED,
};
