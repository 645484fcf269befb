/*
 * qwen3.c — Qwen 3 (dense): Llama's blocks with NeoX rope (the two halves
 * of each head rotate together) and an RMSNorm on every query and key head
 * before rope.
 */
#include "model/loader.h"

static int load_qwen3(mote_model *m) {
    m->hp.rope_mode = MOTE_ROPE_NEOX;
    int rc = mote_bind_io(m);
    if (rc) return rc;
    for (int il = 0; il < m->hp.n_layer; il++)
        if ((rc = mote_bind_standard_layer(m, il)) || (rc = mote_bind_qk_norms(m, il))) return rc;
    return 0;
}

const mote_arch mote_arch_qwen3 = {"qwen3", load_qwen3};
