/*
 * test_tokenizer_vectors.c — llama.cpp's tokenizer test vectors: for every
 * vocabulary in fixtures/vocab, each input of X.gguf.inp (inputs separated by
 * lines "__ggml_vocab_test__") must tokenize, without BOS and without
 * parsing special tokens, to exactly the ids on the matching line of
 * X.gguf.out (produced by the Hugging Face tokenizer). And every input must
 * come back unchanged through the detokenizer, for the vocabularies that can
 * represent any text (all but BERT's, which lower-cases and drops accents).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct {
    char **inp;
    char **out;
    size_t n;
} vectors;

static const char *const SEP = "\n__ggml_vocab_test__\n";

/* Read X.inp / X.out the way llama.cpp's test-tokenizer-0 does: inputs are
 * the text between separators (the last one may be followed by nothing);
 * outputs are whole lines. */
static vectors load_vectors(const char *gguf_rel) {
    vectors vec = {0};
    char rel[512];
    snprintf(rel, sizeof rel, "%s.inp", gguf_rel);
    size_t n_inp;
    char *inp = read_file(fixture_path(rel), &n_inp);
    snprintf(rel, sizeof rel, "%s.out", gguf_rel);
    size_t n_out;
    char *out = read_file(fixture_path(rel), &n_out);
    assert_non_null(inp);
    assert_non_null(out);
    vec.inp = calloc(n_inp + 1, sizeof *vec.inp);
    vec.out = calloc(n_out + 2, sizeof *vec.out);
    size_t ni = 0;
    for (char *p = inp; p < inp + n_inp;) {
        char *next = strstr(p, SEP);
        if (!next) {
            vec.inp[ni++] = strdup(p);
            break;
        }
        *next = '\0';
        vec.inp[ni++] = strdup(p);
        p = next + strlen(SEP);
    }
    size_t no = 0;
    for (char *p = out; p < out + n_out;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        vec.out[no++] = strdup(p);
        if (!nl) break;
        p = nl + 1;
    }
    assert_int_equal(ni, no);
    vec.n = ni;
    free(inp);
    free(out);
    return vec;
}

static void free_vectors(vectors *v) {
    for (size_t i = 0; i < v->n; i++) {
        free(v->inp[i]);
        free(v->out[i]);
    }
    free(v->inp);
    free(v->out);
}

static size_t parse_ids(const char *line, int32_t *ids, size_t cap) {
    size_t n = 0;
    char *end;
    for (const char *p = line;;) {
        while (*p == ' ') p++;
        if (!*p) break;
        long x = strtol(p, &end, 10);
        if (end == p) break;
        if (n < cap) ids[n] = (int32_t)x;
        n++;
        p = end;
    }
    return n;
}

static size_t total_checked;

static void check_vocab(const char *name, bool round_trip) {
    char rel[256];
    snprintf(rel, sizeof rel, "vocab/ggml-vocab-%s.gguf", name);
    mote_gguf *g;
    assert_int_equal(mote_gguf_open(fixture_path(rel), &g), MOTE_OK);
    mote_vocab *v;
    int rc = mote_vocab_load(g, &v);
    if (rc) fprintf(stderr, "%s: %s\n", name, mote_last_error());
    assert_int_equal(rc, MOTE_OK);
    mote_gguf_close(g); /* the vocabulary must not depend on the file */
    vectors vec = load_vectors(rel);
    size_t failed = 0, rt_failed = 0;
    for (size_t i = 0; i < vec.n; i++) {
        int32_t want[4096], *got;
        size_t n_want = parse_ids(vec.out[i], want, 4096), n_got;
        assert_true(n_want <= 4096);
        const char *text = vec.inp[i];
        assert_int_equal(mote_tokenize_alloc(v, text, strlen(text), false, false, &got, &n_got), MOTE_OK);
        bool same = n_got == n_want && (n_got == 0 || !memcmp(got, want, n_got * sizeof *got));
        if (!same) {
            failed++;
            fprintf(stderr, "%s #%zu '%s'\n  want:", name, i, text);
            for (size_t k = 0; k < n_want; k++) fprintf(stderr, " %d", want[k]);
            fprintf(stderr, "\n  got: ");
            for (size_t k = 0; k < n_got; k++) fprintf(stderr, " %d", got[k]);
            fprintf(stderr, "\n");
        }
        if (round_trip) {
            char *back;
            size_t n_back;
            assert_int_equal(mote_detokenize(v, got, n_got, MOTE_DETOK_STRIP_SPACE, &back, &n_back), MOTE_OK);
            if (n_back != strlen(text) || memcmp(back, text, n_back)) {
                rt_failed++;
                fprintf(stderr, "%s #%zu round trip: '%s' -> '%s'\n", name, i, text, back);
            }
            free(back);
        }
        free(got);
    }
    fprintf(stderr, "%-10s %zu inputs, %zu differ, %zu round-trip failures\n", name, vec.n, failed, rt_failed);
    total_checked += vec.n - failed;
    free_vectors(&vec);
    mote_vocab_free(v);
    assert_int_equal(failed, 0);
    assert_int_equal(rt_failed, 0);
}

static void test_llama_spm(void **s) { (void)s; check_vocab("llama-spm", true); }
static void test_llama_bpe(void **s) { (void)s; check_vocab("llama-bpe", true); }
static void test_qwen2(void **s) { (void)s; check_vocab("qwen2", true); }
static void test_gpt2(void **s) { (void)s; check_vocab("gpt-2", true); }
static void test_phi3(void **s) { (void)s; check_vocab("phi-3", true); }
static void test_gemma4(void **s) { (void)s; check_vocab("gemma-4", true); }
static void test_bert_bge(void **s) { (void)s; check_vocab("bert-bge", false); }

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llama_spm), cmocka_unit_test(test_llama_bpe), cmocka_unit_test(test_qwen2),
        cmocka_unit_test(test_gpt2),      cmocka_unit_test(test_phi3),      cmocka_unit_test(test_gemma4),
        cmocka_unit_test(test_bert_bge),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "test vectors matched: %zu\n", total_checked);
    return rc;
}
