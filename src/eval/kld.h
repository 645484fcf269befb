/*
 * kld.h — KL divergence between a model and a base model over a text, in
 * llama-perplexity's way and with its base-logit file format, so that a
 * file written by either tool is read by the other:
 *
 *   "_logits_"  u32 n_ctx  i32 n_vocab  i32 n_chunk  i32 tokens[n_chunk * n_ctx]
 *   then per chunk, for each scored position (n_ctx/2 .. n_ctx-2), one row of
 *   2*((n_vocab+1)/2) + 4 uint16: float scale, float min_log_prob, then each
 *   token's log-probability as round((logit - min_logit) / scale), where
 *   min_logit = max(smallest logit, largest - 16) and scale = (largest -
 *   min_logit) / 65535 (0 below min_logit).
 *
 * Everything goes through the public API (mote_decode with all logits).
 */
#ifndef MOTE_EVAL_KLD_H
#define MOTE_EVAL_KLD_H

#include <stdint.h>
#include <stdio.h>

#include "mote.h"

/* Evaluate the text's tokens in chunks of the context's size (each starting
 * with BOS when bos >= 0; at least one chunk), as mote_perplexity does, and write every scored
 * position's log-probabilities to path; the running perplexity after each
 * chunk ("[k]PPL,") goes to out unless it is NULL. *ppl and *ppl_err as
 * mote_perplexity. On failure err holds a one-line message. */
int kld_save_base(const mote_model *m, mote_context *c, const int32_t *tokens, int64_t n_tokens, int32_t bos, const char *path,
                  FILE *out, double *ppl, double *ppl_err, char *err, size_t err_size);

/* Read a base file's header: its chunk length (for the context to make). */
int kld_base_n_ctx(const char *path, int32_t *n_ctx, char *err, size_t err_size);

/* The headline numbers of a comparison. */
typedef struct {
    long n_positions;              /* scored positions */
    double ppl, ppl_base, ppl_ratio; /* perplexity of the model, of the base, their ratio */
    double kld_mean, kld_err;      /* mean KL divergence (nats) and its standard error */
    double kld_p99, kld_max;       /* 99th percentile and maximum */
    double same_top;               /* share of positions where both rank the same token first (0..1) */
} kld_result;

/* Evaluate the base file's tokens with the model of context c (whose size
 * must be the file's n_ctx) and print llama-perplexity's statistics to out:
 * per chunk PPL, ln(PPL(Q)/PPL(base)), KLD, RMS Δp and same-top share; then
 * mean PPLs and their ratio and difference, KLD mean, maximum, percentiles
 * and minimum, Δp statistics and the share of positions where both models
 * rank the same token first (out NULL: print nothing). The headline numbers
 * go to *res when res is not NULL. max_chunks > 0 stops early. */
int kld_compare(const mote_model *m, mote_context *c, int32_t bos, const char *path, long max_chunks, FILE *out,
                kld_result *res, char *err, size_t err_size);

#endif
