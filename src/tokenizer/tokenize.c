/*
 * tokenize.c — mote_tokenize: cut the text around special tokens
 * (special.c), hand each plain-text fragment to its family's tokenizer, and
 * add BOS/EOS (or CLS/SEP) as the vocabulary asks.
 *
 * SentencePiece specifics live here because they concern fragments, not
 * words: every fragment that starts the text or follows a special token gets
 * a leading space (add_space_prefix), and spaces are written as U+2581.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tokenizer/vocab_internal.h"

/* Copy text with each ' ' turned into U+2581, optionally after one more. */
static char *escape_spaces(const char *text, size_t len, bool prefix, size_t *out_len) {
    char *buf = malloc(3 * (len + 1) + 1);
    if (!buf) return NULL;
    size_t n = 0;
    if (prefix) {
        memcpy(buf, "\xe2\x96\x81", 3);
        n = 3;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ') {
            memcpy(buf + n, "\xe2\x96\x81", 3);
            n += 3;
        } else {
            buf[n++] = text[i];
        }
    }
    *out_len = n;
    return buf;
}

typedef struct {
    const mote_vocab *v;
    wordcache *cache;
    growbuf_i32 *out;
} spm_words;

/* One SentencePiece word: from the cache, or merged and cached. */
static int spm_word(const char *w, size_t n, void *ctx) {
    spm_words *sw = ctx;
    int rc;
    if (wordcache_get(sw->cache, w, n, sw->out, &rc)) return rc;
    size_t before = sw->out->n;
    rc = spm_tokenize(sw->v, w, n, sw->out);
    if (!rc) wordcache_put(sw->cache, w, n, sw->out->v + before, sw->out->n - before);
    return rc;
}

/* SentencePiece over escaped text, word by word where the vocabulary allows
 * (spacecut.c): the same ids as merging the whole text, in linear time. */
static int spm_tokenize_words(const mote_vocab *v, const char *s, size_t n, growbuf_i32 *out) {
    if (!v->space_splits) return spm_tokenize(v, s, n, out);
    wordcache cache;
    int rc = wordcache_init(&cache);
    spm_words sw = {v, &cache, out};
    if (!rc) rc = spacecut_split(v, s, n, spm_word, &sw);
    wordcache_free(&cache);
    return rc;
}

/* BPE over one fragment, with a word cache for its duration. */
static int bpe_tokenize_cached(const mote_vocab *v, const char *s, size_t n, growbuf_i32 *out) {
    wordcache cache;
    int rc = wordcache_init(&cache);
    if (!rc) rc = bpe_tokenize(v, s, n, &cache, out);
    wordcache_free(&cache);
    return rc;
}

/* Tokenize one plain-text fragment with the vocabulary's family. */
static int tokenize_fragment(const mote_vocab *v, const char *text, size_t len, bool after_special, growbuf_i32 *out) {
    bool escape = v->type == MOTE_VOCAB_SPM || (v->type == MOTE_VOCAB_BPE && v->escape_ws);
    if (!escape) return v->type == MOTE_VOCAB_BPE ? bpe_tokenize_cached(v, text, len, out) : wpm_tokenize(v, text, len, out);
    size_t n;
    bool prefix = v->type == MOTE_VOCAB_SPM && v->add_space_prefix && after_special;
    char *esc = escape_spaces(text, len, prefix, &n);
    if (!esc) return mote_fail(MOTE_ERR_NOMEM, "out of memory tokenizing %zu bytes", len);
    int rc = v->type == MOTE_VOCAB_SPM ? spm_tokenize_words(v, esc, n, out) : bpe_tokenize_cached(v, esc, n, out);
    free(esc);
    return rc;
}

static int tokenize_into(const mote_vocab *v, const char *text, size_t len, bool add_special, bool parse_special,
                         growbuf_i32 *out) {
    if (!v || (!text && len)) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_tokenize: NULL argument");
    text_fragment *frags;
    size_t nf;
    int rc = special_partition(v, text, len, parse_special, &frags, &nf);
    if (rc) return rc;
    if (add_special && v->add_bos && v->bos >= 0) rc = growbuf_push(out, v->bos);
    bool after_special = true; /* the start of the text counts as following one */
    for (size_t i = 0; i < nf && !rc; i++) {
        if (frags[i].token >= 0) {
            rc = growbuf_push(out, frags[i].token);
            after_special = true;
        } else {
            rc = tokenize_fragment(v, text + frags[i].off, frags[i].len, after_special, out);
            after_special = false;
        }
    }
    free(frags);
    if (!rc && add_special) {
        if (v->type == MOTE_VOCAB_WPM) {
            if (v->add_sep && v->sep >= 0) rc = growbuf_push(out, v->sep);
        } else if (v->add_eos && v->eos >= 0) {
            rc = growbuf_push(out, v->eos);
        }
    }
    return rc;
}

int mote_tokenize_alloc(const mote_vocab *v, const char *text, size_t len, bool add_special, bool parse_special,
                        int32_t **tokens, size_t *n_tokens) {
    if (!tokens || !n_tokens) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_tokenize_alloc: NULL output");
    growbuf_i32 out = {0};
    int rc = tokenize_into(v, text, len, add_special, parse_special, &out);
    if (rc) {
        free(out.v);
        *tokens = NULL;
        *n_tokens = 0;
        return rc;
    }
    if (!out.v) out.v = malloc(sizeof *out.v); /* a valid pointer even for no tokens */
    *tokens = out.v;
    *n_tokens = out.n;
    return out.v ? MOTE_OK : mote_fail(MOTE_ERR_NOMEM, "out of memory");
}

int mote_tokenize(const mote_vocab *v, const char *text, size_t len, bool add_special, bool parse_special,
                  int32_t *tokens, size_t capacity, size_t *n_tokens) {
    if (!n_tokens || (!tokens && capacity)) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_tokenize: NULL output");
    growbuf_i32 out = {0};
    int rc = tokenize_into(v, text, len, add_special, parse_special, &out);
    if (rc) {
        free(out.v);
        *n_tokens = 0;
        return rc;
    }
    *n_tokens = out.n;
    if (out.n > capacity) {
        free(out.v);
        return mote_fail(MOTE_ERR_INVALID_ARG, "%zu tokens do not fit in a buffer of %zu", out.n, capacity);
    }
    if (out.n) memcpy(tokens, out.v, out.n * sizeof *tokens);
    free(out.v);
    return MOTE_OK;
}
