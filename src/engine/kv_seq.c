/*
 * kv_seq.c — the operations on one sequence's cells of the KV cache:
 * clear, truncate, copy a prefix to another sequence, and the context
 * shift that makes room in a full sequence.
 *
 * A sequence is positions 0..len-1 at cells 0..len-1 of its region (see
 * mote.h), so truncating is forgetting the tail, and copying or shifting is
 * moving rows of every layer's keys and values.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/context.h"
#include "engine/kv_cache.h"
#include "engine/ops.h"

static int check_seq(const mote_context *c, int32_t seq) {
    if (!c || seq < 0 || seq >= c->n_seq)
        return mote_fail(MOTE_ERR_INVALID_ARG, "sequence %d does not exist (the context has %d)", seq,
                         c ? c->n_seq : 0);
    return MOTE_OK;
}

int32_t mote_seq_len(const mote_context *c, int32_t seq) {
    return c && seq >= 0 && seq < c->n_seq ? c->seq_len[seq] : 0;
}

int mote_seq_clear(mote_context *c, int32_t seq) {
    if (check_seq(c, seq)) return MOTE_ERR_INVALID_ARG;
    c->seq_len[seq] = 0;
    return MOTE_OK;
}

int mote_seq_truncate(mote_context *c, int32_t seq, int32_t n) {
    if (check_seq(c, seq)) return MOTE_ERR_INVALID_ARG;
    if (n < 0 || n > c->seq_len[seq])
        return mote_fail(MOTE_ERR_INVALID_ARG, "cannot truncate sequence %d of %d tokens to %d", seq, c->seq_len[seq],
                         n);
    c->seq_len[seq] = n;
    return MOTE_OK;
}

/* Where layer il's row for cell `cell` starts, in the key or value cache. */
static uint8_t *krow(const mote_context *c, int32_t il, int64_t cell) {
    return c->k_cache + ((size_t)il * (size_t)c->n_ctx + (size_t)cell) * c->k_row_bytes;
}
static uint8_t *vrow(const mote_context *c, int32_t il, int64_t cell) {
    return c->v_cache + ((size_t)il * (size_t)c->n_ctx + (size_t)cell) * c->v_row_bytes;
}

int mote_seq_copy(mote_context *c, int32_t src, int32_t dst, int32_t n) {
    if (check_seq(c, src) || check_seq(c, dst)) return MOTE_ERR_INVALID_ARG;
    if (n < 0 || n > c->seq_len[src])
        return mote_fail(MOTE_ERR_INVALID_ARG, "cannot copy %d tokens of sequence %d, which holds %d", n, src,
                         c->seq_len[src]);
    if (src != dst && n > 0)
        for (int32_t il = 0; il < c->model->hp.n_layer; il++) {
            const int64_t from = (int64_t)src * c->seq_cap, to = (int64_t)dst * c->seq_cap;
            memcpy(krow(c, il, to), krow(c, il, from), (size_t)n * c->k_row_bytes);
            memcpy(vrow(c, il, to), vrow(c, il, from), (size_t)n * c->v_row_bytes);
        }
    c->seq_len[dst] = n;
    return MOTE_OK;
}

/* Turn the cached keys of `count` cells from position p to p + delta: rope
 * is a rotation by an angle proportional to the position, so rotating by
 * delta's angles moves a key to its new place. The keys are stored rounded
 * (f16 or a block type), so each shift rounds once more (llama.cpp's shift
 * does the same). */
static void rerotate(mote_context *c, int32_t il, int64_t cell, int32_t count, int32_t delta, float *buf) {
    const mote_hparams *hp = &c->model->hp;
    const mote_layer *l = &c->model->layers[il];
    if (l->no_rope) return; /* its keys hold no position */
    mote_rope rope = l->swa ? c->rope_swa : c->rope;
    rope.attn_factor = 1.0f; /* the magnitude scale is already in the keys */
    float cs[2 * 512];
    mote_rope_angles(cs, hp->n_rot, delta, &rope);
    const int64_t n_kv = (int64_t)hp->n_head_kv * hp->head_dim;
    for (int32_t i = 0; i < count; i++) {
        uint8_t *k = krow(c, il, cell + i);
        kv_row_load(c->type_k, k, buf, n_kv);
        mote_rope_apply(buf, hp->n_head_kv, hp->head_dim, hp->n_rot, cs, hp->rope_mode);
        kv_row_store(c->type_k, buf, k, n_kv);
    }
}

int mote_seq_shift(mote_context *c, int32_t seq, int32_t n_keep, int32_t n_discard) {
    if (check_seq(c, seq)) return MOTE_ERR_INVALID_ARG;
    const int32_t len = c->seq_len[seq];
    if (n_keep < 0 || n_discard < 0 || (int64_t)n_keep + n_discard > len)
        return mote_fail(MOTE_ERR_INVALID_ARG,
                         "cannot keep %d and drop %d tokens of sequence %d, which holds %d", n_keep, n_discard, seq,
                         len);
    const mote_hparams *hp = &c->model->hp;
    if (hp->pos != MOTE_POS_ROPE && n_discard > 0)
        return mote_fail(MOTE_ERR_UNSUPPORTED, "%s models have no rotary positions: their cache cannot be shifted",
                         hp->arch);
    if (hp->n_rot > 1024)
        return mote_fail(MOTE_ERR_UNSUPPORTED, "a context shift with %d rotated dimensions", hp->n_rot);
    if (n_discard == 0) return MOTE_OK;
    const int32_t moved = len - n_keep - n_discard;
    float *buf = malloc((size_t)hp->n_head_kv * (size_t)hp->head_dim * sizeof *buf);
    if (!buf) return mote_fail(MOTE_ERR_NOMEM, "out of memory shifting a sequence");
    const int64_t base = (int64_t)seq * c->seq_cap;
    for (int32_t il = 0; il < hp->n_layer; il++) {
        memmove(krow(c, il, base + n_keep), krow(c, il, base + n_keep + n_discard), (size_t)moved * c->k_row_bytes);
        memmove(vrow(c, il, base + n_keep), vrow(c, il, base + n_keep + n_discard), (size_t)moved * c->v_row_bytes);
        rerotate(c, il, base + n_keep, moved, -n_discard, buf);
    }
    free(buf);
    c->seq_len[seq] = len - n_discard;
    return MOTE_OK;
}
