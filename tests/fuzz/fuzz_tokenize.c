/*
 * fuzz_tokenize.c — libFuzzer harness for the tokenizers.
 *
 * The first byte chooses what the rest is:
 *   0..6  text, tokenized with one of the fixture vocabularies (flags from the
 *         byte's high bits: BOS/EOS, special-token parsing, detok options);
 *         the ids must be in range, detokenizing must work, streaming must give
 *         the same bytes, and byte-level BPE must give the input back exactly;
 *   7     a GGUF file: if it opens and has a vocabulary, that vocabulary must
 *         load or fail with a message, and then tokenize and detokenize text.
 * Vocabularies come from $MOTE_FIXTURES/vocab (default ../shared/fixtures).
 * Seed corpus: the fixtures' *.gguf.inp files (prefix a byte 0..6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote.h"

#define CHECK(cond)                    \
    do {                               \
        if (!(cond)) __builtin_trap(); \
    } while (0)

static const char *const NAMES[] = {"llama-spm", "llama-bpe", "qwen2", "gpt-2", "phi-3", "gemma-4", "bert-bge"};
static mote_vocab *vocabs[7];

/* Load the fixture vocabularies once. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *dir = getenv("MOTE_FIXTURES");
    if (!dir || !*dir) dir = "../shared/fixtures";
    for (int i = 0; i < 7; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/vocab/ggml-vocab-%s.gguf", dir, NAMES[i]);
        mote_gguf *g;
        if (mote_gguf_open(path, &g) || mote_vocab_load(g, &vocabs[i])) {
            fprintf(stderr, "fuzz_tokenize: %s (set MOTE_FIXTURES)\n", mote_last_error());
            exit(1);
        }
        mote_gguf_close(g);
    }
    return 0;
}

/* Tokenize, check, detokenize (whole and streaming) and compare. */
static void exercise(const mote_vocab *v, const char *text, size_t len, unsigned flags, bool exact) {
    bool add_special = flags & 1, parse_special = flags & 2;
    unsigned detok = (flags & 4 ? MOTE_DETOK_SPECIAL : 0) | (flags & 8 ? MOTE_DETOK_STRIP_SPACE : 0);
    int32_t *ids;
    size_t n;
    CHECK(mote_tokenize_alloc(v, text, len, add_special, parse_special, &ids, &n) == MOTE_OK);
    for (size_t i = 0; i < n; i++) CHECK(ids[i] >= 0 && ids[i] < mote_vocab_n_tokens(v));
    char *whole;
    size_t whole_len;
    CHECK(mote_detokenize(v, ids, n, detok, &whole, &whole_len) == MOTE_OK);
    mote_detok *d = mote_detok_new(v, detok);
    CHECK(d);
    size_t at = 0, k;
    for (size_t i = 0; i < n; i++) {
        const char *s = mote_detok_feed(d, ids[i], &k);
        CHECK(at + k <= whole_len && !memcmp(whole + at, s, k));
        at += k;
    }
    const char *s = mote_detok_flush(d, &k);
    CHECK(at + k == whole_len && !memcmp(whole + at, s, k));
    mote_detok_free(d);
    if (exact && !parse_special && !(detok & MOTE_DETOK_SPECIAL)) CHECK(whole_len == len && !memcmp(whole, text, len));
    free(whole);
    free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned mode = data[0] & 7, flags = data[0] >> 3;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (mode < 7) {
        /* Byte-level BPE vocabularies (llama-bpe, qwen2, gpt-2) represent any bytes exactly. */
        exercise(vocabs[mode], text, len, flags, mode >= 1 && mode <= 3);
        return 0;
    }
    mote_gguf *g;
    if (mote_gguf_open_memory(text, len, &g)) return 0;
    mote_vocab *v = NULL;
    int rc = mote_vocab_load(g, &v);
    mote_gguf_close(g); /* the vocabulary must not point into the file */
    if (rc) {
        CHECK(v == NULL && mote_last_error()[0]);
        return 0;
    }
    exercise(v, "Hello world! <|im_start|> 12 345 \xe2\x96\x81 \xf0\x9f\xa6\x99 \xff", 40, flags, false);
    mote_vocab_free(v);
    return 0;
}
