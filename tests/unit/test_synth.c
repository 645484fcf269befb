/*
 * test_synth.c — the shapes table and mote_synth_write.
 *
 * - Every real shape's parameter count matches its model card within 3%
 *   (the published numbers are in the table, from the model cards).
 * - For each architecture, a model written for the "tiny-<arch>" shape has
 *   exactly the tensor names, shapes and hyper-parameters of the fixture
 *   <arch>-tiny-f32.gguf, which llama.cpp made and loads: so synth writes
 *   what llama.cpp expects for that architecture.
 * - Values are at the intended scale, quantized files follow the preset's
 *   per-tensor types (the very types llama-quantize chose for the fixtures), the same seed gives the same bytes, and bad requests
 *   fail with a message and leave no file.
 * - vocab_from: the file tokenizes text exactly as the file whose vocabulary
 *   it took; a vocabulary of another size is refused with both counts named.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quant/types.h"
#include "testutil.h"

static void test_published_param_counts(void **state) {
    (void)state;
    int n_real = 0;
    for (const mote_model_shape *s = mote_model_shapes(); s->name; s++) {
        assert_non_null(mote_model_shape_find(s->name));
        if (!s->published_params) continue;
        n_real++;
        double ratio = (double)mote_model_shape_n_params(s) / (double)s->published_params;
        if (fabs(ratio - 1.0) > 0.03) fail_msg("%s: %llu params, published %llu", s->name,
                                               (unsigned long long)mote_model_shape_n_params(s),
                                               (unsigned long long)s->published_params);
        /* A head of head_dim values rotated in pairs; GQA divides evenly. */
        assert_int_equal(s->n_head % s->n_head_kv, 0);
        assert_true(s->n_rot <= s->head_dim && s->n_rot % 2 == 0);
    }
    assert_int_equal(n_real, 15);
    /* Well-known totals, stated independently of the table. */
    assert_int_equal(mote_model_shape_n_params(mote_model_shape_find("llama3.2-1b")), 1235814400ull);
    assert_int_equal(mote_model_shape_n_params(mote_model_shape_find("Phi4-Mini")), 3836021760ull);
    /* biases, learned positions and LayerNorms counted too (issue 15) */
    assert_int_equal(mote_model_shape_n_params(mote_model_shape_find("gpt2")), 124439808ull);
    assert_int_equal(mote_model_shape_n_params(mote_model_shape_find("qwen2.5-0.5b")), 494032768ull);
    assert_null(mote_model_shape_find("gpt-5"));
}

/* Compare the tensors and hyper-parameters of two files. */
static void assert_same_layout(const mote_gguf *a, const mote_gguf *b, const char *arch) {
    assert_int_equal(mote_gguf_n_tensors(a), mote_gguf_n_tensors(b));
    for (int64_t i = 0; i < mote_gguf_n_tensors(b); i++) {
        const mote_tensor_info *tb = mote_gguf_tensor(b, i);
        const mote_tensor_info *ta = mote_gguf_find_tensor(a, tb->name);
        if (!ta) fail_msg("%s: tensor %s missing", arch, tb->name);
        assert_int_equal(ta->n_dims, tb->n_dims);
        for (int d = 0; d < MOTE_MAX_DIMS; d++) assert_int_equal(ta->ne[d], tb->ne[d]);
    }
    static const char *const keys[] = {"context_length", "embedding_length", "block_count", "feed_forward_length",
                                       "attention.head_count", "attention.head_count_kv", "attention.sliding_window"};
    char key[128];
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        snprintf(key, sizeof key, "%s.%s", arch, keys[k]);
        if (mote_gguf_find_key(b, key) < 0 && strstr(key, "head_count_kv")) continue; /* gpt2, bert: = head_count */
        assert_int_equal(mote_gguf_get_u32(a, key, 0), mote_gguf_get_u32(b, key, 0));
    }
    snprintf(key, sizeof key, "%s.attention.layer_norm_rms_epsilon", arch);
    if (mote_gguf_find_key(b, key) < 0) snprintf(key, sizeof key, "%s.attention.layer_norm_epsilon", arch);
    assert_float_equal(mote_gguf_get_f32(a, key, 0), mote_gguf_get_f32(b, key, 0), 1e-9);
    assert_string_equal(mote_gguf_get_str(a, "general.architecture", ""), arch);
    assert_string_equal(mote_gguf_get_str(a, "tokenizer.ggml.model", ""), "llama");
}

static void test_layout_matches_fixtures(void **state) {
    (void)state;
    require_fixtures();
    static const char *const archs[] = {"llama", "qwen3", "gemma3", "phi3", "qwen2", "gpt2", "bert", "bitnet"};
    for (size_t i = 0; i < sizeof archs / sizeof *archs; i++) {
        char like[32], fix[64];
        snprintf(like, sizeof like, i == 0 ? "tiny" : "tiny-%s", archs[i]);
        snprintf(fix, sizeof fix, "models/%s-tiny-f32.gguf", archs[i]);
        const char *out = temp_path(".gguf");
        mote_synth_params p = mote_synth_default_params();
        p.type = "f32";
        p.n_ctx = mote_model_shape_find(like)->n_ctx_train;
        assert_int_equal(mote_synth_write(mote_model_shape_find(like), &p, out), MOTE_OK);
        mote_gguf *a, *b;
        assert_int_equal(mote_gguf_open(out, &a), MOTE_OK);
        assert_int_equal(mote_gguf_open(fixture_path(fix), &b), MOTE_OK);
        assert_same_layout(a, b, archs[i]);
        /* Every weight counted by the shapes table is in the file. */
        uint64_t n = 0;
        for (int64_t t = 0; t < mote_gguf_n_tensors(a); t++) n += (uint64_t)mote_tensor_nelements(mote_gguf_tensor(a, t));
        assert_int_equal(n, mote_model_shape_n_params(mote_model_shape_find(like)));
        mote_gguf_close(a);
        mote_gguf_close(b);
        unlink(out);
    }
}

static void test_values_and_determinism(void **state) {
    (void)state;
    const mote_model_shape *s = mote_model_shape_find("tiny-gemma3");
    const char *a_path = temp_path(".gguf"), *b_path = temp_path(".gguf");
    mote_synth_params p = mote_synth_default_params();
    p.type = "f32";
    assert_int_equal(mote_synth_write(s, &p, a_path), MOTE_OK);
    assert_int_equal(mote_synth_write(s, &p, b_path), MOTE_OK);
    size_t na, nb;
    void *da = read_file(a_path, &na), *db = read_file(b_path, &nb);
    assert_non_null(da);
    assert_non_null(db);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);
    free(da);
    free(db);

    mote_gguf *g;
    assert_int_equal(mote_gguf_open(a_path, &g), MOTE_OK);
    /* A matrix: mean ~0, standard deviation ~0.02. A norm: values near 1. */
    const mote_tensor_info *q = mote_gguf_find_tensor(g, "blk.0.attn_q.weight");
    const mote_tensor_info *nrm = mote_gguf_find_tensor(g, "blk.3.post_ffw_norm.weight");
    assert_non_null(q);
    assert_non_null(nrm);
    const float *x = q->data;
    int64_t n = mote_tensor_nelements(q);
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < n; i++) sum += x[i], sq += (double)x[i] * x[i];
    double mean = sum / n, sd = sqrt(sq / n - mean * mean);
    assert_true(fabs(mean) < 0.001);
    assert_true(sd > 0.019 && sd < 0.021);
    const float *w = nrm->data;
    for (int64_t i = 0; i < mote_tensor_nelements(nrm); i++) assert_true(w[i] > 0.85f && w[i] < 1.15f);
    mote_gguf_close(g);

    /* Another seed, other values. */
    p.seed = 7;
    assert_int_equal(mote_synth_write(s, &p, b_path), MOTE_OK);
    db = read_file(b_path, &nb);
    da = read_file(a_path, &na);
    assert_int_equal(na, nb);
    assert_true(memcmp(da, db, na) != 0);
    free(da);
    free(db);
    unlink(a_path);
    unlink(b_path);
}

/* Types of a preset: norms stay F32, matrices get the preset's type; Q4_0
 * and Q4_K_M put the tied output head at Q6_K (as llama-quantize does);
 * Q4_K_M gives attn_v/ffn_down Q6_K in its "more bits" layers. */
static void test_preset_types(void **state) {
    (void)state;
    const mote_model_shape *s = mote_model_shape_find("tiny");
    const char *out = temp_path(".gguf");
    mote_synth_params p = mote_synth_default_params();
    p.type = "q8_0";
    assert_int_equal(mote_synth_write(s, &p, out), MOTE_OK);
    mote_gguf *g;
    assert_int_equal(mote_gguf_open(out, &g), MOTE_OK);
    assert_int_equal(mote_gguf_find_tensor(g, "token_embd.weight")->type, MOTE_TYPE_Q8_0);
    assert_int_equal(mote_gguf_find_tensor(g, "blk.1.ffn_down.weight")->type, MOTE_TYPE_Q8_0);
    assert_int_equal(mote_gguf_find_tensor(g, "blk.1.ffn_norm.weight")->type, MOTE_TYPE_F32);
    assert_int_equal(mote_gguf_get_u32(g, "general.file_type", 0), 7);
    mote_gguf_close(g);
    unlink(out);

    const mote_type_traits *q4k = mote_traits(MOTE_TYPE_Q4_K), *q6k = mote_traits(MOTE_TYPE_Q6_K);
    if (q4k->from_float && q6k->from_float) {
        /* 16 layers: more bits in 0, 1, 4, 7, 10, 13, 14, 15. */
        mote_model_shape big = *s;
        big.n_layer = 16;
        p.type = "q4_k_m";
        assert_int_equal(mote_synth_write(&big, &p, out), MOTE_OK);
        assert_int_equal(mote_gguf_open(out, &g), MOTE_OK);
        assert_int_equal(mote_gguf_find_tensor(g, "token_embd.weight")->type, MOTE_TYPE_Q6_K);
        static const int more[16] = {1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1};
        for (int il = 0; il < 16; il++) {
            char name[64];
            snprintf(name, sizeof name, "blk.%d.ffn_down.weight", il);
            assert_int_equal(mote_gguf_find_tensor(g, name)->type, more[il] ? MOTE_TYPE_Q6_K : MOTE_TYPE_Q4_K);
            snprintf(name, sizeof name, "blk.%d.attn_v.weight", il);
            assert_int_equal(mote_gguf_find_tensor(g, name)->type, more[il] ? MOTE_TYPE_Q6_K : MOTE_TYPE_Q4_K);
            snprintf(name, sizeof name, "blk.%d.attn_q.weight", il);
            assert_int_equal(mote_gguf_find_tensor(g, name)->type, MOTE_TYPE_Q4_K);
        }
        assert_int_equal(mote_gguf_get_u32(g, "general.file_type", 0), 15);
        mote_gguf_close(g);
        unlink(out);
    } else {
        print_message("q4_k_m part skipped: no Q4_K/Q6_K quantizer in this build\n");
    }
}

/* The per-tensor types of each preset are the ones llama-quantize chose for
 * the fixtures (<arch>-tiny-<preset>.gguf were made by llama-quantize). */
static void test_types_match_llama_quantize(void **state) {
    (void)state;
    require_fixtures();
    static const char *const archs[] = {"llama", "qwen3", "gemma3", "phi3"};
    static const char *const presets[] = {"q8_0", "q4_0", "q4_k_m", "q6_k"};
    for (size_t i = 0; i < 4; i++) {
        for (size_t k = 0; k < 4; k++) {
            char like[32], fix[64];
            snprintf(like, sizeof like, i == 0 ? "tiny" : "tiny-%s", archs[i]);
            snprintf(fix, sizeof fix, "models/%s-tiny-%s.gguf", archs[i], presets[k]);
            const char *out = temp_path(".gguf");
            mote_synth_params p = mote_synth_default_params();
            p.type = presets[k];
            assert_int_equal(mote_synth_write(mote_model_shape_find(like), &p, out), MOTE_OK);
            mote_gguf *a, *b;
            assert_int_equal(mote_gguf_open(out, &a), MOTE_OK);
            assert_int_equal(mote_gguf_open(fixture_path(fix), &b), MOTE_OK);
            for (int64_t t = 0; t < mote_gguf_n_tensors(b); t++) {
                const mote_tensor_info *tb = mote_gguf_tensor(b, t);
                const mote_tensor_info *ta = mote_gguf_find_tensor(a, tb->name);
                assert_non_null(ta);
                if (ta->type != tb->type)
                    fail_msg("%s %s: %s is %s, llama-quantize made %s", like, presets[k], tb->name,
                             mote_type_name(ta->type), mote_type_name(tb->type));
            }
            assert_int_equal(mote_gguf_get_u32(a, "general.file_type", 0), mote_gguf_get_u32(b, "general.file_type", 1));
            mote_gguf_close(a);
            mote_gguf_close(b);
            unlink(out);
        }
    }
}

static void test_bad_requests(void **state) {
    (void)state;
    const char *out = temp_path(".gguf");
    mote_synth_params p = mote_synth_default_params();
    p.type = "q3_xyz";
    assert_int_equal(mote_synth_write(mote_model_shape_find("tiny"), &p, out), MOTE_ERR_INVALID_ARG);
    assert_non_null(strstr(mote_last_error(), "q3_xyz"));
    assert_int_not_equal(access(out, F_OK), 0);
    p.type = "f16";
    assert_int_equal(mote_synth_write(NULL, &p, out), MOTE_ERR_INVALID_ARG);
    assert_int_not_equal(mote_synth_write(mote_model_shape_find("tiny"), &p, "/nonexistent-dir/x.gguf"), MOTE_OK);
    assert_int_not_equal(access(out, F_OK), 0);
}

/* The ids a model file's vocabulary makes of text (n of them into ids). */
static size_t tokenize_with(const char *path, const char *text, int32_t *ids, size_t cap) {
    mote_gguf *g;
    mote_vocab *v;
    size_t n = 0;
    assert_int_equal(mote_gguf_open(path, &g), MOTE_OK);
    assert_int_equal(mote_vocab_load(g, &v), MOTE_OK);
    assert_int_equal(mote_tokenize(v, text, strlen(text), true, false, ids, cap, &n), MOTE_OK);
    mote_vocab_free(v);
    mote_gguf_close(g);
    return n;
}

static void test_vocab_from(void **state) {
    (void)state;
    require_fixtures();
    const char *out = temp_path(".gguf"), *bert = fixture_path("models/bert-tiny-f32.gguf");
    mote_synth_params p = mote_synth_default_params();
    p.type = "f16";
    p.vocab_from = bert;
    assert_int_equal(mote_synth_write(mote_model_shape_find("tiny-bert"), &p, out), MOTE_OK);
    const char *text = "The bees danced, and the queen's hive hummed: 42 flowers!";
    int32_t a[64], b[64];
    size_t na = tokenize_with(out, text, a, 64), nb = tokenize_with(bert, text, b, 64);
    assert_int_equal(na, nb);
    assert_true(na > 5);
    assert_memory_equal(a, b, na * sizeof *a);
    mote_gguf *g;
    assert_int_equal(mote_gguf_open(out, &g), MOTE_OK);
    assert_string_equal(mote_gguf_get_str(g, "tokenizer.ggml.model", ""), "bert");
    mote_gguf_close(g);
    unlink(out);

    /* 2048 tokens for a shape of 1024: refused, no file */
    assert_int_equal(mote_synth_write(mote_model_shape_find("tiny"), &p, out), MOTE_ERR_INVALID_ARG);
    assert_non_null(strstr(mote_last_error(), "2048"));
    assert_non_null(strstr(mote_last_error(), "1024"));
    assert_int_not_equal(access(out, F_OK), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_param_counts), cmocka_unit_test(test_values_and_determinism),
        cmocka_unit_test(test_preset_types),          cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_layout_matches_fixtures), cmocka_unit_test(test_types_match_llama_quantize),
        cmocka_unit_test(test_vocab_from),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
