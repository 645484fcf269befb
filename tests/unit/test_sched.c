/*
 * test_sched.c — the scheduler and the stop-string matcher.
 *
 * Requests run together through mote_sched must produce, token for token,
 * what mote_generate produces for each alone (greedy and seeded sampling);
 * the next request whose prompt extends a finished one reuses its cells;
 * cancel, busy, n_predict, end-of-generation and a full sequence end
 * requests with the right reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define MAX_OUT 64

typedef struct {
    int32_t out[MAX_OUT];
    int n_out;                 /* kept in out (at most MAX_OUT) */
    int n_total;               /* all tokens seen */
    int stop_after;            /* on_token returns false after this many (0: never) */
    mote_stop_reason why;
    mote_timings tm;
    int done_calls;
} job;

static bool on_token(int32_t token, void *user) {
    job *j = user;
    if (j->n_out < MAX_OUT) j->out[j->n_out++] = token;
    j->n_total++;
    return !(j->stop_after && j->n_out >= j->stop_after);
}

static void on_done(mote_stop_reason why, const mote_timings *t, void *user) {
    job *j = user;
    j->why = why;
    j->tm = *t;
    j->done_calls++;
}

static bool collect(int32_t token, void *user) { return on_token(token, user); }

/* What mote_generate gives for the prompt alone (greedy or a seeded sampler). */
static int generate_alone(mote_model *m, const int32_t *prompt, int n, int n_predict, const mote_sampler_params *sp,
                          int32_t *out) {
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 128;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    mote_sampler *s = sp ? mote_sampler_new(sp, mote_model_n_vocab(m)) : NULL;
    job j = {0};
    assert_int_equal(mote_generate(c, prompt, n, n_predict, s, collect, &j, NULL), MOTE_OK);
    memcpy(out, j.out, sizeof(int32_t) * (size_t)j.n_out);
    mote_sampler_free(s);
    mote_context_free(c);
    return j.n_out;
}

static void make_prompt(int r, int32_t *out, int *n, int n_vocab) {
    *n = 2 + (r * 5) % 19;
    for (int i = 0; i < *n; i++) out[i] = (int32_t)((7 + r * 97 + i * 29) % n_vocab);
}

/* 12 requests through 4 sequences (so 8 wait and are admitted as others
 * end), different prompt lengths and n_predict, half of them sampled. */
static void test_same_as_alone(void **state) {
    (void)state;
    require_fixtures();
    static const char *const files[] = {"models/qwen3-tiny-f32.gguf", "models/gemma3-tiny-f32.gguf",
                                        "real/stories260K-f32.gguf"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        mote_model *m;
        assert_int_equal(mote_model_load(fixture_path(files[f]), &m), MOTE_OK);
        const int n_vocab = mote_model_n_vocab(m);
        enum { R = 12 };
        int32_t prompts[R][32], want[R][MAX_OUT];
        int n_prompt[R], n_want[R], n_predict[R];
        mote_sampler_params sp = mote_sampler_default();
        for (int r = 0; r < R; r++) {
            make_prompt(r, prompts[r], &n_prompt[r], n_vocab);
            n_predict[r] = 3 + r % 9;
            sp.seed = 1000 + (uint64_t)r;
            n_want[r] = generate_alone(m, prompts[r], n_prompt[r], n_predict[r], r % 2 ? &sp : NULL, want[r]);
        }
        mote_context_params p = mote_context_default_params();
        p.n_ctx = 4 * 128;
        p.n_seq = 4;
        p.n_batch = 16; /* small, so prompts are cut across steps */
        mote_context *c;
        assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
        mote_sched *s;
        assert_int_equal(mote_sched_new(c, NULL, &s), MOTE_OK);
        job jobs[R];
        mote_sampler *samplers[R] = {0};
        memset(jobs, 0, sizeof jobs);
        int next = 0, steps = 0;
        while (next < R || mote_sched_n_active(s) > 0) {
            while (next < R && mote_sched_n_free(s) > 0) {
                sp.seed = 1000 + (uint64_t)next;
                if (next % 2) samplers[next] = mote_sampler_new(&sp, n_vocab);
                mote_request rq = {prompts[next], n_prompt[next], n_predict[next], samplers[next], false, false, 0,
                                   on_token, on_done, &jobs[next]};
                int32_t id;
                assert_int_equal(mote_sched_submit(s, &rq, &id), MOTE_OK);
                next++;
            }
            assert_true(mote_sched_step(s) >= 0);
            assert_true(++steps < 10000);
        }
        for (int r = 0; r < R; r++) {
            assert_int_equal(jobs[r].done_calls, 1);
            assert_int_equal(jobs[r].why, MOTE_STOP_LENGTH);
            assert_int_equal(jobs[r].n_out, n_want[r]);
            assert_memory_equal(jobs[r].out, want[r], sizeof(int32_t) * (size_t)n_want[r]);
            mote_sampler_free(samplers[r]);
        }
        printf("  %-28s 12 requests on 4 sequences in %d steps: each the same as alone\n", files[f], steps);
        mote_sched_free(s);
        mote_context_free(c);
        mote_model_free(m);
    }
}

/* Run one request to its end; returns the steps taken. */
static int run_one(mote_sched *s, const int32_t *prompt, int n, int n_predict, job *j) {
    memset(j, 0, sizeof *j);
    mote_request rq = {prompt, n, n_predict, NULL, false, false, 0, on_token, on_done, j};
    int32_t id;
    assert_int_equal(mote_sched_submit(s, &rq, &id), MOTE_OK);
    int steps = 0;
    while (mote_sched_n_active(s) > 0) {
        assert_true(mote_sched_step(s) >= 0);
        steps++;
    }
    return steps;
}

static void test_prefix_reuse_and_reasons(void **state) {
    (void)state;
    require_fixtures();
    mote_model *m;
    assert_int_equal(mote_model_load(fixture_path("real/stories260K-f32.gguf"), &m), MOTE_OK);
    const int n_vocab = mote_model_n_vocab(m);
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 2 * 64;
    p.n_seq = 2;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    mote_sched *s;
    assert_int_equal(mote_sched_new(c, NULL, &s), MOTE_OK);

    int32_t first[20], second[40], want[MAX_OUT];
    for (int i = 0; i < 20; i++) first[i] = (int32_t)((3 + i * 11) % n_vocab);
    job j;
    run_one(s, first, 20, 8, &j);
    assert_int_equal(j.tm.n_prompt, 20);
    /* the next turn: the first prompt, its answer, and more */
    int n = 0;
    memcpy(second, first, sizeof first);
    n = 20;
    for (int i = 0; i < j.n_out; i++) second[n++] = j.out[i];
    for (int i = 0; i < 6; i++) second[n++] = (int32_t)((5 + i * 13) % n_vocab);
    const int n_want = generate_alone(m, second, n, 8, NULL, want);
    job k;
    run_one(s, second, n, 8, &k);
    /* 20 + 7 evaluated tokens were cached (the 8th answer token never was) */
    assert_int_equal(k.tm.n_prompt, n - 27);
    assert_int_equal(k.n_out, n_want);
    assert_memory_equal(k.out, want, sizeof(int32_t) * (size_t)n_want);
    /* the same prompt again: only its last token is evaluated */
    run_one(s, second, n, 8, &k);
    assert_int_equal(k.tm.n_prompt, 1);
    assert_memory_equal(k.out, want, sizeof(int32_t) * (size_t)n_want);

    /* reasons: the caller stops it */
    job a = {0};
    a.stop_after = 3;
    mote_request rq = {first, 20, 50, NULL, false, false, 0, on_token, on_done, &a};
    int32_t id_a, id_b, id_c;
    assert_int_equal(mote_sched_submit(s, &rq, &id_a), MOTE_OK);
    /* a second one, cancelled; then no free sequence is busy */
    job b = {0};
    rq.user = &b;
    assert_int_equal(mote_sched_submit(s, &rq, &id_b), MOTE_OK);
    assert_int_equal(mote_sched_submit(s, &rq, &id_c), MOTE_ERR_UNSUPPORTED);
    assert_int_equal(mote_sched_cancel(s, id_b), MOTE_OK);
    assert_int_equal(b.why, MOTE_STOP_CANCEL);
    assert_int_equal(mote_sched_cancel(s, id_b), MOTE_ERR_NOT_FOUND);
    while (mote_sched_n_active(s) > 0) assert_true(mote_sched_step(s) >= 0);
    assert_int_equal(a.why, MOTE_STOP_CALLER);
    assert_int_equal(a.n_out, 3);
    assert_int_equal(a.done_calls, 1);

    /* a full sequence: 64 cells, 60 of prompt, unlimited generation */
    int32_t longp[64];
    for (int i = 0; i < 64; i++) longp[i] = (int32_t)((1 + i * 7) % n_vocab);
    run_one(s, longp, 60, -1, &j);
    assert_int_equal(j.why, MOTE_STOP_CONTEXT);
    assert_int_equal(j.n_out, 5); /* positions 60..63 evaluated, the 5th chosen token has no room */
    /* with a context shift it goes on to n_predict */
    memset(&j, 0, sizeof j);
    mote_request shift = {longp, 60, 40, NULL, false, true, 4, on_token, on_done, &j};
    assert_int_equal(mote_sched_submit(s, &shift, &id_a), MOTE_OK);
    while (mote_sched_n_active(s) > 0) assert_true(mote_sched_step(s) >= 0);
    assert_int_equal(j.why, MOTE_STOP_LENGTH);
    assert_int_equal(j.n_out, 40);
    /* too long, empty, out of the vocabulary */
    rq.prompt = longp;
    rq.n_prompt = 65;
    assert_int_equal(mote_sched_submit(s, &rq, &id_a), MOTE_ERR_INVALID_ARG);
    rq.n_prompt = 0;
    assert_int_equal(mote_sched_submit(s, &rq, &id_a), MOTE_ERR_INVALID_ARG);
    int32_t bad = n_vocab;
    rq.prompt = &bad;
    rq.n_prompt = 1;
    assert_int_equal(mote_sched_submit(s, &rq, &id_a), MOTE_ERR_INVALID_ARG);
    assert_string_equal(mote_stop_reason_name(MOTE_STOP_LENGTH), "length");
    assert_string_equal(mote_stop_reason_name(MOTE_STOP_EOG), "eos");
    mote_sched_free(s);
    mote_context_free(c);
    mote_model_free(m);
}

/* stop_at_eog: the vocabulary's end tokens end the request unseen. A hot
 * sampler over a random-weight model's flat logits reaches one of qwen3's
 * end-of-generation tokens within a few hundred tokens; mote_generate alone
 * tells where, the scheduler must stop there. */
typedef struct {
    const mote_vocab *v;
    int n;
} until_eog;

static bool count_until_eog(int32_t token, void *user) {
    until_eog *u = user;
    if (mote_vocab_is_eog(u->v, token)) return false;
    u->n++;
    return true;
}

static void test_eog(void **state) {
    (void)state;
    require_fixtures();
    mote_model *m;
    assert_int_equal(mote_model_load(fixture_path("models/qwen3-tiny-f32.gguf"), &m), MOTE_OK);
    mote_vocab *v;
    assert_int_equal(mote_vocab_load(mote_model_gguf(m), &v), MOTE_OK);
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 1024;
    mote_context *alone, *c;
    assert_int_equal(mote_context_new(m, &p, &alone), MOTE_OK);
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    mote_sched *s;
    assert_int_equal(mote_sched_new(c, v, &s), MOTE_OK);
    const int32_t prompt[] = {1, 2, 3};
    mote_sampler_params sp = mote_sampler_default();
    sp.temp = 8.0f;
    sp.top_k = 0;
    sp.top_p = 1.0f;
    sp.min_p = 0.0f;
    int tried = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        sp.seed = seed;
        mote_sampler *a = mote_sampler_new(&sp, mote_model_n_vocab(m));
        until_eog u = {v, 0};
        mote_timings tm;
        mote_context_reset(alone);
        assert_int_equal(mote_generate(alone, prompt, 3, 1000, a, count_until_eog, &u, &tm), MOTE_OK);
        mote_sampler_free(a);
        if (u.n + 1 >= 1000) continue; /* no end token from this seed */
        tried++;
        mote_sampler *b = mote_sampler_new(&sp, mote_model_n_vocab(m));
        job j = {0};
        mote_request rq = {prompt, 3, 1000, b, true, false, 0, on_token, on_done, &j};
        int32_t id;
        assert_int_equal(mote_sched_submit(s, &rq, &id), MOTE_OK);
        while (mote_sched_n_active(s) > 0) assert_true(mote_sched_step(s) >= 0);
        assert_int_equal(j.why, MOTE_STOP_EOG);
        assert_int_equal(j.n_total, u.n);
        for (int i = 0; i < j.n_out && i < MAX_OUT; i++) assert_false(mote_vocab_is_eog(v, j.out[i]));
        assert_int_equal(j.tm.n_eval, u.n + 1);
        mote_sampler_free(b);
        if (tried == 3) break;
    }
    assert_int_equal(tried, 3);
    mote_sched_free(s);
    mote_context_free(c);
    mote_context_free(alone);
    mote_vocab_free(v);
    mote_model_free(m);
}

/* Feed text in pieces; return what was shown. */
static char *stream(mote_stopper *st, const char *const *pieces, bool *stopped) {
    static char shown[256];
    size_t n = 0;
    *stopped = false;
    for (int i = 0; pieces[i] && !*stopped; i++) {
        const char *out;
        size_t len;
        *stopped = mote_stopper_feed(st, pieces[i], strlen(pieces[i]), &out, &len);
        memcpy(shown + n, out, len);
        n += len;
    }
    if (!*stopped) {
        size_t len;
        const char *rest = mote_stopper_flush(st, &len);
        memcpy(shown + n, rest, len);
        n += len;
    }
    shown[n] = 0;
    return shown;
}

static void test_stopper(void **state) {
    (void)state;
    const char *const stops[] = {"<|im_end|>", "\n\nUser:", "END"};
    mote_stopper *st;
    assert_int_equal(mote_stopper_new(stops, 3, &st), MOTE_OK);
    bool stopped;
    /* a stop string cut across pieces is never shown */
    const char *a[] = {"Hello <|im", "_en", "d|> and more", NULL};
    assert_string_equal(stream(st, a, &stopped), "Hello ");
    assert_true(stopped);
    assert_string_equal(mote_stopper_matched(st), "<|im_end|>");
    mote_stopper_flush(st, &(size_t){0});
    /* a false start is shown once it cannot be one any more */
    const char *b[] = {"a <|im", "x", " b\n\nUse", "ful", NULL};
    assert_string_equal(stream(st, b, &stopped), "a <|imx b\n\nUseful");
    assert_false(stopped);
    /* held text is shown only when it is no longer a possible beginning */
    const char *out;
    size_t len;
    assert_false(mote_stopper_feed(st, "xEN", 3, &out, &len));
    assert_int_equal(len, 1);
    assert_false(mote_stopper_feed(st, "Dless", 5, &out, &len) && false);
    mote_stopper_flush(st, &len);
    /* an empty piece (a token with no text yet) changes nothing, NULL included */
    assert_false(mote_stopper_feed(st, NULL, 0, &out, &len));
    assert_int_equal(len, 0);
    /* the earliest of two stops wins */
    const char *c[] = {"1 END 2 <|im_end|>", NULL};
    assert_string_equal(stream(st, c, &stopped), "1 ");
    assert_string_equal(mote_stopper_matched(st), "END");
    mote_stopper_free(st);
    const char *const empty[] = {""};
    assert_int_equal(mote_stopper_new(empty, 1, &st), MOTE_ERR_INVALID_ARG);
    assert_int_equal(mote_stopper_new(NULL, 0, &st), MOTE_OK);
    const char *d[] = {"anything", NULL};
    assert_string_equal(stream(st, d, &stopped), "anything");
    mote_stopper_free(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_alone),
        cmocka_unit_test(test_prefix_reuse_and_reasons),
        cmocka_unit_test(test_eog),
        cmocka_unit_test(test_stopper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
