/*
 * test_vocab_load.c — loading vocabularies from small GGUF files built here:
 * tiny but valid SentencePiece and byte-level BPE vocabularies tokenize as
 * the algorithms say, and broken ones (missing or mistyped keys, short
 * arrays, garbage merges) are refused with a message, never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* --- a minimal GGUF v3 builder (metadata only) ---------------------------- */

typedef struct {
    unsigned char *b;
    size_t n, cap;
    uint64_t n_kv;
} gbuf;

static void put(gbuf *g, const void *p, size_t n) {
    if (g->n + n > g->cap) {
        g->cap = (g->n + n) * 2 + 256;
        g->b = realloc(g->b, g->cap);
        assert_non_null(g->b);
    }
    memcpy(g->b + g->n, p, n);
    g->n += n;
}
static void put_u32(gbuf *g, uint32_t x) { put(g, &x, 4); }
static void put_u64(gbuf *g, uint64_t x) { put(g, &x, 8); }
static void put_str(gbuf *g, const char *s) {
    put_u64(g, strlen(s));
    put(g, s, strlen(s));
}
static void key(gbuf *g, const char *k, uint32_t type) {
    put_str(g, k);
    put_u32(g, type);
    g->n_kv++;
}
static void kv_str(gbuf *g, const char *k, const char *v) {
    key(g, k, MOTE_GGUF_STRING);
    put_str(g, v);
}
static void kv_u32(gbuf *g, const char *k, uint32_t v) {
    key(g, k, MOTE_GGUF_UINT32);
    put_u32(g, v);
}
static void kv_strs(gbuf *g, const char *k, const char *const *v, size_t n) {
    key(g, k, MOTE_GGUF_ARRAY);
    put_u32(g, MOTE_GGUF_STRING);
    put_u64(g, n);
    for (size_t i = 0; i < n; i++) put_str(g, v[i]);
}
static void kv_arr(gbuf *g, const char *k, uint32_t elem, const void *v, size_t n) {
    key(g, k, MOTE_GGUF_ARRAY);
    put_u32(g, elem);
    put_u64(g, n);
    put(g, v, 4 * n);
}

/* The whole file: header, then the metadata collected in g. */
static mote_gguf *finish(gbuf *g, unsigned char **file) {
    gbuf f = {0};
    put(&f, "GGUF", 4);
    put_u32(&f, 3);
    put_u64(&f, 0);
    put_u64(&f, g->n_kv);
    put(&f, g->b, g->n);
    static const unsigned char zeros[32];
    put(&f, zeros, (32 - f.n % 32) % 32);
    free(g->b);
    memset(g, 0, sizeof *g);
    mote_gguf *out;
    int rc = mote_gguf_open_memory(f.b, f.n, &out);
    if (rc) fprintf(stderr, "%s\n", mote_last_error());
    assert_int_equal(rc, MOTE_OK);
    *file = f.b;
    return out;
}

/* Load and return the status (and the vocabulary in *v, or NULL). */
static int try_load(gbuf *g, mote_vocab **v) {
    unsigned char *file;
    mote_gguf *gg = finish(g, &file);
    *v = NULL;
    int rc = mote_vocab_load(gg, v);
    mote_gguf_close(gg);
    free(file);
    return rc;
}

/* --- valid tiny vocabularies --------------------------------------------- */

static const char *const SPM_TOKENS[] = {"<unk>", "<s>", "</s>", "\xe2\x96\x81", "a", "b", ("\xe2\x96\x81" "a"),
                                         "\xe2\x96\x81" "ab", "<0x63>", "", "<|ctl|>"};
static const float SPM_SCORES[] = {0, 0, 0, -1, -2, -3, -1.5f, -1.2f, 0, 0, 0};
static const int32_t SPM_TYPES[] = {2, 3, 3, 1, 1, 1, 1, 1, 6, 1, 3};

static void spm_vocab(gbuf *g) {
    kv_str(g, "tokenizer.ggml.model", "llama");
    kv_strs(g, "tokenizer.ggml.tokens", SPM_TOKENS, 11);
    kv_arr(g, "tokenizer.ggml.scores", MOTE_GGUF_FLOAT32, SPM_SCORES, 11);
    kv_arr(g, "tokenizer.ggml.token_type", MOTE_GGUF_INT32, SPM_TYPES, 11);
}

static void test_tiny_spm(void **state) {
    (void)state;
    gbuf g = {0};
    spm_vocab(&g);
    mote_vocab *v;
    assert_int_equal(try_load(&g, &v), MOTE_OK);
    assert_int_equal(mote_vocab_n_tokens(v), 11);
    assert_int_equal(mote_vocab_bos(v), 1); /* SentencePiece defaults */
    assert_int_equal(mote_vocab_eos(v), 2);
    int32_t ids[16];
    size_t n;
    /* "ab" -> "▁ab": ▁+a merge first (best score), then ▁a+b. */
    assert_int_equal(mote_tokenize(v, "ab", 2, true, false, ids, 16, &n), MOTE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 7);
    /* "c" has only a byte token; "d" has none: unknown. */
    assert_int_equal(mote_tokenize(v, "c d", 3, false, false, ids, 16, &n), MOTE_OK);
    assert_int_equal(n, 4);
    int32_t want[] = {3, 8, 3, 0};
    assert_memory_equal(ids, want, sizeof want);
    /* The empty token got a name and cannot match anything. */
    size_t len;
    assert_string_equal(mote_vocab_text(v, 9, &len), "[EMPTY_9]");
    /* Control token only with parse_special. */
    assert_int_equal(mote_tokenize(v, "<|ctl|>", 7, false, true, ids, 16, &n), MOTE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 10);
    mote_vocab_free(v);
}

static void test_tiny_bpe(void **state) {
    (void)state;
    gbuf g = {0};
    const char *tokens[] = {"a", "b", "\xc4\xa0", "ab", ("\xc4\xa0" "ab"), "<|end|>"};
    const char *merges[] = {"a b", "\xc4\xa0 ab", "", "nospace", " x", "q r", "ab ab"};
    int32_t types[] = {1, 1, 1, 1, 1, 3};
    kv_str(&g, "tokenizer.ggml.model", "gpt2");
    kv_str(&g, "tokenizer.ggml.pre", "gpt-2");
    kv_strs(&g, "tokenizer.ggml.tokens", tokens, 6);
    kv_arr(&g, "tokenizer.ggml.token_type", MOTE_GGUF_INT32, types, 6);
    kv_strs(&g, "tokenizer.ggml.merges", merges, 7);
    kv_u32(&g, "tokenizer.ggml.eos_token_id", 5);
    mote_vocab *v;
    assert_int_equal(try_load(&g, &v), MOTE_OK);
    assert_int_equal(mote_vocab_kind(v), MOTE_VOCAB_BPE);
    assert_true(mote_vocab_is_eog(v, 5));
    assert_int_equal(mote_vocab_eot(v), 5); /* found by its text */
    int32_t ids[16];
    size_t n;
    assert_int_equal(mote_tokenize(v, "ab ab ba", 8, false, false, ids, 16, &n), MOTE_OK);
    int32_t want[] = {3, 4, 2, 1, 0}; /* ab, Ġab, Ġ, b, a */
    assert_int_equal(n, 5);
    assert_memory_equal(ids, want, sizeof want);
    char *text;
    size_t len;
    assert_int_equal(mote_detokenize(v, ids, n, 0, &text, &len), MOTE_OK);
    assert_string_equal(text, "ab ab ba");
    free(text);
    /* Bytes with no token are dropped, not invented. */
    assert_int_equal(mote_tokenize(v, "xyz", 3, false, false, ids, 16, &n), MOTE_OK);
    assert_int_equal(n, 0);
    mote_vocab_free(v);
}

/* --- broken vocabularies ------------------------------------------------- */

static void expect_refused(gbuf *g, int status, const char *words) {
    mote_vocab *v;
    int rc = try_load(g, &v);
    assert_int_equal(rc, status);
    assert_null(v);
    if (!strstr(mote_last_error(), words)) fail_msg("message '%s' lacks '%s'", mote_last_error(), words);
}

static void test_broken(void **state) {
    (void)state;
    gbuf g = {0};
    kv_str(&g, "general.architecture", "llama");
    expect_refused(&g, MOTE_ERR_NOT_FOUND, "tokenizer.ggml.model");

    kv_str(&g, "tokenizer.ggml.model", "t5");
    expect_refused(&g, MOTE_ERR_UNSUPPORTED, "'t5'");

    kv_str(&g, "tokenizer.ggml.model", "llama");
    expect_refused(&g, MOTE_ERR_NOT_FOUND, "tokenizer.ggml.tokens");

    uint32_t nums[3] = {1, 2, 3};
    kv_str(&g, "tokenizer.ggml.model", "llama");
    kv_arr(&g, "tokenizer.ggml.tokens", MOTE_GGUF_UINT32, nums, 3);
    expect_refused(&g, MOTE_ERR_FORMAT, "not an array of strings");

    kv_str(&g, "tokenizer.ggml.model", "llama");
    kv_strs(&g, "tokenizer.ggml.tokens", SPM_TOKENS, 11);
    kv_arr(&g, "tokenizer.ggml.scores", MOTE_GGUF_FLOAT32, SPM_SCORES, 5);
    expect_refused(&g, MOTE_ERR_FORMAT, "scores has 5 entries for 11 tokens");

    kv_str(&g, "tokenizer.ggml.model", "llama");
    kv_strs(&g, "tokenizer.ggml.tokens", SPM_TOKENS, 11);
    kv_arr(&g, "tokenizer.ggml.token_type", MOTE_GGUF_FLOAT32, SPM_SCORES, 11);
    expect_refused(&g, MOTE_ERR_FORMAT, "token_type");

    kv_str(&g, "tokenizer.ggml.model", "gpt2");
    kv_strs(&g, "tokenizer.ggml.tokens", SPM_TOKENS, 11);
    expect_refused(&g, MOTE_ERR_NOT_FOUND, "merges");

    kv_str(&g, "tokenizer.ggml.model", "gpt2");
    kv_strs(&g, "tokenizer.ggml.tokens", SPM_TOKENS, 11);
    kv_arr(&g, "tokenizer.ggml.merges", MOTE_GGUF_INT32, SPM_TYPES, 11);
    expect_refused(&g, MOTE_ERR_FORMAT, "merges is not an array of strings");

    kv_str(&g, "tokenizer.ggml.model", "llama");
    kv_strs(&g, "tokenizer.ggml.tokens", SPM_TOKENS, 0);
    expect_refused(&g, MOTE_ERR_FORMAT, "0 entries");

    /* Odd but harmless: out-of-range special ids and unknown token types are tolerated. */
    spm_vocab(&g);
    kv_u32(&g, "tokenizer.ggml.bos_token_id", 4000000000u);
    kv_u32(&g, "tokenizer.ggml.eos_token_id", 99);
    mote_vocab *v;
    assert_int_equal(try_load(&g, &v), MOTE_OK);
    assert_int_equal(mote_vocab_bos(v), 1);
    assert_int_equal(mote_vocab_eos(v), 2);
    mote_vocab_free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_spm),
        cmocka_unit_test(test_tiny_bpe),
        cmocka_unit_test(test_broken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
