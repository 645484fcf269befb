/*
 * perplexity.c — mote_perplexity: llama-perplexity's measure, so numbers
 * can be compared with llama.cpp's directly.
 *
 * The token stream is cut into chunks of n_ctx tokens (the context's size;
 * a tail shorter than a chunk is dropped). Each chunk starts from an empty
 * cache with its first token replaced by BOS and is evaluated in steps of
 * at most n_batch tokens (which give the same numbers as one step). Only
 * the second half is scored: the logits after position j (first <= j <
 * n_ctx - 1, first = n_ctx / 2) give the probability of token j + 1. Over all N scored tokens, with
 * nll_i = -log p_i:  PPL = exp(mean nll), and its error is
 * PPL * sqrt((mean nll^2 - mean nll ^ 2) / (N - 1)).
 */
#include <math.h>
#include <stdbool.h>

#include "core/error.h"
#include "engine/context.h"

/* -log softmax(logits)[target], in double like llama.cpp. */
static double nll_of(const float *logits, int32_t n_vocab, int32_t target) {
    float max = logits[0];
    for (int32_t i = 1; i < n_vocab; i++)
        if (logits[i] > max) max = logits[i];
    double sum = 0.0;
    for (int32_t i = 0; i < n_vocab; i++) sum += exp((double)(logits[i] - max));
    return -((double)(logits[target] - max) - log(sum));
}

int mote_perplexity(mote_context *c, const int32_t *tokens, int64_t n_tokens, int32_t bos, mote_ppl_fn on_chunk,
                    void *user, double *ppl, double *ppl_err) {
    const int32_t n_ctx = c->n_ctx, n_vocab = c->model->hp.n_vocab, first = n_ctx / 2;
    if (!c->all_logits) return mote_fail(MOTE_ERR_INVALID_ARG, "perplexity needs a context made with all_logits");
    if (!c->model->output.data)
        return mote_fail(MOTE_ERR_UNSUPPORTED, "%s is an embedding model (no output head): it embeds text (mote_embed), "
                         "it does not predict tokens", c->model->hp.arch);
    if (n_ctx < 4) return mote_fail(MOTE_ERR_INVALID_ARG, "a context of %d tokens is too small for perplexity", n_ctx);
    if (n_tokens < (int64_t)n_ctx)
        return mote_fail(MOTE_ERR_INVALID_ARG,
                         "perplexity with a context of %d needs at least %d tokens; the text has only %lld", n_ctx,
                         n_ctx, (long long)n_tokens);
    const int32_t n_chunks = (int32_t)(n_tokens / n_ctx);
    double nll = 0.0, nll2 = 0.0;
    int64_t count = 0;
    for (int32_t k = 0; k < n_chunks; k++) {
        const int32_t *chunk = tokens + (int64_t)k * n_ctx;
        mote_context_reset(c);
        int32_t pos = 0;
        if (bos >= 0) {
            /* BOS stands in for the chunk's first token (its logits are never scored) */
            int rc = mote_decode(c, &bos, 1, false, NULL);
            if (rc) return rc;
            pos = 1;
        }
        while (pos < n_ctx) {
            /* Up to `first` no logits are needed: evaluate that part without
             * asking for them (same numbers, half the output-head work). */
            const int32_t limit = pos < first ? first : n_ctx;
            const int32_t len = limit - pos < c->n_batch ? limit - pos : c->n_batch;
            const bool scored = pos + len > first;
            const float *logits;
            int rc = mote_decode(c, chunk + pos, len, scored, &logits);
            if (rc) return rc;
            /* row r holds the logits after position pos + r; score those in [first, n_ctx - 1) */
            for (int32_t j = pos > first ? pos : first; scored && j < pos + len && j < n_ctx - 1; j++) {
                const double v = nll_of(logits + (size_t)(j - pos) * n_vocab, n_vocab, chunk[j + 1]);
                nll += v;
                nll2 += v * v;
                count++;
            }
            pos += len;
        }
        if (on_chunk) on_chunk(k + 1, n_chunks, exp(nll / (double)count), user);
    }
    const double mean = nll / (double)count, var = nll2 / (double)count - mean * mean;
    *ppl = exp(mean);
    *ppl_err = var > 0 && count > 1 ? sqrt(var / (double)(count - 1)) * *ppl : 0.0;
    return MOTE_OK;
}
