/*
 * text.c — see text.h. Unicode properties come from utf8proc.
 */
#include "eval/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int text_buf_add(text_buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) return -1;
        b->s = p;
        b->cap = cap;
    }
    if (n) memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

int text_buf_adds(text_buf *b, const char *s) { return text_buf_add(b, s, strlen(s)); }

int text_buf_printf(text_buf *b, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    if ((size_t)n < sizeof small) return text_buf_add(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big) return -1;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = text_buf_add(b, big, (size_t)n);
    free(big);
    return rc;
}

void text_buf_free(text_buf *b) {
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

int32_t text_next_cp(const char *s, size_t len, size_t *i) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + *i, (utf8proc_ssize_t)(len - *i), &cp);
    if (n <= 0) {
        cp = (unsigned char)s[*i];
        n = 1;
    }
    *i += (size_t)n;
    return cp;
}

bool text_py_isspace(int32_t cp) {
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f)) return true;
    if (cp < 0x80) return false;
    return cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

void text_py_strip(const char *s, size_t len, size_t *b, size_t *e) {
    size_t i = 0, start = len, end = 0;
    while (i < len) {
        size_t at = i;
        int32_t cp = text_next_cp(s, len, &i);
        if (!text_py_isspace(cp)) {
            if (start == len) start = at;
            end = i;
        }
    }
    if (start == len) start = end = 0;
    *b = start;
    *e = end;
}

char *text_dup(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *text_py_lower(const char *s, size_t len, size_t *out_len) {
    text_buf b = {0};
    if (text_buf_add(&b, "", 0)) return NULL;
    size_t i = 0;
    while (i < len) {
        size_t at = i;
        int32_t cp = text_next_cp(s, len, &i);
        if (cp < 0x80) {
            char c = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
            if (text_buf_add(&b, &c, 1)) goto fail;
        } else if (i - at == 1) { /* a stray byte stays as it was */
            if (text_buf_add(&b, s + at, 1)) goto fail;
        } else {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t n = utf8proc_encode_char(utf8proc_tolower(cp), enc);
            if (text_buf_add(&b, (const char *)enc, (size_t)n)) goto fail;
        }
    }
    if (out_len) *out_len = b.len;
    return b.s;
fail:
    text_buf_free(&b);
    return NULL;
}

/* Case of one code point: 1 upper, -1 lower, 2 titlecase (cased, neither), 0 uncased. */
static int cp_case(int32_t cp) {
    if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? 1 : cp >= 'a' && cp <= 'z' ? -1 : 0;
    utf8proc_category_t c = utf8proc_category(cp);
    if (c == UTF8PROC_CATEGORY_LT) return 2;
    if (c == UTF8PROC_CATEGORY_LU || utf8proc_isupper(cp)) return 1;
    if (c == UTF8PROC_CATEGORY_LL || utf8proc_islower(cp)) return -1;
    return 0;
}

static bool all_cased_are(const char *s, size_t len, int want) {
    bool cased = false;
    size_t i = 0;
    while (i < len) {
        int k = cp_case(text_next_cp(s, len, &i));
        if (!k) continue;
        if (k != want) return false;
        cased = true;
    }
    return cased;
}

bool text_py_isupper(const char *s, size_t len) { return all_cased_are(s, len, 1); }
bool text_py_islower(const char *s, size_t len) { return all_cased_are(s, len, -1); }

bool text_is_word_cp(int32_t cp) {
    if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == '_';
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

size_t text_count_words(const char *s, size_t len) {
    size_t n = 0, i = 0;
    bool in_word = false;
    while (i < len) {
        bool w = text_is_word_cp(text_next_cp(s, len, &i));
        if (w && !in_word) n++;
        in_word = w;
    }
    return n;
}
