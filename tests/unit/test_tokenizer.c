/*
 * test_tokenizer.c — the tokenizer beyond the test vectors: stories260K's
 * prompt against llama.cpp's ids, special tokens, BOS/EOS, end-of-generation,
 * the capacity contract, the streaming detokenizer (never a partial UTF-8
 * character, same bytes as all at once), round trips of random UTF-8 text,
 * and random bytes that must not crash (run this under ASan too).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tokenizer/utf8.h"

static mote_vocab *load(const char *path) {
    mote_gguf *g;
    assert_int_equal(mote_gguf_open(path, &g), MOTE_OK);
    mote_vocab *v;
    int rc = mote_vocab_load(g, &v);
    if (rc) fprintf(stderr, "%s: %s\n", path, mote_last_error());
    assert_int_equal(rc, MOTE_OK);
    mote_gguf_close(g);
    return v;
}

/* Vocabularies are loaded once and shared by the tests (Gemma 4's takes a second). */
static struct {
    const char *name;
    mote_vocab *v;
} cache[16];

static mote_vocab *load_vocab(const char *name) {
    size_t i = 0;
    for (; i < 16 && cache[i].name; i++)
        if (!strcmp(cache[i].name, name)) return cache[i].v;
    assert_true(i < 16);
    char rel[128];
    snprintf(rel, sizeof rel, "vocab/ggml-vocab-%s.gguf", name);
    cache[i].name = name;
    cache[i].v = load(fixture_path(rel));
    return cache[i].v;
}

static int free_cache(void **state) {
    (void)state;
    for (size_t i = 0; i < 16 && cache[i].name; i++) mote_vocab_free(cache[i].v);
    return 0;
}

static const char *repo_path(const char *rel) {
    static char buf[1024];
    const char *root = getenv("MOTE_ROOT");
    snprintf(buf, sizeof buf, "%s/%s", root && *root ? root : ".", rel);
    return buf;
}

static size_t read_ids(const char *path, int32_t *ids, size_t cap) {
    char *s = read_file(path, NULL);
    assert_non_null(s);
    size_t n = 0;
    for (char *p = s; *p && n < cap;) {
        char *end;
        long x = strtol(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        ids[n++] = (int32_t)x;
        p = end;
    }
    free(s);
    return n;
}

/* --- stories260K ----------------------------------------------------------- */

static void test_stories_prompt(void **state) {
    (void)state;
    mote_vocab *v = load(repo_path("models/stories260K.gguf"));
    assert_int_equal(mote_vocab_kind(v), MOTE_VOCAB_SPM);
    assert_int_equal(mote_vocab_n_tokens(v), 512);
    assert_int_equal(mote_vocab_bos(v), 1);
    assert_int_equal(mote_vocab_eos(v), 2);
    assert_true(mote_vocab_adds_bos(v));
    int32_t want[64];
    size_t n_want = read_ids(fixture_path("real/stories260K-f32.tokens.txt"), want, 64);
    assert_true(n_want > 5);

    int32_t got[64];
    size_t n;
    const char *once = "Once upon a time";
    assert_int_equal(mote_tokenize(v, once, strlen(once), true, false, got, 64, &n), MOTE_OK);
    assert_int_equal(n, 5); /* BOS, ▁Once, ▁upon, ▁a, ▁time */
    assert_memory_equal(got, want, n * sizeof *got);

    const char *full = "Once upon a time, there was a little girl named Lily. She loved to play";
    assert_int_equal(mote_tokenize(v, full, strlen(full), true, false, got, 64, &n), MOTE_OK);
    assert_int_equal(n, n_want);
    assert_memory_equal(got, want, n * sizeof *got);

    /* Back to text: BOS shows nothing, the added leading space goes. */
    char *text;
    size_t len;
    assert_int_equal(mote_detokenize(v, got, n, MOTE_DETOK_STRIP_SPACE, &text, &len), MOTE_OK);
    assert_string_equal(text, full);
    free(text);
    assert_int_equal(mote_detokenize(v, got, n, MOTE_DETOK_SPECIAL, &text, &len), MOTE_OK);
    assert_int_equal(strncmp(text, "<s> Once upon", 13), 0);
    free(text);
    mote_vocab_free(v);
}

/* --- capacity, BOS/EOS, empty text -------------------------------------- */

static void test_capacity_and_specials(void **state) {
    (void)state;
    mote_vocab *v = load_vocab("llama-spm");
    int32_t ids[4];
    size_t n = 0;
    const char *t = "Hello world, how are you?";
    assert_int_equal(mote_tokenize(v, t, strlen(t), true, false, ids, 4, &n), MOTE_ERR_INVALID_ARG);
    assert_true(n > 4); /* tells the size needed */
    int32_t *big = malloc(n * sizeof *big);
    size_t n2;
    assert_int_equal(mote_tokenize(v, t, strlen(t), true, false, big, n, &n2), MOTE_OK);
    assert_int_equal(n2, n);
    assert_int_equal(big[0], 1);
    free(big);

    assert_int_equal(mote_tokenize(v, "", 0, true, false, ids, 4, &n), MOTE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 1);
    assert_int_equal(mote_tokenize(v, "", 0, false, false, ids, 4, &n), MOTE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(mote_tokenize(v, NULL, 0, false, false, NULL, 0, &n), MOTE_OK);
    assert_int_equal(n, 0);

    /* "<s>" is text unless special tokens are parsed. */
    assert_int_equal(mote_tokenize(v, "<s>", 3, false, true, ids, 4, &n), MOTE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 1);
    assert_int_equal(mote_tokenize(v, "<s>", 3, false, false, ids, 4, &n), MOTE_OK);
    assert_true(n >= 2);
    assert_int_not_equal(ids[0], 1);
    assert_true(mote_vocab_is_eog(v, 2));
    assert_false(mote_vocab_is_eog(v, 1));
    assert_false(mote_vocab_is_eog(v, -1));
    assert_false(mote_vocab_is_eog(v, 1 << 30));
    assert_null(mote_token_piece(v, 32000, NULL));
}

static void test_chat_control_tokens(void **state) {
    (void)state;
    struct {
        const char *vocab, *open, *close;
    } cases[] = {
        {"qwen2", "<|im_start|>", "<|im_end|>"},
        {"llama-bpe", "<|start_header_id|>", "<|eot_id|>"},
        {"phi-3", "<|user|>", "<|end|>"},
        {"gemma-4", "<|turn>", "<turn|>"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        mote_vocab *v = load_vocab(cases[c].vocab);
        int32_t open = mote_vocab_find(v, cases[c].open, strlen(cases[c].open));
        int32_t close = mote_vocab_find(v, cases[c].close, strlen(cases[c].close));
        assert_true(open >= 0 && close >= 0);
        assert_true(mote_vocab_is_control(v, open));
        assert_true(mote_vocab_is_eog(v, close));
        assert_false(mote_vocab_is_eog(v, open));
        char text[128];
        snprintf(text, sizeof text, "%suser\nHi there%s", cases[c].open, cases[c].close);
        int32_t *ids;
        size_t n;
        assert_int_equal(mote_tokenize_alloc(v, text, strlen(text), false, true, &ids, &n), MOTE_OK);
        assert_true(n >= 4);
        assert_int_equal(ids[0], open);
        assert_int_equal(ids[n - 1], close);
        free(ids);
        /* Without parse_special the same text is only text. */
        assert_int_equal(mote_tokenize_alloc(v, text, strlen(text), false, false, &ids, &n), MOTE_OK);
        for (size_t i = 0; i < n; i++) assert_true(ids[i] != open && ids[i] != close);
        char *back;
        size_t len;
        assert_int_equal(mote_detokenize(v, ids, n, MOTE_DETOK_STRIP_SPACE, &back, &len), MOTE_OK);
        assert_string_equal(back, text);
        free(back);
        free(ids);
    }
}

/* Phi-3's special tokens eat the whitespace after them (llama.cpp's RSTRIP);
 * SentencePiece then puts its own space before the next word. */
static void test_phi3_rstrip(void **state) {
    (void)state;
    mote_vocab *v = load_vocab("phi-3");
    const char *t = "<|user|>\n  Hi<|end|>";
    int32_t *ids;
    size_t n;
    assert_int_equal(mote_tokenize_alloc(v, t, strlen(t), true, true, &ids, &n), MOTE_OK);
    int32_t user = mote_vocab_find(v, "<|user|>", 8), end = mote_vocab_find(v, "<|end|>", 7);
    int32_t hi = mote_vocab_find(v, "\xe2\x96\x81Hi", 5);
    assert_true(hi >= 0);
    assert_int_equal(n, 4);
    assert_int_equal(ids[0], mote_vocab_bos(v));
    assert_int_equal(ids[1], user);
    assert_int_equal(ids[2], hi);
    assert_int_equal(ids[3], end);
    free(ids);
}

/* Cases found by running random text through llama.cpp (libllama, vocab_only)
 * and mote side by side; the expected ids are llama.cpp's. */
static void expect_ids(const char *vocab, const char *text, bool parse_special, const int32_t *want, size_t n_want) {
    mote_vocab *v = load_vocab(vocab);
    int32_t *ids;
    size_t n;
    assert_int_equal(mote_tokenize_alloc(v, text, strlen(text), false, parse_special, &ids, &n), MOTE_OK);
    if (n != n_want || memcmp(ids, want, n * sizeof *ids)) {
        fprintf(stderr, "%s '%s':", vocab, text);
        for (size_t i = 0; i < n; i++) fprintf(stderr, " %d", ids[i]);
        fprintf(stderr, "\n");
        fail_msg("ids differ from llama.cpp's");
    }
    free(ids);
}

static void test_llama_cpp_quirks(void **state) {
    (void)state;
    /* "</s>" is end-of-generation by its text, which makes it a control token:
     * parsed only with parse_special (Qwen 2), and no longer user-defined text
     * always split out (Phi-3). */
    expect_ids("qwen2", "a</s>b", true, (const int32_t[]){64, 128247, 65}, 3);
    expect_ids("qwen2", "a</s>b", false, (const int32_t[]){64, 522, 82, 51407}, 4);
    expect_ids("phi-3", "a</s> b", false, (const int32_t[]){263, 829, 29879, 29958, 289}, 5);
    expect_ids("phi-3", "a</s> b", true, (const int32_t[]){263, 2, 289}, 3);
    /* BERT: spacing marks are stripped too (U+17BF), an unassigned code point
     * makes the word unknown, a character is replaced by the first code point of
     * its decomposition (Й -> И, the Hangul syllable 둨 -> its first jamo). */
    expect_ids("bert-bge", "0\xe1\x9e\xbf \xe0\xb9\xbd" "0 \xd0\x99\xeb\x91\xa8 caf\xc3\xa9", false,
               (const int32_t[]){1014, 100, 1188, 29993, 7668}, 5);
}

static void test_bert_adds_cls_sep(void **state) {
    (void)state;
    mote_vocab *v = load_vocab("bert-bge");
    assert_int_equal(mote_vocab_kind(v), MOTE_VOCAB_WPM);
    int32_t ids[16];
    size_t n;
    assert_int_equal(mote_tokenize(v, "Hello world", 11, true, false, ids, 16, &n), MOTE_OK);
    assert_int_equal(n, 4);
    assert_int_equal(ids[0], 101);
    assert_int_equal(ids[3], 102);
    char *text;
    size_t len;
    assert_int_equal(mote_detokenize(v, ids, n, MOTE_DETOK_STRIP_SPACE, &text, &len), MOTE_OK);
    assert_string_equal(text, " hello world"); /* lower-cased; WordPiece marks word starts with a space */
    free(text);
}

/* --- pre-tokenizers without test vectors ----------------------------------- */

/* The GPT-2 vocabulary file with its tokenizer.ggml.pre value replaced, in
 * memory: the key's string is rewritten in place (the file has no tensors, so
 * nothing after it moves in a way that matters; zero padding is appended). */
static mote_gguf *gpt2_gguf_with_pre(const char *pre, char **buf_out) {
    size_t size;
    char *file = read_file(fixture_path("vocab/ggml-vocab-gpt-2.gguf"), &size);
    assert_non_null(file);
    const char *key = "tokenizer.ggml.pre";
    size_t klen = strlen(key), at = 0;
    for (; at + klen < size; at++)
        if (!memcmp(file + at, key, klen)) break;
    assert_true(at + klen < size);
    size_t type_at = at + klen, len_at = type_at + 4, str_at = len_at + 8;
    uint64_t old_len;
    memcpy(&old_len, file + len_at, 8);
    uint64_t new_len = strlen(pre);
    char *buf = calloc(1, size + new_len + 64);
    memcpy(buf, file, len_at);
    memcpy(buf + len_at, &new_len, 8);
    memcpy(buf + str_at, pre, new_len);
    memcpy(buf + str_at + new_len, file + str_at + old_len, size - str_at - old_len);
    free(file);
    mote_gguf *g;
    int rc = mote_gguf_open_memory(buf, size + new_len + 64 - old_len, &g);
    if (rc) fprintf(stderr, "%s\n", mote_last_error());
    assert_int_equal(rc, MOTE_OK);
    *buf_out = buf;
    return g;
}

static mote_vocab *gpt2_with_pre(const char *pre) {
    char *buf;
    mote_gguf *g = gpt2_gguf_with_pre(pre, &buf);
    mote_vocab *v;
    int rc = mote_vocab_load(g, &v);
    if (rc) fprintf(stderr, "%s: %s\n", pre, mote_last_error());
    assert_int_equal(rc, MOTE_OK);
    mote_gguf_close(g);
    free(buf); /* the vocabulary keeps nothing of the file */
    return v;
}

static bool has_digit(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9') return true;
    return false;
}

/* smollm (and starcoder, ...) = GPT-2 after cutting every digit apart: on text
 * without digits the ids are GPT-2's, and no token has a digit next to anything. */
static void test_smollm_splits_digits(void **state) {
    (void)state;
    mote_vocab *gpt2 = load_vocab("gpt-2"), *smol = gpt2_with_pre("smollm");
    const char *texts[] = {"Hello world, this is a test!", "  spaces\n\n and\ttabs  ", "numbers 12345 and 3.14159",
                           "year 2024: 100% of 7 apples", "unicode ١٢٣ and ½ digits"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        int32_t *a, *b;
        size_t na, nb;
        assert_int_equal(mote_tokenize_alloc(gpt2, texts[t], strlen(texts[t]), false, false, &a, &na), MOTE_OK);
        assert_int_equal(mote_tokenize_alloc(smol, texts[t], strlen(texts[t]), false, false, &b, &nb), MOTE_OK);
        bool maybe_numbers = has_digit(texts[t], strlen(texts[t])) || strchr(texts[t], '\xd9'); /* ١٢٣, ½ are \p{N} too */
        if (!maybe_numbers) {
            assert_int_equal(na, nb);
            assert_memory_equal(a, b, na * sizeof *a);
        } else {
            assert_true(nb > na);
        }
        for (size_t i = 0; i < nb; i++) {
            size_t len;
            const char *p = mote_token_piece(smol, b[i], &len);
            if (has_digit(p, len)) assert_int_equal(len, 1);
        }
        char *back;
        size_t len;
        assert_int_equal(mote_detokenize(smol, b, nb, 0, &back, &len), MOTE_OK);
        assert_string_equal(back, texts[t]);
        free(back);
        free(a);
        free(b);
    }
    mote_vocab_free(smol);
}

/* Every listed pre-tokenizer name loads (its expressions compile), unknown ones fail clearly. */
static void test_pre_names(void **state) {
    (void)state;
    const char *names[] = {"default", "llama-bpe", "dbrx", "gpt-2", "qwen2", "qwen35", "smollm", "falcon", "starcoder"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        mote_vocab *v = gpt2_with_pre(names[i]);
        int32_t *ids;
        size_t n;
        const char *t = "Hello, world! It's 2024... 'S ok?";
        assert_int_equal(mote_tokenize_alloc(v, t, strlen(t), false, false, &ids, &n), MOTE_OK);
        char *back;
        size_t len;
        assert_int_equal(mote_detokenize(v, ids, n, 0, &back, &len), MOTE_OK);
        assert_string_equal(back, t);
        free(back);
        free(ids);
        mote_vocab_free(v);
    }
    char *buf;
    mote_gguf *g = gpt2_gguf_with_pre("no-such-pre", &buf);
    mote_vocab *v = NULL;
    assert_int_equal(mote_vocab_load(g, &v), MOTE_ERR_UNSUPPORTED);
    assert_null(v);
    assert_non_null(strstr(mote_last_error(), "no-such-pre"));
    mote_gguf_close(g);
    free(buf);
}

/* --- streaming ------------------------------------------------------------ */

/* True if s[0..n) is whole, valid UTF-8 characters. */
static bool whole_utf8(const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t k = utf8_decode(s + i, n - i, &c);
        if (c == 0xFFFD && !(k == 3 && !memcmp(s + i, "\xef\xbf\xbd", 3))) return false;
        i += k;
    }
    return true;
}

static const char *const STREAM_TEXTS[] = {
    "Hello 🦙 world! 🚀 (normal) 😶‍🌫️ emoji",
    "日本語のテキスト、そして中文字符和한국어 텍스트。",
    "mixed: ẞ ǅ ﬁ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇫🇷🇩🇪 👨‍👩‍👧‍👦 done",
};

static void test_streaming(void **state) {
    (void)state;
    const char *names[] = {"llama-spm", "llama-bpe", "qwen2", "gpt-2", "phi-3", "gemma-4"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        mote_vocab *v = load_vocab(names[k]);
        for (size_t t = 0; t < sizeof STREAM_TEXTS / sizeof STREAM_TEXTS[0]; t++) {
            const char *text = STREAM_TEXTS[t];
            int32_t *ids;
            size_t n;
            assert_int_equal(mote_tokenize_alloc(v, text, strlen(text), true, false, &ids, &n), MOTE_OK);
            char *whole;
            size_t whole_len;
            assert_int_equal(mote_detokenize(v, ids, n, MOTE_DETOK_STRIP_SPACE, &whole, &whole_len), MOTE_OK);
            assert_string_equal(whole, text);

            mote_detok *d = mote_detok_new(v, MOTE_DETOK_STRIP_SPACE);
            char *acc = malloc(whole_len + 1);
            size_t at = 0, len, held_once = 0;
            for (size_t i = 0; i < n; i++) {
                const char *s = mote_detok_feed(d, ids[i], &len);
                if (!whole_utf8(s, len)) fail_msg("%s: partial UTF-8 emitted at token %zu", names[k], i);
                if (len == 0) held_once++;
                assert_true(at + len <= whole_len);
                memcpy(acc + at, s, len);
                at += len;
            }
            const char *s = mote_detok_flush(d, &len);
            assert_int_equal(len, 0); /* valid text: nothing left over */
            (void)s;
            assert_int_equal(at, whole_len);
            assert_memory_equal(acc, whole, whole_len);
            mote_detok_free(d);
            free(acc);
            free(whole);
            free(ids);
        }
    }
}

static void test_streaming_holds_partial_characters(void **state) {
    (void)state;
    /* Byte tokens of "🦙" (F0 9F A6 99) fed one by one: nothing until the last. */
    mote_vocab *v = load_vocab("llama-spm");
    const unsigned char llama[] = {0xF0, 0x9F, 0xA6, 0x99};
    mote_detok *d = mote_detok_new(v, 0);
    size_t len;
    for (int i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", llama[i]);
        int32_t id = mote_vocab_find(v, name, 6);
        assert_true(id >= 0);
        const char *s = mote_detok_feed(d, id, &len);
        if (i < 3) assert_int_equal(len, 0);
        else {
            assert_int_equal(len, 4);
            assert_memory_equal(s, llama, 4);
        }
    }
    /* An incomplete character is released by flush, and a lone continuation byte at once. */
    int32_t lead = mote_vocab_find(v, "<0xE2>", 6), cont = mote_vocab_find(v, "<0x80>", 6);
    mote_detok_feed(d, lead, &len);
    assert_int_equal(len, 0);
    const char *s = mote_detok_flush(d, &len);
    assert_int_equal(len, 1);
    assert_int_equal((unsigned char)s[0], 0xE2);
    s = mote_detok_feed(d, cont, &len);
    assert_int_equal(len, 1);
    /* A lead byte followed by ASCII can never complete: both come out. */
    mote_detok_feed(d, lead, &len);
    s = mote_detok_feed(d, mote_vocab_find(v, "▁a", strlen("▁a")), &len);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "\xE2 a", 3);
    mote_detok_free(d);
}

/* --- random text ---------------------------------------------------------- */

static uint64_t rng_state = 0x853c49e6748fea9bULL;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

/* A random code point, mostly ASCII and spaces, sometimes far away. */
static uint32_t random_cp(void) {
    static const uint32_t ranges[][2] = {
        {0x20, 0x7E}, {0x20, 0x7E}, {0x20, 0x7E}, {' ', ' '},       {'\n', '\n'}, {'\t', '\t'},
        {0xA0, 0x17F}, {0x370, 0x3FF}, {0x400, 0x4FF}, {0x300, 0x36F}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3},
        {0x1F300, 0x1F6FF}, {0x2000, 0x206F}, {0x10000, 0x10FFFF},
    };
    const uint32_t *r = ranges[rnd() % (sizeof ranges / sizeof ranges[0])];
    for (;;) {
        uint32_t c = r[0] + rnd() % (r[1] - r[0] + 1);
        if ((c >= 0xD800 && c <= 0xDFFF) || c == 0x2581) continue; /* surrogates; SentencePiece's own space mark */
        return c;
    }
}

static void test_random_round_trip(void **state) {
    (void)state;
    const char *names[] = {"llama-spm", "llama-bpe", "qwen2", "gpt-2", "phi-3", "gemma-4"};
    char text[512];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        mote_vocab *v = load_vocab(names[k]);
        for (int iter = 0; iter < 300; iter++) {
            size_t len = 0, chars = rnd() % 60;
            for (size_t i = 0; i < chars; i++) len += utf8_encode(random_cp(), text + len);
            text[len] = '\0';
            int32_t *ids;
            size_t n;
            assert_int_equal(mote_tokenize_alloc(v, text, len, iter & 1, false, &ids, &n), MOTE_OK);
            char *back;
            size_t back_len;
            assert_int_equal(mote_detokenize(v, ids, n, MOTE_DETOK_STRIP_SPACE, &back, &back_len), MOTE_OK);
            if (back_len != len || memcmp(back, text, len)) fail_msg("%s: round trip of '%s' gave '%s'", names[k], text, back);
            free(back);
            free(ids);
        }
    }
}

static bool contains(const unsigned char *s, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, needle, k)) return true;
    return false;
}

static void test_random_bytes(void **state) {
    (void)state;
    const char *names[] = {"llama-spm", "llama-bpe", "qwen2", "gpt-2", "phi-3", "gemma-4", "bert-bge"};
    unsigned char text[256];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        mote_vocab *v = load_vocab(names[k]);
        bool exact = strcmp(names[k], "bert-bge") != 0;
        for (int iter = 0; iter < 300; iter++) {
            size_t len = rnd() % sizeof text;
            for (size_t i = 0; i < len; i++) text[i] = (unsigned char)rnd();
            int32_t *ids;
            size_t n;
            assert_int_equal(mote_tokenize_alloc(v, (const char *)text, len, true, iter & 1, &ids, &n), MOTE_OK);
            for (size_t i = 0; i < n; i++) assert_true(ids[i] >= 0 && ids[i] < mote_vocab_n_tokens(v));
            char *back;
            size_t back_len;
            assert_int_equal(mote_detokenize(v, ids, n, MOTE_DETOK_STRIP_SPACE, &back, &back_len), MOTE_OK);
            /* Byte fallback and byte-level BPE represent any bytes: they come back exactly
             * (unless the bytes happen to spell U+2581 or a special token). */
            if (exact && !(iter & 1) && !contains(text, len, "\xe2\x96\x81") && (back_len != len || memcmp(back, text, len)))
                fail_msg("%s: random bytes did not come back (%zu -> %zu bytes)", names[k], len, back_len);
            free(back);
            free(ids);
        }
    }
}

/* --- threads ---------------------------------------------------------------- */

typedef struct {
    const mote_vocab *v;
    const char *text;
    int32_t *ids;
    size_t n;
    int rc;
} tok_job;

static void *tokenize_job(void *arg) {
    tok_job *j = arg;
    for (int rep = 0; rep < 20 && !j->rc; rep++) {
        free(j->ids);
        j->rc = mote_tokenize_alloc(j->v, j->text, strlen(j->text), true, true, &j->ids, &j->n);
    }
    return NULL;
}

/* A loaded vocabulary is read-only: threads tokenizing at once get what one thread gets. */
static void test_threads_share_a_vocabulary(void **state) {
    (void)state;
    const char *names[] = {"qwen2", "llama-spm", "gemma-4"};
    const char *text = "<|im_start|>user\nCount: 1, 2, 3... ¿Qué tal? 日本語 🦙🦙 done<|im_end|>\n";
    for (size_t k = 0; k < 3; k++) {
        mote_vocab *v = load_vocab(names[k]);
        int32_t *want;
        size_t n_want;
        assert_int_equal(mote_tokenize_alloc(v, text, strlen(text), true, true, &want, &n_want), MOTE_OK);
        tok_job jobs[4];
        pthread_t th[4];
        for (int t = 0; t < 4; t++) {
            jobs[t] = (tok_job){v, text, NULL, 0, 0};
            assert_int_equal(pthread_create(&th[t], NULL, tokenize_job, &jobs[t]), 0);
        }
        for (int t = 0; t < 4; t++) {
            pthread_join(th[t], NULL);
            assert_int_equal(jobs[t].rc, MOTE_OK);
            assert_int_equal(jobs[t].n, n_want);
            assert_memory_equal(jobs[t].ids, want, n_want * sizeof *want);
            free(jobs[t].ids);
        }
        free(want);
    }
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stories_prompt),
        cmocka_unit_test(test_capacity_and_specials),
        cmocka_unit_test(test_chat_control_tokens),
        cmocka_unit_test(test_phi3_rstrip),
        cmocka_unit_test(test_smollm_splits_digits),
        cmocka_unit_test(test_pre_names),
        cmocka_unit_test(test_llama_cpp_quirks),
        cmocka_unit_test(test_bert_adds_cls_sep),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_streaming_holds_partial_characters),
        cmocka_unit_test(test_random_round_trip),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_threads_share_a_vocabulary),
    };
    return cmocka_run_group_tests(tests, NULL, free_cache);
}
