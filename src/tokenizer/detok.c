/*
 * detok.c — token ids back to text: the piece of each token (computed once at
 * load) and a streaming detokenizer that only ever releases whole UTF-8
 * characters.
 *
 * Pieces: SentencePiece / WordPiece / gemma4 tokens spell spaces as U+2581;
 * byte-level BPE tokens spell each byte with GPT-2's byte-to-unicode
 * alphabet; byte tokens <0xNN> stand for one raw byte; control and
 * user-defined tokens stand for their text.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab_internal.h"

/* Value of a hexadecimal digit, or -1. */
static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Shown only with MOTE_DETOK_SPECIAL: control, unknown, and tokens of no known type. */
static bool is_hidden(const mote_vocab *v, int32_t t) {
    uint8_t a = v->attr[t];
    return (a & (TOK_CONTROL | TOK_UNKNOWN)) || !(a & (TOK_NORMAL | TOK_USER_DEFINED | TOK_BYTE));
}

/* Write the piece of token t at out (which has room for its text); returns its length. */
static size_t make_piece(const mote_vocab *v, int32_t t, const int16_t *cp_to_byte, char *out) {
    const char *s = v->arena + v->text_off[t];
    size_t len = v->text_len[t], n = 0;
    uint8_t a = v->attr[t];
    if (a & TOK_BYTE) {
        int hi = len == 6 ? hex_digit(s[3]) : -1, lo = len == 6 ? hex_digit(s[4]) : -1;
        if (hi >= 0 && lo >= 0) {
            out[0] = (char)(hi * 16 + lo);
            return 1;
        }
    }
    if (!(a & TOK_NORMAL)) {
        memcpy(out, s, len);
        return len;
    }
    if (v->type == MOTE_VOCAB_BPE && v->byte_encode) {
        for (size_t i = 0; i < len;) {
            uint32_t c;
            size_t k = utf8_decode(s + i, len - i, &c);
            if (c < 324 && cp_to_byte[c] >= 0) {
                out[n++] = (char)cp_to_byte[c];
            } else { /* not a byte-level character: keep it as written */
                memcpy(out + n, s + i, k);
                n += k;
            }
            i += k;
        }
        return n;
    }
    for (size_t i = 0; i < len;) {
        if (i + 3 <= len && !memcmp(s + i, "\xe2\x96\x81", 3)) {
            out[n++] = ' ';
            i += 3;
        } else {
            out[n++] = s[i++];
        }
    }
    return n;
}

/* Compute every token's piece once, at load. */
int pieces_build(mote_vocab *v) {
    size_t total = 0;
    for (int32_t t = 0; t < v->n_tokens; t++) total += v->text_len[t];
    v->piece_arena = malloc(total + 1);
    v->piece_off = malloc((size_t)v->n_tokens * sizeof *v->piece_off);
    v->piece_len = malloc((size_t)v->n_tokens * sizeof *v->piece_len);
    if (!v->piece_arena || !v->piece_off || !v->piece_len) return mote_fail(MOTE_ERR_NOMEM, "out of memory for token pieces");
    int16_t cp_to_byte[324];
    for (int i = 0; i < 324; i++) cp_to_byte[i] = -1;
    for (unsigned b = 0; b < 256; b++) cp_to_byte[bpe_byte_to_cp(b)] = (int16_t)b;
    size_t at = 0;
    for (int32_t t = 0; t < v->n_tokens; t++) {
        size_t n = make_piece(v, t, cp_to_byte, v->piece_arena + at);
        v->piece_off[t] = (uint32_t)at;
        v->piece_len[t] = (uint32_t)n;
        at += n;
    }
    return MOTE_OK;
}

/* See mote.h. */
const char *mote_token_piece(const mote_vocab *v, int32_t t, size_t *len) {
    if (!v || t < 0 || t >= v->n_tokens) return NULL;
    if (len) *len = v->piece_len[t];
    return v->piece_arena + v->piece_off[t];
}

/* --- streaming ------------------------------------------------------------ */

struct mote_detok {
    const mote_vocab *v;
    unsigned flags;
    bool strip_next;          /* the next text piece may start with SentencePiece's added space */
    unsigned char held[4];    /* the start of a character not yet complete */
    size_t n_held;
    char *buf;
    size_t cap;
};

/* See mote.h: a fresh stream. */
mote_detok *mote_detok_new(const mote_vocab *v, unsigned flags) {
    if (!v) {
        mote_fail(MOTE_ERR_INVALID_ARG, "mote_detok_new: NULL vocabulary");
        return NULL;
    }
    mote_detok *d = calloc(1, sizeof *d);
    if (!d) {
        mote_fail(MOTE_ERR_NOMEM, "out of memory for a detokenizer");
        return NULL;
    }
    d->v = v;
    d->flags = flags;
    d->strip_next = true;
    return d;
}

/* Release a detokenizer (NULL is fine). */
void mote_detok_free(mote_detok *d) {
    if (!d) return;
    free(d->buf);
    free(d);
}

/* How many bytes at the end of s[0..n) are the valid start of a character
 * that needs more bytes. */
static size_t incomplete_tail(const unsigned char *s, size_t n) {
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned char c = s[n - k];
        if ((c & 0xC0) == 0x80) continue; /* continuation: look further back */
        size_t need = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 1;
        return need > k ? k : 0;
    }
    return 0;
}

/* Append a token's piece to what is held and release the complete characters. */
const char *mote_detok_feed(mote_detok *d, int32_t t, size_t *len) {
    *len = 0;
    const mote_vocab *v = d->v;
    if (t < 0 || t >= v->n_tokens) return "";
    bool special = (v->attr[t] & (TOK_CONTROL | TOK_USER_DEFINED | TOK_UNKNOWN)) != 0;
    if (is_hidden(v, t) && !(d->flags & MOTE_DETOK_SPECIAL)) {
        d->strip_next = true;
        return "";
    }
    const char *p = v->piece_arena + v->piece_off[t];
    size_t n = v->piece_len[t];
    if (!special && d->strip_next && (d->flags & MOTE_DETOK_STRIP_SPACE) && v->add_space_prefix && n && p[0] == ' ') {
        p++;
        n--;
    }
    d->strip_next = special;
    size_t need = d->n_held + n;
    if (need == 0) return "";
    if (need > d->cap) {
        size_t cap = need * 2 + 64;
        char *nb = realloc(d->buf, cap);
        if (!nb) return "";
        d->buf = nb;
        d->cap = cap;
    }
    memcpy(d->buf, d->held, d->n_held);
    memcpy(d->buf + d->n_held, p, n);
    size_t keep = incomplete_tail((const unsigned char *)d->buf, need);
    memcpy(d->held, d->buf + need - keep, keep);
    d->n_held = keep;
    *len = need - keep;
    return d->buf;
}

/* Release what is held, whatever it is, and start a new stream. */
const char *mote_detok_flush(mote_detok *d, size_t *len) {
    if (d->cap < 4) {
        char *nb = realloc(d->buf, 64);
        if (!nb) {
            *len = 0;
            return "";
        }
        d->buf = nb;
        d->cap = 64;
    }
    memcpy(d->buf, d->held, d->n_held);
    *len = d->n_held;
    d->n_held = 0;
    d->strip_next = true;
    return d->buf;
}

/* Feed all tokens and flush, into one malloc'ed string. */
int mote_detokenize(const mote_vocab *v, const int32_t *tokens, size_t n, unsigned flags, char **text, size_t *len) {
    if (!v || !text || !len || (!tokens && n)) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_detokenize: NULL argument");
    *text = NULL;
    *len = 0;
    size_t cap = 4;
    for (size_t i = 0; i < n; i++)
        if (tokens[i] >= 0 && tokens[i] < v->n_tokens) cap += v->piece_len[tokens[i]];
    char *out = malloc(cap + 1);
    mote_detok *d = mote_detok_new(v, flags);
    if (!out || !d) {
        free(out);
        mote_detok_free(d);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory detokenizing %zu tokens", n);
    }
    size_t at = 0, k;
    for (size_t i = 0; i < n; i++) {
        const char *s = mote_detok_feed(d, tokens[i], &k);
        memcpy(out + at, s, k);
        at += k;
    }
    const char *s = mote_detok_flush(d, &k);
    memcpy(out + at, s, k);
    at += k;
    out[at] = '\0';
    mote_detok_free(d);
    *text = out;
    *len = at;
    return MOTE_OK;
}
