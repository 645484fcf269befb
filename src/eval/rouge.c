/*
 * rouge.c — ROUGE-N, ROUGE-L and ROUGE-Lsum as Google's rouge_score package
 * computes them (read as a reference, see metrics.h): its default tokenizer
 * (lower case, runs of [a-z0-9]), n-gram overlap with counts, and the LCS
 * with its backtracking order for Lsum's union of subsequences.
 */
#include <stdlib.h>
#include <string.h>

#include "eval/metrics.h"
#include "eval/text.h"

typedef struct {
    char **w;
    size_t n;
    char *buf;
} tokens;

/* rouge_score's tokenizer over bytes [s, s+len). */
static tokens tokenize(const char *s, size_t len) {
    tokens t = {0};
    size_t ll;
    char *low = text_py_lower(s, len, &ll);
    if (!low) return t;
    size_t cap = 16;
    t.w = malloc(cap * sizeof *t.w);
    t.buf = low;
    if (!t.w) return t;
    size_t i = 0;
    while (i < ll) {
        while (i < ll && !((low[i] >= 'a' && low[i] <= 'z') || (low[i] >= '0' && low[i] <= '9'))) low[i++] = '\0';
        if (i >= ll) break;
        if (t.n == cap) {
            char **bigger = realloc(t.w, (cap *= 2) * sizeof *t.w);
            if (!bigger) break;
            t.w = bigger;
        }
        t.w[t.n++] = low + i;
        while (i < ll && ((low[i] >= 'a' && low[i] <= 'z') || (low[i] >= '0' && low[i] <= '9'))) i++;
        if (i < ll) low[i++] = '\0';
    }
    return t;
}

static void tokens_free(tokens *t) {
    free(t->w);
    free(t->buf);
}

static rouge_score fmeasure(double hits, double n_pred, double n_target) {
    rouge_score r = {0, 0, 0};
    r.precision = n_pred > 0 ? hits / n_pred : 0;
    r.recall = n_target > 0 ? hits / n_target : 0;
    if (r.precision + r.recall > 0) r.fmeasure = 2 * r.precision * r.recall / (r.precision + r.recall);
    return r;
}

static bool same_gram(char **a, size_t i, char **b, size_t j, int n) {
    for (int k = 0; k < n; k++)
        if (strcmp(a[i + (size_t)k], b[j + (size_t)k])) return false;
    return true;
}

static size_t count_gram(char **w, size_t i, char **v, size_t m, int n) {
    size_t c = 0;
    for (size_t j = 0; j + (size_t)n <= m; j++) c += same_gram(w, i, v, j, n);
    return c;
}

rouge_score rouge_n(const char *target, const char *prediction, int n) {
    tokens t = tokenize(target, strlen(target)), p = tokenize(prediction, strlen(prediction));
    size_t nt = t.n >= (size_t)n ? t.n - (size_t)n + 1 : 0, np = p.n >= (size_t)n ? p.n - (size_t)n + 1 : 0;
    double hits = 0;
    for (size_t i = 0; i < np; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) seen = same_gram(p.w, k, p.w, i, n);
        if (seen) continue;
        size_t a = count_gram(p.w, i, p.w, p.n, n), b = count_gram(p.w, i, t.w, t.n, n);
        hits += (double)(a < b ? a : b);
    }
    tokens_free(&t);
    tokens_free(&p);
    return fmeasure(hits, (double)np, (double)nt);
}

/* The LCS table of ref (m) and can (n): (m+1) x (n+1), malloc'd. */
static size_t *lcs_table(char **ref, size_t m, char **can, size_t n) {
    size_t *t = calloc((m + 1) * (n + 1), sizeof *t);
    if (!t) return NULL;
    for (size_t i = 1; i <= m; i++)
        for (size_t j = 1; j <= n; j++) {
            size_t *cell = &t[i * (n + 1) + j];
            if (!strcmp(ref[i - 1], can[j - 1])) *cell = t[(i - 1) * (n + 1) + j - 1] + 1;
            else {
                size_t up = t[(i - 1) * (n + 1) + j], left = t[i * (n + 1) + j - 1];
                *cell = up > left ? up : left;
            }
        }
    return t;
}

rouge_score rouge_l(const char *target, const char *prediction) {
    tokens t = tokenize(target, strlen(target)), p = tokenize(prediction, strlen(prediction));
    rouge_score r = {0, 0, 0};
    if (t.n && p.n) {
        size_t *tab = lcs_table(t.w, t.n, p.w, p.n);
        if (tab) r = fmeasure((double)tab[t.n * (p.n + 1) + p.n], (double)p.n, (double)t.n);
        free(tab);
    }
    tokens_free(&t);
    tokens_free(&p);
    return r;
}

/* Mark in `in_lcs` the ref positions of the LCS of ref and can, walking the
 * table back from the end as rouge_score does (diagonal on a match, else
 * left when it is strictly larger, else up). */
static void mark_lcs(char **ref, size_t m, char **can, size_t n, bool *in_lcs) {
    size_t *t = lcs_table(ref, m, can, n);
    if (!t) return;
    size_t i = m, j = n;
    while (i > 0 && j > 0) {
        if (!strcmp(ref[i - 1], can[j - 1])) {
            in_lcs[i - 1] = true;
            i--;
            j--;
        } else if (t[i * (n + 1) + j - 1] > t[(i - 1) * (n + 1) + j]) {
            j--;
        } else {
            i--;
        }
    }
    free(t);
}

/* The non-empty lines of s, each tokenized. */
static size_t lines(const char *s, tokens **out) {
    size_t n = 0, cap = 8;
    tokens *l = malloc(cap * sizeof *l);
    if (!l) return 0;
    const char *p = s;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len) {
            if (n == cap) {
                tokens *bigger = realloc(l, (cap *= 2) * sizeof *l);
                if (!bigger) break;
                l = bigger;
            }
            l[n++] = tokenize(p, len);
        }
        if (!nl) break;
        p = nl + 1;
    }
    *out = l;
    return n;
}

/* How many tokens of the n lines equal `word`. */
static size_t count_word(tokens *ls, size_t n, const char *word) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < ls[i].n; k++) c += !strcmp(ls[i].w[k], word);
    return c;
}

rouge_score rouge_lsum(const char *target, const char *prediction) {
    tokens *ref = NULL, *can = NULL;
    size_t nr = lines(target, &ref), nc = lines(prediction, &can), m = 0, n = 0;
    for (size_t i = 0; i < nr; i++) m += ref[i].n;
    for (size_t i = 0; i < nc; i++) n += can[i].n;
    rouge_score r = {0, 0, 0};
    if (m && n) {
        /* words used up so far, per distinct word: a small list of (word, used in ref, used in can) */
        size_t used_cap = m + n, n_used = 0;
        const char **used_w = calloc(used_cap, sizeof *used_w);
        size_t *used_r = calloc(used_cap, sizeof *used_r), *used_c = calloc(used_cap, sizeof *used_c);
        double hits = 0;
        for (size_t i = 0; used_w && used_r && used_c && i < nr; i++) {
            bool *in = calloc(ref[i].n ? ref[i].n : 1, sizeof *in);
            if (!in) break;
            for (size_t c = 0; c < nc; c++) mark_lcs(ref[i].w, ref[i].n, can[c].w, can[c].n, in);
            for (size_t k = 0; k < ref[i].n; k++) {
                if (!in[k]) continue;
                const char *w = ref[i].w[k];
                size_t u = 0;
                while (u < n_used && strcmp(used_w[u], w)) u++;
                if (u == n_used) used_w[n_used++] = w;
                if (count_word(can, nc, w) > used_c[u] && count_word(ref, nr, w) > used_r[u]) {
                    hits++;
                    used_c[u]++;
                    used_r[u]++;
                }
            }
            free(in);
        }
        free(used_w);
        free(used_r);
        free(used_c);
        r = fmeasure(hits, (double)n, (double)m);
    }
    for (size_t i = 0; i < nr; i++) tokens_free(&ref[i]);
    for (size_t i = 0; i < nc; i++) tokens_free(&can[i]);
    free(ref);
    free(can);
    return r;
}
