/*
 * embed.c — embeddings (mote.h section 6c): one pooled, optionally
 * normalised vector of the last hidden states per text.
 *
 * Each text is its own sequence from position 0, as llama-embedding
 * evaluates its inputs; several texts share one forward step (one sequence
 * of the context each, up to n_ubatch tokens together), so the weights are
 * read once for all of them, and a text's numbers do not depend on what
 * shares its step. The hidden states of a step are in the context's
 * residual stream (c->x) once mote_forward has run the layers; a decoder's
 * are taken after its final norm, an encoder (no head) has none. Pooling
 * folds each step's rows in, so a decoder's long text may take several
 * steps; an encoder's must fit one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/threadpool.h"
#include "engine/context.h"
#include "engine/ops.h"

mote_embed_params mote_embed_default_params(void) {
    mote_embed_params p = {MOTE_POOLING_DEFAULT, true};
    return p;
}

bool mote_model_is_embedding(const mote_model *m) { return m->output.data == NULL; }

mote_pooling mote_model_pooling(const mote_model *m) {
    return m->hp.pooling == MOTE_POOL_NONE ? MOTE_POOLING_MEAN : (mote_pooling)m->hp.pooling;
}

/* Fold the hidden rows of the step just evaluated into acc: token t adds to
 * the vector of its sequence slot (acc + slot * n_embd) when `pool` takes
 * it; len[slot] is that text's length. */
static void pool_step(mote_context *c, mote_pooling pool, int32_t n, const int32_t *len, double *acc) {
    const mote_model *m = c->model;
    const int64_t d = m->hp.n_embd;
    for (int32_t t = 0; t < n; t++) {
        const int32_t slot = c->tok_seq[t], at = c->tok_pos[t];
        if ((pool == MOTE_POOLING_CLS && at != 0) || (pool == MOTE_POOLING_LAST && at != len[slot] - 1)) continue;
        float *row = c->x + t * d;
        if (m->output_norm) {
            mote_norm(c->xb + t * d, row, m->output_norm, m->output_norm_b, d, &m->hp);
            row = c->xb + t * d;
        }
        double *a = acc + slot * d;
        for (int64_t i = 0; i < d; i++) a[i] += row[i];
    }
}

/* One forward step, holding the shared worker pool (as decode.c does). */
static void forward_step(mote_context *c, const int32_t *tokens, int32_t n) {
    mote_threadpool_lock(c->pool);
    mote_forward(c, tokens, n);
    mote_threadpool_unlock(c->pool);
}

/* The pooled sum acc of a text of len tokens into its vector out. */
static void finish(const double *acc, int32_t len, int64_t d, mote_pooling pool, bool normalize, float *out) {
    const double div = pool == MOTE_POOLING_MEAN ? (double)len : 1.0;
    double ss = 0.0;
    for (int64_t i = 0; i < d; i++) {
        out[i] = (float)(acc[i] / div);
        ss += (double)out[i] * out[i];
    }
    if (!normalize) return;
    const float scale = ss > 0.0 ? (float)(1.0 / sqrt(ss)) : 0.0f;
    for (int64_t i = 0; i < d; i++) out[i] *= scale;
}

/* Whether every text can be embedded by this context. */
static int check_texts(const mote_context *c, const int32_t *const *tokens, const int32_t *n_tokens, int32_t n) {
    const mote_hparams *hp = &c->model->hp;
    for (int32_t i = 0; i < n; i++) {
        const int32_t len = n_tokens[i];
        if (len <= 0 || !tokens[i]) return mote_fail(MOTE_ERR_INVALID_ARG, "text %d is empty: it has no embedding", i + 1);
        if (len > c->seq_cap)
            return mote_fail(MOTE_ERR_INVALID_ARG, "text %d: %d tokens do not fit the context's %d per sequence", i + 1,
                             len, c->seq_cap);
        if (!hp->causal && len > c->n_batch)
            return mote_fail(MOTE_ERR_INVALID_ARG,
                             "text %d: %d tokens do not fit one step of %d (an encoder sees the whole text at once)",
                             i + 1, len, c->n_batch);
        for (int32_t k = 0; k < len; k++)
            if (tokens[i][k] < 0 || tokens[i][k] >= hp->n_vocab)
                return mote_fail(MOTE_ERR_INVALID_ARG, "text %d: token id %d is outside the vocabulary of %d", i + 1,
                                 tokens[i][k], hp->n_vocab);
    }
    return MOTE_OK;
}

int mote_embed_tokens(mote_context *c, const int32_t *const *tokens, const int32_t *n_tokens, int32_t n,
                      const mote_embed_params *p, float *out) {
    if (!c || !tokens || !n_tokens || n < 0 || !out) return mote_fail(MOTE_ERR_INVALID_ARG, "nothing to embed");
    const mote_embed_params dp = mote_embed_default_params();
    if (!p) p = &dp;
    const mote_pooling pool = p->pooling == MOTE_POOLING_DEFAULT ? mote_model_pooling(c->model) : p->pooling;
    if (pool != MOTE_POOLING_MEAN && pool != MOTE_POOLING_CLS && pool != MOTE_POOLING_LAST)
        return mote_fail(MOTE_ERR_INVALID_ARG, "pooling %d is not mean (1), cls (2) or last (3)", (int)pool);
    int rc = check_texts(c, tokens, n_tokens, n);
    if (rc) return rc;
    /* Texts share a step as long as they fit: one sequence each, at most
     * n_ubatch tokens together (a forward step's most: context.c; an
     * encoder's is n_batch). */
    const int64_t d = c->model->hp.n_embd;
    const int32_t most = c->n_ubatch;
    const int32_t slots = c->n_seq < most ? c->n_seq : most;
    double *acc = malloc((size_t)(slots * d) * sizeof *acc);
    int32_t *step_tokens = malloc((size_t)most * sizeof *step_tokens);
    if (!acc || !step_tokens) {
        free(acc);
        free(step_tokens);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory embedding %d texts", n);
    }
    mote_context_reset(c);
    for (int32_t i = 0; i < n;) {
        int32_t k = 0, used = 0;
        memset(acc, 0, (size_t)(slots * d) * sizeof *acc);
        if (n_tokens[i] > most) {
            /* a long text (decoders only): alone, in steps of n_ubatch */
            k = 1;
            for (int32_t off = 0; off < n_tokens[i]; off += most) {
                const int32_t len = n_tokens[i] - off < most ? n_tokens[i] - off : most;
                for (int32_t t = 0; t < len; t++) c->tok_seq[t] = 0, c->tok_pos[t] = off + t, c->tok_out[t] = -1;
                forward_step(c, tokens[i] + off, len);
                pool_step(c, pool, len, n_tokens + i, acc);
            }
        } else {
            for (; i + k < n && k < slots && n_tokens[i + k] <= most - used; k++) {
                for (int32_t t = 0; t < n_tokens[i + k]; t++) {
                    step_tokens[used + t] = tokens[i + k][t];
                    c->tok_seq[used + t] = k;
                    c->tok_pos[used + t] = t;
                    c->tok_out[used + t] = -1;
                }
                used += n_tokens[i + k];
            }
            forward_step(c, step_tokens, used);
            pool_step(c, pool, used, n_tokens + i, acc);
        }
        for (int32_t s = 0; s < k; s++) finish(acc + s * d, n_tokens[i + s], d, pool, p->normalize, out + (i + s) * d);
        i += k;
    }
    mote_context_reset(c);
    free(acc);
    free(step_tokens);
    return MOTE_OK;
}

int mote_embed(mote_context *c, const mote_vocab *v, const char *const *texts, int32_t n,
               const mote_embed_params *p, float *out) {
    if (!c || !v || !texts || n < 0 || !out) return mote_fail(MOTE_ERR_INVALID_ARG, "nothing to embed");
    int32_t **tok = calloc((size_t)n + 1, sizeof *tok);
    int32_t *len = calloc((size_t)n + 1, sizeof *len);
    int rc = tok && len ? MOTE_OK : mote_fail(MOTE_ERR_NOMEM, "out of memory embedding %d texts", n);
    for (int32_t i = 0; i < n && !rc; i++) {
        size_t k = 0;
        rc = mote_tokenize_alloc(v, texts[i], strlen(texts[i]), true, false, &tok[i], &k);
        if (!rc && k > INT32_MAX) rc = mote_fail(MOTE_ERR_INVALID_ARG, "text %d is too long", i + 1);
        len[i] = (int32_t)k;
    }
    if (!rc) rc = mote_embed_tokens(c, (const int32_t *const *)tok, len, n, p, out);
    for (int32_t i = 0; tok && i < n; i++) free(tok[i]);
    free(tok);
    free(len);
    return rc;
}
