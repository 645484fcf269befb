/*
 * embed.c — embeddings (mote.h section 6c): one pooled, optionally
 * normalised vector of the last hidden states per text.
 *
 * Each text is evaluated alone from an empty cache, as llama-embedding
 * evaluates each of its inputs as its own sequence. The hidden states of a
 * step are in the context's residual stream (c->x) once mote_forward has
 * run the layers; a decoder's are taken after its final norm, an encoder
 * (no head) has none. Pooling folds each step's rows in, so a decoder's
 * text may take several steps; an encoder's must fit one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
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

/* Fold the hidden rows of one step (tokens first..first+len-1 of the text)
 * into acc (n_embd doubles) as `pool` asks. */
static void pool_step(mote_context *c, mote_pooling pool, int32_t first, int32_t len, int32_t total, double *acc) {
    const mote_model *m = c->model;
    const int64_t d = m->hp.n_embd;
    for (int32_t t = 0; t < len; t++) {
        const int32_t at = first + t;
        if ((pool == MOTE_POOLING_CLS && at != 0) || (pool == MOTE_POOLING_LAST && at != total - 1)) continue;
        float *row = c->x + t * d;
        if (m->output_norm) {
            mote_norm(c->xb, row, m->output_norm, m->output_norm_b, d, &m->hp);
            row = c->xb;
        }
        for (int64_t i = 0; i < d; i++) acc[i] += row[i];
    }
}

/* One text's vector into out. */
static int embed_one(mote_context *c, const int32_t *tokens, int32_t n, mote_pooling pool, bool normalize,
                     double *acc, float *out) {
    const mote_hparams *hp = &c->model->hp;
    if (n <= 0) return mote_fail(MOTE_ERR_INVALID_ARG, "an empty text has no embedding");
    if (!hp->causal && n > c->n_batch)
        return mote_fail(MOTE_ERR_INVALID_ARG,
                         "a text of %d tokens does not fit one step of %d (an encoder sees the whole text at once)",
                         n, c->n_batch);
    if (n > c->n_ctx)
        return mote_fail(MOTE_ERR_INVALID_ARG, "a text of %d tokens does not fit the context of %d", n, c->n_ctx);
    for (int32_t i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= hp->n_vocab)
            return mote_fail(MOTE_ERR_INVALID_ARG, "token id %d is outside the vocabulary of %d", tokens[i],
                             hp->n_vocab);
    mote_context_reset(c);
    memset(acc, 0, (size_t)hp->n_embd * sizeof *acc);
    for (int32_t i = 0; i < n; i += c->n_batch) {
        const int32_t len = n - i < c->n_batch ? n - i : c->n_batch;
        mote_forward(c, tokens + i, len, false, false);
        pool_step(c, pool, i, len, n, acc);
    }
    mote_context_reset(c);
    const double div = pool == MOTE_POOLING_MEAN ? (double)n : 1.0;
    double ss = 0.0;
    for (int32_t i = 0; i < hp->n_embd; i++) {
        out[i] = (float)(acc[i] / div);
        ss += (double)out[i] * out[i];
    }
    if (normalize) {
        const float scale = ss > 0.0 ? (float)(1.0 / sqrt(ss)) : 0.0f;
        for (int32_t i = 0; i < hp->n_embd; i++) out[i] *= scale;
    }
    return MOTE_OK;
}

int mote_embed_tokens(mote_context *c, const int32_t *const *tokens, const int32_t *n_tokens, int32_t n,
                      const mote_embed_params *p, float *out) {
    if (!c || !tokens || !n_tokens || n < 0 || !out) return mote_fail(MOTE_ERR_INVALID_ARG, "nothing to embed");
    const mote_embed_params d = mote_embed_default_params();
    if (!p) p = &d;
    mote_pooling pool = p->pooling == MOTE_POOLING_DEFAULT ? mote_model_pooling(c->model) : p->pooling;
    if (pool != MOTE_POOLING_MEAN && pool != MOTE_POOLING_CLS && pool != MOTE_POOLING_LAST)
        return mote_fail(MOTE_ERR_INVALID_ARG, "pooling %d is not mean (1), cls (2) or last (3)", (int)pool);
    const int64_t dim = c->model->hp.n_embd;
    double *acc = malloc((size_t)dim * sizeof *acc);
    if (!acc) return mote_fail(MOTE_ERR_NOMEM, "out of memory embedding");
    int rc = MOTE_OK;
    for (int32_t i = 0; i < n && !rc; i++)
        if ((rc = embed_one(c, tokens[i], n_tokens[i], pool, p->normalize, acc, out + i * dim))) {
            char why[256];
            snprintf(why, sizeof why, "%s", mote_last_error());
            rc = mote_fail(rc, "text %d: %s", i + 1, why);
        }
    free(acc);
    return rc;
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
