/*
 * steps.c — the steps of the sampling chain (see sampler_internal.h for the
 * order and why it is that order). Each step works on the sampler's
 * preallocated buffers; nothing here allocates.
 */
#include <math.h>
#include <stdlib.h>

#include "sampler/sampler_internal.h"

bool mote_sampler_penalties_active(const mote_sampler_params *p) {
    if (p->repeat_last_n == 0) return false;
    return p->repeat_penalty != 1.0f || p->frequency_penalty != 0.0f || p->presence_penalty != 0.0f;
}

void mote_sampler_apply_penalties(const mote_sampler *s, float *logits) {
    if (!mote_sampler_penalties_active(&s->p)) return;
    const float rep = s->p.repeat_penalty, freq = s->p.frequency_penalty, pres = s->p.presence_penalty;
    /* A scan of the counts is one cheap pass, no slower than the filters. */
    for (int32_t t = 0; t < s->n_vocab; t++) {
        int32_t c = s->counts[t];
        if (c <= 0) continue;
        /* Dividing a negative logit would make the token *more* likely, so
         * negative logits are multiplied instead (llama.cpp's convention). */
        float l = logits[t];
        l = l <= 0.0f ? l * rep : l / rep;
        logits[t] = l - (float)c * freq - pres;
    }
}

int32_t mote_sampler_argmax(const float *logits, int32_t n) {
    int32_t best = -1;
    for (int32_t i = 0; i < n; i++) {
        if (isnan(logits[i])) continue;
        if (best < 0 || logits[i] > logits[best]) best = i;
    }
    return best;
}

/* True if a ranks before b: larger logit first, lower id breaks ties, so
 * every ordering in the chain is deterministic. */
static inline bool ranks_before(const mote_candidate *a, const mote_candidate *b) {
    return a->logit > b->logit || (a->logit == b->logit && a->id < b->id);
}

static int compare_rank(const void *pa, const void *pb) {
    const mote_candidate *a = pa, *b = pb;
    if (ranks_before(a, b)) return -1;
    if (ranks_before(b, a)) return 1;
    return 0;
}

/* Restore the heap property below node i of a heap whose root is the
 * candidate that ranks last. */
static void heap_sift_down(mote_candidate *h, int32_t n, int32_t i) {
    for (;;) {
        int32_t worst = i, l = 2 * i + 1, r = l + 1;
        if (l < n && ranks_before(&h[worst], &h[l])) worst = l;
        if (r < n && ranks_before(&h[worst], &h[r])) worst = r;
        if (worst == i) return;
        mote_candidate tmp = h[i];
        h[i] = h[worst];
        h[worst] = tmp;
        i = worst;
    }
}

static void heap_sift_up(mote_candidate *h, int32_t i) {
    while (i > 0) {
        int32_t parent = (i - 1) / 2;
        if (!ranks_before(&h[parent], &h[i])) return;
        mote_candidate tmp = h[i];
        h[i] = h[parent];
        h[parent] = tmp;
        i = parent;
    }
}

/* top_k: the k best tokens into s->cand, through a heap of size k whose
 * root is the weakest kept token (O(n log k), no full sort). k >= n_vocab
 * keeps every token that is a number. */
static void keep_top_k(mote_sampler *s, const float *logits, int32_t k) {
    mote_candidate *h = s->cand;
    int32_t n = 0;
    if (k >= s->n_vocab) {
        for (int32_t i = 0; i < s->n_vocab; i++)
            if (!isnan(logits[i])) h[n++] = (mote_candidate){i, logits[i]};
        s->n_cand = n;
        return;
    }
    for (int32_t i = 0; i < s->n_vocab; i++) {
        if (isnan(logits[i])) continue;
        mote_candidate c = {i, logits[i]};
        if (n < k) {
            h[n] = c;
            heap_sift_up(h, n++);
        } else if (ranks_before(&c, &h[0])) {
            h[0] = c;
            heap_sift_down(h, n, 0);
        }
    }
    s->n_cand = n;
}

/* Rearrange c[0..n) so that its m best candidates come first (in no
 * particular order), swapping rather than overwriting so the rest stay. */
static void move_best_to_front(mote_candidate *c, int32_t n, int32_t m) {
    for (int32_t i = 1; i < m; i++) heap_sift_up(c, i);
    for (int32_t i = m; i < n; i++) {
        if (!ranks_before(&c[i], &c[0])) continue;
        mote_candidate tmp = c[0];
        c[0] = c[i];
        c[i] = tmp;
        heap_sift_down(c, m, 0);
    }
}

/* min_p: keep the candidates whose probability is at least min_p times the
 * largest one's, i.e. logit >= max_logit + log(min_p). Order is kept. */
static void keep_min_p(mote_sampler *s, float max_logit, float min_p) {
    const float floor_logit = max_logit + logf(min_p);
    int32_t n = 0;
    for (int32_t i = 0; i < s->n_cand; i++)
        if (s->cand[i].logit >= floor_logit) s->cand[n++] = s->cand[i];
    s->n_cand = n;
}

/* top_p: the smallest prefix of the ranked candidates whose probabilities
 * (softmax over all current candidates) add up to at least top_p. */
static void keep_top_p(mote_sampler *s, float max_logit, float top_p, float min_p) {
    float z = 0.0f;
    for (int32_t i = 0; i < s->n_cand; i++) z += expf(s->cand[i].logit - max_logit);
    /* Both top_p and min_p keep a prefix of the same ranking, so tokens that
     * min_p will drop anyway can be dropped before the sort, which then
     * touches far fewer tokens. The normaliser z above was taken first, so
     * the probabilities are those top_p would see on its own. */
    if (min_p > 0.0f) keep_min_p(s, max_logit, min_p);
    /* A trained model's nucleus is usually a few dozen tokens: rank only the
     * best TOP_P_FIRST_RANKS first and sort everything only if they are not
     * enough (a full sort of 150k tokens costs ~25 ms). */
    enum { TOP_P_FIRST_RANKS = 256 };
    int32_t ranked = s->n_cand;
    if (s->n_cand > 4 * TOP_P_FIRST_RANKS) {
        ranked = TOP_P_FIRST_RANKS;
        move_best_to_front(s->cand, s->n_cand, ranked);
    }
    qsort(s->cand, (size_t)ranked, sizeof *s->cand, compare_rank);
    float cum = 0.0f;
    for (int32_t i = 0; i < s->n_cand; i++) {
        if (i == ranked) {
            qsort(s->cand + ranked, (size_t)(s->n_cand - ranked), sizeof *s->cand, compare_rank);
            ranked = s->n_cand;
        }
        cum += expf(s->cand[i].logit - max_logit) / z;
        if (cum >= top_p) {
            s->n_cand = i + 1;
            return;
        }
    }
}

int32_t mote_sampler_filter_ranked(mote_sampler *s) {
    const mote_sampler_params *p = &s->p;
    if (s->n_cand <= 0) return 0;
    const float max_logit = s->cand[0].logit;
    if (p->top_p < 1.0f) keep_top_p(s, max_logit, p->top_p, p->min_p);
    if (p->min_p > 0.0f) keep_min_p(s, max_logit, p->min_p);
    return s->n_cand;
}

int32_t mote_sampler_filter(mote_sampler *s, const float *logits) {
    const mote_sampler_params *p = &s->p;
    int32_t best = mote_sampler_argmax(logits, s->n_vocab);
    if (best < 0) {
        s->n_cand = 0;
        return 0;
    }
    const float max_logit = logits[best];
    if (max_logit == -INFINITY) {
        /* Every token is forbidden; softmax is undefined, so take the first. */
        s->cand[0] = (mote_candidate){best, max_logit};
        s->n_cand = 1;
        return 1;
    }
    int32_t k = p->top_k > 0 && p->top_k < s->n_vocab ? p->top_k : s->n_vocab;
    keep_top_k(s, logits, k);
    if (p->top_p < 1.0f) keep_top_p(s, max_logit, p->top_p, p->min_p);
    if (p->min_p > 0.0f) keep_min_p(s, max_logit, p->min_p);
    return s->n_cand;
}

int32_t mote_sampler_draw(mote_sampler *s, float temp) {
    if (s->n_cand <= 0) return -1;
    /* One random number per draw, even when the choice is forced, so the
     * stream position depends only on how many tokens were sampled. */
    double u = mote_rng_uniform(&s->rng);
    if (s->n_cand == 1) return s->cand[0].id;
    float max_logit = s->cand[0].logit;
    for (int32_t i = 1; i < s->n_cand; i++)
        if (s->cand[i].logit > max_logit) max_logit = s->cand[i].logit;
    double sum = 0.0;
    for (int32_t i = 0; i < s->n_cand; i++) sum += exp((double)(s->cand[i].logit - max_logit) / temp);
    double target = u * sum, cum = 0.0;
    for (int32_t i = 0; i < s->n_cand; i++) {
        cum += exp((double)(s->cand[i].logit - max_logit) / temp);
        if (target < cum) return s->cand[i].id;
    }
    /* Rounding can leave target just above the last partial sum. */
    return s->cand[s->n_cand - 1].id;
}
