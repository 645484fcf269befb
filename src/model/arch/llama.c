/*
 * llama.c — the Llama family (Llama 2/3.x, TinyLlama, SmolLM, stories260K):
 * the plain pre-norm transformer every other family varies. Rope rotates
 * adjacent pairs; Llama 3 files carry per-frequency divisors (rope_freqs).
 */
#include "core/error.h"
#include "model/loader.h"

static int load_llama(mote_model *m) {
    mote_hparams *hp = &m->hp;
    hp->rope_mode = MOTE_ROPE_NORMAL;
    if (hp->n_rot != hp->head_dim)
        return mote_fail(MOTE_ERR_FORMAT, "llama rotates whole heads, but rope dimension count %d != head size %d",
                         hp->n_rot, hp->head_dim);
    int rc = mote_bind_io(m);
    if (rc) return rc;
    if ((rc = mote_bind_vector_opt(m, &hp->rope.freq_factors, hp->n_rot / 2, "rope_freqs.weight", 0))) return rc;
    for (int il = 0; il < hp->n_layer; il++)
        if ((rc = mote_bind_standard_layer(m, il))) return rc;
    return MOTE_OK;
}

const mote_arch mote_arch_llama = {"llama", load_llama};
