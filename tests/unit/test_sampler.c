/*
 * test_sampler.c — the sampler against its definition: greedy is the argmax,
 * each filter keeps exactly the tokens it should (checked both through the
 * internal candidate list and by drawing many times), penalties follow the
 * exact formula, the chain runs in llama.cpp's order, seeds reproduce, and
 * bad parameters are refused with a message.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "sampler/sampler_internal.h"

/* Logits whose softmax is exactly `probs` (up to a constant). */
static void logits_from_probs(float *logits, const double *probs, int n) {
    for (int i = 0; i < n; i++) logits[i] = (float)log(probs[i]);
}

/* A repeatable pseudo-random logit vector in [-8, 8). */
static void random_logits(float *logits, int n, unsigned seed) {
    mote_rng r;
    mote_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) logits[i] = (float)(mote_rng_uniform(&r) * 16.0 - 8.0);
}

static mote_sampler *make(mote_sampler_params p, int n_vocab) {
    mote_sampler *s = mote_sampler_new(&p, n_vocab);
    assert_non_null(s);
    return s;
}

/* The ids of the filter's candidates, as a bit set over a small vocab. */
static unsigned candidate_set(mote_sampler *s, const float *logits) {
    int32_t n = mote_sampler_filter(s, logits);
    unsigned set = 0;
    for (int32_t i = 0; i < n; i++) set |= 1u << s->cand[i].id;
    return set;
}

/* How often each token is drawn over `draws` samples of the same logits. */
static void histogram(mote_sampler *s, const float *logits, int n, int draws, int *hist) {
    float *tmp = malloc((size_t)n * sizeof *tmp);
    memset(hist, 0, (size_t)n * sizeof *hist);
    for (int d = 0; d < draws; d++) {
        memcpy(tmp, logits, (size_t)n * sizeof *tmp);
        int32_t t = mote_sampler_sample(s, tmp);
        assert_true(t >= 0 && t < n);
        hist[t]++;
    }
    free(tmp);
}

static void test_defaults_are_llama_cpp(void **state) {
    (void)state;
    mote_sampler_params p = mote_sampler_default();
    assert_true(p.temp == 0.8f && p.top_k == 40 && p.top_p == 0.95f && p.min_p == 0.05f);
    assert_true(p.repeat_penalty == 1.0f && p.repeat_last_n == 64);
    assert_true(p.presence_penalty == 0.0f && p.frequency_penalty == 0.0f);
    assert_true(p.seed == MOTE_SEED_RANDOM);
}

static void test_greedy_is_argmax(void **state) {
    (void)state;
    enum { N = 1000 };
    float logits[N];
    mote_sampler_params p = mote_sampler_default();
    p.temp = 0.0f;
    mote_sampler *s = make(p, N);
    for (unsigned trial = 0; trial < 50; trial++) {
        random_logits(logits, N, trial);
        int best = 0;
        for (int i = 1; i < N; i++)
            if (logits[i] > logits[best]) best = i;
        assert_int_equal(mote_sampler_sample(s, logits), best);
    }
    mote_sampler_free(s);
    /* Ties go to the lowest id; negative temperature is greedy too. */
    s = make(p, 4);
    float tie[4] = {1.0f, 3.0f, 3.0f, -2.0f};
    assert_int_equal(mote_sampler_sample(s, tie), 1);
    mote_sampler_free(s);
    p.temp = -1.0f;
    s = make(p, 4);
    float t2[4] = {0.0f, -1.0f, 5.0f, 4.9f};
    assert_int_equal(mote_sampler_sample(s, t2), 2);
    mote_sampler_free(s);
}

static void test_top_k_one_equals_greedy(void **state) {
    (void)state;
    enum { N = 500 };
    float logits[N];
    mote_sampler_params p = mote_sampler_default();
    p.top_k = 1;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.temp = 1.5f;
    p.seed = 7;
    mote_sampler *s = make(p, N);
    for (unsigned trial = 0; trial < 100; trial++) {
        random_logits(logits, N, 1000 + trial);
        int32_t greedy = mote_sampler_argmax(logits, N);
        assert_int_equal(mote_sampler_sample(s, logits), greedy);
    }
    mote_sampler_free(s);
}

static void test_top_k_keeps_the_k_largest(void **state) {
    (void)state;
    enum { N = 300, K = 17 };
    float logits[N];
    random_logits(logits, N, 99);
    mote_sampler_params p = mote_sampler_default();
    p.top_k = K;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    mote_sampler *s = make(p, N);
    assert_int_equal(mote_sampler_filter(s, logits), K);
    /* Every kept logit is >= every dropped one. */
    float kept_min = INFINITY;
    bool kept[N] = {false};
    for (int i = 0; i < K; i++) {
        kept[s->cand[i].id] = true;
        if (s->cand[i].logit < kept_min) kept_min = s->cand[i].logit;
        assert_true(s->cand[i].logit == logits[s->cand[i].id]);
    }
    for (int i = 0; i < N; i++)
        if (!kept[i]) assert_true(logits[i] <= kept_min);
    mote_sampler_free(s);
}

/* probabilities 0.5 0.25 0.15 0.07 0.03 */
static const double five[5] = {0.5, 0.25, 0.15, 0.07, 0.03};

static void test_top_p_candidate_set(void **state) {
    (void)state;
    float logits[5];
    logits_from_probs(logits, five, 5);
    mote_sampler_params p = mote_sampler_default();
    p.top_k = 0;
    p.min_p = 0.0f;
    p.temp = 1.0f;
    p.seed = 3;
    struct {
        float top_p;
        unsigned set;
    } cases[] = {
        {0.0f, 0x1},  {0.3f, 0x1},  {0.6f, 0x3},  {0.7f, 0x3}, {0.8f, 0x7},
        {0.85f, 0x7}, {0.95f, 0xf}, {0.99f, 0x1f}, {1.0f, 0x1f},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        p.top_p = cases[c].top_p;
        mote_sampler *s = make(p, 5);
        assert_int_equal(candidate_set(s, logits), cases[c].set);
        mote_sampler_free(s);
    }
    /* Drawn: top_p 0.8 keeps {0,1,2} renormalised: 0.5/0.9, 0.25/0.9, 0.15/0.9. */
    p.top_p = 0.8f;
    mote_sampler *s = make(p, 5);
    int hist[5];
    histogram(s, logits, 5, 20000, hist);
    assert_int_equal(hist[3], 0);
    assert_int_equal(hist[4], 0);
    assert_true(fabs(hist[0] / 20000.0 - 0.5 / 0.9) < 0.02);
    assert_true(fabs(hist[1] / 20000.0 - 0.25 / 0.9) < 0.02);
    assert_true(fabs(hist[2] / 20000.0 - 0.15 / 0.9) < 0.02);
    mote_sampler_free(s);
}

static int by_logit_desc(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x > y ? -1 : x < y ? 1 : 0;
}

/* Large vocabularies take a shortcut (rank the best 256 first); the kept set
 * must still be exactly the sorted prefix reaching top_p, whether the
 * nucleus is small (peaked logits) or large (flat ones). */
static void test_top_p_large_vocab(void **state) {
    (void)state;
    enum { N = 5000 };
    static float logits[N], sorted[N];
    mote_sampler_params p = mote_sampler_default();
    p.top_k = 0;
    p.min_p = 0.0f;
    p.top_p = 0.9f;
    mote_sampler *s = make(p, N);
    for (int shape = 0; shape < 2; shape++) {
        random_logits(logits, N, 77 + shape);
        if (shape == 0)
            for (int i = 0; i < N; i += 97) logits[i] += 20.0f; /* ~52 strong tokens */
        memcpy(sorted, logits, sizeof sorted);
        qsort(sorted, N, sizeof *sorted, by_logit_desc);
        float z = 0.0f, cum = 0.0f;
        for (int i = 0; i < N; i++) z += expf(logits[i] - sorted[0]);
        int expect = N;
        for (int i = 0; i < N; i++) {
            cum += expf(sorted[i] - sorted[0]) / z;
            if (cum >= p.top_p) {
                expect = i + 1;
                break;
            }
        }
        assert_true(shape == 0 ? expect < 256 : expect > 256);
        int32_t n = mote_sampler_filter(s, logits);
        assert_int_equal(n, expect);
        for (int32_t i = 0; i < n; i++) assert_true(s->cand[i].logit == sorted[i]);
    }
    mote_sampler_free(s);
}

static void test_min_p_candidate_set(void **state) {
    (void)state;
    float logits[5];
    logits_from_probs(logits, five, 5);
    mote_sampler_params p = mote_sampler_default();
    p.top_k = 0;
    p.top_p = 1.0f;
    p.temp = 1.0f;
    p.seed = 5;
    /* min_p keeps p_i >= min_p * 0.5 */
    struct {
        float min_p;
        unsigned set;
    } cases[] = {
        {0.01f, 0x1f}, {0.1f, 0xf}, {0.2f, 0x7}, {0.4f, 0x3}, {0.6f, 0x1}, {1.0f, 0x1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        p.min_p = cases[c].min_p;
        mote_sampler *s = make(p, 5);
        assert_int_equal(candidate_set(s, logits), cases[c].set);
        mote_sampler_free(s);
    }
    p.min_p = 0.4f;
    mote_sampler *s = make(p, 5);
    int hist[5];
    histogram(s, logits, 5, 20000, hist);
    assert_int_equal(hist[2] + hist[3] + hist[4], 0);
    assert_true(fabs(hist[0] / 20000.0 - 2.0 / 3.0) < 0.02);
    mote_sampler_free(s);
}

/* The chain's order matters: top_p after top_k sees probabilities
 * renormalised over the k survivors; min_p looks at logits before the
 * temperature divides them. */
static void test_chain_order(void **state) {
    (void)state;
    float logits[5];
    logits_from_probs(logits, five, 5);
    mote_sampler_params p = mote_sampler_default();
    p.min_p = 0.0f;
    p.top_p = 0.6f;
    p.top_k = 0;
    mote_sampler *s = make(p, 5);
    assert_int_equal(candidate_set(s, logits), 0x3); /* 0.5 < 0.6 <= 0.75 */
    mote_sampler_free(s);
    p.top_k = 2; /* survivors 0.5, 0.25 -> 2/3, 1/3: the first alone reaches 0.6 */
    s = make(p, 5);
    assert_int_equal(candidate_set(s, logits), 0x1);
    mote_sampler_free(s);

    /* A high temperature flattens the distribution, but min_p has already
     * decided on the raw logits: token 2 (0.15 < 0.4 * 0.5) never appears. */
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.4f;
    p.temp = 100.0f;
    p.seed = 11;
    s = make(p, 5);
    int hist[5];
    histogram(s, logits, 5, 4000, hist);
    assert_int_equal(hist[2] + hist[3] + hist[4], 0);
    assert_true(hist[0] > 1800 && hist[1] > 1800); /* nearly even at temp 100 */
    mote_sampler_free(s);
}

static void test_temperature_scales_logits(void **state) {
    (void)state;
    float logits[2] = {0.0f, (float)log(3.0)};
    mote_sampler_params p = mote_sampler_default();
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.seed = 1234;
    const float temps[3] = {1.0f, 2.0f, 0.5f};
    for (int t = 0; t < 3; t++) {
        p.temp = temps[t];
        mote_sampler *s = make(p, 2);
        int hist[2];
        histogram(s, logits, 2, 20000, hist);
        double w = pow(3.0, 1.0 / temps[t]);
        assert_true(fabs(hist[1] / 20000.0 - w / (1.0 + w)) < 0.015);
        mote_sampler_free(s);
    }
}

static void test_penalty_formula(void **state) {
    (void)state;
    mote_sampler_params p = mote_sampler_default();
    p.repeat_penalty = 1.5f;
    p.frequency_penalty = 0.1f;
    p.presence_penalty = 0.2f;
    p.repeat_last_n = 64;
    mote_sampler *s = make(p, 5);
    mote_sampler_accept(s, 0);
    mote_sampler_accept(s, 0);
    mote_sampler_accept(s, 1);
    mote_sampler_accept(s, 4);
    mote_sampler_accept(s, 99);  /* out of range: ignored */
    mote_sampler_accept(s, -1);
    float l[5] = {2.0f, -1.0f, 0.5f, 3.0f, 0.0f};
    mote_sampler_apply_penalties(s, l);
    assert_float_equal(l[0], 2.0f / 1.5f - 2 * 0.1f - 0.2f, 1e-6); /* positive: divided */
    assert_float_equal(l[1], -1.0f * 1.5f - 0.1f - 0.2f, 1e-6);  /* negative: multiplied */
    assert_float_equal(l[2], 0.5f, 0);
    assert_float_equal(l[3], 3.0f, 0);
    assert_float_equal(l[4], 0.0f - 0.1f - 0.2f, 1e-6); /* zero counts as non-positive */

    /* The penalised logits are what greedy sees: 3 wins over a penalised 0. */
    float g[5] = {3.2f, 0.0f, 0.0f, 3.0f, 0.0f};
    p.temp = 0.0f;
    mote_sampler *gs = make(p, 5);
    assert_int_equal(mote_sampler_sample(gs, g), 0);
    mote_sampler_accept(gs, 0);
    float g2[5] = {3.2f, 0.0f, 0.0f, 3.0f, 0.0f};
    assert_int_equal(mote_sampler_sample(gs, g2), 3);
    mote_sampler_free(gs);

    /* Reset forgets the history. */
    mote_sampler_reset(s);
    float r[5] = {2.0f, -1.0f, 0.5f, 3.0f, 0.0f};
    mote_sampler_apply_penalties(s, r);
    assert_float_equal(r[0], 2.0f, 0);
    assert_float_equal(r[1], -1.0f, 0);
    mote_sampler_free(s);
}

static void test_penalty_window(void **state) {
    (void)state;
    mote_sampler_params p = mote_sampler_default();
    p.repeat_penalty = 2.0f;
    p.repeat_last_n = 3;
    mote_sampler *s = make(p, 6);
    const int32_t hist[] = {0, 1, 2, 3, 1};
    for (size_t i = 0; i < 5; i++) mote_sampler_accept(s, hist[i]);
    /* window = {2, 3, 1}: 0 has left it */
    float l[6] = {4, 4, 4, 4, 4, 4};
    mote_sampler_apply_penalties(s, l);
    assert_float_equal(l[0], 4, 0);
    assert_float_equal(l[1], 2, 0);
    assert_float_equal(l[2], 2, 0);
    assert_float_equal(l[3], 2, 0);
    assert_float_equal(l[4], 4, 0);
    mote_sampler_free(s);

    /* Counts in a window: token 1 twice among the last 4 -> frequency x2. */
    p.repeat_penalty = 1.0f;
    p.frequency_penalty = 0.5f;
    p.repeat_last_n = 4;
    s = make(p, 6);
    for (size_t i = 0; i < 5; i++) mote_sampler_accept(s, hist[i]);
    float f[6] = {0, 0, 0, 0, 0, 0};
    mote_sampler_apply_penalties(s, f);
    assert_float_equal(f[0], 0.0f, 0);
    assert_float_equal(f[1], -1.0f, 1e-6);
    assert_float_equal(f[2], -0.5f, 1e-6);
    mote_sampler_free(s);

    /* -1: the whole history. */
    p.repeat_last_n = -1;
    s = make(p, 6);
    for (int i = 0; i < 1000; i++) mote_sampler_accept(s, 5);
    mote_sampler_accept(s, 0);
    float w[6] = {0, 0, 0, 0, 0, 0};
    mote_sampler_apply_penalties(s, w);
    assert_float_equal(w[5], -500.0f, 1e-3);
    assert_float_equal(w[0], -0.5f, 1e-6);
    mote_sampler_free(s);

    /* 0: penalties off whatever the other values say. */
    p.repeat_last_n = 0;
    p.repeat_penalty = 3.0f;
    s = make(p, 6);
    mote_sampler_accept(s, 1);
    float z[6] = {1, 1, 1, 1, 1, 1};
    mote_sampler_apply_penalties(s, z);
    assert_float_equal(z[1], 1.0f, 0);
    mote_sampler_free(s);
}

/* Draw `n` tokens from a flat-ish distribution over 1000 tokens. */
static void draw_sequence(mote_sampler *s, int32_t *out, int n) {
    enum { V = 1000 };
    float base[V], tmp[V];
    random_logits(base, V, 42);
    for (int i = 0; i < V; i++) base[i] *= 0.1f;
    for (int i = 0; i < n; i++) {
        memcpy(tmp, base, sizeof tmp);
        out[i] = mote_sampler_sample(s, tmp);
        mote_sampler_accept(s, out[i]);
    }
}

static void test_seed_reproduces(void **state) {
    (void)state;
    mote_sampler_params p = mote_sampler_default();
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    p.temp = 1.0f;
    p.repeat_penalty = 1.1f;
    int32_t a[64], b[64], c[64], d[64];
    p.seed = 42;
    mote_sampler *s1 = make(p, 1000), *s2 = make(p, 1000);
    draw_sequence(s1, a, 64);
    draw_sequence(s2, b, 64);
    assert_memory_equal(a, b, sizeof a);
    mote_sampler_reset(s1); /* reset replays the same sequence */
    draw_sequence(s1, d, 64);
    assert_memory_equal(a, d, sizeof a);
    assert_true(mote_sampler_seed(s1) == 42);
    p.seed = 43;
    mote_sampler *s3 = make(p, 1000);
    draw_sequence(s3, c, 64);
    int same = 0;
    for (int i = 0; i < 64; i++) same += a[i] == c[i];
    assert_true(same < 8);
    /* A random seed is resolved and reported, and differs between samplers. */
    p.seed = MOTE_SEED_RANDOM;
    mote_sampler *r1 = make(p, 10), *r2 = make(p, 10);
    assert_true(mote_sampler_seed(r1) != MOTE_SEED_RANDOM);
    assert_true(mote_sampler_seed(r1) != mote_sampler_seed(r2));
    mote_sampler_free(r1);
    mote_sampler_free(r2);
    mote_sampler_free(s1);
    mote_sampler_free(s2);
    mote_sampler_free(s3);
}

static void test_forbidden_tokens(void **state) {
    (void)state;
    mote_sampler_params p = mote_sampler_default();
    p.seed = 9;
    mote_sampler *s = make(p, 4);
    for (int i = 0; i < 200; i++) {
        float l[4] = {-INFINITY, 1.0f, -INFINITY, 1.0f};
        int32_t t = mote_sampler_sample(s, l);
        assert_true(t == 1 || t == 3);
    }
    float all[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    int32_t t = mote_sampler_sample(s, all);
    assert_true(t >= 0 && t < 4);
    float nan_l[4] = {NAN, 2.0f, NAN, NAN};
    assert_int_equal(mote_sampler_sample(s, nan_l), 1);
    mote_sampler_free(s);
}

static void expect_refused(mote_sampler_params p, int32_t n_vocab, const char *word) {
    assert_null(mote_sampler_new(&p, n_vocab));
    assert_non_null(strstr(mote_last_error(), word));
}

static void test_bad_params(void **state) {
    (void)state;
    mote_sampler_params p = mote_sampler_default();
    expect_refused(p, 0, "vocabulary");
    expect_refused(p, -3, "vocabulary");
    p.top_p = -0.1f;
    expect_refused(p, 10, "top_p");
    p = mote_sampler_default();
    p.top_p = NAN;
    expect_refused(p, 10, "top_p");
    p = mote_sampler_default();
    p.min_p = 1.5f;
    expect_refused(p, 10, "min_p");
    p = mote_sampler_default();
    p.repeat_penalty = 0.0f;
    expect_refused(p, 10, "repeat_penalty");
    p = mote_sampler_default();
    p.repeat_last_n = -2;
    expect_refused(p, 10, "repeat_last_n");
    p = mote_sampler_default();
    p.temp = NAN;
    expect_refused(p, 10, "temperature");
    /* NULL params mean the defaults; NULL sampler calls are harmless. */
    mote_sampler *s = mote_sampler_new(NULL, 10);
    assert_non_null(s);
    mote_sampler_free(s);
    mote_sampler_free(NULL);
    mote_sampler_accept(NULL, 1);
    mote_sampler_reset(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_llama_cpp),
        cmocka_unit_test(test_greedy_is_argmax),
        cmocka_unit_test(test_top_k_one_equals_greedy),
        cmocka_unit_test(test_top_k_keeps_the_k_largest),
        cmocka_unit_test(test_top_p_candidate_set),
        cmocka_unit_test(test_top_p_large_vocab),
        cmocka_unit_test(test_min_p_candidate_set),
        cmocka_unit_test(test_chain_order),
        cmocka_unit_test(test_temperature_scales_logits),
        cmocka_unit_test(test_penalty_formula),
        cmocka_unit_test(test_penalty_window),
        cmocka_unit_test(test_seed_reproduces),
        cmocka_unit_test(test_forbidden_tokens),
        cmocka_unit_test(test_bad_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
