/*
 * test_conversations.c — several threads, each with its own conversation
 * (context), on one shared model at the same time.
 *
 * Every thread must get exactly the tokens a lone conversation gets. Run
 * under ThreadSanitizer by .ci/run (-DMOTE_TSAN=ON), which must report
 * nothing: the model, the vocabulary, the CPU description, the core count
 * and the shared worker pools are all touched by the threads together.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define N_THREADS 4
#define N_GEN 24

typedef struct {
    mote_model *model;
    const mote_vocab *vocab;
    int index;
    int n_threads;          /* of the context: 2 share a pool, 1 runs alone */
    int32_t out[N_GEN];
    int n_out;
    int rc;
} conversation;

static bool keep(int32_t token, void *user) {
    conversation *cv = user;
    cv->out[cv->n_out++] = token;
    return true;
}

static const char *const prompts[N_THREADS] = {"Once upon a time", "Lily and Ben went to the park",
                                               "The little dog", "One day, a girl named Sue"};

static void *talk(void *p) {
    conversation *cv = p;
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = 128;
    cp.n_threads = cv->n_threads;
    mote_context *c;
    if ((cv->rc = mote_context_new(cv->model, &cp, &c))) return NULL;
    int32_t *tok;
    size_t n;
    const char *text = prompts[cv->index];
    if (!(cv->rc = mote_tokenize_alloc(cv->vocab, text, strlen(text), true, false, &tok, &n))) {
        mote_sampler_params sp = mote_sampler_default();
        sp.seed = 42 + (uint64_t)cv->index;
        mote_sampler *s = mote_sampler_new(&sp, mote_model_n_vocab(cv->model));
        cv->rc = mote_generate(c, tok, (int32_t)n, N_GEN, s, keep, cv, NULL);
        mote_sampler_free(s);
        free(tok);
    }
    mote_context_free(c);
    return NULL;
}

static void test_threads_share_a_model(void **state) {
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/models/stories260K.gguf", getenv("MOTE_ROOT") ? getenv("MOTE_ROOT") : ".");
    mote_model *m;
    assert_int_equal(mote_model_load(path, &m), MOTE_OK);
    mote_vocab *v;
    assert_int_equal(mote_vocab_load(mote_model_gguf(m), &v), MOTE_OK);
    /* alone, one after the other */
    conversation want[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        want[i] = (conversation){m, v, i, 1, {0}, 0, 0};
        talk(&want[i]);
        assert_int_equal(want[i].rc, MOTE_OK);
    }
    /* together, twice: contexts of 2 threads share one pool, of 1 run alone */
    for (int round = 0; round < 2; round++) {
        conversation cv[N_THREADS];
        pthread_t th[N_THREADS];
        for (int i = 0; i < N_THREADS; i++) {
            cv[i] = (conversation){m, v, i, i % 2 ? 2 : 1, {0}, 0, 0};
            assert_int_equal(pthread_create(&th[i], NULL, talk, &cv[i]), 0);
        }
        for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
        for (int i = 0; i < N_THREADS; i++) {
            assert_int_equal(cv[i].rc, MOTE_OK);
            assert_int_equal(cv[i].n_out, N_GEN);
            assert_memory_equal(cv[i].out, want[i].out, sizeof cv[i].out);
        }
    }
    mote_vocab_free(v);
    mote_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads_share_a_model)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
