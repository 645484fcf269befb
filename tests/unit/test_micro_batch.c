/*
 * test_micro_batch.c — a call of more tokens than a forward step holds
 * (context.c: n_ubatch, 128 for a causal model) runs as several steps and
 * gives exactly the numbers of the same steps made by separate calls.
 *
 * A call of 300 tokens is three steps of 100 (decode.c splits a call into
 * equal steps); the same 300 tokens given as three calls of 100 make the
 * same steps, so every row of logits (all_logits: the rows of later steps
 * must land after the earlier ones) must be bit-identical. Then two
 * sequences of 150 tokens in one mote_decode_batch call (three steps of
 * 100, one of them holding both sequences) against each sequence alone in
 * one call (two steps of 75): every step is past the products' road
 * choices (engine/matmul.c), so the numbers do not depend on what shares a
 * step or where it is cut: bit-identical too. On every kind of fixture
 * (f32, q4_0, q4_k_m, q8_0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/context.h"
#include "testutil.h"

#define N_TOK 300
#define PART 100
#define HALF 150

static const char *const fixtures[] = {
    "models/llama-tiny-f32.gguf",  "models/qwen3-tiny-q4_0.gguf",
    "models/llama-tiny-q4_k_m.gguf", "models/gemma3-tiny-q8_0.gguf",
};

static mote_context *context(mote_model *m, int n_seq) {
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 2 * N_TOK;
    p.n_batch = 2 * N_TOK;
    p.n_seq = n_seq;
    p.all_logits = true;
    p.n_threads = 2;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    return c;
}

/* Both comparisons on the fixture `name`. */
static void check_fixture(const char *name) {
    mote_model *m;
    assert_int_equal(mote_model_load(fixture_path(name), &m), MOTE_OK);
    const int n_vocab = mote_model_n_vocab(m);
    int32_t tok[N_TOK];
    for (int i = 0; i < N_TOK; i++) tok[i] = (int32_t)((i * 37 + 5) % n_vocab);
    const size_t row = sizeof(float) * (size_t)n_vocab;
    float *whole = malloc(row * N_TOK), *parts = malloc(row * N_TOK);
    assert_non_null(whole);
    assert_non_null(parts);

    mote_context *c = context(m, 1);
    assert_true(c->n_ubatch < N_TOK); /* else this test tests nothing */
    assert_int_equal(mote_context_n_step(c), c->n_ubatch); /* what mote bench --verbose reports */
    const float *lg;
    assert_int_equal(mote_decode(c, tok, N_TOK, true, &lg), MOTE_OK);
    memcpy(whole, lg, row * N_TOK);
    mote_context_reset(c);
    for (int i = 0; i < N_TOK; i += PART) {
        assert_int_equal(mote_decode(c, tok + i, PART, true, &lg), MOTE_OK);
        memcpy(parts + (size_t)i * n_vocab, lg, row * PART);
    }
    assert_memory_equal(whole, parts, row * N_TOK);
    mote_context_free(c);

    /* two sequences in one batch call against each alone */
    c = context(m, 2);
    mote_batch_token b[2 * HALF];
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < HALF; i++) b[s * HALF + i] = (mote_batch_token){tok[s * HALF + i], s, -1, true};
    assert_int_equal(mote_decode_batch(c, b, 2 * HALF, &lg), MOTE_OK);
    memcpy(whole, lg, row * 2 * HALF);
    mote_context_free(c);
    for (int s = 0; s < 2; s++) {
        c = context(m, 1);
        assert_int_equal(mote_decode(c, tok + s * HALF, HALF, true, &lg), MOTE_OK);
        assert_memory_equal(whole + (size_t)s * HALF * n_vocab, lg, row * HALF);
        mote_context_free(c);
    }
    printf("  %-32s 300 tokens in steps of %d: bit-identical to separate calls and to each sequence alone\n",
           name, PART);
    free(whole);
    free(parts);
    mote_model_free(m);
}

static void test_one_call_equals_its_steps(void **state) {
    (void)state;
    require_fixtures();
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) check_fixture(fixtures[f]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_call_equals_its_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
