/*
 * test_model_errors.c — what loading a model and running it refuse, and
 * that each refusal is a clear message naming the problem, not a crash:
 * a missing file, an unsupported architecture, a missing tensor, a tensor
 * type without kernels, a context larger than memory, a prompt longer than
 * the context, bad token ids and misuse of the logits options.
 * Broken models are llama-tiny-f32 with a few bytes changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define TINY "models/llama-tiny-f32.gguf"

/* The bytes of TINY with the first occurrence of `from` replaced by `to`
 * (same length) and, if type >= 0, the type id of the tensor just renamed
 * set to `type`; written to a temporary file whose path is returned.
 * Editing bytes in place keeps every offset valid. */
static const char *patched_copy(const char *from, const char *to, int type) {
    size_t size;
    char *buf = read_file(fixture_path(TINY), &size);
    assert_non_null(buf);
    size_t n = strlen(from);
    assert_int_equal(n, strlen(to));
    char *at = NULL;
    for (size_t i = 0; i + n <= size && !at; i++)
        if (!memcmp(buf + i, from, n)) at = buf + i;
    assert_non_null(at);
    memcpy(at, to, n);
    if (type >= 0) {
        /* tensor info: name, u32 n_dims, u64 ne[n_dims], u32 type, u64 offset */
        uint32_t n_dims;
        memcpy(&n_dims, at + n, 4);
        uint32_t t = (uint32_t)type;
        memcpy(at + n + 4 + 8 * n_dims, &t, 4);
    }
    const char *path = temp_path(".gguf");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, size, f), size);
    fclose(f);
    free(buf);
    return path;
}

static void test_missing_file(void **state) {
    (void)state;
    mote_model *m = (mote_model *)1;
    assert_int_not_equal(mote_model_load("/nonexistent/model.gguf", &m), MOTE_OK);
    assert_null(m);
    assert_non_null(strstr(mote_last_error(), "/nonexistent/model.gguf"));
}

static void test_unsupported_arch(void **state) {
    (void)state;
    const char *path = patched_copy("llama", "mamba", -1);
    mote_model *m;
    assert_int_equal(mote_model_load(path, &m), MOTE_ERR_UNSUPPORTED);
    assert_non_null(strstr(mote_last_error(), "'mamba'"));
    assert_non_null(strstr(mote_last_error(), "llama, qwen3, gemma3, phi3"));
    unlink(path);
}

static void test_missing_tensor(void **state) {
    (void)state;
    const char *path = patched_copy("blk.1.ffn_up.weight", "blk.1.ffn_xx.weight", -1);
    mote_model *m;
    assert_int_equal(mote_model_load(path, &m), MOTE_ERR_NOT_FOUND);
    assert_non_null(strstr(mote_last_error(), "blk.1.ffn_up.weight"));
    unlink(path);
}

static void test_tensor_type_without_kernels(void **state) {
    (void)state;
    /* IQ2_XXS: a type GGUF files may hold but mote does not compute with. */
    const char *path = patched_copy("blk.0.attn_q.weight", "blk.0.attn_q.weight", MOTE_TYPE_IQ2_XXS);
    mote_model *m;
    assert_int_equal(mote_model_load(path, &m), MOTE_ERR_UNSUPPORTED);
    assert_non_null(strstr(mote_last_error(), "blk.0.attn_q.weight"));
    assert_non_null(strstr(mote_last_error(), "iq2_xxs"));
    unlink(path);
}

static void test_context_too_large_for_memory(void **state) {
    (void)state;
    mote_model *m;
    assert_int_equal(mote_model_load(fixture_path(TINY), &m), MOTE_OK);
    mote_context_params p = mote_context_default_params();
    p.n_ctx = INT32_MAX; /* 2 layers x 2^31 positions x 128 x 2 x 2 bytes = 2 TiB of cache */
    mote_context *c = (mote_context *)1;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_ERR_NOMEM);
    assert_null(c);
    assert_non_null(strstr(mote_last_error(), "more than"));
    p.n_ctx = -5;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_ERR_INVALID_ARG);
    mote_model_free(m);
}

static bool take_all(int32_t token, void *user) {
    (void)token;
    (*(int *)user)++;
    return true;
}

static void test_prompt_longer_than_context(void **state) {
    (void)state;
    mote_model *m;
    assert_int_equal(mote_model_load(fixture_path(TINY), &m), MOTE_OK);
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 16;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    assert_int_equal(mote_context_n_ctx(c), 16);
    int32_t tokens[20];
    for (int i = 0; i < 20; i++) tokens[i] = i + 1;
    const float *logits;
    assert_int_equal(mote_decode(c, tokens, 20, false, &logits), MOTE_ERR_INVALID_ARG);
    assert_non_null(strstr(mote_last_error(), "context of 16"));
    assert_int_equal(mote_context_n_past(c), 0);
    int n = 0;
    assert_int_equal(mote_generate(c, tokens, 17, 4, NULL, take_all, &n, NULL), MOTE_ERR_INVALID_ARG);
    assert_non_null(strstr(mote_last_error(), "17 tokens"));
    assert_int_equal(n, 0);
    /* a prompt that fits: generation stops when the context is full */
    assert_int_equal(mote_generate(c, tokens, 14, 100, NULL, take_all, &n, NULL), MOTE_OK);
    assert_int_equal(mote_context_n_past(c), 16);
    assert_int_equal(n, 3);
    mote_context_free(c);
    mote_model_free(m);
}

static void test_bad_decode_arguments(void **state) {
    (void)state;
    mote_model *m;
    assert_int_equal(mote_model_load(fixture_path(TINY), &m), MOTE_OK);
    mote_context *c;
    assert_int_equal(mote_context_new(m, NULL, &c), MOTE_OK);
    assert_int_equal(mote_context_n_ctx(c), 512); /* min(model's 512, 4096) */
    assert_true(mote_context_kv_bytes(c) == 2u * 2 * 512 * 128 * 2);
    int32_t bad[2] = {5, 1024};
    const float *logits;
    assert_int_equal(mote_decode(c, bad, 2, false, &logits), MOTE_ERR_INVALID_ARG);
    assert_non_null(strstr(mote_last_error(), "1024"));
    bad[1] = -1;
    assert_int_equal(mote_decode(c, bad, 2, false, &logits), MOTE_ERR_INVALID_ARG);
    assert_int_equal(mote_decode(c, bad, 1, true, &logits), MOTE_ERR_INVALID_ARG); /* no all_logits room */
    assert_int_equal(mote_decode(c, bad, 0, false, &logits), MOTE_ERR_INVALID_ARG);
    assert_int_equal(mote_context_n_past(c), 0);
    assert_int_equal(mote_decode(c, bad, 1, false, &logits), MOTE_OK);
    assert_int_equal(mote_context_n_past(c), 1);
    mote_context_reset(c);
    assert_int_equal(mote_context_n_past(c), 0);
    mote_context_free(c);
    mote_model_free(m);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_unsupported_arch),
        cmocka_unit_test(test_missing_tensor),
        cmocka_unit_test(test_tensor_type_without_kernels),
        cmocka_unit_test(test_context_too_large_for_memory),
        cmocka_unit_test(test_prompt_longer_than_context),
        cmocka_unit_test(test_bad_decode_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
