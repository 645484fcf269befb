/*
 * llama.c — the Llama family (Llama 2/3.x, TinyLlama, SmolLM, stories260K):
 * the plain pre-norm transformer every other family varies. Rope rotates
 * adjacent pairs; Llama 3 files carry per-frequency divisors (rope_freqs).
 */
#include "model/loader.h"

static int setup_llama(mote_model *m) {
    return mote_bind_vector_opt(m, &m->hp.rope.freq_factors, m->hp.n_rot / 2, "rope_freqs.weight", 0);
}

const mote_arch mote_arch_llama = {
    .name = "llama",
    .norm = MOTE_NORM_RMS,
    .ffn = MOTE_FFN_GATED,
    .act = MOTE_ACT_SILU,
    .qkv = MOTE_QKV_SEPARATE,
    .pos = MOTE_POS_ROPE,
    .rope_mode = MOTE_ROPE_NORMAL,
    .rope_whole_head = true,
    .causal = true,
    .head = MOTE_HEAD_EITHER,
    .setup = setup_llama,
};
