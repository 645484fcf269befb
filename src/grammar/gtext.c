/*
 * gtext.c — the growable text buffer of gtext.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grammar/gtext.h"

void gt_add(gtext *t, const char *s, size_t n) {
    if (t->failed) return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1) cap *= 2;
        char *p = realloc(t->s, cap);
        if (!p) {
            t->failed = true;
            return;
        }
        t->s = p, t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

void gt_str(gtext *t, const char *s) { gt_add(t, s, strlen(s)); }

void gt_fmt(gtext *t, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        gt_add(t, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        t->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    gt_add(t, big, (size_t)n);
    free(big);
}

void gt_literal(gtext *t, const char *s, size_t n) {
    gt_add(t, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') gt_add(t, "\\\"", 2);
        else if (c == '\\') gt_add(t, "\\\\", 2);
        else if (c == '\n') gt_add(t, "\\n", 2);
        else if (c == '\r') gt_add(t, "\\r", 2);
        else if (c == '\t') gt_add(t, "\\t", 2);
        else if (c < 0x20 || c == 0x7F) gt_fmt(t, "\\x%02X", c);
        else gt_add(t, (const char *)&c, 1);
    }
    gt_add(t, "\"", 1);
}

const char *gt_printable(char *dst, size_t cap, const char *src, size_t len) {
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < cap; i++) dst[k++] = (unsigned char)src[i] < 0x20 || src[i] == 0x7F ? '?' : src[i];
    if (cap) dst[k] = '\0';
    return dst;
}

char *gt_take(gtext *t) {
    char *s = t->failed ? NULL : t->s;
    if (t->failed) free(t->s);
    if (!s && !t->failed) s = calloc(1, 1);
    *t = (gtext){0};
    return s;
}

void gt_free(gtext *t) {
    free(t->s);
    *t = (gtext){0};
}
