/*
 * jsonl.c — see jsonl.h.
 */
#include "eval/jsonl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/text.h"

int jsonl_read(const char *path, jsonl_file *out, char *err, size_t es) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, es, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, n_cap = 0, lineno = 0;
    ssize_t got;
    int rc = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t n = (size_t)got;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
        size_t b, e;
        text_py_strip(line, n, &b, &e);
        if (e == b) continue;
        line[n] = '\0';
        cJSON *row = cJSON_ParseWithOpts(line, NULL, 1);
        if (!cJSON_IsObject(row)) {
            snprintf(err, es, "%s:%zu: %s", path, lineno, row ? "not a JSON object" : "not valid JSON");
            cJSON_Delete(row);
            rc = -1;
            break;
        }
        if (out->n == n_cap) {
            n_cap = n_cap ? 2 * n_cap : 256;
            cJSON **r = realloc(out->rows, n_cap * sizeof *r);
            size_t *l = r ? realloc(out->line, n_cap * sizeof *l) : NULL;
            if (r) out->rows = r;
            if (l) out->line = l;
            if (!r || !l) {
                snprintf(err, es, "%s: out of memory", path);
                cJSON_Delete(row);
                rc = -1;
                break;
            }
        }
        out->rows[out->n] = row;
        out->line[out->n++] = lineno;
    }
    if (!rc && ferror(f)) {
        snprintf(err, es, "cannot read '%s': %s", path, strerror(errno));
        rc = -1;
    }
    if (!rc && out->n == 0) {
        snprintf(err, es, "%s: empty file (no JSON lines)", path);
        rc = -1;
    }
    free(line);
    fclose(f);
    if (rc) jsonl_free(out);
    return rc;
}

void jsonl_free(jsonl_file *f) {
    for (size_t i = 0; i < f->n; i++) cJSON_Delete(f->rows[i]);
    free(f->rows);
    free(f->line);
    memset(f, 0, sizeof *f);
}

const char *jsonl_str(const jsonl_file *f, size_t i, const char *path, const char *name, char *err, size_t es) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(f->rows[i], name);
    if (cJSON_IsString(v)) return v->valuestring;
    snprintf(err, es, "%s:%zu: no string \"%s\"", path, f->line[i], name);
    return NULL;
}
