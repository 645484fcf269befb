/*
 * phi3.c — Phi-3 / Phi-4-mini: Llama's blocks with NeoX rope, partial
 * rotary dimensions, a fused q|k|v projection (attn_qkv) and a fused
 * gate|up projection (ffn_up with 2*n_ff rows: the first half is the
 * gate). Long-context files carry two sets of rope divisors ("longrope"):
 * the short ones up to the original context length, the long ones beyond.
 * Phi-3's sliding window is ignored, as llama.cpp does.
 */
#include "model/loader.h"

/* The original context length and the long-rope divisors. */
static int setup_phi3(mote_model *m) {
    mote_hparams *hp = &m->hp;
    hp->n_ctx_orig = (int32_t)mote_gguf_get_u32(m->gguf, mote_arch_key(m, "rope.scaling.original_context_length"),
                                                (uint32_t)hp->n_ctx_train);
    int rc;
    if ((rc = mote_bind_vector_opt(m, &hp->rope.freq_factors, hp->n_rot / 2, "rope_factors_short.weight", 0)) ||
        (rc = mote_bind_vector_opt(m, &hp->freq_factors_long, hp->n_rot / 2, "rope_factors_long.weight", 0)))
        return rc;
    return MOTE_OK;
}

const mote_arch mote_arch_phi3 = {
    .name = "phi3",
    .norm = MOTE_NORM_RMS,
    .ffn = MOTE_FFN_GATED_FUSED,
    .act = MOTE_ACT_SILU,
    .qkv = MOTE_QKV_EITHER,
    .pos = MOTE_POS_ROPE,
    .rope_mode = MOTE_ROPE_NEOX,
    .causal = true,
    .head = MOTE_HEAD_EITHER,
    .setup = setup_phi3,
};
