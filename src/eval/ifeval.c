/*
 * ifeval.c — IFEval: loading the prompts, running the checkers on a
 * response (strict and loose, as evaluation_lib.py of the reference does),
 * and adding up the accuracies.
 */
#include "eval/ifeval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/ifeval_internal.h"
#include "eval/text.h"

static const ifeval_checker *const groups[] = {ifeval_format_checkers, ifeval_length_checkers,
                                               ifeval_words_checkers, ifeval_case_checkers};

static const ifeval_checker *find_checker(const char *id) {
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (const ifeval_checker *c = groups[g]; c->id; c++)
            if (!strcmp(c->id, id)) return c;
    return NULL;
}

bool ifeval_knows(const char *id) { return find_checker(id) != NULL; }

const char *const *ifeval_instruction_ids(void) {
    static const char *ids[64];
    if (!ids[0]) {
        size_t n = 0;
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
            for (const ifeval_checker *c = groups[g]; c->id && n < 63; c++) ids[n++] = c->id;
    }
    return ids;
}

int ifeval_load(const char *path, ifeval_data *out, char *err, size_t es) {
    memset(out, 0, sizeof *out);
    if (jsonl_read(path, &out->file, err, es)) return -1;
    out->items = calloc(out->file.n, sizeof *out->items);
    if (!out->items) goto nomem;
    for (size_t i = 0; i < out->file.n; i++) {
        const cJSON *row = out->file.rows[i];
        ifeval_item *it = &out->items[i];
        size_t line = out->file.line[i];
        it->line = line;
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(row, "key");
        it->key = cJSON_IsNumber(key) ? (long)key->valuedouble : (long)i;
        if (!(it->prompt = jsonl_str(&out->file, i, path, "prompt", err, es))) goto fail;
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(row, "instruction_id_list");
        const cJSON *kws = cJSON_GetObjectItemCaseSensitive(row, "kwargs");
        if (!cJSON_IsArray(ids) || !cJSON_IsArray(kws)) {
            snprintf(err, es, "%s:%zu: needs lists \"instruction_id_list\" and \"kwargs\"", path, line);
            goto fail;
        }
        it->n = (size_t)cJSON_GetArraySize(ids);
        if ((size_t)cJSON_GetArraySize(kws) != it->n) {
            snprintf(err, es, "%s:%zu: \"kwargs\" has %d entries for %zu instructions", path, line,
                     cJSON_GetArraySize(kws), it->n);
            goto fail;
        }
        it->ids = calloc(it->n ? it->n : 1, sizeof *it->ids);
        it->kwargs = calloc(it->n ? it->n : 1, sizeof *it->kwargs);
        if (!it->ids || !it->kwargs) goto nomem;
        for (size_t k = 0; k < it->n; k++) {
            const cJSON *id = cJSON_GetArrayItem(ids, (int)k);
            const cJSON *kw = cJSON_GetArrayItem(kws, (int)k);
            if (!cJSON_IsString(id) || !cJSON_IsObject(kw)) {
                snprintf(err, es, "%s:%zu: instruction %zu needs a string id and an object of arguments", path, line,
                         k + 1);
                goto fail;
            }
            if (!ifeval_knows(id->valuestring)) {
                snprintf(err, es, "%s:%zu: unknown instruction id '%s'", path, line, id->valuestring);
                goto fail;
            }
            it->ids[k] = id->valuestring;
            it->kwargs[k] = kw;
        }
    }
    out->n = out->file.n;
    return 0;
nomem:
    snprintf(err, es, "%s: out of memory", path);
fail:
    out->n = out->file.n;
    ifeval_free(out);
    return -1;
}

void ifeval_free(ifeval_data *d) {
    if (d->items)
        for (size_t i = 0; i < d->n; i++) {
            free(d->items[i].ids);
            free(d->items[i].kwargs);
        }
    free(d->items);
    jsonl_free(&d->file);
    memset(d, 0, sizeof *d);
}

/* A response counts only when it is not blank and the checker says so. */
static int followed(const ifeval_checker *c, const cJSON *kw, const char *prompt, const char *s, size_t len,
                    char *err, size_t es) {
    size_t b, e;
    text_py_strip(s, len, &b, &e);
    if (e == b) return 0;
    return c->check(kw, prompt, s, len, err, es);
}

/* The eight texts of the loose check: the response, without its first line,
 * without its last, without both (each stripped), and each of those with
 * every '*' removed. */
static int loose_variants(const char *r, char *out[8]) {
    size_t len = strlen(r);
    const char *first_nl = strchr(r, '\n');
    const char *last_nl = strrchr(r, '\n');
    size_t b, e;
    /* spans of "\n".join(r[1:]), r[:-1], r[1:-1] */
    size_t rf_b = first_nl ? (size_t)(first_nl - r) + 1 : len, rf_e = len;
    size_t rl_b = 0, rl_e = last_nl ? (size_t)(last_nl - r) : 0;
    size_t rb_b = rf_b, rb_e = last_nl && last_nl != first_nl ? (size_t)(last_nl - r) : rf_b;
    if (!first_nl) rl_e = 0;
    size_t spans[4][2] = {{0, len}, {rf_b, rf_e}, {rl_b, rl_e}, {rb_b, rb_e}};
    for (int k = 0; k < 4; k++) {
        const char *p = r + spans[k][0];
        size_t n = spans[k][1] - spans[k][0];
        if (k) {
            text_py_strip(p, n, &b, &e);
            p += b;
            n = e - b;
        }
        out[2 * k] = text_dup(p, n);
        char *no_star = malloc(n + 1);
        if (!out[2 * k] || !no_star) {
            free(no_star);
            return -1;
        }
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i] != '*') no_star[m++] = p[i];
        no_star[m] = '\0';
        out[2 * k + 1] = no_star;
    }
    return 0;
}

int ifeval_check(const ifeval_item *it, const char *response, bool *strict, bool *loose, char *err, size_t es) {
    char *variants[8] = {0};
    int rc = -1;
    size_t k = 0;
    if (loose_variants(response, variants)) {
        snprintf(err, es, "out of memory");
        goto done;
    }
    for (k = 0; k < it->n; k++) {
        const ifeval_checker *c = find_checker(it->ids[k]);
        int s = followed(c, it->kwargs[k], it->prompt, response, strlen(response), err, es);
        if (s < 0) goto bad;
        strict[k] = s;
        loose[k] = false;
        for (int v = 0; v < 8 && !loose[k]; v++) {
            int l = followed(c, it->kwargs[k], it->prompt, variants[v], strlen(variants[v]), err, es);
            if (l < 0) goto bad;
            loose[k] = l;
        }
    }
    rc = 0;
    goto done;
bad: {
    char why[256];
    snprintf(why, sizeof why, "%s", err);
    snprintf(err, es, "instruction %zu (%s): %s", k + 1, it->ids[k], why);
}
done:
    for (int v = 0; v < 8; v++) free(variants[v]);
    return rc;
}

void ifeval_totals_add(ifeval_totals *t, size_t n, const bool *strict, const bool *loose) {
    bool all_s = true, all_l = true;
    for (size_t k = 0; k < n; k++) {
        t->strict_instructions += strict[k];
        t->loose_instructions += loose[k];
        all_s = all_s && strict[k];
        all_l = all_l && loose[k];
    }
    t->prompts++;
    t->instructions += n;
    t->strict_prompts += all_s;
    t->loose_prompts += all_l;
}
