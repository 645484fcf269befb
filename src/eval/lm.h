/*
 * lm.h — the model as the evaluation tasks see it, through the public API:
 * log-likelihoods of continuations (lm-eval's loglikelihood requests) and
 * greedy generation until a stop string (its generate_until requests).
 */
#ifndef MOTE_EVAL_LM_H
#define MOTE_EVAL_LM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mote.h"

typedef struct {
    mote_model *model;
    mote_vocab *vocab;
    mote_context *ctx;
    int32_t n_vocab, n_ctx, n_batch;
    float *last_logits;        /* copy of the logits after the cached context */
    int32_t *cached;           /* the context tokens those logits follow */
    size_t n_cached;
    size_t truncated;          /* requests whose context was cut to fit n_ctx */
} eval_lm;

/* Load the model and make a context of n_ctx cells (0: the model's, at most
 * 4096). On failure err holds a one-line message. */
int eval_lm_open(eval_lm *lm, const char *path, int n_ctx, int n_threads, char *err, size_t err_size);
void eval_lm_close(eval_lm *lm);

/* Tokens of text (with BOS when the vocabulary adds one and add_bos is set;
 * control tokens read when parse_special). malloc'd into *toks. */
int eval_lm_tokenize(eval_lm *lm, const char *text, bool add_bos, bool parse_special, int32_t **toks, size_t *n);

/* lm-eval's split of a request: the context's tokens (with BOS) and the
 * continuation's, found by tokenizing context+continuation whole and taking
 * what follows the context's token count (spaces at the end of the context
 * are moved to the continuation first). */
int eval_lm_encode_pair(eval_lm *lm, const char *context, const char *continuation, int32_t **ctx, size_t *n_ctx,
                        int32_t **cont, size_t *n_cont);

/* Sum of log P(cont[i] | ctx, cont[<i]) in *ll, and whether every
 * continuation token is the argmax (*greedy, may be NULL). The context is
 * cut from the left if the whole does not fit. Consecutive calls with the
 * same context evaluate it only once. */
int eval_lm_loglik(eval_lm *lm, const int32_t *ctx, size_t n_ctx, const int32_t *cont, size_t n_cont, double *ll,
                   bool *greedy);

/* Greedy continuation of the prompt tokens: at most max_tokens, stopping at
 * an end-of-generation token, a full context or (when stop is not NULL) the
 * first occurrence of stop, which is cut off. *out is malloc'd text. */
int eval_lm_generate(eval_lm *lm, const int32_t *prompt, size_t n_prompt, long max_tokens, const char *stop,
                     char **out);

#endif
