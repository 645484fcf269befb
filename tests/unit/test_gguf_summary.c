/*
 * test_gguf_summary.c — mote_gguf_summarize against numbers derived
 * independently: parameter counts recomputed from the architectures'
 * hyper-parameters (fixtures README), byte counts from the GGML block sizes,
 * and a small file built with the writer to exercise the corner cases.
 */
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* Parameters of a llama-style model with separate or tied output head. */
static uint64_t llama_params(uint64_t n_embd, uint64_t layers, uint64_t heads, uint64_t kv_heads, uint64_t ffn,
                             uint64_t vocab, bool tied) {
    uint64_t head_dim = n_embd / heads;
    uint64_t per_layer = 2 * n_embd                         /* attn_norm, ffn_norm */
                         + 2 * n_embd * n_embd              /* wq, wo */
                         + 2 * n_embd * kv_heads * head_dim /* wk, wv */
                         + 3 * n_embd * ffn;                /* gate, up, down */
    return vocab * n_embd * (tied ? 1 : 2) + n_embd + layers * per_layer;
}

static void test_stories260k(void **state) {
    (void)state;
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(fixture_path("real/stories260K-f32.gguf"), &g), MOTE_OK);
    mote_model_summary s;
    mote_gguf_summarize(g, &s);
    assert_string_equal(s.architecture, "llama");
    /* README: n_embd 64, 5 layers, 8 / 4 heads, ffn 172, 512 tokens; stories260K has its own output head. */
    assert_int_equal(s.embedding_length, 64);
    assert_int_equal(s.block_count, 5);
    assert_int_equal(s.head_count, 8);
    assert_int_equal(s.head_count_kv, 4);
    assert_int_equal(s.feed_forward_length, 172);
    assert_int_equal(s.vocab_size, 512);
    assert_string_equal(s.vocab_model, "llama");
    assert_int_equal(s.n_params, llama_params(64, 5, 8, 4, 172, 512, false));
    assert_int_equal(s.tensor_bytes, 4 * s.n_params);
    assert_true(s.bits_per_weight == 32.0);
    assert_int_equal(s.type_count[MOTE_TYPE_F32], s.n_tensors);
    assert_int_equal(s.file_size, 1185376);
    assert_false(s.has_chat_template);
    assert_true(s.n_special >= 2);
    assert_string_equal(s.special[0].role, "bos");
    assert_int_equal(s.special[0].id, 1);
    assert_string_equal(s.special[0].text, "<s>");
    assert_string_equal(s.special[1].role, "eos");
    assert_string_equal(s.special[1].text, "</s>");
    mote_gguf_close(g);
}

static void test_llama_tiny_q4_0(void **state) {
    (void)state;
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(fixture_path("models/llama-tiny-q4_0.gguf"), &g), MOTE_OK);
    mote_model_summary s;
    mote_gguf_summarize(g, &s);
    assert_int_equal(s.n_params, llama_params(256, 2, 4, 2, 256, 1024, true));
    /* Bytes by type from block geometry: q4_0 is 18 bytes per 32 weights, q6_K 210 per 256. */
    uint64_t expect[MOTE_TYPE_COUNT] = {0}, total = 0;
    int64_t count = 0;
    for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        uint64_t n = (uint64_t)mote_tensor_nelements(t);
        uint64_t bytes = t->type == MOTE_TYPE_F32    ? n * 4
                         : t->type == MOTE_TYPE_Q4_0 ? n / 32 * 18
                         : t->type == MOTE_TYPE_Q6_K ? n / 256 * 210
                                                     : 0;
        assert_true(bytes > 0);
        expect[t->type] += bytes;
        total += bytes;
    }
    for (int t = 0; t < MOTE_TYPE_COUNT; t++) {
        assert_int_equal(s.type_bytes[t], expect[t]);
        count += s.type_count[t];
    }
    assert_int_equal(count, s.n_tensors);
    assert_int_equal(s.tensor_bytes, total);
    assert_true(s.type_count[MOTE_TYPE_Q4_0] > 0);
    assert_true(s.bits_per_weight > 4.5 && s.bits_per_weight < 6.0);
    assert_int_equal(s.vocab_size, 1024);
    mote_gguf_close(g);
}

/* Corner cases: no tensors, vocab size from {arch}.vocab_size, an empty chat
 * template, a special token id outside the vocabulary, a float "id". */
static void test_corner_cases(void **state) {
    (void)state;
    mote_gguf_writer *w = mote_gguf_writer_new();
    mote_gguf_writer_set_str(w, "general.architecture", "toy");
    mote_gguf_writer_set_u32(w, "toy.vocab_size", 77);
    mote_gguf_writer_set_u64(w, "toy.context_length", 4096);
    mote_gguf_writer_set_str(w, "tokenizer.chat_template", "");
    mote_gguf_writer_set_i32(w, "tokenizer.ggml.eos_token_id", 5000);
    mote_gguf_writer_set_f32(w, "tokenizer.ggml.bos_token_id", 1.0f);
    mote_gguf_writer_set_u32(w, "tokenizer.ggml.padding_token_id", UINT32_MAX); /* "none" */
    mote_gguf_writer_set_i32(w, "tokenizer.ggml.unknown_token_id", -1);          /* "none" */
    const char *out = temp_path(".gguf");
    assert_int_equal(mote_gguf_writer_write_file(w, out), MOTE_OK);
    mote_gguf_writer_free(w);
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(out, &g), MOTE_OK);
    mote_model_summary s;
    mote_gguf_summarize(g, &s);
    assert_string_equal(s.architecture, "toy");
    assert_null(s.name);
    assert_null(s.vocab_model);
    assert_int_equal(s.vocab_size, 77);
    assert_int_equal(s.context_length, 4096);
    assert_int_equal(s.block_count, 0);
    assert_int_equal(s.n_params, 0);
    assert_true(s.bits_per_weight == 0.0);
    assert_false(s.has_chat_template);
    assert_int_equal(s.n_special, 1); /* the float "id" and the "none" ids are left out */
    assert_string_equal(s.special[0].role, "eos");
    assert_int_equal(s.special[0].id, 5000);
    assert_null(s.special[0].text);
    mote_gguf_close(g);
    unlink(out);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stories260k),
        cmocka_unit_test(test_llama_tiny_q4_0),
        cmocka_unit_test(test_corner_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
