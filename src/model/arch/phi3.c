/*
 * phi3.c — Phi-3 / Phi-4-mini: Llama's blocks with NeoX rope, partial
 * rotary dimensions, a fused q|k|v projection (attn_qkv) and a fused
 * gate|up projection (ffn_up with 2*n_ff rows: the first half is the
 * gate). Long-context files carry two sets of rope divisors ("longrope"):
 * the short ones up to the original context length, the long ones beyond.
 * Phi-3's sliding window is ignored, as llama.cpp does.
 */
#include "core/error.h"
#include "model/loader.h"

static int load_phi3(mote_model *m) {
    mote_hparams *hp = &m->hp;
    hp->rope_mode = MOTE_ROPE_NEOX;
    hp->n_ctx_orig = (int32_t)mote_gguf_get_u32(m->gguf, mote_arch_key(m, "rope.scaling.original_context_length"),
                                                (uint32_t)hp->n_ctx_train);
    int rc = mote_bind_io(m);
    if (rc) return rc;
    if ((rc = mote_bind_vector_opt(m, &hp->rope.freq_factors, hp->n_rot / 2, "rope_factors_short.weight", 0)) ||
        (rc = mote_bind_vector_opt(m, &hp->freq_factors_long, hp->n_rot / 2, "rope_factors_long.weight", 0)))
        return rc;
    int64_t n_q = (int64_t)hp->n_head * hp->head_dim, n_kv = (int64_t)hp->n_head_kv * hp->head_dim;
    for (int il = 0; il < hp->n_layer; il++) {
        mote_layer *l = &m->layers[il];
        bool fused;
        if ((rc = mote_bind_vector(m, &l->attn_norm, hp->n_embd, "blk.%d.attn_norm.weight", il)) ||
            (rc = mote_bind_matrix_opt(m, &l->wqkv, hp->n_embd, n_q + 2 * n_kv, "blk.%d.attn_qkv.weight", il,
                                       &fused)))
            return rc;
        if (!fused && ((rc = mote_bind_matrix(m, &l->wq, hp->n_embd, n_q, "blk.%d.attn_q.weight", il)) ||
                       (rc = mote_bind_matrix(m, &l->wk, hp->n_embd, n_kv, "blk.%d.attn_k.weight", il)) ||
                       (rc = mote_bind_matrix(m, &l->wv, hp->n_embd, n_kv, "blk.%d.attn_v.weight", il))))
            return rc;
        if ((rc = mote_bind_matrix(m, &l->wo, n_q, hp->n_embd, "blk.%d.attn_output.weight", il)) ||
            (rc = mote_bind_vector(m, &l->ffn_norm, hp->n_embd, "blk.%d.ffn_norm.weight", il)) ||
            (rc = mote_bind_matrix(m, &l->ffn_up, hp->n_embd, 2 * (int64_t)hp->n_ff, "blk.%d.ffn_up.weight", il)) ||
            (rc = mote_bind_matrix(m, &l->ffn_down, hp->n_ff, hp->n_embd, "blk.%d.ffn_down.weight", il)))
            return rc;
    }
    return MOTE_OK;
}

const mote_arch mote_arch_phi3 = {"phi3", load_phi3};
