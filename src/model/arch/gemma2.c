/*
 * gemma2.c — Gemma 2: Gemma 3's blocks without the q/k norms (embeddings
 * times sqrt(n_embd), GELU gate, norms on each block's output), plus
 * soft-capping: attention scores become cap * tanh(score / cap) (the file's
 * attn_logit_softcapping, 50 by default) and so do the logits
 * (final_logit_softcapping, 30). Every other layer, from the first, attends
 * to a sliding window (4096 tokens unless the file says), with the same
 * rope as the global layers. The defaults are llama.cpp's.
 */
#include <math.h>

#include "core/error.h"
#include "model/loader.h"

static int setup_gemma2(mote_model *m) {
    mote_hparams *hp = &m->hp;
    hp->embd_scale = sqrtf((float)hp->n_embd);
    /* the 27B model (46 layers) scales queries by n_embd / n_head, as Gemma's reference does */
    hp->attn_scale = hp->n_layer == 46 ? 1.0f / sqrtf((float)(hp->n_embd / hp->n_head))
                                       : 1.0f / sqrtf((float)hp->head_dim);
    hp->attn_softcap = mote_gguf_get_f32(m->gguf, mote_arch_key(m, "attn_logit_softcapping"), 50.0f);
    hp->logit_softcap = mote_gguf_get_f32(m->gguf, mote_arch_key(m, "final_logit_softcapping"), 30.0f);
    hp->n_swa = (int32_t)mote_gguf_get_u32(m->gguf, mote_arch_key(m, "attention.sliding_window"), 4096);
    uint32_t period = mote_gguf_get_u32(m->gguf, mote_arch_key(m, "attention.sliding_window_pattern"), 2);
    for (int il = 0; il < hp->n_layer; il++) m->layers[il].swa = period == 0 || (il % (int)period) < (int)period - 1;
    hp->rope_swa = hp->rope;
    hp->rope_swa.base = mote_gguf_get_f32(m->gguf, mote_arch_key(m, "rope.freq_base_swa"), hp->rope.base);
    if (!(hp->attn_softcap >= 0.0f) || !(hp->logit_softcap >= 0.0f))
        return mote_fail(MOTE_ERR_FORMAT, "gemma2's soft-capping values must not be negative");
    return MOTE_OK;
}

const mote_arch mote_arch_gemma2 = {
    .name = "gemma2",
    .norm = MOTE_NORM_RMS,
    .ffn = MOTE_FFN_GATED,
    .act = MOTE_ACT_GELU_TANH,
    .qkv = MOTE_QKV_SEPARATE,
    .pos = MOTE_POS_ROPE,
    .rope_mode = MOTE_ROPE_NEOX,
    .post_norms = true,
    .causal = true,
    .head = MOTE_HEAD_EITHER,
    .setup = setup_gemma2,
};
