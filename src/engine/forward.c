/*
 * forward.c — the transformer forward pass, top to bottom as the papers
 * describe it, for every supported family; the model's switches (rope
 * mode, activation, optional norms, fused tensors, sliding window) select
 * the variations, as the architecture declared them (model/loader.h):
 * norm kind, FFN kind, position kind, biases, post-norms, causality. The
 * pieces only some families use are in forward_parts.c.
 *
 * A step takes n tokens, each of its own sequence and position (tok_seq,
 * tok_pos: several conversations can share one step, so each weight matrix
 * is read once for all of them). Their keys and values are written to the
 * cache first, then every token attends to its sequence's cells
 * (attention.c), so a batch and the same tokens one at a time compute
 * identical attention.
 */
#include <string.h>

#include "engine/attention.h"
#include "engine/kv_cache.h"
#include "engine/context.h"
#include "engine/forward_parts.h"
#include "engine/matmul.h"
#include "engine/ops.h"

/* The GGUF bytes of embedding row `token`: in place, or, for a table stored
 * as panels (a tied head, model/repack.c), unpacked into buf (row_bytes). */
static const void *embedding_row(const mote_weight *e, int32_t token, void *buf) {
    if (!e->stored) return (const uint8_t *)e->data + (size_t)token * e->row_bytes;
    const int32_t R = e->stored->rows;
    e->stored->unpack(e->n_in, (const uint8_t *)e->data + (size_t)(token / R) * e->stored->panel_bytes(e->n_in),
                      token % R, buf);
    return buf;
}

/* x[t] = embedding row of tokens[t] (times the model's embedding scale). */
static void embed(mote_context *c, const int32_t *tokens, int32_t n) {
    const mote_model *m = c->model;
    const mote_weight *e = &m->tok_embd;
    for (int32_t t = 0; t < n; t++) {
        float *row = c->x + (int64_t)t * m->hp.n_embd;
        /* the matmul scratch is free before the first product (context.c sizes it for a row) */
        e->traits->to_float(embedding_row(e, tokens[t], c->scratch), row, e->n_in);
        if (m->hp.embd_scale != 1.0f)
            for (int32_t i = 0; i < m->hp.n_embd; i++) row[i] *= m->hp.embd_scale;
        mote_embed_extras(m, row, c->tok_pos[t], c->xb + (int64_t)t * m->hp.n_embd);
    }
}

/* q, k, v for n tokens from the normed input xb: separate or fused projections. */
static void project_qkv(mote_context *c, const mote_layer *l, int32_t n) {
    const mote_hparams *hp = &c->model->hp;
    if (!l->wqkv.data) {
        mote_linear(c, &l->wq, c->xb, c->q, n);
        mote_linear_same_input(c, &l->wk, c->xb, c->k, n);
        mote_linear_same_input(c, &l->wv, c->xb, c->v, n);
        return;
    }
    const int64_t n_q = (int64_t)hp->n_head * hp->head_dim, n_kv = (int64_t)hp->n_head_kv * hp->head_dim;
    mote_linear(c, &l->wqkv, c->xb, c->qkv, n);
    for (int32_t t = 0; t < n; t++) {
        const float *row = c->qkv + t * (n_q + 2 * n_kv);
        memcpy(c->q + t * n_q, row, (size_t)n_q * sizeof(float));
        memcpy(c->k + t * n_kv, row + n_q, (size_t)n_kv * sizeof(float));
        memcpy(c->v + t * n_kv, row + n_q + n_kv, (size_t)n_kv * sizeof(float));
    }
}

/* Token t: per-head norms and rope on its q and k, then its k and v into
 * the cache at its position. */
static void position_and_cache(mote_context *c, const mote_layer *l, int32_t il, int32_t t) {
    const mote_hparams *hp = &c->model->hp;
    const int64_t n_q = (int64_t)hp->n_head * hp->head_dim, n_kv = (int64_t)hp->n_head_kv * hp->head_dim;
    const float *cs_all = l->swa ? c->rope_cs_swa : c->rope_cs;
    float *q = c->q + t * n_q, *k = c->k + t * n_kv;
    if (l->q_norm)
        for (int32_t h = 0; h < hp->n_head; h++)
            mote_rmsnorm(q + h * hp->head_dim, q + h * hp->head_dim, l->q_norm, hp->head_dim, hp->norm_eps);
    if (l->k_norm)
        for (int32_t h = 0; h < hp->n_head_kv; h++)
            mote_rmsnorm(k + h * hp->head_dim, k + h * hp->head_dim, l->k_norm, hp->head_dim, hp->norm_eps);
    if (hp->pos == MOTE_POS_ROPE && !l->no_rope) {
        const float *cs = cs_all + (int64_t)t * hp->n_rot;
        mote_rope_apply(q, hp->n_head, hp->head_dim, hp->n_rot, cs, hp->rope_mode);
        mote_rope_apply(k, hp->n_head_kv, hp->head_dim, hp->n_rot, cs, hp->rope_mode);
    }
    const size_t cell = (size_t)c->tok_seq[t] * (size_t)c->seq_cap + (size_t)c->tok_pos[t];
    const size_t at = (size_t)il * c->n_ctx + cell;
    kv_row_store(c->type_k, k, c->k_cache + at * c->k_row_bytes, n_kv);
    kv_row_store(c->type_v, c->v + t * n_kv, c->v_cache + at * c->v_row_bytes, n_kv);
}

typedef struct {
    float *out;
    const float *gate, *up;
    int64_t n;
    mote_activation act;
} glu_job;

/* This thread's share of the gated activation (elementwise, so any split
 * gives the same numbers; GELU's tanh is worth spreading out). */
static void glu_part(void *p, int ith, int nth) {
    const glu_job *j = p;
    long b, e;
    mote_split_range(j->n, ith, nth, &b, &e);
    mote_glu(j->out + b, j->gate + b, j->up + b, e - b, j->act);
}

/* rows = ffn(rows) for n <= ffn_rows token rows (in place): gate and up
 * projections, gated activation, down projection (or up, activation, down
 * without a gate). */
static void feed_forward_rows(mote_context *c, const mote_layer *l, float *rows, int32_t n) {
    const mote_hparams *hp = &c->model->hp;
    const int64_t ff = hp->n_ff;
    float *act; /* the activation, n rows of n_ff */
    if (hp->ffn == MOTE_FFN_PLAIN) {
        act = mote_plain_activation(c, l, rows, n);
    } else if (hp->ffn == MOTE_FFN_GATED) {
        mote_linear(c, &l->ffn_gate, rows, c->ffn_gate, n);
        mote_linear_same_input(c, &l->ffn_up, rows, c->ffn_up, n);
        glu_job j = {c->ffn_gate, c->ffn_gate, c->ffn_up, n * ff, hp->act};
        mote_threadpool_run(c->pool, glu_part, &j);
        act = c->ffn_gate;
    } else {
        /* fused: each row is gate (first n_ff) then up (next n_ff); the
         * activation goes to ffn_up, which the down projection reads */
        mote_linear(c, &l->ffn_up, rows, c->ffn_gate, n);
        for (int32_t t = 0; t < n; t++) {
            const float *row = c->ffn_gate + t * 2 * ff;
            mote_glu(c->ffn_up + t * ff, row, row + ff, ff, hp->act);
        }
        act = c->ffn_up;
    }
    if (l->ffn_sub_norm)
        for (int32_t t = 0; t < n; t++) mote_norm(act + t * ff, act + t * ff, l->ffn_sub_norm, NULL, ff, hp);
    mote_linear(c, &l->ffn_down, act, rows, n);
}

/* xb = ffn(xb), in chunks of the context's ffn_rows tokens (its gate and
 * up buffers hold no more: context.c). */
static void feed_forward(mote_context *c, const mote_layer *l, int32_t n) {
    const int64_t d = c->model->hp.n_embd;
    for (int32_t t = 0; t < n; t += c->ffn_rows)
        feed_forward_rows(c, l, c->xb + t * d, n - t < c->ffn_rows ? n - t : c->ffn_rows);
}

/* Token t's row: x += norm(y) (or += y when there is no post-norm). */
static void add_residual(mote_context *c, float *y, const float *post_norm, int32_t t) {
    const mote_hparams *hp = &c->model->hp;
    float *yt = y + (int64_t)t * hp->n_embd, *xt = c->x + (int64_t)t * hp->n_embd;
    if (post_norm) mote_norm(yt, yt, post_norm, NULL, hp->n_embd, hp);
    for (int32_t i = 0; i < hp->n_embd; i++) xt[i] += yt[i];
}

/* The per-token steps between a layer's products. Every token's rows (and
 * its cache cells) are its own, so tokens can go to any thread and the
 * numbers do not change; at 2 threads these loops on one thread were the
 * other thread's wait (norms, rope, the cache write: ~6% of a prompt). */
typedef enum {
    STEP_LAYER_INPUT,  /* the first layer's attention input */
    STEP_POSITION,     /* q/k norms, rope, k and v into the cache */
    STEP_AFTER_ATTN,   /* residual, post-norms, the feed-forward input */
    STEP_AFTER_FFN,    /* residual, post-norms, the next layer's attention input */
} token_step;

typedef struct {
    mote_context *c;
    int32_t il, n;
    token_step step;
} token_job;

/* One token of a step (token_step). */
static void token_step_row(mote_context *c, int32_t il, token_step step, int32_t t) {
    const mote_model *m = c->model;
    const mote_layer *l = &m->layers[il];
    switch (step) {
    case STEP_LAYER_INPUT:
        mote_block_input_row(c, l->attn_norm, l->attn_norm_b, t);
        break;
    case STEP_POSITION:
        position_and_cache(c, l, il, t);
        break;
    case STEP_AFTER_ATTN:
        add_residual(c, c->xb, l->post_attn_norm, t);
        mote_post_norm_row(c, l->attn_out_norm, l->attn_out_norm_b, t);
        mote_block_input_row(c, l->ffn_norm, l->ffn_norm_b, t);
        break;
    case STEP_AFTER_FFN:
        add_residual(c, c->xb, l->post_ffn_norm, t);
        mote_post_norm_row(c, l->layer_out_norm, l->layer_out_norm_b, t);
        if (il + 1 < m->hp.n_layer) mote_block_input_row(c, m->layers[il + 1].attn_norm, m->layers[il + 1].attn_norm_b, t);
        break;
    }
}

static void token_part(void *p, int ith, int nth) {
    const token_job *j = p;
    long b, e;
    mote_split_range(j->n, ith, nth, &b, &e);
    for (long t = b; t < e; t++) token_step_row(j->c, j->il, j->step, (int32_t)t);
}

/* Below this many tokens a step runs on the caller: handing a few rows to
 * the pool costs more than the rows (generation takes one token). */
#define TOKEN_STEP_POOL_MIN 4

/* Step `step` of layer il for tokens 0..n-1, across the pool for a batch. */
static void run_token_step(mote_context *c, int32_t il, token_step step, int32_t n) {
    token_job j = {c, il, n, step};
    if (n < TOKEN_STEP_POOL_MIN) token_part(&j, 0, 1);
    else mote_threadpool_run(c->pool, token_part, &j);
}

void mote_forward(mote_context *c, const int32_t *tokens, int32_t n) {
    const mote_model *m = c->model;
    const mote_hparams *hp = &m->hp;
    const int64_t d = hp->n_embd;

    embed(c, tokens, n);
    for (int32_t t = 0; t < n && hp->pos == MOTE_POS_ROPE; t++) {
        mote_rope_angles(c->rope_cs + (int64_t)t * hp->n_rot, hp->n_rot, c->tok_pos[t], &c->rope);
        if (hp->n_swa > 0)
            mote_rope_angles(c->rope_cs_swa + (int64_t)t * hp->n_rot, hp->n_rot, c->tok_pos[t], &c->rope_swa);
    }

    if (hp->n_layer > 0) run_token_step(c, 0, STEP_LAYER_INPUT, n);
    for (int32_t il = 0; il < hp->n_layer; il++) {
        const mote_layer *l = &m->layers[il];
        /* attention block (its input xb was made by the step before) */
        project_qkv(c, l, n);
        run_token_step(c, il, STEP_POSITION, n);
        mote_attention(c, l->swa, il, n);
        mote_attention_output(c, l, n);
        run_token_step(c, il, STEP_AFTER_ATTN, n);
        /* feed-forward block */
        feed_forward(c, l, n);
        run_token_step(c, il, STEP_AFTER_FFN, n);
    }

    /* output head on the rows whose logits are wanted, gathered in order */
    int32_t rows = 0, first = -1;
    for (int32_t t = 0; t < n; t++) {
        if (c->tok_out[t] < 0) continue;
        if (first < 0) first = c->tok_out[t];
        if (m->output.data) mote_norm(c->xb + rows * d, c->x + t * d, m->output_norm, m->output_norm_b, d, hp);
        rows++;
    }
    if (!rows) return;
    float *out = c->logits + (int64_t)first * hp->n_vocab;
    if (!m->output.data) {
        /* an embedding model has no head (mote_embed reads the hidden states): zero logits */
        memset(out, 0, (size_t)rows * hp->n_vocab * sizeof(float));
        return;
    }
    mote_linear(c, &m->output, c->xb, out, rows);
    if (hp->logit_softcap > 0.0f) mote_softcap(out, (int64_t)rows * hp->n_vocab, hp->logit_softcap);
}
