/*
 * test_model_load.c — what loading reads from each architecture's file:
 * the public getters, and the switches the forward pass relies on (rope
 * mode, sliding-window layers and their rope base, embedding scale, fused
 * tensors, tied output head), checked against the fixtures' metadata.
 */
#include <math.h>
#include <string.h>

#include "model/model.h"
#include "testutil.h"

static mote_model *load(const char *rel) {
    mote_model *m;
    if (mote_model_load(fixture_path(rel), &m) != MOTE_OK) fail_msg("%s: %s", rel, mote_last_error());
    return m;
}

static void test_llama(void **state) {
    (void)state;
    mote_model *m = load("models/llama-tiny-f32.gguf");
    assert_string_equal(mote_model_arch(m), "llama");
    assert_int_equal(mote_model_n_vocab(m), 1024);
    assert_int_equal(mote_model_n_ctx_train(m), 512);
    assert_int_equal(mote_model_n_embd(m), 256);
    assert_int_equal(mote_model_n_layer(m), 2);
    assert_true(mote_model_n_params(m) > 256 * 1024);
    assert_true(mote_model_weight_bytes(m) >= mote_model_n_params(m) * 4);
    assert_non_null(mote_model_gguf(m));
    assert_int_equal(m->hp.rope_mode, MOTE_ROPE_NORMAL);
    assert_int_equal(m->hp.n_head_kv, 2);
    assert_int_equal(m->hp.head_dim, 64);
    assert_ptr_equal(m->output.data, m->tok_embd.data); /* tied head */
    assert_null(m->layers[0].q_norm);
    assert_int_equal(m->hp.n_swa, 0);
    mote_model_free(m);

    m = load("real/stories260K-f32.gguf");
    assert_int_equal(m->hp.head_dim, 8);
    assert_int_equal(m->hp.n_rot, 8);
    assert_true(m->hp.rope.base == 10000.0f); /* absent key: llama.cpp's default */
    assert_ptr_not_equal(m->output.data, m->tok_embd.data);
    mote_model_free(m);
}

static void test_qwen3(void **state) {
    (void)state;
    mote_model *m = load("models/qwen3-tiny-f32.gguf");
    assert_int_equal(m->hp.rope_mode, MOTE_ROPE_NEOX);
    assert_non_null(m->layers[1].q_norm);
    assert_non_null(m->layers[1].k_norm);
    assert_int_equal(mote_model_n_vocab(m), 1029);
    assert_ptr_not_equal(m->output.data, m->tok_embd.data);
    mote_model_free(m);
}

static void test_gemma3(void **state) {
    (void)state;
    mote_model *m = load("models/gemma3-tiny-f32.gguf");
    assert_int_equal(m->hp.act, MOTE_ACT_GELU_TANH);
    assert_true(fabsf(m->hp.embd_scale - 16.0f) < 1e-6f);
    assert_true(fabsf(m->hp.attn_scale - 0.125f) < 1e-7f);
    assert_int_equal(m->hp.n_swa, 8);
    for (int il = 0; il < 5; il++) assert_true(m->layers[il].swa);
    assert_false(m->layers[5].swa);
    assert_true(m->hp.rope.base == 1e6f);
    assert_true(m->hp.rope_swa.base == 10000.0f);
    assert_non_null(m->layers[0].post_attn_norm);
    assert_non_null(m->layers[0].post_ffn_norm);
    assert_int_equal(m->hp.n_head_kv, 1);
    mote_model_free(m);
}

static void test_phi3(void **state) {
    (void)state;
    mote_model *m = load("models/phi3-tiny-f32.gguf");
    assert_int_equal(m->hp.rope_mode, MOTE_ROPE_NEOX);
    assert_non_null(m->layers[0].wqkv.data);
    assert_null(m->layers[0].wq.data);
    assert_null(m->layers[0].ffn_gate.data);
    assert_int_equal(m->layers[0].ffn_up.n_out, 512); /* gate and up halves */
    assert_true(fabsf(m->hp.norm_eps - 1e-5f) < 1e-9f);
    assert_null(m->hp.rope.freq_factors);
    mote_model_free(m);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llama),
        cmocka_unit_test(test_qwen3),
        cmocka_unit_test(test_gemma3),
        cmocka_unit_test(test_phi3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
