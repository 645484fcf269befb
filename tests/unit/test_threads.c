/*
 * test_threads.c — the thread count changes speed, never numbers.
 *
 * Matrix products split output rows and attention splits (token, head)
 * pairs across threads, each computed whole by one thread, so the logits
 * of a prefill and of the single-token steps after it must be bit-for-bit
 * the same with 1, 2 and 3 threads (3: uneven splits) on every family.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define N_PROMPT 12
#define N_STEPS 3

/* Logits of a prompt (every row) then of N_STEPS single steps, with n_threads. */
static float *run(mote_model *m, int n_threads, const int32_t *tokens, int n_vocab) {
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 64;
    p.n_batch = N_PROMPT;
    p.all_logits = true;
    p.n_threads = n_threads;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    float *out = malloc(sizeof(float) * (size_t)n_vocab * (N_PROMPT + N_STEPS));
    assert_non_null(out);
    const float *logits;
    assert_int_equal(mote_decode(c, tokens, N_PROMPT, true, &logits), MOTE_OK);
    memcpy(out, logits, sizeof(float) * (size_t)n_vocab * N_PROMPT);
    for (int s = 0; s < N_STEPS; s++) {
        assert_int_equal(mote_decode(c, &tokens[s], 1, false, &logits), MOTE_OK);
        memcpy(out + (size_t)n_vocab * (N_PROMPT + s), logits, sizeof(float) * (size_t)n_vocab);
    }
    mote_context_free(c);
    return out;
}

static void check(const char *rel) {
    mote_model *m;
    if (mote_model_load(fixture_path(rel), &m) != MOTE_OK) fail_msg("%s: %s", rel, mote_last_error());
    const int n_vocab = mote_model_n_vocab(m);
    int32_t tokens[N_PROMPT];
    for (int i = 0; i < N_PROMPT; i++) tokens[i] = (int32_t)((i * 37 + 11) % n_vocab);
    float *one = run(m, 1, tokens, n_vocab);
    for (int nt = 2; nt <= 3; nt++) {
        float *many = run(m, nt, tokens, n_vocab);
        if (memcmp(one, many, sizeof(float) * (size_t)n_vocab * (N_PROMPT + N_STEPS)) != 0)
            fail_msg("%s: logits with %d threads differ from 1 thread", rel, nt);
        free(many);
    }
    printf("  %-30s identical with 1, 2, 3 threads\n", rel);
    free(one);
    mote_model_free(m);
}

static void test_thread_count_does_not_change_logits(void **state) {
    (void)state;
    check("models/llama-tiny-f32.gguf");
    check("models/llama-tiny-q4_k_m.gguf");
    check("models/qwen3-tiny-q8_0.gguf");
    check("models/gemma3-tiny-q4_0.gguf");
    check("models/gemma3-tiny-f16.gguf");
    check("models/phi3-tiny-f16.gguf");
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_count_does_not_change_logits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
