/*
 * ifeval_check_length.c — IFEval checkers of length: length_constraints:*
 * (number of paragraphs, first word of the n-th paragraph, sentences,
 * words), with the reference checkers' rules (instructions.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/ifeval_internal.h"
#include "eval/pyre.h"
#include "eval/text.h"

/* Paragraphs split by the markdown divider "***": exactly num_paragraphs,
 * an empty piece only allowed first or last. */
static int check_paragraphs(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    long want;
    if (ifeval_kw_int(kw, "num_paragraphs", &want, err, es)) return -1;
    pyre_span *p;
    long n = pyre_split("\\s?\\*\\*\\*\\s?", 0, s, len, &p);
    if (n < 0) return -1;
    long count = n;
    int ok = 1;
    for (long i = 0; i < n && ok; i++) {
        size_t b, e;
        text_py_strip(s + p[i].begin, p[i].end - p[i].begin, &b, &e);
        if (e > b) continue;
        if (i == 0 || i == n - 1) count--;
        else ok = 0;
    }
    free(p);
    return ok && count == want;
}

/* Is c one of the characters that end the first word (.,?!'")? */
static int ends_first_word(char c) { return c && strchr(".,?!'\"", c) != NULL; }

/* Paragraphs split by "\n\n": num_paragraphs non-empty ones, and paragraph
 * nth_paragraph (counted in the raw split, as the reference does) starts
 * with first_word, ignoring case and trailing punctuation. */
static int check_nth_paragraph(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    long want, nth;
    const char *first;
    if (ifeval_kw_int(kw, "num_paragraphs", &want, err, es) || ifeval_kw_int(kw, "nth_paragraph", &nth, err, es) ||
        ifeval_kw_str(kw, "first_word", &first, err, es))
        return -1;
    /* split on the literal "\n\n" */
    size_t cap = 8, n = 0;
    pyre_span *p = malloc(sizeof *p * cap);
    if (!p) return -1;
    size_t start = 0;
    for (;;) {
        const char *hit = NULL;
        for (size_t i = start; i + 1 < len; i++)
            if (s[i] == '\n' && s[i + 1] == '\n') {
                hit = s + i;
                break;
            }
        if (n == cap) {
            pyre_span *q = realloc(p, sizeof *p * (cap *= 2));
            if (!q) {
                free(p);
                return -1;
            }
            p = q;
        }
        size_t end = hit ? (size_t)(hit - s) : len;
        p[n++] = (pyre_span){start, end};
        if (!hit) break;
        start = end + 2;
    }
    long count = (long)n;
    for (size_t i = 0; i < n; i++) {
        size_t b, e;
        text_py_strip(s + p[i].begin, p[i].end - p[i].begin, &b, &e);
        if (e == b) count--;
    }
    int rc = 0;
    if (nth >= 1 && nth <= count) {
        const char *para = s + p[nth - 1].begin;
        size_t b, e;
        text_py_strip(para, p[nth - 1].end - p[nth - 1].begin, &b, &e);
        if (e > b) {
            /* first whitespace-separated word, without leading quotes, up to punctuation */
            size_t i = b, w_end = b;
            while (w_end < e) {
                size_t at = w_end;
                if (text_py_isspace(text_next_cp(para, e, &w_end))) {
                    w_end = at;
                    break;
                }
            }
            while (i < w_end && para[i] == '\'') i++;
            while (i < w_end && para[i] == '"') i++;
            size_t k = i;
            while (k < w_end && !ends_first_word(para[k])) k++;
            size_t wl, fl;
            char *word = text_py_lower(para + i, k - i, &wl);
            char *want_word = text_py_lower(first, strlen(first), &fl);
            rc = word && want_word && count == want && wl == fl && !memcmp(word, want_word, wl);
            free(word);
            free(want_word);
        }
    }
    free(p);
    return rc;
}

static int check_sentences(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    long want;
    if (ifeval_kw_int(kw, "num_sentences", &want, err, es)) return -1;
    int rel = ifeval_kw_relation(kw, "relation", err, es);
    if (rel < 0) return -1;
    long n = (long)ifeval_count_sentences(s, len);
    return rel ? n >= want : n < want;
}

static int check_words(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    long want;
    if (ifeval_kw_int(kw, "num_words", &want, err, es)) return -1;
    int rel = ifeval_kw_relation(kw, "relation", err, es);
    if (rel < 0) return -1;
    long n = (long)text_count_words(s, len);
    return rel ? n >= want : n < want;
}

const ifeval_checker ifeval_length_checkers[] = {
    {"length_constraints:number_paragraphs", check_paragraphs},
    {"length_constraints:nth_paragraph_first_word", check_nth_paragraph},
    {"length_constraints:number_sentences", check_sentences},
    {"length_constraints:number_words", check_words},
    {NULL, NULL},
};
