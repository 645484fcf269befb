/*
 * sampler_internal.h — the sampler's state and its individual steps, shared
 * by sampler.c (lifecycle and the chain) and steps.c (the steps themselves),
 * and visible to the unit tests so they can check each step exactly.
 *
 * The chain follows llama.cpp's default order and meanings:
 *
 *     penalties -> top_k -> top_p -> min_p -> temperature -> draw
 *
 * Penalties change the raw logits; the three filters shrink a candidate
 * list; temperature scales what is left; the draw picks one candidate in
 * proportion to softmax(logit). temp <= 0 means "the argmax of the
 * penalised logits" (the filters always keep the maximum, so they cannot
 * change that answer and are skipped).
 */
#ifndef MOTE_SAMPLER_INTERNAL_H
#define MOTE_SAMPLER_INTERNAL_H

#include "mote.h"
#include "sampler/rng.h"

/* One token still in the running. */
typedef struct {
    int32_t id;
    float logit;
} mote_candidate;

struct mote_sampler {
    mote_sampler_params p;
    int32_t n_vocab;
    uint64_t seed;            /* the seed in use (resolved if MOTE_SEED_RANDOM was asked) */
    mote_rng rng;

    /* Penalty history: how often each token occurs in the window, and the
     * window itself as a ring buffer (absent when the window is unbounded). */
    int32_t *counts;          /* [n_vocab] */
    int32_t *ring;            /* [p.repeat_last_n] or NULL */
    int32_t ring_len;         /* tokens currently in the ring */
    int32_t ring_head;        /* index of the oldest token */

    mote_candidate *cand;     /* [n_vocab], the working candidate list */
    int32_t n_cand;

    /* Grammar (sampler_grammar.c): NULL when none is attached. */
    struct grammar_matcher *grammar;
    int32_t grammar_pending;  /* the token the last sample returned, until accepted (-1: none) */
};

/* With a grammar attached: choose a token from penalised logits among those
 * the grammar allows (sampler_grammar.c). */
int32_t mote_sampler_sample_grammar(mote_sampler *s, float *logits);
/* Advance the grammar past `token` if it is the one just sampled. */
void mote_sampler_accept_grammar(mote_sampler *s, int32_t token);
/* Restart the grammar (if any) and free it (if `drop`). */
void mote_sampler_grammar_reset(mote_sampler *s, bool drop);

/* True if the parameters make the penalty step do anything. */
bool mote_sampler_penalties_active(const mote_sampler_params *p);
/* Apply repeat, frequency and presence penalties to `logits` in place, for
 * every token seen in the window: a positive logit is divided by
 * repeat_penalty, a non-positive one multiplied by it, then
 * count * frequency_penalty + presence_penalty is subtracted. */
void mote_sampler_apply_penalties(const mote_sampler *s, float *logits);

/* Fill s->cand with the tokens that survive top_k, top_p and min_p (in that
 * order) for already-penalised logits; returns their number (>= 1 unless
 * every logit is NaN). Test hook as well as a step of the chain. */
int32_t mote_sampler_filter(mote_sampler *s, const float *logits);

/* top_p and min_p over s->cand[0..n_cand), which already holds the top_k
 * candidates ranked best first (the grammar's fast path finds them itself). */
int32_t mote_sampler_filter_ranked(mote_sampler *s);

/* Index of the largest logit (the lowest index among equals); -1 if none is
 * a number. */
int32_t mote_sampler_argmax(const float *logits, int32_t n);

/* Draw one candidate of s->cand with probability softmax(logit / temp). */
int32_t mote_sampler_draw(mote_sampler *s, float temp);

#endif
