/*
 * forward_parts.c — see forward_parts.h.
 */
#include "engine/forward_parts.h"

#include <string.h>

#include "engine/matmul.h"
#include "engine/ops.h"

void mote_embed_extras(const mote_model *m, float *row, int32_t pos, float *tmp) {
    const int32_t d = m->hp.n_embd;
    /* llama.cpp's order: (token + type row 0) + position, each a float add */
    if (m->tok_types.data) {
        m->tok_types.traits->to_float(m->tok_types.data, tmp, d);
        for (int32_t i = 0; i < d; i++) row[i] += tmp[i];
    }
    if (m->pos_embd.data) {
        const mote_weight *p = &m->pos_embd;
        p->traits->to_float((const uint8_t *)p->data + (size_t)pos * p->row_bytes, tmp, d);
        for (int32_t i = 0; i < d; i++) row[i] = tmp[i] + row[i];
    }
    if (m->embd_norm) mote_norm(row, row, m->embd_norm, m->embd_norm_b, d, &m->hp);
}

/* y += W's bias, if it has one. */
static void add_bias(const mote_weight *w, float *y, int32_t n) {
    if (!w->bias) return;
    for (int32_t t = 0; t < n; t++) {
        float *yt = y + (int64_t)t * w->n_out;
        for (int64_t i = 0; i < w->n_out; i++) yt[i] += w->bias[i];
    }
}

void mote_linear(mote_context *c, const mote_weight *w, const float *x, float *y, int32_t n) {
    mote_matmul(c->pool, w, x, y, n, c->scratch);
    add_bias(w, y, n);
}

void mote_linear_same_input(mote_context *c, const mote_weight *w, const float *x, float *y, int32_t n) {
    mote_matmul_same_input(c->pool, w, x, y, n, c->scratch);
    add_bias(w, y, n);
}

void mote_block_input_row(mote_context *c, const float *w, const float *b, int32_t t) {
    const mote_hparams *hp = &c->model->hp;
    const int64_t d = hp->n_embd;
    if (!w) memcpy(c->xb + t * d, c->x + t * d, (size_t)d * sizeof(float));
    else mote_norm(c->xb + t * d, c->x + t * d, w, b, d, hp);
}

void mote_attention_output(mote_context *c, const mote_layer *l, int32_t n) {
    const mote_hparams *hp = &c->model->hp;
    if (l->attn_sub_norm) {
        const int64_t n_q = (int64_t)hp->n_head * hp->head_dim;
        for (int32_t t = 0; t < n; t++) mote_norm(c->att + t * n_q, c->att + t * n_q, l->attn_sub_norm, NULL, n_q, hp);
    }
    mote_linear(c, &l->wo, c->att, c->xb, n);
}

void mote_post_norm_row(mote_context *c, const float *w, const float *b, int32_t t) {
    if (!w) return;
    const mote_hparams *hp = &c->model->hp;
    const int64_t d = hp->n_embd;
    mote_norm(c->x + t * d, c->x + t * d, w, b, d, hp);
}

typedef struct {
    float *x;
    int64_t n;
    mote_activation act;
} activate_job;

/* This thread's share of the activation, in place (elementwise: any split gives the same numbers). */
static void activate_part(void *p, int ith, int nth) {
    const activate_job *j = p;
    long b, e;
    mote_split_range(j->n, ith, nth, &b, &e);
    mote_activate(j->x + b, j->x + b, e - b, j->act);
}

float *mote_plain_activation(mote_context *c, const mote_layer *l, const float *in, int32_t n) {
    const mote_hparams *hp = &c->model->hp;
    mote_linear(c, &l->ffn_up, in, c->ffn_up, n);
    activate_job j = {c->ffn_up, (int64_t)n * hp->n_ff, hp->act};
    if (n == 1) activate_part(&j, 0, 1); /* one token: cheaper here than a hand-off */
    else mote_threadpool_run(c->pool, activate_part, &j);
    return c->ffn_up;
}
