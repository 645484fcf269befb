/*
 * sampler.c — the public sampler (mote.h section 4): parameters, lifecycle,
 * the penalty history, and the chain that turns logits into a token.
 *
 * All memory is taken once in mote_sampler_new, sized from n_vocab and
 * repeat_last_n; sampling and accepting never allocate. The steps of the
 * chain live in steps.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "sampler/sampler_internal.h"

mote_sampler_params mote_sampler_default(void) {
    /* llama.cpp's defaults (common_params_sampling). */
    mote_sampler_params p = {
        .temp = 0.8f,
        .top_k = 40,
        .top_p = 0.95f,
        .min_p = 0.05f,
        .repeat_penalty = 1.0f,
        .repeat_last_n = 64,
        .presence_penalty = 0.0f,
        .frequency_penalty = 0.0f,
        .seed = MOTE_SEED_RANDOM,
    };
    return p;
}

/* MOTE_OK if every parameter means something, else a message naming it. */
static int check_params(const mote_sampler_params *p, int32_t n_vocab) {
    if (n_vocab <= 0) return mote_fail(MOTE_ERR_INVALID_ARG, "sampler: vocabulary size %d is not positive", n_vocab);
    if (isnan(p->temp)) return mote_fail(MOTE_ERR_INVALID_ARG, "sampler: temperature is not a number");
    if (!(p->top_p >= 0.0f))
        return mote_fail(MOTE_ERR_INVALID_ARG, "sampler: top_p %g must be >= 0 (1 or more turns it off)",
                         (double)p->top_p);
    if (!(p->min_p >= 0.0f && p->min_p <= 1.0f))
        return mote_fail(MOTE_ERR_INVALID_ARG, "sampler: min_p %g must be between 0 (off) and 1", (double)p->min_p);
    if (!(p->repeat_penalty > 0.0f) || isinf(p->repeat_penalty))
        return mote_fail(MOTE_ERR_INVALID_ARG, "sampler: repeat_penalty %g must be > 0 (1 turns it off)",
                         (double)p->repeat_penalty);
    if (p->repeat_last_n < -1)
        return mote_fail(MOTE_ERR_INVALID_ARG,
                         "sampler: repeat_last_n %d must be >= -1 (0 off, -1 the whole history)",
                         p->repeat_last_n);
    if (!isfinite(p->presence_penalty) || !isfinite(p->frequency_penalty))
        return mote_fail(MOTE_ERR_INVALID_ARG, "sampler: presence/frequency penalties must be finite numbers");
    return MOTE_OK;
}

/* A seed that differs between runs: wall clock, monotonic clock and an
 * address (ASLR), mixed. */
static uint64_t seed_from_clock(const void *salt) {
    struct timespec rt, mono;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    uint64_t x = (uint64_t)rt.tv_sec * 1000000007ULL ^ (uint64_t)rt.tv_nsec ^ ((uint64_t)mono.tv_nsec << 32) ^
                 (uint64_t)(uintptr_t)salt;
    uint64_t seed = mote_splitmix64(&x);
    return seed == MOTE_SEED_RANDOM ? 0 : seed;
}

mote_sampler *mote_sampler_new(const mote_sampler_params *p, int32_t n_vocab) {
    mote_sampler_params def = mote_sampler_default();
    if (!p) p = &def;
    if (check_params(p, n_vocab) != MOTE_OK) return NULL;
    mote_sampler *s = calloc(1, sizeof *s);
    if (!s) {
        mote_fail(MOTE_ERR_NOMEM, "sampler: out of memory");
        return NULL;
    }
    s->p = *p;
    s->n_vocab = n_vocab;
    s->counts = calloc((size_t)n_vocab, sizeof *s->counts);
    s->cand = malloc((size_t)n_vocab * sizeof *s->cand);
    if (p->repeat_last_n > 0) s->ring = malloc((size_t)p->repeat_last_n * sizeof *s->ring);
    if (!s->counts || !s->cand || (p->repeat_last_n > 0 && !s->ring)) {
        mote_sampler_free(s);
        mote_fail(MOTE_ERR_NOMEM, "sampler: out of memory for a vocabulary of %d tokens", n_vocab);
        return NULL;
    }
    s->grammar_pending = -1;
    s->seed = p->seed == MOTE_SEED_RANDOM ? seed_from_clock(s) : p->seed;
    mote_sampler_reset(s);
    return s;
}

void mote_sampler_free(mote_sampler *s) {
    if (!s) return;
    mote_sampler_grammar_reset(s, true);
    free(s->counts);
    free(s->ring);
    free(s->cand);
    free(s);
}

uint64_t mote_sampler_seed(const mote_sampler *s) { return s ? s->seed : 0; }

int32_t mote_sampler_sample(mote_sampler *s, float *logits) {
    if (!s || !logits) return -1;
    mote_sampler_apply_penalties(s, logits);
    if (s->grammar) return mote_sampler_sample_grammar(s, logits);
    /* Greedy: every filter keeps the best token, so the answer is the argmax
     * of the penalised logits whatever the filters say. */
    if (s->p.temp <= 0.0f) return mote_sampler_argmax(logits, s->n_vocab);
    if (mote_sampler_filter(s, logits) <= 0) return -1;
    return mote_sampler_draw(s, s->p.temp);
}

void mote_sampler_accept(mote_sampler *s, int32_t token) {
    if (s && s->grammar) mote_sampler_accept_grammar(s, token);
    if (!s || token < 0 || token >= s->n_vocab || s->p.repeat_last_n == 0) return;
    if (s->ring) {
        int32_t cap = s->p.repeat_last_n;
        if (s->ring_len == cap) {
            /* Full window: the oldest token leaves as the new one enters. */
            s->counts[s->ring[s->ring_head]]--;
            s->ring[s->ring_head] = token;
            s->ring_head = (s->ring_head + 1) % cap;
        } else {
            s->ring[(s->ring_head + s->ring_len) % cap] = token;
            s->ring_len++;
        }
        s->counts[token]++;
    } else if (s->counts[token] < INT32_MAX) {
        s->counts[token]++; /* unbounded window (-1): counts only grow */
    }
}

void mote_sampler_reset(mote_sampler *s) {
    if (!s) return;
    memset(s->counts, 0, (size_t)s->n_vocab * sizeof *s->counts);
    s->ring_len = 0;
    s->ring_head = 0;
    s->n_cand = 0;
    mote_sampler_grammar_reset(s, false);
    /* The same seed again, so a reset sampler repeats its sequence. */
    mote_rng_seed(&s->rng, s->seed);
}
