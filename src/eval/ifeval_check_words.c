/*
 * ifeval_check_words.c — IFEval checkers of words and letters:
 * keywords:* (existence, frequency, forbidden words, letter frequency) and
 * punctuation:no_comma. As in the reference (instructions.py), keywords are
 * used as case-insensitive regular expressions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/ifeval_internal.h"
#include "eval/pyre.h"
#include "eval/text.h"

/* Every keyword matches somewhere (ignoring case). */
static int check_existence(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(kw, "keywords");
    if (!cJSON_IsArray(list)) {
        snprintf(err, es, "argument 'keywords' must be a list of strings");
        return -1;
    }
    const cJSON *k;
    cJSON_ArrayForEach(k, list) {
        if (!cJSON_IsString(k)) {
            snprintf(err, es, "argument 'keywords' must be a list of strings");
            return -1;
        }
        int rc = pyre_search(k->valuestring, PYRE_IGNORECASE, s, len);
        if (rc < 0) {
            snprintf(err, es, "keyword '%s' is not a valid pattern", k->valuestring);
            return -1;
        }
        if (!rc) return 0;
    }
    return 1;
}

/* The keyword occurs "less than" / "at least" frequency times. */
static int check_frequency(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    const char *word;
    long want;
    if (ifeval_kw_str(kw, "keyword", &word, err, es) || ifeval_kw_int(kw, "frequency", &want, err, es)) return -1;
    int rel = ifeval_kw_relation(kw, "relation", err, es);
    if (rel < 0) return -1;
    size_t b, e;
    text_py_strip(word, strlen(word), &b, &e);
    char *pat = text_dup(word + b, e - b);
    if (!pat) return -1;
    long n = pyre_count(pat, PYRE_IGNORECASE, s, len);
    free(pat);
    if (n < 0) {
        snprintf(err, es, "keyword '%s' is not a valid pattern", word);
        return -1;
    }
    return rel ? n >= want : n < want;
}

/* None of the words occurs as a whole word (ignoring case). */
static int check_forbidden(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(kw, "forbidden_words");
    if (!cJSON_IsArray(list)) {
        snprintf(err, es, "argument 'forbidden_words' must be a list of strings");
        return -1;
    }
    const cJSON *k;
    cJSON_ArrayForEach(k, list) {
        if (!cJSON_IsString(k)) {
            snprintf(err, es, "argument 'forbidden_words' must be a list of strings");
            return -1;
        }
        text_buf pat = {0};
        if (text_buf_adds(&pat, "\\b") || text_buf_adds(&pat, k->valuestring) || text_buf_adds(&pat, "\\b")) return -1;
        int rc = pyre_search(pat.s, PYRE_IGNORECASE, s, len);
        text_buf_free(&pat);
        if (rc < 0) {
            snprintf(err, es, "forbidden word '%s' is not a valid pattern", k->valuestring);
            return -1;
        }
        if (rc) return 0;
    }
    return 1;
}

/* The letter (either case) occurs "less than" / "at least" let_frequency times. */
static int check_letter(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    const char *letter;
    long want;
    if (ifeval_kw_str(kw, "letter", &letter, err, es) || ifeval_kw_int(kw, "let_frequency", &want, err, es))
        return -1;
    int rel = ifeval_kw_relation(kw, "let_relation", err, es);
    if (rel < 0) return -1;
    if (strlen(letter) != 1) {
        snprintf(err, es, "argument 'letter' must be one ASCII letter, not '%s'", letter);
        return -1;
    }
    char l = letter[0] >= 'A' && letter[0] <= 'Z' ? (char)(letter[0] + 32) : letter[0];
    size_t lower_len;
    char *lower = text_py_lower(s, len, &lower_len);
    if (!lower) return -1;
    long n = 0;
    for (size_t i = 0; i < lower_len; i++) n += lower[i] == l;
    free(lower);
    return rel ? n >= want : n < want;
}

static int check_no_comma(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    return memchr(s, ',', len) == NULL;
}

const ifeval_checker ifeval_words_checkers[] = {
    {"keywords:existence", check_existence},
    {"keywords:frequency", check_frequency},
    {"keywords:forbidden_words", check_forbidden},
    {"keywords:letter_frequency", check_letter},
    {"punctuation:no_comma", check_no_comma},
    {NULL, NULL},
};
