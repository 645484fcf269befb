/*
 * sched.c — the scheduler (mote_sched, see mote.h): many requests on one
 * context, each in a sequence of its own, advanced together one batched
 * forward pass at a time.
 *
 * A step's batch is built in two parts: first one token for every request
 * that is generating (the token it chose last step), then prompt tokens of
 * requests still reading their prompt, oldest request first, as long as
 * n_batch allows. So a long prompt never stalls the others' generation for
 * more than one step, and a sequence whose prompt ends in this step gets its
 * first logits in the same pass.
 *
 * Each sequence remembers the tokens its cells hold, also after its request
 * ended, so a new request is placed where the longest prefix of its prompt
 * is already evaluated (a chat's previous turns, a shared system prompt).
 */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "engine/context.h"
#include "engine/ops.h"

typedef struct {
    bool active;
    int32_t id;
    mote_request req;
    int32_t *prompt;      /* owned copy of req.prompt */
    int32_t n_fed;        /* prompt tokens in the cache (reused or evaluated) */
    int32_t pending;      /* token chosen last step, to evaluate this step; -1 while reading the prompt */
    int32_t n_generated;
    int64_t t_admit, t_prompt_done;
    mote_timings tm;
} sched_slot;

struct mote_sched {
    mote_context *c;
    const mote_vocab *vocab;
    int32_t n_slots;
    sched_slot *slots;    /* slot i uses sequence i */
    int32_t *cached;      /* (n_slots, seq_cap) the tokens each sequence's cells hold */
    int32_t next_id;
    mote_batch_token *batch;  /* (n_batch) */
    int32_t *batch_slot;      /* (n_batch) the slot of each batch token */
    int32_t *batch_id;        /* (n_batch) the request it belongs to */
    int32_t *len0;            /* (n_slots) each sequence's length before the step */
};

const char *mote_stop_reason_name(mote_stop_reason r) {
    static const char *const names[] = {"", "eos", "stop", "length", "context", "cancel", "error"};
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "";
}

int mote_sched_new(mote_context *c, const mote_vocab *vocab, mote_sched **out) {
    *out = NULL;
    if (!c) return mote_fail(MOTE_ERR_INVALID_ARG, "a scheduler needs a context");
    mote_sched *s = calloc(1, sizeof *s);
    if (!s) return mote_fail(MOTE_ERR_NOMEM, "out of memory creating a scheduler");
    s->c = c;
    s->vocab = vocab;
    s->n_slots = c->n_seq;
    s->slots = calloc((size_t)s->n_slots, sizeof *s->slots);
    s->cached = malloc((size_t)s->n_slots * (size_t)c->seq_cap * sizeof *s->cached);
    s->batch = malloc((size_t)c->n_batch * sizeof *s->batch);
    s->batch_slot = malloc((size_t)c->n_batch * sizeof *s->batch_slot);
    s->batch_id = malloc((size_t)c->n_batch * sizeof *s->batch_id);
    s->len0 = malloc((size_t)s->n_slots * sizeof *s->len0);
    if (!s->slots || !s->cached || !s->batch || !s->batch_slot || !s->batch_id || !s->len0) {
        mote_sched_free(s);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory creating a scheduler");
    }
    /* The scheduler owns the context's sequences from now on: start empty. */
    mote_context_reset(c);
    *out = s;
    return MOTE_OK;
}

void mote_sched_free(mote_sched *s) {
    if (!s) return;
    for (int32_t i = 0; s->slots && i < s->n_slots; i++) free(s->slots[i].prompt);
    free(s->slots);
    free(s->cached);
    free(s->batch);
    free(s->batch_slot);
    free(s->batch_id);
    free(s->len0);
    free(s);
}

static int32_t *cached_of(const mote_sched *s, int32_t i) { return s->cached + (size_t)i * (size_t)s->c->seq_cap; }

/* End a request: free its slot (its cells stay cached) and tell the caller. */
static void finish(sched_slot *sl, mote_stop_reason why) {
    const int64_t now = mote_now_ns();
    if (sl->t_prompt_done) sl->tm.eval_ns = now - sl->t_prompt_done;
    else sl->tm.prompt_ns = now - sl->t_admit;
    sl->active = false;
    free(sl->prompt);
    sl->prompt = NULL;
    if (sl->req.on_done) sl->req.on_done(why, &sl->tm, sl->req.user);
}

int mote_sched_submit(mote_sched *s, const mote_request *r, int32_t *id) {
    if (id) *id = -1;
    if (!r || !r->prompt || r->n_prompt <= 0) return mote_fail(MOTE_ERR_INVALID_ARG, "the prompt is empty");
    const mote_context *c = s->c;
    if (r->n_prompt > c->seq_cap)
        return mote_fail(MOTE_ERR_INVALID_ARG, "the prompt of %d tokens does not fit the context of %d tokens",
                         r->n_prompt, c->seq_cap);
    for (int32_t i = 0; i < r->n_prompt; i++)
        if (r->prompt[i] < 0 || r->prompt[i] >= c->model->hp.n_vocab)
            return mote_fail(MOTE_ERR_INVALID_ARG, "token id %d is outside the vocabulary of %d", r->prompt[i],
                             c->model->hp.n_vocab);
    /* the free sequence that already holds the longest prefix of the prompt */
    int32_t best = -1, best_keep = -1;
    for (int32_t i = 0; i < s->n_slots; i++) {
        if (s->slots[i].active) continue;
        const int32_t len = mote_seq_len(c, i), *tok = cached_of(s, i);
        int32_t keep = 0;
        while (keep < len && keep < r->n_prompt && tok[keep] == r->prompt[keep]) keep++;
        if (keep > best_keep) best = i, best_keep = keep;
    }
    if (best < 0) return mote_fail(MOTE_ERR_UNSUPPORTED, "busy: all %d sequences are in use", s->n_slots);
    /* at least the last prompt token is evaluated, for its logits */
    if (best_keep == r->n_prompt) best_keep--;
    sched_slot *sl = &s->slots[best];
    int32_t *copy = malloc((size_t)r->n_prompt * sizeof *copy);
    if (!copy) return mote_fail(MOTE_ERR_NOMEM, "out of memory admitting a request");
    memcpy(copy, r->prompt, (size_t)r->n_prompt * sizeof *copy);
    mote_seq_truncate(s->c, best, best_keep);
    memset(sl, 0, sizeof *sl);
    sl->active = true;
    sl->id = s->next_id++;
    if (s->next_id < 0) s->next_id = 0;
    sl->req = *r;
    sl->req.prompt = sl->prompt = copy;
    sl->n_fed = best_keep;
    sl->pending = -1;
    sl->t_admit = mote_now_ns();
    if (r->sampler)
        for (int32_t i = 0; i < r->n_prompt; i++) mote_sampler_accept(r->sampler, r->prompt[i]);
    if (id) *id = sl->id;
    return MOTE_OK;
}

int mote_sched_cancel(mote_sched *s, int32_t id) {
    for (int32_t i = 0; i < s->n_slots; i++)
        if (s->slots[i].active && s->slots[i].id == id) {
            finish(&s->slots[i], MOTE_STOP_CANCEL);
            return MOTE_OK;
        }
    return mote_fail(MOTE_ERR_NOT_FOUND, "no running request %d", id);
}

int32_t mote_sched_n_active(const mote_sched *s) {
    int32_t n = 0;
    for (int32_t i = 0; i < s->n_slots; i++) n += s->slots[i].active;
    return n;
}

int32_t mote_sched_n_free(const mote_sched *s) { return s->n_slots - mote_sched_n_active(s); }

/* Add one token of slot i to the batch. */
static void push(mote_sched *s, int32_t *n, int32_t i, int32_t token, bool logits) {
    s->batch[*n] = (mote_batch_token){token, i, -1, logits};
    s->batch_slot[*n] = i;
    (*n)++;
}

/* Make room for one more token in slot i's sequence: a context shift when
 * the request allows it. False when the sequence stays full. */
static bool make_room(mote_sched *s, int32_t i) {
    sched_slot *sl = &s->slots[i];
    const int32_t len = mote_seq_len(s->c, i), cap = s->c->seq_cap;
    if (len < cap) return true;
    if (!sl->req.context_shift) return false;
    int32_t keep = sl->req.n_keep < 0 ? 0 : sl->req.n_keep;
    if (keep > len - 2) keep = len - 2 > 0 ? len - 2 : 0;
    const int32_t discard = (len - keep) / 2;
    if (discard <= 0 || mote_seq_shift(s->c, i, keep, discard)) return false;
    int32_t *tok = cached_of(s, i);
    memmove(tok + keep, tok + keep + discard, (size_t)(len - keep - discard) * sizeof *tok);
    return true;
}

/* The chosen token of slot i: hand it over, and decide whether it goes on. */
static void take_token(mote_sched *s, int32_t i, float *logits) {
    sched_slot *sl = &s->slots[i];
    const int32_t n_vocab = s->c->model->hp.n_vocab;
    if (!sl->t_prompt_done) {
        sl->t_prompt_done = mote_now_ns();
        sl->tm.prompt_ns = sl->t_prompt_done - sl->t_admit;
    }
    int32_t token;
    if (sl->req.sampler) {
        token = mote_sampler_sample(sl->req.sampler, logits);
        mote_sampler_accept(sl->req.sampler, token);
    } else {
        token = mote_argmax(logits, n_vocab);
    }
    sl->tm.n_eval++;
    if (sl->req.stop_at_eog && s->vocab && mote_vocab_is_eog(s->vocab, token)) {
        finish(sl, MOTE_STOP_EOG);
        return;
    }
    sl->n_generated++;
    if (sl->req.on_token && !sl->req.on_token(token, sl->req.user)) {
        finish(sl, MOTE_STOP_CALLER);
        return;
    }
    if (sl->req.n_predict >= 0 && sl->n_generated >= sl->req.n_predict) {
        finish(sl, MOTE_STOP_LENGTH);
        return;
    }
    if (!make_room(s, i)) {
        finish(sl, MOTE_STOP_CONTEXT);
        return;
    }
    sl->pending = token;
}

int mote_sched_step(mote_sched *s) {
    mote_context *c = s->c;
    int32_t n = 0;
    /* generating requests: one token each */
    for (int32_t i = 0; i < s->n_slots && n < c->n_batch; i++) {
        sched_slot *sl = &s->slots[i];
        if (sl->active && sl->pending >= 0) push(s, &n, i, sl->pending, true);
    }
    /* prompts, oldest request first, in what room is left */
    for (;;) {
        int32_t oldest = -1;
        for (int32_t i = 0; i < s->n_slots; i++) {
            const sched_slot *sl = &s->slots[i];
            if (sl->active && sl->pending < 0 && sl->n_fed < sl->req.n_prompt &&
                (oldest < 0 || sl->id < s->slots[oldest].id))
                oldest = i;
        }
        if (oldest < 0 || n >= c->n_batch) break;
        sched_slot *sl = &s->slots[oldest];
        while (n < c->n_batch && sl->n_fed < sl->req.n_prompt) {
            const bool last = sl->n_fed + 1 == sl->req.n_prompt;
            push(s, &n, oldest, sl->prompt[sl->n_fed], last);
            sl->n_fed++;
            sl->tm.n_prompt++;
        }
        /* a prompt cut by the batch's end waits for the next step: mark it
         * so the loop moves on (pending stays -1, n_fed < n_prompt) */
        if (sl->n_fed < sl->req.n_prompt) break;
    }
    if (n == 0) return mote_sched_n_active(s);

    /* the ids of the requests in this batch: a callback may end one and
     * admit another into its slot before the batch's rows are all read */
    for (int32_t t = 0; t < n; t++) s->batch_id[t] = s->slots[s->batch_slot[t]].id;
    int32_t *len0 = s->len0;
    for (int32_t i = 0; i < s->n_slots; i++) len0[i] = mote_seq_len(c, i);
    const float *logits;
    int rc = mote_decode_batch(c, s->batch, n, &logits);
    if (rc) {
        for (int32_t i = 0; i < s->n_slots; i++)
            if (s->slots[i].active) finish(&s->slots[i], MOTE_STOP_ERROR);
        return rc;
    }
    for (int32_t t = 0; t < n; t++) cached_of(s, s->batch_slot[t])[len0[s->batch_slot[t]]++] = s->batch[t].token;
    /* one token for every request whose logits came back, in batch order */
    int32_t row = 0;
    for (int32_t t = 0; t < n; t++) {
        if (!s->batch[t].logits) continue;
        const int32_t i = s->batch_slot[t];
        float *lg = (float *)logits + (size_t)row++ * (size_t)c->model->hp.n_vocab;
        if (s->slots[i].active && s->slots[i].id == s->batch_id[t]) take_token(s, i, lg);
    }
    return mote_sched_n_active(s);
}
