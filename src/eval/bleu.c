/*
 * bleu.c — BLEU as sacrebleu computes it (read as a reference, see
 * metrics.h): tokenize, count clipped n-grams up to 4, brevity penalty,
 * geometric mean of the smoothed precisions.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"
#include "eval/text.h"

/* Python's re.sub(pattern, repl, s) with PCRE2 (global, non-overlapping). */
static char *regex_sub(const char *pattern, const char *repl, char *s) {
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
    if (!re) {
        free(s);
        return NULL;
    }
    size_t len = strlen(s), cap = len * 3 + 16;
    char *out = malloc(cap);
    int rc = -1;
    while (out) {
        PCRE2_SIZE out_len = cap;
        rc = pcre2_substitute(re, (PCRE2_SPTR)s, len, 0, PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
                              NULL, NULL, (PCRE2_SPTR)repl, PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)out, &out_len);
        if (rc != PCRE2_ERROR_NOMEMORY) break;
        cap = out_len + 1;
        char *bigger = realloc(out, cap);
        if (!bigger) {
            free(out);
            out = NULL;
        } else {
            out = bigger;
        }
    }
    pcre2_code_free(re);
    free(s);
    if (rc < 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Replace every occurrence of `from` by `to`. */
static char *replace_all(char *s, const char *from, const char *to) {
    if (!s || !strstr(s, from)) return s;
    text_buf b = {0};
    size_t fl = strlen(from);
    const char *p = s, *hit;
    while ((hit = strstr(p, from))) {
        text_buf_add(&b, p, (size_t)(hit - p));
        text_buf_adds(&b, to);
        p = hit + fl;
    }
    text_buf_adds(&b, p);
    free(s);
    return b.s;
}

/* ' '.join(s.split()): words separated by single spaces. */
static char *join_words(char *s) {
    if (!s) return NULL;
    text_buf b = {0};
    text_buf_add(&b, "", 0);
    size_t len = strlen(s), i = 0, word = 0;
    bool in_word = false;
    while (i < len) {
        size_t at = i;
        bool space = text_py_isspace(text_next_cp(s, len, &i));
        if (space && in_word) {
            if (b.len) text_buf_add(&b, " ", 1);
            text_buf_add(&b, s + word, at - word);
        }
        if (!space && !in_word) word = at;
        in_word = !space;
    }
    if (in_word) {
        if (b.len) text_buf_add(&b, " ", 1);
        text_buf_add(&b, s + word, len - word);
    }
    free(s);
    return b.s;
}

char *bleu_tokenize(const char *text, bleu_tokenizer tok) {
    /* sacrebleu tokenizes the segment with trailing whitespace removed */
    size_t len = strlen(text), b, e;
    text_py_strip(text, len, &b, &e);
    if (e == b) b = 0;
    char *s = text_dup(text, e);
    if (!s) return NULL;
    switch (tok) {
    case BLEU_TOK_NONE:
        break;
    case BLEU_TOK_13A:
        s = replace_all(s, "<skipped>", "");
        s = replace_all(s, "-\n", "");
        s = replace_all(s, "\n", " ");
        if (s && strchr(s, '&')) {
            s = replace_all(s, "&quot;", "\"");
            s = replace_all(s, "&amp;", "&");
            s = replace_all(s, "&lt;", "<");
            s = replace_all(s, "&gt;", ">");
        }
        if (s) {
            text_buf padded = {0};
            text_buf_adds(&padded, " ");
            text_buf_adds(&padded, s);
            text_buf_adds(&padded, " ");
            free(s);
            s = padded.s;
        }
        if (s) s = regex_sub("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])", " $1 ", s);
        if (s) s = regex_sub("([^0-9])([\\.,])", "$1 $2 ", s);
        if (s) s = regex_sub("([\\.,])([^0-9])", " $1 $2", s);
        if (s) s = regex_sub("([0-9])(-)", "$1 $2 ", s);
        break;
    case BLEU_TOK_INTL:
        s = regex_sub("(\\P{N})(\\p{P})", "$1 $2 ", s);
        if (s) s = regex_sub("(\\p{P})(\\P{N})", " $1 $2", s);
        if (s) s = regex_sub("(\\p{S})", " $1 ", s);
        break;
    }
    return join_words(s);
}

/* The words of a tokenized segment: pointers into s (spaces become NULs). */
static size_t split_words(char *s, char ***words) {
    size_t n = 0, cap = 16;
    char **w = malloc(cap * sizeof *w);
    if (!w) return 0;
    for (char *p = strtok(s, " "); p; p = strtok(NULL, " ")) {
        if (n == cap) {
            char **bigger = realloc(w, (cap *= 2) * sizeof *w);
            if (!bigger) break;
            w = bigger;
        }
        w[n++] = p;
    }
    *words = w;
    return n;
}

/* Do the n-grams at a[i..] and b[j..] match? */
static bool same_ngram(char **a, size_t i, char **b, size_t j, size_t n) {
    for (size_t k = 0; k < n; k++)
        if (strcmp(a[i + k], b[j + k])) return false;
    return true;
}

/* Occurrences of the n-gram w[i..i+n) in v (of length m). */
static size_t count_ngram(char **w, size_t i, char **v, size_t m, size_t n) {
    size_t c = 0;
    for (size_t j = 0; j + n <= m; j++) c += same_ngram(w, i, v, j, n);
    return c;
}

int bleu_add(bleu_stats *st, const char *hyp, const char *const *refs, size_t n_refs, bleu_tokenizer tok) {
    char *h = bleu_tokenize(hyp, tok);
    if (!h) return -1;
    char **hw = NULL;
    size_t hn = split_words(h, &hw);
    char **rtext = calloc(n_refs ? n_refs : 1, sizeof *rtext);
    char ***rw = calloc(n_refs ? n_refs : 1, sizeof *rw);
    size_t *rn = calloc(n_refs ? n_refs : 1, sizeof *rn);
    int rc = -1;
    if (!rtext || !rw || !rn) goto done;
    /* the closest reference length (the shorter one on a tie) */
    double closest = -1;
    for (size_t r = 0; r < n_refs; r++) {
        if (!(rtext[r] = bleu_tokenize(refs[r], tok))) goto done;
        rn[r] = split_words(rtext[r], &rw[r]);
        double diff = fabs((double)rn[r] - (double)hn);
        if (closest < 0 || diff < fabs(closest - (double)hn) || (diff == fabs(closest - (double)hn) && rn[r] < closest))
            closest = (double)rn[r];
    }
    st->sys_len += (double)hn;
    st->ref_len += closest < 0 ? 0 : closest;
    for (size_t n = 1; n <= 4; n++) {
        if (hn < n) continue;
        st->total[n - 1] += (double)(hn - n + 1);
        /* each distinct hypothesis n-gram: min(its count, the most any reference has) */
        for (size_t i = 0; i + n <= hn; i++) {
            bool seen = false;
            for (size_t k = 0; k < i && !seen; k++) seen = same_ngram(hw, k, hw, i, n);
            if (seen) continue;
            size_t mine = count_ngram(hw, i, hw, hn, n), most = 0;
            for (size_t r = 0; r < n_refs; r++) {
                size_t c = count_ngram(hw, i, rw[r], rn[r], n);
                if (c > most) most = c;
            }
            st->correct[n - 1] += (double)(mine < most ? mine : most);
        }
    }
    rc = 0;
done:
    for (size_t r = 0; rtext && r < n_refs; r++) {
        free(rtext[r]);
        if (rw) free(rw[r]);
    }
    free(rtext);
    free(rw);
    free(rn);
    free(hw);
    free(h);
    return rc;
}

double bleu_score(const bleu_stats *st, bleu_smooth smooth, double smooth_value, bool effective_order) {
    double correct[4], total[4], precisions[4] = {0, 0, 0, 0};
    memcpy(correct, st->correct, sizeof correct);
    memcpy(total, st->total, sizeof total);
    if (smooth_value < 0) smooth_value = smooth == BLEU_SMOOTH_FLOOR ? 0.1 : 1.0;
    double bp = 1.0;
    if (st->sys_len < st->ref_len) bp = st->sys_len > 0 ? exp(1.0 - st->ref_len / st->sys_len) : 0.0;
    bool any = false;
    for (int n = 0; n < 4; n++) any = any || correct[n] > 0;
    if (!any) return 0.0;
    double smooth_mteval = 1.0;
    int eff_order = 4;
    for (int n = 1; n <= 4; n++) {
        if (smooth == BLEU_SMOOTH_ADD_K && n > 1) {
            correct[n - 1] += smooth_value;
            total[n - 1] += smooth_value;
        }
        if (total[n - 1] == 0) break;
        if (effective_order) eff_order = n;
        if (correct[n - 1] == 0) {
            if (smooth == BLEU_SMOOTH_EXP) {
                smooth_mteval *= 2;
                precisions[n - 1] = 100.0 / (smooth_mteval * total[n - 1]);
            } else if (smooth == BLEU_SMOOTH_FLOOR) {
                precisions[n - 1] = 100.0 * smooth_value / total[n - 1];
            }
        } else {
            precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
        }
    }
    double sum = 0;
    for (int n = 0; n < eff_order; n++) sum += precisions[n] > 0 ? log(precisions[n]) : -9999999999.0;
    return bp * exp(sum / eff_order);
}

double bleu_sentence_lm_eval(const char *hyp, const char *ref) {
    bleu_stats st = {0};
    if (bleu_add(&st, hyp, &ref, 1, BLEU_TOK_INTL)) return NAN;
    return bleu_score(&st, BLEU_SMOOTH_EXP, 0.0, false);
}
