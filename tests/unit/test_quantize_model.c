/*
 * test_quantize_model.c — whole-file quantization against llama-quantize:
 * by default, mote's stories260K-{q8_0,q4_0,q4_k_m}.gguf must hold the
 * same tensors, in the same order, with the same types and the same bytes as
 * the fixtures llama-quantize made, and the metadata llama.cpp expects
 * (general.file_type, general.quantization_version = 2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantize/quantize_model.h"
#include "testutil.h"

static void check_same_as_llama(const char *type, bool min_error) {
    char want[128];
    snprintf(want, sizeof want, "real/stories260K-%s.gguf", type);
    const char *out = temp_path(".gguf");
    mote_quantize_params p = {.preset = mote_quant_preset_find(type), .n_threads = 2, .min_error = min_error};
    assert_int_equal(mote_quantize_model(fixture_path("real/stories260K-f32.gguf"), out, &p), 0);

    mote_gguf *a = NULL, *b = NULL;
    assert_int_equal(mote_gguf_open(out, &a), 0);
    assert_int_equal(mote_gguf_open(fixture_path(want), &b), 0);
    assert_int_equal(mote_gguf_get_u32(a, "general.file_type", 0), mote_gguf_get_u32(b, "general.file_type", 1));
    assert_int_equal(mote_gguf_get_u32(a, "general.quantization_version", 0), 2);
    assert_string_equal(mote_gguf_get_str(a, "general.architecture", ""), "llama");
    assert_int_equal(mote_gguf_n_tensors(a), mote_gguf_n_tensors(b));
    for (int64_t i = 0; i < mote_gguf_n_tensors(a); i++) {
        const mote_tensor_info *ta = mote_gguf_tensor(a, i), *tb = mote_gguf_tensor(b, i);
        assert_string_equal(ta->name, tb->name);
        if (ta->type != tb->type) fail_msg("%s %s: %s, llama-quantize: %s", type, ta->name, mote_type_name(ta->type), mote_type_name(tb->type));
        assert_int_equal(ta->size, tb->size);
        for (int d = 0; d < MOTE_MAX_DIMS; d++) assert_int_equal(ta->ne[d], tb->ne[d]);
        if (!min_error && memcmp(ta->data, tb->data, ta->size) != 0) fail_msg("%s %s: bytes differ from llama-quantize's", type, ta->name);
    }
    /* Every key of the input survives. */
    mote_gguf *f = NULL;
    assert_int_equal(mote_gguf_open(fixture_path("real/stories260K-f32.gguf"), &f), 0);
    for (int64_t i = 0; i < mote_gguf_n_kv(f); i++)
        if (strcmp(mote_gguf_key(f, i), "general.file_type")) assert_true(mote_gguf_find_key(a, mote_gguf_key(f, i)) >= 0);
    mote_gguf_close(f);
    mote_gguf_close(a);
    mote_gguf_close(b);
    remove(out);
}

static void test_compat_identical(void **state) {
    (void)state;
    check_same_as_llama("q8_0", false);
    check_same_as_llama("q4_0", false);
    check_same_as_llama("q4_k_m", false);
}

static void test_default_same_layout(void **state) {
    (void)state;
    check_same_as_llama("q4_k_m", true); /* --min-error: other bytes, same types and layout */
}

static void test_failure_leaves_nothing(void **state) {
    (void)state;
    mote_quantize_params p = {.preset = mote_quant_preset_find("q4_0")};
    assert_int_not_equal(mote_quantize_model(fixture_path("real/stories260K-f32.gguf"), "/nonexistent-dir/x.gguf", &p), 0);
    /* Already quantized (q4_0 tensors) to q8_0 without permission. */
    p.preset = mote_quant_preset_find("q8_0");
    const char *out = temp_path(".gguf");
    assert_int_not_equal(mote_quantize_model(fixture_path("real/stories260K-q4_0.gguf"), out, &p), 0);
    assert_non_null(strstr(mote_last_error(), "already quantized"));
    FILE *f = fopen(out, "rb");
    assert_null(f);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compat_identical),
        cmocka_unit_test(test_default_same_layout),
        cmocka_unit_test(test_failure_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
