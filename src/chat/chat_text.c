/*
 * chat_text.c — the string builder and the trims the chat formatters use
 * (see chat_internal.h).
 */
#include <stdlib.h>
#include <string.h>

#include "chat/chat_internal.h"

void chat_buf_add_n(chat_buf *b, const char *s, size_t n) {
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void chat_buf_add(chat_buf *b, const char *s) { chat_buf_add_n(b, s, s ? strlen(s) : 0); }

void chat_buf_add_span(chat_buf *b, chat_span s) { chat_buf_add_n(b, s.p, s.n); }

chat_span chat_span_of(const char *s) {
    chat_span r = {s ? s : "", s ? strlen(s) : 0};
    return r;
}

/* Length of the whitespace character starting at p (at most n bytes), or 0.
 * Python's str.isspace(): \t \n \v \f \r, \x1c-\x1f, space, and U+0085,
 * U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. */
static size_t space_at(const unsigned char *p, size_t n) {
    if (n >= 1 && ((p[0] >= 0x09 && p[0] <= 0x0d) || (p[0] >= 0x1c && p[0] <= 0x20))) return 1;
    if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0)) return 2;
    if (n >= 3 && p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80) return 3;
    if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
        ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
        return 3;
    if (n >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) return 3;
    if (n >= 3 && p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) return 3;
    return 0;
}

/* Length of a whitespace character that ends exactly at p + n, or 0. */
static size_t space_before(const unsigned char *p, size_t n) {
    for (size_t len = 1; len <= 3 && len <= n; len++)
        if (space_at(p + n - len, len) == len) return len;
    return 0;
}

chat_span chat_strip(chat_span s) {
    const unsigned char *p = (const unsigned char *)s.p;
    size_t start = 0, end = s.n, k;
    while (start < end && (k = space_at(p + start, end - start)) > 0) start += k;
    while (end > start && (k = space_before(p + start, end - start)) > 0) end -= k;
    chat_span r = {s.p + start, end - start};
    return r;
}

chat_span chat_lstrip(chat_span s) {
    const unsigned char *p = (const unsigned char *)s.p;
    size_t start = 0, k;
    while (start < s.n && (k = space_at(p + start, s.n - start)) > 0) start += k;
    chat_span r = {s.p + start, s.n - start};
    return r;
}

chat_span chat_rstrip(chat_span s) {
    const unsigned char *p = (const unsigned char *)s.p;
    size_t end = s.n, k;
    while (end > 0 && (k = space_before(p, end)) > 0) end -= k;
    chat_span r = {s.p, end};
    return r;
}

bool chat_is_space(const char *p, size_t n, size_t *len) {
    *len = space_at((const unsigned char *)p, n);
    return *len > 0;
}

chat_span chat_lstrip_nl(chat_span s) {
    while (s.n > 0 && s.p[0] == '\n') {
        s.p++;
        s.n--;
    }
    return s;
}

chat_span chat_rstrip_nl(chat_span s) {
    while (s.n > 0 && s.p[s.n - 1] == '\n') s.n--;
    return s;
}
