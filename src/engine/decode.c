/*
 * decode.c — mote_decode (one sequence, the simple road) and
 * mote_decode_batch (tokens of many sequences in one forward pass): the
 * argument checks, the split into forward steps of at most n_ubatch tokens
 * (context.c: a call holds up to n_batch), and the bookkeeping of where each token's keys go and which logits come back.
 *
 * Every check runs before the first forward step, so a failed call leaves
 * the cache exactly as it was.
 */
#include <string.h>

#include "core/error.h"
#include "engine/context.h"

/* One forward step, holding the shared worker pool for its whole length. */
static void forward_step(mote_context *c, const int32_t *tokens, int32_t n) {
    mote_threadpool_lock(c->pool);
    mote_forward(c, tokens, n);
    mote_threadpool_unlock(c->pool);
}

/* Tokens per forward step for a call of n: n split into equal steps of at
 * most n_ubatch, so no step is a short remainder (a step of 513 tokens is
 * two of 257, not 512 and 1): the products take the road of a long batch
 * for every step, the road one step of n would take wherever both are past
 * every crossover (engine/matmul.c). */
static int32_t step_size(const mote_context *c, int32_t n) {
    const int32_t steps = (n + c->n_ubatch - 1) / c->n_ubatch;
    return (n + steps - 1) / steps;
}

static int check_token(const mote_context *c, int32_t token) {
    if (token < 0 || token >= c->model->hp.n_vocab)
        return mote_fail(MOTE_ERR_INVALID_ARG, "token id %d is outside the vocabulary of %d", token,
                         c->model->hp.n_vocab);
    return MOTE_OK;
}

int mote_decode(mote_context *c, const int32_t *tokens, int32_t n, bool all_logits, const float **logits) {
    if (logits) *logits = NULL;
    if (!c || !tokens || n <= 0) return mote_fail(MOTE_ERR_INVALID_ARG, "nothing to decode");
    const int32_t len = c->seq_len[0];
    if (n > c->seq_cap - len)
        return mote_fail(MOTE_ERR_INVALID_ARG, "%d more tokens do not fit the context of %d (%d already used)", n,
                         c->seq_cap, len);
    if (all_logits && (!c->all_logits || n > c->n_batch))
        return mote_fail(MOTE_ERR_INVALID_ARG,
                         "all logits need a context made with all_logits and at most %d tokens per call", c->n_batch);
    for (int32_t i = 0; i < n; i++)
        if (check_token(c, tokens[i])) return MOTE_ERR_INVALID_ARG;
    const int32_t size = step_size(c, n);
    for (int32_t i = 0; i < n; i += size) {
        const int32_t step = n - i < size ? n - i : size;
        for (int32_t t = 0; t < step; t++) {
            c->tok_seq[t] = 0;
            c->tok_pos[t] = len + i + t;
            c->tok_out[t] = all_logits ? i + t : (i + t == n - 1 ? 0 : -1);
        }
        forward_step(c, tokens + i, step);
    }
    c->seq_len[0] = len + n;
    if (logits) *logits = c->logits;
    return MOTE_OK;
}

/* The checks of mote_decode_batch, on a copy of the sequences' lengths:
 * ids, positions without gaps (an explicit position only on a sequence's
 * first token of the batch), room in each sequence, room for the logits. */
static int check_batch(const mote_context *c, const mote_batch_token *b, int32_t n, int32_t *len, bool *seen) {
    memcpy(len, c->seq_len, (size_t)c->n_seq * sizeof *len);
    memset(seen, 0, (size_t)c->n_seq * sizeof *seen);
    int32_t rows = 0;
    for (int32_t i = 0; i < n; i++) {
        const mote_batch_token *t = &b[i];
        if (t->seq < 0 || t->seq >= c->n_seq)
            return mote_fail(MOTE_ERR_INVALID_ARG, "token %d of the batch names sequence %d; the context has %d", i,
                             t->seq, c->n_seq);
        if (check_token(c, t->token)) return MOTE_ERR_INVALID_ARG;
        int32_t *l = &len[t->seq];
        if (t->pos >= 0) {
            if (seen[t->seq] && t->pos != *l)
                return mote_fail(MOTE_ERR_INVALID_ARG,
                                 "token %d of the batch: sequence %d's tokens must follow each other (position %d, "
                                 "expected %d)",
                                 i, t->seq, t->pos, *l);
            if (t->pos > *l)
                return mote_fail(MOTE_ERR_INVALID_ARG,
                                 "token %d of the batch: position %d would leave a gap in sequence %d (it holds %d)", i,
                                 t->pos, t->seq, *l);
            *l = t->pos;
        } else if (t->pos != -1) {
            return mote_fail(MOTE_ERR_INVALID_ARG, "token %d of the batch: position %d is negative", i, t->pos);
        }
        seen[t->seq] = true;
        if (*l >= c->seq_cap)
            return mote_fail(MOTE_ERR_INVALID_ARG, "sequence %d is full (%d tokens, the most a sequence holds)", t->seq,
                             c->seq_cap);
        (*l)++;
        rows += t->logits;
    }
    if (rows > c->logits_cap)
        return mote_fail(MOTE_ERR_INVALID_ARG, "the batch asks for %d rows of logits; this context has room for %d%s",
                         rows, c->logits_cap, c->all_logits ? "" : " (one per sequence; all_logits gives n_batch)");
    return MOTE_OK;
}

int mote_decode_batch(mote_context *c, const mote_batch_token *batch, int32_t n, const float **logits) {
    if (logits) *logits = NULL;
    if (!c || !batch || n <= 0) return mote_fail(MOTE_ERR_INVALID_ARG, "nothing to decode");
    int rc = check_batch(c, batch, n, c->seq_scratch, c->seq_seen);
    if (rc) return rc;
    int32_t *tokens = c->step_tokens;
    int32_t row = 0;
    const int32_t size = step_size(c, n);
    for (int32_t i = 0; i < n; i += size) {
        const int32_t step = n - i < size ? n - i : size;
        for (int32_t t = 0; t < step; t++) {
            const mote_batch_token *b = &batch[i + t];
            const int32_t pos = b->pos >= 0 ? b->pos : c->seq_len[b->seq];
            c->seq_len[b->seq] = pos + 1;
            tokens[t] = b->token;
            c->tok_seq[t] = b->seq;
            c->tok_pos[t] = pos;
            c->tok_out[t] = b->logits ? row++ : -1;
        }
        forward_step(c, tokens, step);
    }
    if (logits) *logits = c->logits;
    return MOTE_OK;
}
