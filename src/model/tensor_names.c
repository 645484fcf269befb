/*
 * tensor_names.c — see tensor_names.h.
 */
#include "model/tensor_names.h"

#include <stdio.h>
#include <string.h>

static const char *const names[MOTE_TN_COUNT] = {
    [MOTE_TN_TOKEN_EMBD] = "token_embd",
    [MOTE_TN_TOKEN_TYPES] = "token_types",
    [MOTE_TN_POS_EMBD] = "position_embd",
    [MOTE_TN_TOKEN_EMBD_NORM] = "token_embd_norm",
    [MOTE_TN_OUTPUT_NORM] = "output_norm",
    [MOTE_TN_OUTPUT] = "output",
    [MOTE_TN_ROPE_FREQS] = "rope_freqs",
    [MOTE_TN_ROPE_FACTORS_SHORT] = "rope_factors_short",
    [MOTE_TN_ROPE_FACTORS_LONG] = "rope_factors_long",
    [MOTE_TN_ATTN_NORM] = "blk.%d.attn_norm",
    [MOTE_TN_ATTN_Q] = "blk.%d.attn_q",
    [MOTE_TN_ATTN_K] = "blk.%d.attn_k",
    [MOTE_TN_ATTN_V] = "blk.%d.attn_v",
    [MOTE_TN_ATTN_QKV] = "blk.%d.attn_qkv",
    [MOTE_TN_ATTN_Q_NORM] = "blk.%d.attn_q_norm",
    [MOTE_TN_ATTN_K_NORM] = "blk.%d.attn_k_norm",
    [MOTE_TN_ATTN_SUB_NORM] = "blk.%d.attn_sub_norm",
    [MOTE_TN_ATTN_OUT] = "blk.%d.attn_output",
    [MOTE_TN_ATTN_POST_NORM] = "blk.%d.post_attention_norm",
    [MOTE_TN_ATTN_OUT_NORM] = "blk.%d.attn_output_norm",
    [MOTE_TN_FFN_NORM] = "blk.%d.ffn_norm",
    [MOTE_TN_FFN_GATE] = "blk.%d.ffn_gate",
    [MOTE_TN_FFN_UP] = "blk.%d.ffn_up",
    [MOTE_TN_FFN_SUB_NORM] = "blk.%d.ffn_sub_norm",
    [MOTE_TN_FFN_DOWN] = "blk.%d.ffn_down",
    [MOTE_TN_FFN_POST_NORM] = "blk.%d.post_ffw_norm",
    [MOTE_TN_LAYER_OUT_NORM] = "blk.%d.layer_output_norm",
};

const char *mote_tensor_base(mote_tensor_id id) { return id < MOTE_TN_COUNT ? names[id] : NULL; }

int mote_tensor_in_layer(mote_tensor_id id) { return id < MOTE_TN_COUNT && !strncmp(names[id], "blk.", 4); }

const char *mote_tensor_name(char *buf, size_t cap, mote_tensor_id id, int il, const char *kind) {
    char base[64];
    if (mote_tensor_in_layer(id)) snprintf(base, sizeof base, names[id], il);
    else snprintf(base, sizeof base, "%s", names[id]);
    snprintf(buf, cap, "%s.%s", base, kind);
    return buf;
}
