/*
 * bind_declared.c — binding the tensors an architecture's declaration
 * implies (loader.h), and refusing files that hold more.
 *
 * Each tensor is named through the shared table (tensor_names.h), so the
 * loader and `mote synth` agree on every name. What is required, optional
 * or absent follows from the declaration alone; a tensor in the file that
 * no declaration asked for (a bias on a family without biases, a fused
 * tensor where separate ones are declared) is an error that names it, as
 * llama.cpp refuses a file with tensors it did not use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "model/loader.h"
#include "model/tensor_names.h"

/* The printf format of tensor `id` of kind "weight" or "bias" (for the
 * mote_bind_* helpers, which format the layer index themselves). */
static const char *fmt_of(char *buf, size_t cap, mote_tensor_id id, const char *kind) {
    snprintf(buf, cap, "%s.%s", mote_tensor_base(id), kind);
    return buf;
}

static int matrix(mote_model *m, mote_weight *w, mote_tensor_id id, int il, int64_t n_in, int64_t n_out) {
    char f[96];
    return mote_bind_matrix(m, w, n_in, n_out, fmt_of(f, sizeof f, id, "weight"), il);
}

static int matrix_opt(mote_model *m, mote_weight *w, mote_tensor_id id, int il, int64_t n_in, int64_t n_out,
                      bool *found) {
    char f[96];
    return mote_bind_matrix_opt(m, w, n_in, n_out, fmt_of(f, sizeof f, id, "weight"), il, found);
}

/* The bias of w (n_out values) when `bit` is declared required or optional. */
static int bias(mote_model *m, const mote_arch *a, mote_weight *w, unsigned bit, mote_tensor_id id, int il) {
    char f[96];
    fmt_of(f, sizeof f, id, "bias");
    if (a->bias & bit) return mote_bind_vector(m, &w->bias, w->n_out, f, il);
    if (a->bias_optional & bit) return mote_bind_vector_opt(m, &w->bias, w->n_out, f, il);
    return MOTE_OK;
}

/* A norm's weight (required) and, for LayerNorm, its bias (required) when
 * the model has a place for it (b not NULL; the extra norms of families
 * that declare them exist as weights only, and a bias there is refused as
 * an undeclared tensor). */
static int norm(mote_model *m, const mote_arch *a, const float **w, const float **b, mote_tensor_id id, int il,
                int64_t n) {
    char f[96];
    int rc = mote_bind_vector(m, w, n, fmt_of(f, sizeof f, id, "weight"), il);
    if (!rc && b && a->norm == MOTE_NORM_LAYER) rc = mote_bind_vector(m, b, n, fmt_of(f, sizeof f, id, "bias"), il);
    return rc;
}

/* A row table (token types, positions): any number of rows of n_embd. */
static int rows(mote_model *m, mote_weight *w, mote_tensor_id id, bool required) {
    char name[96];
    mote_tensor_name(name, sizeof name, id, 0, "weight");
    const mote_tensor_info *t = mote_gguf_find_tensor(m->gguf, name);
    if (!t && !required) return MOTE_OK;
    if (!t) return mote_fail(MOTE_ERR_NOT_FOUND, "%s model has no tensor '%s'", m->hp.arch, name);
    if (t->ne[1] < 1 || t->ne[1] > (1 << 24))
        return mote_fail(MOTE_ERR_SHAPE, "tensor '%s' has an impossible number of rows", name);
    return mote_bind_matrix(m, w, m->hp.n_embd, t->ne[1], name, 0);
}

static int bind_io(mote_model *m, const mote_arch *a) {
    mote_hparams *hp = &m->hp;
    const mote_tensor_info *emb = mote_gguf_find_tensor(m->gguf, "token_embd.weight");
    if (!emb) return mote_fail(MOTE_ERR_NOT_FOUND, "%s model has no tensor 'token_embd.weight'", hp->arch);
    if (emb->ne[1] <= 0 || emb->ne[1] > INT32_MAX)
        return mote_fail(MOTE_ERR_SHAPE, "tensor 'token_embd.weight' has an impossible vocabulary size");
    hp->n_vocab = (int32_t)emb->ne[1];
    int rc = matrix(m, &m->tok_embd, MOTE_TN_TOKEN_EMBD, 0, hp->n_embd, hp->n_vocab);
    if (!rc && a->token_types) rc = rows(m, &m->tok_types, MOTE_TN_TOKEN_TYPES, false);
    if (!rc && a->pos == MOTE_POS_LEARNED) {
        rc = rows(m, &m->pos_embd, MOTE_TN_POS_EMBD, true);
        /* positions beyond the table do not exist */
        if (!rc && m->pos_embd.n_out < hp->n_ctx_train) hp->n_ctx_train = (int32_t)m->pos_embd.n_out;
    }
    if (!rc && a->embd_norm) rc = norm(m, a, &m->embd_norm, &m->embd_norm_b, MOTE_TN_TOKEN_EMBD_NORM, 0, hp->n_embd);
    if (rc || a->head == MOTE_HEAD_NONE) return rc;
    if ((rc = norm(m, a, &m->output_norm, &m->output_norm_b, MOTE_TN_OUTPUT_NORM, 0, hp->n_embd))) return rc;
    bool found = false;
    if (a->head == MOTE_HEAD_SEPARATE) rc = matrix(m, &m->output, MOTE_TN_OUTPUT, 0, hp->n_embd, hp->n_vocab), found = true;
    else if (a->head == MOTE_HEAD_EITHER) rc = matrix_opt(m, &m->output, MOTE_TN_OUTPUT, 0, hp->n_embd, hp->n_vocab, &found);
    if (rc) return rc;
    if (!found) m->output = m->tok_embd; /* tied head */
    else rc = bias(m, a, &m->output, MOTE_BIAS_OUTPUT, MOTE_TN_OUTPUT, 0);
    return rc;
}

static int bind_attention(mote_model *m, const mote_arch *a, int il) {
    const mote_hparams *hp = &m->hp;
    mote_layer *l = &m->layers[il];
    const int64_t e = hp->n_embd, n_q = (int64_t)hp->n_head * hp->head_dim;
    const int64_t n_kv = (int64_t)hp->n_head_kv * hp->head_dim;
    int rc = MOTE_OK;
    if (!a->post_norm) rc = norm(m, a, &l->attn_norm, &l->attn_norm_b, MOTE_TN_ATTN_NORM, il, e);
    bool fused = a->qkv == MOTE_QKV_FUSED;
    if (!rc && a->qkv == MOTE_QKV_EITHER) rc = matrix_opt(m, &l->wqkv, MOTE_TN_ATTN_QKV, il, e, n_q + 2 * n_kv, &fused);
    else if (!rc && fused) rc = matrix(m, &l->wqkv, MOTE_TN_ATTN_QKV, il, e, n_q + 2 * n_kv);
    if (!rc && fused) rc = bias(m, a, &l->wqkv, MOTE_BIAS_QKV, MOTE_TN_ATTN_QKV, il);
    if (!rc && !fused) {
        if ((rc = matrix(m, &l->wq, MOTE_TN_ATTN_Q, il, e, n_q)) || (rc = matrix(m, &l->wk, MOTE_TN_ATTN_K, il, e, n_kv)) ||
            (rc = matrix(m, &l->wv, MOTE_TN_ATTN_V, il, e, n_kv)) ||
            (rc = bias(m, a, &l->wq, MOTE_BIAS_Q, MOTE_TN_ATTN_Q, il)) ||
            (rc = bias(m, a, &l->wk, MOTE_BIAS_K, MOTE_TN_ATTN_K, il)) ||
            (rc = bias(m, a, &l->wv, MOTE_BIAS_V, MOTE_TN_ATTN_V, il)))
            return rc;
    }
    if (!rc && a->qk_norm) {
        char f[96];
        if ((rc = mote_bind_vector(m, &l->q_norm, hp->head_dim, fmt_of(f, sizeof f, MOTE_TN_ATTN_Q_NORM, "weight"), il)) ||
            (rc = mote_bind_vector(m, &l->k_norm, hp->head_dim, fmt_of(f, sizeof f, MOTE_TN_ATTN_K_NORM, "weight"), il)))
            return rc;
    }
    if (!rc && a->sub_norms) rc = norm(m, a, &l->attn_sub_norm, NULL, MOTE_TN_ATTN_SUB_NORM, il, n_q);
    if (!rc) rc = matrix(m, &l->wo, MOTE_TN_ATTN_OUT, il, n_q, e);
    if (!rc) rc = bias(m, a, &l->wo, MOTE_BIAS_O, MOTE_TN_ATTN_OUT, il);
    if (!rc && a->post_norms) rc = norm(m, a, &l->post_attn_norm, NULL, MOTE_TN_ATTN_POST_NORM, il, e);
    if (!rc && a->post_norm) rc = norm(m, a, &l->attn_out_norm, &l->attn_out_norm_b, MOTE_TN_ATTN_OUT_NORM, il, e);
    return rc;
}

static int bind_ffn(mote_model *m, const mote_arch *a, int il) {
    const mote_hparams *hp = &m->hp;
    mote_layer *l = &m->layers[il];
    const int64_t e = hp->n_embd, ff = hp->n_ff;
    int rc = MOTE_OK;
    if (!a->post_norm) rc = norm(m, a, &l->ffn_norm, &l->ffn_norm_b, MOTE_TN_FFN_NORM, il, e);
    if (!rc && a->ffn == MOTE_FFN_GATED) {
        if ((rc = matrix(m, &l->ffn_gate, MOTE_TN_FFN_GATE, il, e, ff)) ||
            (rc = bias(m, a, &l->ffn_gate, MOTE_BIAS_GATE, MOTE_TN_FFN_GATE, il)))
            return rc;
    }
    if (!rc) rc = matrix(m, &l->ffn_up, MOTE_TN_FFN_UP, il, e, a->ffn == MOTE_FFN_GATED_FUSED ? 2 * ff : ff);
    if (!rc) rc = bias(m, a, &l->ffn_up, MOTE_BIAS_UP, MOTE_TN_FFN_UP, il);
    if (!rc && a->sub_norms) rc = norm(m, a, &l->ffn_sub_norm, NULL, MOTE_TN_FFN_SUB_NORM, il, ff);
    if (!rc) rc = matrix(m, &l->ffn_down, MOTE_TN_FFN_DOWN, il, ff, e);
    if (!rc) rc = bias(m, a, &l->ffn_down, MOTE_BIAS_DOWN, MOTE_TN_FFN_DOWN, il);
    if (!rc && a->post_norms) rc = norm(m, a, &l->post_ffn_norm, NULL, MOTE_TN_FFN_POST_NORM, il, e);
    if (!rc && a->post_norm) rc = norm(m, a, &l->layer_out_norm, &l->layer_out_norm_b, MOTE_TN_LAYER_OUT_NORM, il, e);
    return rc;
}

int mote_bind_declared(mote_model *m, const mote_arch *a) {
    free(m->bound);
    m->bound = calloc((size_t)mote_gguf_n_tensors(m->gguf) + 1, 1);
    if (!m->bound) return mote_fail(MOTE_ERR_NOMEM, "out of memory loading a model");
    int rc = bind_io(m, a);
    for (int il = 0; il < m->hp.n_layer && !rc; il++)
        if (!(rc = bind_attention(m, a, il))) rc = bind_ffn(m, a, il);
    return rc;
}

int mote_check_all_bound(mote_model *m) {
    for (int64_t i = 0; i < mote_gguf_n_tensors(m->gguf); i++)
        if (!m->bound[i])
            return mote_fail(MOTE_ERR_FORMAT, "tensor '%s' is not part of the %s architecture (mote would ignore it)",
                             mote_gguf_tensor(m->gguf, i)->name, m->hp.arch);
    return MOTE_OK;
}
