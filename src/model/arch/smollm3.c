/*
 * smollm3.c — SmolLM3: Llama's blocks (rope on adjacent pairs, whole heads)
 * except that every 4th layer has no rotary positions at all ("NoPE"
 * layers: layers 3, 7, 11, ... see their keys without a position), as
 * llama.cpp's smollm3 architecture fixes the step at 4.
 */
#include "model/loader.h"

#define NO_ROPE_LAYER_STEP 4

static int setup_smollm3(mote_model *m) {
    for (int il = 0; il < m->hp.n_layer; il++) m->layers[il].no_rope = (il + 1) % NO_ROPE_LAYER_STEP == 0;
    return MOTE_OK;
}

const mote_arch mote_arch_smollm3 = {
    .name = "smollm3",
    .norm = MOTE_NORM_RMS,
    .ffn = MOTE_FFN_GATED,
    .act = MOTE_ACT_SILU,
    .qkv = MOTE_QKV_SEPARATE,
    .pos = MOTE_POS_ROPE,
    .rope_mode = MOTE_ROPE_NORMAL,
    .rope_whole_head = true,
    .causal = true,
    .head = MOTE_HEAD_EITHER,
    .setup = setup_smollm3,
};
