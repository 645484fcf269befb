/*
 * gemma3.c — Gemma 3 (text): Qwen 3's q/k norms plus
 *   - embeddings multiplied by sqrt(n_embd);
 *   - an RMSNorm on the attention output and on the ffn output, before each
 *     is added to the residual (the GGUF norm weights already include
 *     Gemma's "+1", so they are used as stored);
 *   - a GELU (tanh approximation) gate instead of SiLU;
 *   - local layers that attend to a sliding window of n_swa tokens with
 *     their own rope base (10000 unless the file says), and every
 *     pattern-th layer global (pattern 6 unless the file says);
 *   - queries scaled by 1/sqrt(head size) (by 1/sqrt(n_embd/n_head) on the
 *     62-layer 27B model, as Gemma's reference does).
 */
#include <math.h>

#include "core/error.h"
#include "model/loader.h"

/* Which layers use the sliding window: a bool per layer from the file, or
 * a period n in which all but the last layer are local. */
static int read_swa_pattern(mote_model *m) {
    mote_hparams *hp = &m->hp;
    const char *key = mote_arch_key(m, "attention.sliding_window_pattern");
    mote_gguf_type et;
    uint64_t n;
    int64_t arr = mote_gguf_get_arr(m->gguf, key, &et, &n);
    if (arr >= 0) {
        if (et != MOTE_GGUF_BOOL || n < (uint64_t)hp->n_layer)
            return mote_fail(MOTE_ERR_FORMAT, "'%s' must be an array of %d bools", key, hp->n_layer);
        const uint8_t *v = mote_gguf_arr_data(m->gguf, arr);
        for (int il = 0; il < hp->n_layer; il++) m->layers[il].swa = v[il] != 0;
        return MOTE_OK;
    }
    uint32_t period = mote_gguf_get_u32(m->gguf, key, 6);
    for (int il = 0; il < hp->n_layer; il++) m->layers[il].swa = period == 0 || (il % (int)period) < (int)period - 1;
    return MOTE_OK;
}

/* Gemma's scales and its sliding window (the tensors are declared below). */
static int setup_gemma3(mote_model *m) {
    mote_hparams *hp = &m->hp;
    hp->embd_scale = sqrtf((float)hp->n_embd);
    hp->attn_scale = hp->n_layer == 62 ? 1.0f / sqrtf((float)(hp->n_embd / hp->n_head))
                                       : 1.0f / sqrtf((float)hp->head_dim);
    hp->n_swa = (int32_t)mote_gguf_get_u32(m->gguf, mote_arch_key(m, "attention.sliding_window"), 0);
    if (hp->n_swa > 0) {
        int rc = read_swa_pattern(m);
        if (rc) return rc;
        /* Local layers keep unscaled positions; only global ones use the file's scaling. */
        hp->rope_swa.base = mote_gguf_get_f32(m->gguf, mote_arch_key(m, "rope.freq_base_swa"), 10000.0f);
        hp->rope_swa.freq_scale = 1.0f;
        hp->rope_swa.attn_factor = 1.0f;
        hp->rope_swa.freq_factors = NULL;
    }
    return MOTE_OK;
}

const mote_arch mote_arch_gemma3 = {
    .name = "gemma3",
    .norm = MOTE_NORM_RMS,
    .ffn = MOTE_FFN_GATED,
    .act = MOTE_ACT_GELU_TANH,
    .qkv = MOTE_QKV_SEPARATE,
    .pos = MOTE_POS_ROPE,
    .rope_mode = MOTE_ROPE_NEOX,
    .qk_norm = true,
    .post_norms = true,
    .causal = true,
    .head = MOTE_HEAD_EITHER,
    .setup = setup_gemma3,
};
