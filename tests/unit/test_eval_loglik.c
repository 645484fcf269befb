/*
 * test_eval_loglik.c — `mote eval --task mmlu` end to end on stories260K and a
 * fixture model (the small MMLU subset of tests/data/eval/mmlu, 0 and 1
 * shot), and its choices checked independently: for every question of the
 * --output file, the log-likelihood of each continuation " A".." D" is
 * recomputed here by evaluating prompt + continuation whole through
 * mote_decode with all logits (not the task's route: context first, then
 * the continuation after it), and the task's answer must be the argmax.
 * The same check for truthfulqa-mc2 (answers of many tokens, decoded after
 * the shared prompt with explicit positions) on the first questions of
 * shared/data/eval/truthfulqa/mc_task.json, skipped when that is absent.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "eval/eval.h"
#include <cjson/cJSON.h>

static const char *repo_path(const char *rel) {
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    const char *root = getenv("MOTE_ROOT");
    snprintf(buf[k], sizeof buf[k], "%s/%s", root && *root ? root : ".", rel);
    return buf[k];
}

/* Sum of log P(tokens[i] | tokens[<i]) for i >= from, evaluating all tokens at once. */
static double whole_loglik(mote_context *ctx, int32_t n_vocab, const int32_t *toks, size_t n, size_t from) {
    mote_context_reset(ctx);
    const float *rows = NULL;
    assert_int_equal(mote_decode(ctx, toks, (int32_t)n, true, &rows), 0);
    double sum = 0;
    for (size_t i = from; i < n; i++) {
        const float *l = rows + (i - 1) * (size_t)n_vocab;
        double mx = l[0], z = 0;
        for (int32_t v = 1; v < n_vocab; v++) mx = l[v] > mx ? l[v] : mx;
        for (int32_t v = 0; v < n_vocab; v++) z += exp(l[v] - mx);
        sum += l[toks[i]] - mx - log(z);
    }
    return sum;
}

static void check_model(const char *model_path, long shots) {
    const char *out = temp_path(".jsonl");
    eval_options o;
    eval_options_default(&o);
    o.task = "mmlu";
    o.model_path = model_path;
    o.data = repo_path("tests/data/eval/mmlu");
    o.output = out;
    o.shots = shots;
    o.n_threads = 1;
    assert_int_equal(eval_run(&o), 0);

    mote_model *m = NULL;
    mote_vocab *v = NULL;
    mote_context *ctx = NULL;
    assert_int_equal(mote_model_load(model_path, &m), 0);
    assert_int_equal(mote_vocab_load(mote_model_gguf(m), &v), 0);
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = mote_model_n_ctx_train(m) < 4096 ? mote_model_n_ctx_train(m) : 4096;
    cp.n_batch = cp.n_ctx;
    cp.all_logits = true;
    cp.n_threads = 1;
    assert_int_equal(mote_context_new(m, &cp, &ctx), 0);
    int32_t n_vocab = mote_model_n_vocab(m);

    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0, items = 0, checked = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        assert_non_null(j);
        items++;
        const char *prompt = cJSON_GetObjectItem(j, "prompt")->valuestring;
        const char *answer = cJSON_GetObjectItem(j, "answer")->valuestring;
        const cJSON *lls = cJSON_GetObjectItem(j, "loglikelihoods");
        int32_t *ptoks = NULL;
        size_t np = 0;
        assert_int_equal(mote_tokenize_alloc(v, prompt, strlen(prompt), true, false, &ptoks, &np), 0);
        double best = -INFINITY;
        int arg = -1;
        bool fits = true;
        for (int c = 0; c < 4 && fits; c++) {
            char *whole = malloc(strlen(prompt) + 3);
            sprintf(whole, "%s %c", prompt, 'A' + c);
            int32_t *wt = NULL;
            size_t nw = 0;
            assert_int_equal(mote_tokenize_alloc(v, whole, strlen(whole), true, false, &wt, &nw), 0);
            assert_true(nw > np);
            if (nw > (size_t)cp.n_ctx) {
                fits = false; /* the task cut this prompt from the left: not comparable */
            } else {
                double ll = whole_loglik(ctx, n_vocab, wt, nw, np);
                assert_true(fabs(ll - cJSON_GetArrayItem(lls, c)->valuedouble) < 1e-3);
                if (ll > best) {
                    best = ll;
                    arg = c;
                }
            }
            free(wt);
            free(whole);
        }
        if (fits) {
            assert_int_equal(answer[0], 'A' + arg);
            checked++;
        }
        free(ptoks);
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    remove(out);
    assert_int_equal(items, 8); /* 2 subjects x 4 questions */
    assert_true(checked >= 4);
    mote_context_free(ctx);
    mote_vocab_free(v);
    mote_model_free(m);
}

static void test_stories260k(void **state) {
    check_model(repo_path("models/stories260K.gguf"), 0);
}

static void test_fixture_llama(void **state) {
    require_fixtures();
    check_model(fixture_path("models/llama-tiny-f32.gguf"), 0);
    check_model(fixture_path("models/llama-tiny-f32.gguf"), 1);
}

static void test_fixture_gemma3(void **state) {
    require_fixtures();
    check_model(fixture_path("models/gemma3-tiny-q8_0.gguf"), 0);
}

/* truthfulqa-mc2: every choice's log-likelihood equals the whole-sequence one. */
static void test_truthfulqa_mc2(void **state) {
    const char *data = fixture_path("../data/eval/truthfulqa/mc_task.json");
    FILE *probe = fopen(data, "r");
    if (!probe) {
        fprintf(stderr, "SKIP: %s not found\n", data);
        skip();
    }
    fclose(probe);
    const char *model_path = repo_path("models/stories260K.gguf");
    const char *out = temp_path(".jsonl");
    eval_options o;
    eval_options_default(&o);
    o.task = "truthfulqa-mc2";
    o.model_path = model_path;
    o.data = data;
    o.output = out;
    o.limit = 3;
    o.n_threads = 1;
    assert_int_equal(eval_run(&o), 0);
    mote_model *m = NULL;
    mote_vocab *v = NULL;
    mote_context *ctx = NULL;
    assert_int_equal(mote_model_load(model_path, &m), 0);
    assert_int_equal(mote_vocab_load(mote_model_gguf(m), &v), 0);
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = 2048;
    cp.n_batch = 2048;
    cp.all_logits = true;
    cp.n_threads = 1;
    assert_int_equal(mote_context_new(m, &cp, &ctx), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0, choices = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        assert_non_null(j);
        const char *prompt = cJSON_GetObjectItem(j, "prompt")->valuestring;
        int32_t *ptoks = NULL;
        size_t np = 0;
        assert_int_equal(mote_tokenize_alloc(v, prompt, strlen(prompt), true, false, &ptoks, &np), 0);
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItem(j, "choices")) {
            const char *text = cJSON_GetObjectItem(c, "text")->valuestring;
            char *whole = malloc(strlen(prompt) + strlen(text) + 2);
            sprintf(whole, "%s %s", prompt, text);
            int32_t *wt = NULL;
            size_t nw = 0;
            assert_int_equal(mote_tokenize_alloc(v, whole, strlen(whole), true, false, &wt, &nw), 0);
            assert_true(nw > np + 1);
            double ll = whole_loglik(ctx, mote_model_n_vocab(m), wt, nw, np);
            assert_true(fabs(ll - cJSON_GetObjectItem(c, "loglikelihood")->valuedouble) < 1e-3);
            choices++;
            free(wt);
            free(whole);
        }
        free(ptoks);
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    remove(out);
    assert_true(choices >= 10);
    mote_context_free(ctx);
    mote_vocab_free(v);
    mote_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stories260k),
        cmocka_unit_test(test_fixture_llama),
        cmocka_unit_test(test_fixture_gemma3),
        cmocka_unit_test(test_truthfulqa_mc2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
