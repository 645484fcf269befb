/*
 * test_gguf_read.c — the GGUF reader on the real fixture files.
 */
#include <string.h>

#include "testutil.h"

static void test_stories260k_metadata(void **state) {
    (void)state;
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(fixture_path("real/stories260K-f32.gguf"), &g), MOTE_OK);
    assert_int_equal(mote_gguf_version(g), 3);
    assert_string_equal(mote_gguf_get_str(g, "general.architecture", ""), "llama");
    assert_int_equal(mote_gguf_get_u32(g, "llama.embedding_length", 0), 64);
    assert_int_equal(mote_gguf_get_u32(g, "llama.block_count", 0), 5);
    assert_int_equal(mote_gguf_get_u32(g, "llama.attention.head_count", 0), 8);
    assert_int_equal(mote_gguf_get_u32(g, "llama.attention.head_count_kv", 0), 4);
    assert_int_equal(mote_gguf_get_u32(g, "no.such.key", 7), 7);
    mote_gguf_type et;
    uint64_t n;
    int64_t toks = mote_gguf_get_arr(g, "tokenizer.ggml.tokens", &et, &n);
    assert_true(toks >= 0);
    assert_int_equal(et, MOTE_GGUF_STRING);
    assert_int_equal(n, 512);
    const mote_tensor_info *t = mote_gguf_find_tensor(g, "token_embd.weight");
    assert_non_null(t);
    assert_int_equal(t->type, MOTE_TYPE_F32);
    assert_int_equal(t->ne[0], 64);
    assert_int_equal(t->ne[1], 512);
    assert_int_equal(t->size, 64 * 512 * 4);
    assert_null(mote_gguf_find_tensor(g, "nope"));
    mote_gguf_close(g);
}

static void test_missing_file(void **state) {
    (void)state;
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open("/nonexistent/x.gguf", &g), MOTE_ERR_IO);
    assert_null(g);
    assert_non_null(strstr(mote_last_error(), "/nonexistent/x.gguf"));
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stories260k_metadata),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
