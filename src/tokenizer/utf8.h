/*
 * utf8.h — the few UTF-8 facts the tokenizers need, as inline helpers.
 * Unicode properties (categories, case, normalization) come from utf8proc and
 * PCRE2, never from tables of our own.
 */
#ifndef MOTE_TOKENIZER_UTF8_H
#define MOTE_TOKENIZER_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the sequence a lead byte announces (1 for ASCII and for stray
 * continuation bytes, so that a scan always advances). */
static inline size_t utf8_seq_len(unsigned char c) {
    static const unsigned char len[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return len[c >> 4];
}

/* Decode one code point at s (n bytes available). Returns the bytes used
 * (>= 1); an invalid, overlong or truncated sequence yields U+FFFD and
 * consumes 1 byte. */
static inline size_t utf8_decode(const char *s, size_t n, uint32_t *cp) {
    const unsigned char *u = (const unsigned char *)s;
    size_t len = utf8_seq_len(u[0]);
    if (len == 1) {
        *cp = u[0] < 0x80 ? u[0] : 0xFFFD;
        return 1;
    }
    if (len > n) goto bad;
    uint32_t c = u[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) goto bad;
        c = (c << 6) | (u[i] & 0x3F);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
    if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        goto bad;
    *cp = c;
    return len;
bad:
    *cp = 0xFFFD;
    return 1;
}

/* Encode a code point; returns the bytes written to out (1..4). */
static inline size_t utf8_encode(uint32_t c, char *out) {
    unsigned char *o = (unsigned char *)out;
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | (c >> 6));
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (c >> 12));
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (c >> 18));
    o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

#endif
