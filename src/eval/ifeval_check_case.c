/*
 * ifeval_check_case.c — IFEval checkers of letter case and language:
 * change_case:* (words in capitals, all capitals in English, all lower case
 * in English) and language:response_language. Where the reference asks
 * langdetect and it cannot decide, the instruction counts as followed; we
 * do the same when the detector has too little text.
 */
#include <stdio.h>
#include <string.h>

#include "eval/ifeval_internal.h"
#include "eval/text.h"

static int is_language(const char *s, size_t len, const char *want) {
    const char *got = ifeval_detect_language(s, len);
    return !got || !strcmp(got, want);
}

static int check_capital_words(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err,
                               size_t es) {
    long want;
    if (ifeval_kw_int(kw, "capital_frequency", &want, err, es)) return -1;
    int rel = ifeval_kw_relation(kw, "capital_relation", err, es);
    if (rel < 0) return -1;
    long n = (long)ifeval_count_capital_words(s, len);
    return rel ? n >= want : n < want;
}

static int check_english_capital(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err,
                                 size_t es) {
    return text_py_isupper(s, len) && is_language(s, len, "en");
}

static int check_english_lowercase(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err,
                                   size_t es) {
    return text_py_islower(s, len) && is_language(s, len, "en");
}

static int check_language(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    const char *lang;
    if (ifeval_kw_str(kw, "language", &lang, err, es)) return -1;
    return is_language(s, len, lang);
}

const ifeval_checker ifeval_case_checkers[] = {
    {"change_case:capital_word_frequency", check_capital_words},
    {"change_case:english_capital", check_english_capital},
    {"change_case:english_lowercase", check_english_lowercase},
    {"language:response_language", check_language},
    {NULL, NULL},
};
