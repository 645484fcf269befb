/*
 * ifeval_check_format.c — IFEval checkers of a response's shape:
 * detectable_format:* (constrained answer, JSON, sections, bullets,
 * highlights, title), detectable_content:* (placeholders, postscript),
 * startend:* (end phrase, quotation) and combination:* (two responses,
 * repeated prompt). Each follows the rule of the reference checker of the
 * same id (instructions.py), regular expressions included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/ifeval_internal.h"
#include "eval/pyre.h"
#include "eval/text.h"

/* The answer contains one of the three fixed options (after strip). */
static int check_constrained_response(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err,
                                      size_t es) {
    static const char *const options[] = {"My answer is yes.", "My answer is no.", "My answer is maybe."};
    size_t b, e;
    text_py_strip(s, len, &b, &e);
    char *v = text_dup(s + b, e - b);
    if (!v) return -1;
    int found = 0;
    for (size_t i = 0; i < 3 && !found; i++) found = strstr(v, options[i]) != NULL;
    free(v);
    return found;
}

/* A starting prefix to drop if present (Python's str.removeprefix). */
static void remove_prefix(const char *s, size_t *b, size_t e, const char *p) {
    size_t n = strlen(p);
    if (e - *b >= n && !memcmp(s + *b, p, n)) *b += n;
}

/* The whole answer, without markdown fences, parses as JSON. */
static int check_json_format(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    size_t b, e;
    text_py_strip(s, len, &b, &e);
    remove_prefix(s, &b, e, "```json");
    remove_prefix(s, &b, e, "```Json");
    remove_prefix(s, &b, e, "```JSON");
    remove_prefix(s, &b, e, "```");
    if (e - b >= 3 && !memcmp(s + e - 3, "```", 3)) e -= 3;
    size_t sb, se;
    text_py_strip(s + b, e - b, &sb, &se);
    char *v = text_dup(s + b + sb, se - sb);
    if (!v) return -1;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(v, &end, 1);
    free(v);
    int ok = j != NULL;
    cJSON_Delete(j);
    return ok;
}

/* At least num_sections splits by "<splitter> <number>". */
static int check_multiple_sections(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err,
                                   size_t es) {
    long want;
    const char *splitter;
    if (ifeval_kw_int(kw, "num_sections", &want, err, es) || ifeval_kw_str(kw, "section_spliter", &splitter, err, es))
        return -1;
    size_t b, e;
    text_py_strip(splitter, strlen(splitter), &b, &e);
    text_buf pat = {0};
    if (text_buf_adds(&pat, "\\s?") || text_buf_add(&pat, splitter + b, e - b) || text_buf_adds(&pat, "\\s?\\d+\\s?"))
        return -1;
    long n = pyre_count(pat.s, 0, s, len);
    text_buf_free(&pat);
    if (n < 0) {
        snprintf(err, es, "section splitter '%s' is not a valid pattern", splitter);
        return -1;
    }
    return n >= want;
}

/* Exactly num_bullets markdown bullet lines ("* " or "- "). */
static int check_bullet_lists(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    long want;
    if (ifeval_kw_int(kw, "num_bullets", &want, err, es)) return -1;
    long stars = pyre_count("^\\s*\\*[^\\*].*$", PYRE_MULTILINE, s, len);
    long dashes = pyre_count("^\\s*-.*$", PYRE_MULTILINE, s, len);
    return stars + dashes == want;
}

/* At least num_highlights *spans* (and **spans**) with some text inside. */
static int check_highlights(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    long want;
    if (ifeval_kw_int(kw, "num_highlights", &want, err, es)) return -1;
    long count = 0;
    for (int dbl = 0; dbl < 2; dbl++) {
        const char *pat = dbl ? "\\*\\*[^\\n\\*]*\\*\\*" : "\\*[^\\n\\*]*\\*";
        long n = pyre_count(pat, 0, s, len);
        if (n <= 0) continue;
        pyre_span *m = malloc(sizeof *m * (size_t)n);
        if (!m) return -1;
        pyre_findall(pat, 0, s, len, m, (size_t)n);
        for (long i = 0; i < n; i++) {
            /* single: strip every '*' at both ends; double: remove one "**" each side */
            size_t b = m[i].begin, e = m[i].end;
            if (dbl) {
                b += 2;
                e -= 2;
            } else {
                while (b < e && s[b] == '*') b++;
                while (e > b && s[e - 1] == '*') e--;
            }
            size_t sb, se;
            text_py_strip(s + b, e - b, &sb, &se);
            if (se > sb) count++;
        }
        free(m);
    }
    return count >= want;
}

/* A title in <<double angular brackets>> with some text inside. */
static int check_title(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    long n = pyre_count("<<[^\\n]+>>", 0, s, len);
    if (n <= 0) return 0;
    pyre_span *m = malloc(sizeof *m * (size_t)n);
    if (!m) return -1;
    pyre_findall("<<[^\\n]+>>", 0, s, len, m, (size_t)n);
    int found = 0;
    for (long i = 0; i < n && !found; i++) {
        size_t b = m[i].begin, e = m[i].end;
        while (b < e && s[b] == '<') b++;
        while (e > b && s[e - 1] == '>') e--;
        size_t sb, se;
        text_py_strip(s + b, e - b, &sb, &se);
        found = se > sb;
    }
    free(m);
    return found;
}

/* At least num_placeholders [bracketed] spans. */
static int check_placeholders(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    long want;
    if (ifeval_kw_int(kw, "num_placeholders", &want, err, es)) return -1;
    return pyre_count("\\[.*?\\]", 0, s, len) >= want;
}

/* A line with the postscript marker ("P.S.", "P.P.S" or another) somewhere. */
static int check_postscript(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    const char *marker;
    if (ifeval_kw_str(kw, "postscript_marker", &marker, err, es)) return -1;
    size_t mb, me;
    text_py_strip(marker, strlen(marker), &mb, &me);
    char *m = text_dup(marker + mb, me - mb);
    size_t lower_len;
    char *lower = text_py_lower(s, len, &lower_len);
    text_buf pat = {0};
    int rc = -1;
    if (!m || !lower) goto done;
    if (!strcmp(m, "P.P.S")) {
        text_buf_adds(&pat, "\\s*p\\.\\s?p\\.\\s?s.*$");
    } else if (!strcmp(m, "P.S.")) {
        text_buf_adds(&pat, "\\s*p\\.\\s?s\\..*$");
    } else {
        char *ml = text_py_lower(m, strlen(m), NULL);
        if (!ml) goto done;
        text_buf_adds(&pat, "\\s*");
        text_buf_adds(&pat, ml);
        text_buf_adds(&pat, ".*$");
        free(ml);
    }
    if (!pat.s) goto done;
    rc = pyre_search(pat.s, PYRE_MULTILINE, lower, lower_len);
    if (rc < 0) snprintf(err, es, "postscript marker '%s' is not a valid pattern", marker);
done:
    text_buf_free(&pat);
    free(m);
    free(lower);
    return rc;
}

/* After strip and removing surrounding '"', the answer ends with end_phrase (case-insensitively). */
static int check_end(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    const char *phrase;
    if (ifeval_kw_str(kw, "end_phrase", &phrase, err, es)) return -1;
    size_t b, e;
    text_py_strip(s, len, &b, &e);
    while (b < e && s[b] == '"') b++;
    while (e > b && s[e - 1] == '"') e--;
    size_t vl, pl, pb, pe;
    char *v = text_py_lower(s + b, e - b, &vl);
    text_py_strip(phrase, strlen(phrase), &pb, &pe);
    char *p = text_py_lower(phrase + pb, pe - pb, &pl);
    int rc = -1;
    if (v && p) rc = vl >= pl && !memcmp(v + vl - pl, p, pl);
    free(v);
    free(p);
    return rc;
}

/* The stripped answer starts and ends with '"' (and is longer than one character). */
static int check_quotation(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err, size_t es) {
    size_t b, e;
    text_py_strip(s, len, &b, &e);
    return e - b > 1 && s[b] == '"' && s[e - 1] == '"';
}

/* Two different non-empty answers separated by "******" (empty pieces only at the ends). */
static int check_two_responses(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err,
                               size_t es) {
    pyre_span valid[2];
    size_t n_valid = 0, start = 0, index = 0;
    for (;;) {
        const char *hit = NULL;
        for (size_t i = start; i + 6 <= len; i++)
            if (!memcmp(s + i, "******", 6)) {
                hit = s + i;
                break;
            }
        size_t end = hit ? (size_t)(hit - s) : len;
        size_t b, e;
        text_py_strip(s + start, end - start, &b, &e);
        if (e == b) {
            if (index != 0 && hit) return 0; /* an empty piece in the middle */
        } else {
            if (n_valid < 2) valid[n_valid] = (pyre_span){start + b, start + e};
            n_valid++;
        }
        index++;
        if (!hit) break;
        start = end + 6;
    }
    if (n_valid != 2) return 0;
    size_t l0 = valid[0].end - valid[0].begin, l1 = valid[1].end - valid[1].begin;
    return l0 != l1 || memcmp(s + valid[0].begin, s + valid[1].begin, l0) != 0;
}

/* The answer starts (case-insensitively, after strip) with the request to repeat. */
static int check_repeat_prompt(const cJSON *kw, const char *prompt, const char *s, size_t len, char *err,
                               size_t es) {
    const char *rep;
    if (ifeval_kw_str(kw, "prompt_to_repeat", &rep, err, es)) return -1;
    size_t b, e, rb, re_, vl, pl;
    text_py_strip(s, len, &b, &e);
    text_py_strip(rep, strlen(rep), &rb, &re_);
    char *v = text_py_lower(s + b, e - b, &vl);
    char *p = text_py_lower(rep + rb, re_ - rb, &pl);
    int rc = -1;
    if (v && p) rc = vl >= pl && !memcmp(v, p, pl);
    free(v);
    free(p);
    return rc;
}

const ifeval_checker ifeval_format_checkers[] = {
    {"detectable_format:constrained_response", check_constrained_response},
    {"detectable_format:json_format", check_json_format},
    {"detectable_format:multiple_sections", check_multiple_sections},
    {"detectable_format:number_bullet_lists", check_bullet_lists},
    {"detectable_format:number_highlighted_sections", check_highlights},
    {"detectable_format:title", check_title},
    {"detectable_content:number_placeholders", check_placeholders},
    {"detectable_content:postscript", check_postscript},
    {"startend:end_checker", check_end},
    {"startend:quotation", check_quotation},
    {"combination:two_responses", check_two_responses},
    {"combination:repeat_prompt", check_repeat_prompt},
    {NULL, NULL},
};
