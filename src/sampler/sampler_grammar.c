/*
 * sampler_grammar.c — grammar-constrained sampling (mote.h section 4b):
 * attaching a grammar to a sampler, choosing only tokens the grammar allows,
 * and advancing it with the chosen token.
 *
 * Most steps never build the full mask. With greedy decoding the argmax is
 * tested alone first; with top_k sampling the best few dozen tokens are
 * tested one by one, and when k of them are allowed those are exactly the
 * tokens top_k would keep after masking, so the rest of the chain runs on
 * them unchanged. Only when too few of the best tokens fit (the grammar
 * allows a narrow set: a bracket, a quote, a keyword) is the full mask
 * computed — a trie walk that the narrow set makes short, and that is
 * remembered per grammar state.
 */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "grammar/grammar_matcher.h"
#include "sampler/sampler_internal.h"

int mote_sampler_set_grammar(mote_sampler *s, const mote_grammar *g, const mote_grammar_vocab *gv) {
    if (!s) return mote_fail(MOTE_ERR_INVALID_ARG, "sampler: no sampler");
    if (g && !gv) return mote_fail(MOTE_ERR_INVALID_ARG, "sampler: a grammar needs its vocabulary (mote_grammar_vocab_new)");
    grammar_matcher *m = NULL;
    if (g && !(m = grammar_matcher_new(g, gv))) return MOTE_ERR_NOMEM; /* (the message is set) */
    mote_sampler_grammar_reset(s, true);
    s->grammar = m;
    return MOTE_OK;
}

void mote_sampler_grammar_reset(mote_sampler *s, bool drop) {
    if (!s || !s->grammar) return;
    s->grammar_pending = -1;
    if (drop) {
        grammar_matcher_free(s->grammar);
        s->grammar = NULL;
    } else {
        grammar_matcher_restart(s->grammar);
    }
}

void mote_sampler_grammar_restart(mote_sampler *s) { mote_sampler_grammar_reset(s, false); }

bool mote_sampler_grammar_complete(const mote_sampler *s) {
    return !s || !s->grammar || grammar_matcher_complete(s->grammar);
}

void mote_sampler_accept_grammar(mote_sampler *s, int32_t token) {
    if (token < 0 || token != s->grammar_pending) return; /* prompt tokens: history only */
    s->grammar_pending = -1;
    grammar_matcher_accept(s->grammar, token);
}

/* Candidates ranked: larger logit first, lower id on ties (as the chain ranks them). */
static bool ranks_before(const mote_candidate *a, const mote_candidate *b) {
    return a->logit > b->logit || (a->logit == b->logit && a->id < b->id);
}

static void sift_down(mote_candidate *h, int32_t n, int32_t i) {
    for (;;) {
        int32_t worst = i, l = 2 * i + 1, r = l + 1;
        if (l < n && ranks_before(&h[worst], &h[l])) worst = l;
        if (r < n && ranks_before(&h[worst], &h[r])) worst = r;
        if (worst == i) return;
        mote_candidate t = h[i];
        h[i] = h[worst], h[worst] = t;
        i = worst;
    }
}

static int compare_rank(const void *pa, const void *pb) {
    const mote_candidate *a = pa, *b = pb;
    return ranks_before(a, b) ? -1 : ranks_before(b, a) ? 1 : 0;
}

/* The m best tokens into c[0..m), best first (a heap of the m best, then sorted). */
static int32_t best_m(const float *logits, int32_t n, int32_t m, mote_candidate *c) {
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++) {
        if (isnan(logits[i])) continue;
        mote_candidate x = {i, logits[i]};
        if (k < m) {
            c[k] = x;
            for (int32_t j = k++; j > 0;) {
                int32_t parent = (j - 1) / 2;
                if (!ranks_before(&c[parent], &c[j])) break;
                mote_candidate t = c[j];
                c[j] = c[parent], c[parent] = t;
                j = parent;
            }
        } else if (ranks_before(&x, &c[0])) {
            c[0] = x;
            sift_down(c, k, 0);
        }
    }
    /* heap sort: repeatedly move the worst to the end */
    for (int32_t end = k - 1; end > 0; end--) {
        mote_candidate t = c[0];
        c[0] = c[end], c[end] = t;
        sift_down(c, end, 0);
    }
    return k;
}

/* The allowed end-of-generation token with the best logit, or -1. */
static int32_t best_eog(const mote_sampler *s, const float *logits) {
    const mote_grammar_vocab *gv = grammar_matcher_vocab(s->grammar);
    int32_t best = -1;
    for (int32_t i = 0; i < gv->n_eog; i++) {
        int32_t t = gv->eog[i];
        if (t < s->n_vocab && (best < 0 || logits[t] > logits[best])) best = t;
    }
    return best;
}

int32_t mote_sampler_sample_grammar(mote_sampler *s, float *logits) {
    grammar_matcher *m = s->grammar;
    const int32_t n = s->n_vocab;
    int32_t tok = -1;
    s->grammar_pending = -1;
    if (grammar_matcher_finished(m)) {
        /* nothing but the end can follow */
        tok = grammar_matcher_complete(m) ? best_eog(s, logits) : -1;
        goto out;
    }
    const int32_t k = s->p.temp <= 0.0f ? 1 : s->p.top_k;
    if (k > 0 && k < n) {
        if (k == 1) {
            int32_t best = mote_sampler_argmax(logits, n);
            if (best >= 0 && grammar_matcher_allows(m, best)) {
                tok = best;
                goto out;
            }
        }
        int32_t want = k * 4 > 64 ? k * 4 : 64;
        if (want > n) want = n;
        int32_t got = best_m(logits, n, want, s->cand), found = 0;
        for (int32_t i = 0; i < got && found < k; i++)
            if (grammar_matcher_allows(m, s->cand[i].id)) s->cand[found++] = s->cand[i];
        if (found == k) {
            if (k == 1) {
                tok = s->cand[0].id;
                goto out;
            }
            /* the k best allowed tokens, ranked, are what top_k keeps after
             * masking: the rest of the chain runs on them alone */
            s->n_cand = found;
            tok = mote_sampler_filter_ranked(s) > 0 ? mote_sampler_draw(s, s->p.temp) : -1;
            goto out;
        }
    }
    {
        const uint8_t *mask = grammar_matcher_mask(m);
        if (!mask) goto out;
        const int32_t n_gv = grammar_matcher_vocab(m)->n_vocab, n_mask = n < n_gv ? n : n_gv;
        /* the allowed tokens, straight from the mask's bits */
        int32_t c = 0;
        for (int32_t i = 0; i < n_mask; i += 8) {
            uint8_t bits = mask[i >> 3];
            for (int32_t b = 0; bits && b < 8 && i + b < n_mask; b++, bits >>= 1)
                if ((bits & 1) && !isnan(logits[i + b])) s->cand[c++] = (mote_candidate){i + b, logits[i + b]};
        }
        if (c == 0) goto out;
        if (s->p.temp <= 0.0f) {
            /* greedy: the best allowed token */
            int32_t best = 0;
            for (int32_t i = 1; i < c; i++)
                if (ranks_before(&s->cand[i], &s->cand[best])) best = i;
            tok = s->cand[best].id;
            goto out;
        }
        if (k > 0 && c <= 8192) {
            /* few allowed tokens (a narrow state): rank them and finish here */
            qsort(s->cand, (size_t)c, sizeof *s->cand, compare_rank);
            s->n_cand = c < k ? c : k;
            tok = mote_sampler_filter_ranked(s) > 0 ? mote_sampler_draw(s, s->p.temp) : -1;
            goto out;
        }
        /* many allowed tokens and no top_k: mask the logits and run the whole chain */
        for (int32_t i = 0; i < n; i++)
            if (i >= n_mask || !((mask[i >> 3] >> (i & 7)) & 1)) logits[i] = -INFINITY;
    }
    if (s->p.temp <= 0.0f) {
        tok = mote_sampler_argmax(logits, n);
    } else {
        tok = mote_sampler_filter(s, logits) > 0 ? mote_sampler_draw(s, s->p.temp) : -1;
        /* rounding in the draw can land on a candidate of zero probability */
        if (tok >= 0 && logits[tok] == -INFINITY) tok = mote_sampler_argmax(logits, n);
    }
    if (tok >= 0 && logits[tok] == -INFINITY) tok = -1;
out:
    s->grammar_pending = tok;
    return tok;
}
