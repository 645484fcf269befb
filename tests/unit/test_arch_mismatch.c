/*
 * test_arch_mismatch.c — files that do not match what their architecture
 * declares (issue 15) are refused with a message naming the tensor:
 *   - a gpt2 file without position_embd (learned positions are declared);
 *   - a llama file with a bias llama does not have (blk.0.attn_q.bias);
 *   - a qwen2 file missing one of its declared biases;
 *   - a bert file with a head (output_norm), a bitnet file without a sub-norm;
 *   - a gpt2 context longer than its table of learned positions, and a
 *     context shift of a gpt2 sequence (positions are not in its keys).
 * The broken files are fixtures rewritten with the GGUF writer: every key
 * and tensor copied, one tensor left out or added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* A copy of fixture `rel` without tensor `drop` (NULL: none) and with an
 * extra f32 vector `add` of n_add elements (NULL: none); returns its path. */
static const char *rewrite(const char *rel, const char *drop, const char *add, int64_t n_add) {
    mote_gguf *g;
    assert_int_equal(mote_gguf_open(fixture_path(rel), &g), MOTE_OK);
    mote_gguf_writer *w = mote_gguf_writer_new();
    assert_non_null(w);
    for (int64_t i = 0; i < mote_gguf_n_kv(g); i++) assert_int_equal(mote_gguf_writer_copy_kv(w, g, i), MOTE_OK);
    for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        if (drop && !strcmp(t->name, drop)) continue;
        assert_int_equal(mote_gguf_writer_add_tensor(w, t->name, t->type, t->n_dims, t->ne, t->data), MOTE_OK);
    }
    float *extra = NULL;
    if (add) {
        extra = calloc((size_t)n_add, sizeof *extra);
        assert_non_null(extra);
        int64_t ne[1] = {n_add};
        assert_int_equal(mote_gguf_writer_add_tensor(w, add, MOTE_TYPE_F32, 1, ne, extra), MOTE_OK);
    }
    const char *path = temp_path(".gguf");
    assert_int_equal(mote_gguf_writer_write_file(w, path), MOTE_OK);
    mote_gguf_writer_free(w);
    mote_gguf_close(g);
    free(extra);
    return path;
}

/* Loading `path` fails with `status` and a message containing `needle`. */
static void refused(const char *path, int status, const char *needle) {
    mote_model *m = (mote_model *)1;
    int rc = mote_model_load(path, &m);
    printf("  %s\n", mote_last_error());
    assert_int_equal(rc, status);
    assert_null(m);
    assert_non_null(strstr(mote_last_error(), needle));
    unlink(path);
}

static void test_gpt2_without_positions(void **state) {
    (void)state;
    refused(rewrite("models/gpt2-tiny-f32.gguf", "position_embd.weight", NULL, 0), MOTE_ERR_NOT_FOUND,
            "'position_embd.weight'");
}

static void test_llama_with_a_bias(void **state) {
    (void)state;
    refused(rewrite("models/llama-tiny-f32.gguf", NULL, "blk.0.attn_q.bias", 256), MOTE_ERR_FORMAT,
            "'blk.0.attn_q.bias' is not part of the llama architecture");
}

static void test_qwen2_without_a_bias(void **state) {
    (void)state;
    refused(rewrite("models/qwen2-tiny-f32.gguf", "blk.1.attn_k.bias", NULL, 0), MOTE_ERR_NOT_FOUND,
            "'blk.1.attn_k.bias'");
}

static void test_bert_with_a_head(void **state) {
    (void)state;
    refused(rewrite("models/bert-tiny-f32.gguf", NULL, "output_norm.weight", 128), MOTE_ERR_FORMAT,
            "'output_norm.weight' is not part of the bert architecture");
}

static void test_bitnet_without_sub_norm(void **state) {
    (void)state;
    refused(rewrite("models/bitnet-tiny-f32.gguf", "blk.0.ffn_sub_norm.weight", NULL, 0), MOTE_ERR_NOT_FOUND,
            "'blk.0.ffn_sub_norm.weight'");
}

/* The unchanged copy loads: the rewriting itself breaks nothing. */
static void test_copy_loads(void **state) {
    (void)state;
    const char *path = rewrite("models/gpt2-tiny-f32.gguf", NULL, NULL, 0);
    mote_model *m;
    assert_int_equal(mote_model_load(path, &m), MOTE_OK);
    /* gpt2-tiny has 256 learned positions: a longer context is refused */
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 512;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_ERR_INVALID_ARG);
    assert_non_null(strstr(mote_last_error(), "learned positions for 256 tokens"));
    /* positions are in the embeddings, not in the keys: no context shift */
    p.n_ctx = 64;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    int32_t tok[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(mote_decode(c, tok, 8, false, NULL), MOTE_OK);
    assert_int_equal(mote_seq_shift(c, 0, 2, 4), MOTE_ERR_UNSUPPORTED);
    assert_non_null(strstr(mote_last_error(), "cannot be shifted"));
    assert_int_equal(mote_seq_len(c, 0), 8);
    mote_context_free(c);
    mote_model_free(m);
    unlink(path);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_loads),
        cmocka_unit_test(test_gpt2_without_positions),
        cmocka_unit_test(test_llama_with_a_bias),
        cmocka_unit_test(test_qwen2_without_a_bias),
        cmocka_unit_test(test_bert_with_a_head),
        cmocka_unit_test(test_bitnet_without_sub_norm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
