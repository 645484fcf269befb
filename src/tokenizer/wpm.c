/*
 * wpm.c — WordPiece ("bert" vocabularies, for embedding models).
 *
 * BERT normalization first (utf8proc gives categories, NFD and lower case):
 * drop control characters, split on whitespace, make every punctuation mark
 * and CJK ideograph a word of its own, lower-case and strip accents when the
 * vocabulary asks. Where llama.cpp's normalization differs from Hugging
 * Face's on rare characters (it strips all marks, maps a character to the
 * first code point of its decomposition), we follow llama.cpp: it is the
 * reference our outputs are compared with. Then each word, with a leading U+2581 (llama.cpp's GGUF
 * spelling of a word start; continuation pieces are stored without "##"), is
 * cut greedily into the longest tokens from the left. A word that cannot be
 * cut completely becomes [UNK].
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/error.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab_internal.h"

/* Unicode whitespace (White_Space: ASCII spaces, NEL, Z* categories). */
static bool is_space(uint32_t c) {
    if ((c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85) return true;
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

/* Characters BERT drops: control, format, private use, unassigned. */
static bool is_control(uint32_t c) {
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
    /* Unassigned code points (Cn) stay, as in llama.cpp: such a word becomes [UNK]. */
    return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CO ||
           cat == UTF8PROC_CATEGORY_CS;
}

/* Any combining mark (Mn, Mc, Me): all are dropped when stripping accents, as llama.cpp does. */
static bool is_mark(uint32_t c) {
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
    return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME;
}

/* Characters BERT makes words of their own. */
static bool is_punct(uint32_t c) {
    utf8proc_category_t cat = utf8proc_category((utf8proc_int32_t)c);
    if (cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO) return true;
    /* BERT treats all ASCII non-alphanumeric symbols ($+<=>^`|~) as punctuation too. */
    return c < 0x7F && cat >= UTF8PROC_CATEGORY_SM && cat <= UTF8PROC_CATEGORY_SO;
}

/* The CJK blocks BERT isolates character by character (its own list). */
static bool is_cjk(uint32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

typedef struct {
    const mote_vocab *v;
    growbuf_i32 *out;
    char *word;
    size_t n, cap;
} wpm_state;

/* Append a code point to the word being collected. */
static int word_append(wpm_state *s, uint32_t c) {
    if (s->n + 4 > s->cap) {
        size_t cap = s->cap * 2 + 64;
        char *nw = realloc(s->word, cap);
        if (!nw) return mote_fail(MOTE_ERR_NOMEM, "out of memory in the WordPiece tokenizer");
        s->word = nw;
        s->cap = cap;
    }
    s->n += utf8_encode(c, s->word + s->n);
    return MOTE_OK;
}

/* Cut the collected word (after its U+2581 prefix) into tokens, or [UNK]. */
static int word_flush(wpm_state *s) {
    const size_t prefix = 3;
    if (s->n <= prefix) return MOTE_OK;
    const mote_vocab *v = s->v;
    size_t before = s->out->n;
    for (size_t i = 0; i < s->n;) {
        size_t j = s->n < i + v->max_token_len ? s->n : i + v->max_token_len;
        int32_t id = -1;
        for (; j > i; j--)
            if ((id = mote_strmap_get(&v->text_to_id, s->word + i, j - i, -1)) >= 0) break;
        if (id < 0) {
            s->out->n = before;
            break;
        }
        int rc = growbuf_push(s->out, id);
        if (rc) return rc;
        i = j;
    }
    int rc = s->out->n == before && v->unk >= 0 ? growbuf_push(s->out, v->unk) : MOTE_OK;
    s->n = prefix;
    return rc;
}

/* One normalized code point into the word stream. */
static int wpm_char(wpm_state *s, uint32_t c) {
    const mote_vocab *v = s->v;
    if (is_space(c)) return word_flush(s);
    if (c == 0 || c == 0xFFFD || is_control(c)) return MOTE_OK;
    if (v->strip_accents && is_mark(c)) return MOTE_OK;
    uint32_t lc = v->lowercase ? (uint32_t)utf8proc_tolower((utf8proc_int32_t)c) : c;
    if (is_punct(c) || is_cjk(c)) {
        int rc = word_flush(s);
        if (!rc) rc = word_append(s, lc);
        if (!rc) rc = word_flush(s);
        return rc;
    }
    return word_append(s, lc);
}

/* Normalize, split into words and cut each into WordPiece tokens. */
int wpm_tokenize(const mote_vocab *v, const char *text, size_t len, growbuf_i32 *out) {
    wpm_state s = {v, out, NULL, 0, 0};
    int rc = word_append(&s, 0x2581);
    for (size_t off = 0; off < len && !rc;) {
        uint32_t c;
        off += utf8_decode(text + off, len - off, &c);
        if (v->strip_accents) {
            /* llama.cpp's NFD keeps only the first code point of a character's
             * canonical decomposition ("ǘ" -> "u", a Hangul syllable -> its
             * first jamo); the marks it drops would be stripped anyway. */
            utf8proc_int32_t d[8];
            int last = 0;
            utf8proc_ssize_t nd = utf8proc_decompose_char((utf8proc_int32_t)c, d, 8, UTF8PROC_DECOMPOSE, &last);
            if (nd > 0 && nd <= 8) c = (uint32_t)d[0];
        }
        rc = wpm_char(&s, c);
    }
    if (!rc) rc = word_flush(&s);
    free(s.word);
    return rc;
}
