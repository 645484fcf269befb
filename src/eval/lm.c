/*
 * lm.c — see lm.h. Everything runs on sequence 0 of one context. A request
 * whose context equals the previous one's reuses it: its logits are kept
 * (MMLU's choices are single tokens after one shared prompt), and a longer
 * continuation is decoded after the cached context with an explicit
 * position (mote_decode_batch), which drops what the previous continuation
 * left in the cache.
 */
#include "eval/lm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eval_lm_open(eval_lm *lm, const char *path, int n_ctx, int n_threads, char *err, size_t es) {
    memset(lm, 0, sizeof *lm);
    if (mote_model_load(path, &lm->model) || mote_vocab_load(mote_model_gguf(lm->model), &lm->vocab)) {
        snprintf(err, es, "%s", mote_last_error());
        eval_lm_close(lm);
        return -1;
    }
    mote_context_params cp = mote_context_default_params();
    int32_t train = mote_model_n_ctx_train(lm->model);
    cp.n_ctx = n_ctx > 0 ? n_ctx : (train > 0 && train < 4096 ? train : 4096);
    cp.n_batch = 512;
    cp.n_threads = n_threads;
    cp.all_logits = true;
    if (mote_context_new(lm->model, &cp, &lm->ctx)) {
        snprintf(err, es, "%s", mote_last_error());
        eval_lm_close(lm);
        return -1;
    }
    lm->n_vocab = mote_model_n_vocab(lm->model);
    lm->n_ctx = mote_context_n_ctx(lm->ctx);
    lm->n_batch = cp.n_batch;
    lm->last_logits = malloc(sizeof(float) * (size_t)lm->n_vocab);
    if (!lm->last_logits) {
        snprintf(err, es, "out of memory");
        eval_lm_close(lm);
        return -1;
    }
    return 0;
}

void eval_lm_close(eval_lm *lm) {
    mote_context_free(lm->ctx);
    mote_vocab_free(lm->vocab);
    mote_model_free(lm->model);
    free(lm->last_logits);
    free(lm->cached);
    memset(lm, 0, sizeof *lm);
}

int eval_lm_tokenize(eval_lm *lm, const char *text, bool add_bos, bool parse_special, int32_t **toks, size_t *n) {
    return mote_tokenize_alloc(lm->vocab, text, strlen(text), add_bos && mote_vocab_adds_bos(lm->vocab),
                               parse_special, toks, n);
}

int eval_lm_encode_pair(eval_lm *lm, const char *context, const char *continuation, int32_t **ctx, size_t *n_ctx,
                        int32_t **cont, size_t *n_cont) {
    size_t cl = strlen(context), spaces = 0;
    while (spaces < cl && context[cl - 1 - spaces] == ' ') spaces++;
    size_t kl = strlen(continuation);
    char *whole = malloc(cl + kl + 1);
    if (!whole) return MOTE_ERR_NOMEM;
    memcpy(whole, context, cl);
    memcpy(whole + cl, continuation, kl + 1);
    int32_t *w = NULL, *c = NULL;
    size_t nw = 0, nc = 0;
    int rc = mote_tokenize_alloc(lm->vocab, whole, cl + kl, mote_vocab_adds_bos(lm->vocab), false, &w, &nw);
    if (!rc) rc = mote_tokenize_alloc(lm->vocab, context, cl - spaces, mote_vocab_adds_bos(lm->vocab), false, &c, &nc);
    free(whole);
    if (!rc && nc >= nw) rc = MOTE_ERR_INVALID_ARG; /* an empty continuation */
    if (rc) {
        free(w);
        free(c);
        return rc;
    }
    *ctx = c;
    *n_ctx = nc;
    *n_cont = nw - nc;
    *cont = malloc(sizeof(int32_t) * (nw - nc));
    if (!*cont) {
        free(w);
        free(c);
        return MOTE_ERR_NOMEM;
    }
    memcpy(*cont, w + nc, sizeof(int32_t) * (nw - nc));
    free(w);
    return 0;
}

/* log-softmax of logits at token t; *is_max when t has the highest logit. */
static double log_prob(const float *logits, int32_t n, int32_t t, bool *is_max) {
    float mx = logits[0];
    int32_t arg = 0;
    for (int32_t i = 1; i < n; i++)
        if (logits[i] > mx) {
            mx = logits[i];
            arg = i;
        }
    double sum = 0;
    for (int32_t i = 0; i < n; i++) sum += exp((double)logits[i] - mx);
    if (is_max) *is_max = arg == t;
    return (double)logits[t] - mx - log(sum);
}

/* Evaluate ctx from an empty cache in n_batch pieces; keep the last logits. */
static int decode_context(eval_lm *lm, const int32_t *ctx, size_t n) {
    if (lm->n_cached == n && lm->cached && !memcmp(lm->cached, ctx, n * sizeof *ctx)) return 0;
    free(lm->cached);
    lm->cached = NULL;
    lm->n_cached = 0;
    mote_context_reset(lm->ctx);
    const float *logits = NULL;
    int rc = mote_decode(lm->ctx, ctx, (int32_t)n, false, &logits);
    if (rc) return rc;
    memcpy(lm->last_logits, logits, sizeof(float) * (size_t)lm->n_vocab);
    lm->cached = malloc(n * sizeof *ctx);
    if (lm->cached) {
        memcpy(lm->cached, ctx, n * sizeof *ctx);
        lm->n_cached = n;
    }
    return 0;
}

int eval_lm_loglik(eval_lm *lm, const int32_t *ctx, size_t n_ctx, const int32_t *cont, size_t n_cont, double *ll,
                   bool *greedy) {
    if (n_cont == 0 || n_ctx == 0 || n_cont >= (size_t)lm->n_ctx || n_cont > (size_t)lm->n_batch)
        return MOTE_ERR_INVALID_ARG;
    /* keep the most recent context tokens that fit with the continuation */
    if (n_ctx + n_cont > (size_t)lm->n_ctx) {
        size_t keep = (size_t)lm->n_ctx - n_cont;
        ctx += n_ctx - keep;
        n_ctx = keep;
        lm->truncated++;
    }
    int rc = decode_context(lm, ctx, n_ctx);
    if (rc) return rc;
    bool all_max = true, is_max;
    double sum = log_prob(lm->last_logits, lm->n_vocab, cont[0], &is_max);
    all_max = is_max;
    if (n_cont > 1) {
        /* the continuation after the cached context: its first token's explicit
         * position truncates whatever an earlier continuation left there, so
         * the context is evaluated once for all the choices of a question */
        mote_batch_token *batch = malloc((n_cont - 1) * sizeof *batch);
        if (!batch) return MOTE_ERR_NOMEM;
        for (size_t i = 0; i + 1 < n_cont; i++)
            batch[i] = (mote_batch_token){.token = cont[i], .seq = 0, .pos = i ? -1 : (int32_t)n_ctx, .logits = true};
        const float *rows = NULL;
        rc = mote_decode_batch(lm->ctx, batch, (int32_t)(n_cont - 1), &rows);
        free(batch);
        if (rc) return rc;
        for (size_t i = 1; i < n_cont; i++) {
            sum += log_prob(rows + (i - 1) * (size_t)lm->n_vocab, lm->n_vocab, cont[i], &is_max);
            all_max = all_max && is_max;
        }
    }
    *ll = sum;
    if (greedy) *greedy = all_max;
    return 0;
}

/* Greedy generation state. */
typedef struct {
    eval_lm *lm;
    mote_detok *detok;
    char *text;
    size_t len, cap;
    const char *stop;
    long left;
    bool failed;
} gen_state;

static bool on_token(int32_t tok, void *user) {
    gen_state *g = user;
    if (mote_vocab_is_eog(g->lm->vocab, tok)) return false;
    size_t n;
    const char *piece = mote_detok_feed(g->detok, tok, &n);
    if (g->len + n + 1 > g->cap) {
        size_t cap = (g->cap + n + 1) * 2;
        char *t = realloc(g->text, cap);
        if (!t) {
            g->failed = true;
            return false;
        }
        g->text = t;
        g->cap = cap;
    }
    memcpy(g->text + g->len, piece, n);
    g->len += n;
    g->text[g->len] = '\0';
    if (g->stop && strstr(g->text + (g->len > n + strlen(g->stop) ? g->len - n - strlen(g->stop) : 0), g->stop))
        return false;
    return --g->left > 0;
}

int eval_lm_generate(eval_lm *lm, const int32_t *prompt, size_t n_prompt, long max_tokens, const char *stop,
                     char **out) {
    *out = NULL;
    if (n_prompt == 0 || n_prompt >= (size_t)lm->n_ctx) return MOTE_ERR_INVALID_ARG;
    free(lm->cached);
    lm->cached = NULL;
    lm->n_cached = 0;
    mote_context_reset(lm->ctx);
    gen_state g = {.lm = lm, .stop = stop, .left = max_tokens > 0 ? max_tokens : 256};
    g.detok = mote_detok_new(lm->vocab, 0);
    g.text = calloc(1, 64);
    g.cap = 64;
    if (!g.detok || !g.text) {
        mote_detok_free(g.detok);
        free(g.text);
        return MOTE_ERR_NOMEM;
    }
    int rc = mote_generate(lm->ctx, prompt, (int32_t)n_prompt, (int32_t)g.left, NULL, on_token, &g, NULL);
    size_t n;
    const char *rest = mote_detok_flush(g.detok, &n);
    if (!rc && !g.failed && n && !(stop && strstr(g.text, stop))) {
        char *t = realloc(g.text, g.len + n + 1);
        if (t) {
            g.text = t;
            memcpy(g.text + g.len, rest, n);
            g.len += n;
            g.text[g.len] = '\0';
        }
    }
    mote_detok_free(g.detok);
    if (rc || g.failed) {
        free(g.text);
        return rc ? rc : MOTE_ERR_NOMEM;
    }
    if (stop) {
        char *hit = strstr(g.text, stop);
        if (hit) *hit = '\0';
    }
    *out = g.text;
    return 0;
}
