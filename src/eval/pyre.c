/*
 * pyre.c — see pyre.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "eval/pyre.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

static pcre2_code *compile(const char *pattern, unsigned flags) {
    uint32_t opt = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    if (flags & PYRE_IGNORECASE) opt |= PCRE2_CASELESS;
    if (flags & PYRE_MULTILINE) opt |= PCRE2_MULTILINE;
    int err;
    PCRE2_SIZE off;
    return pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opt, &err, &off, NULL);
}

/* Walk the non-overlapping matches as Python's finditer does (an empty match
 * moves the search on by one character); call on_match for each. */
typedef void (*match_fn)(size_t b, size_t e, void *user);

static long each_match(const char *pattern, unsigned flags, const char *s, size_t len, match_fn fn, void *user) {
    pcre2_code *re = compile(pattern, flags);
    if (!re) return -1;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) {
        pcre2_code_free(re);
        return -1;
    }
    long n = 0;
    size_t at = 0;
    while (at <= len) {
        int rc = pcre2_match(re, (PCRE2_SPTR)s, len, at, 0, md, NULL);
        if (rc < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t b = ov[0], e = ov[1];
        n++;
        if (fn) fn(b, e, user);
        if (e > b) {
            at = e;
        } else { /* empty match: step over one character */
            at = e + 1;
            while (at < len && ((unsigned char)s[at] & 0xc0) == 0x80) at++;
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return n;
}

int pyre_search(const char *pattern, unsigned flags, const char *s, size_t len) {
    pcre2_code *re = compile(pattern, flags);
    if (!re) return -1;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = md ? pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL) : -1;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc >= 0 ? 1 : 0;
}

long pyre_count(const char *pattern, unsigned flags, const char *s, size_t len) {
    return each_match(pattern, flags, s, len, NULL, NULL);
}

typedef struct {
    pyre_span *out;
    size_t cap, n;
} span_sink;

static void to_sink(size_t b, size_t e, void *user) {
    span_sink *k = user;
    if (k->n < k->cap) k->out[k->n] = (pyre_span){b, e};
    k->n++;
}

long pyre_findall(const char *pattern, unsigned flags, const char *s, size_t len, pyre_span *out, size_t cap) {
    span_sink k = {out, cap, 0};
    return each_match(pattern, flags, s, len, to_sink, &k);
}

long pyre_split(const char *pattern, unsigned flags, const char *s, size_t len, pyre_span **pieces) {
    long n = pyre_count(pattern, flags, s, len);
    if (n < 0) return -1;
    pyre_span *m = malloc(sizeof *m * (size_t)(n + 1));
    pyre_span *p = malloc(sizeof *p * (size_t)(n + 1));
    if (!m || !p) {
        free(m);
        free(p);
        return -1;
    }
    pyre_findall(pattern, flags, s, len, m, (size_t)n);
    size_t prev = 0;
    for (long i = 0; i < n; i++) {
        p[i] = (pyre_span){prev, m[i].begin};
        prev = m[i].end;
    }
    p[n] = (pyre_span){prev, len};
    free(m);
    *pieces = p;
    return n + 1;
}
