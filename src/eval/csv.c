/*
 * csv.c — see csv.h.
 */
#include "eval/csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/text.h"

/* Read a whole file, NUL-terminated. */
static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    text_buf b = {0};
    char chunk[65536];
    size_t got;
    text_buf_add(&b, "", 0);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (text_buf_add(&b, chunk, got)) {
            text_buf_free(&b);
            break;
        }
    if (ferror(f)) text_buf_free(&b);
    fclose(f);
    if (b.s) *len = b.len;
    return b.s;
}

static int add_field(csv_row *r, text_buf *field) {
    char **f = realloc(r->fields, (r->n_fields + 1) * sizeof *f);
    if (!f) return -1;
    r->fields = f;
    f[r->n_fields++] = field->s ? field->s : text_dup("", 0);
    memset(field, 0, sizeof *field);
    return f[r->n_fields - 1] ? 0 : -1;
}

static int add_row(csv_file *out, csv_row *r) {
    csv_row *rows = realloc(out->rows, (out->n + 1) * sizeof *rows);
    if (!rows) return -1;
    out->rows = rows;
    rows[out->n++] = *r;
    memset(r, 0, sizeof *r);
    return 0;
}

int csv_read(const char *path, csv_file *out, char *err, size_t es) {
    memset(out, 0, sizeof *out);
    size_t len;
    char *s = slurp(path, &len);
    if (!s) {
        snprintf(err, es, "cannot read '%s': %s", path, errno ? strerror(errno) : "out of memory");
        return -1;
    }
    size_t i = 0, line = 1, quote_line = 0;
    if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) i = 3;
    csv_row row = {0};
    text_buf field = {0};
    bool quoted = false, row_started = false;
    int rc = 0;
    row.line = 1;
    while (i < len && !rc) {
        char c = s[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < len && s[i + 1] == '"') {
                    rc = text_buf_add(&field, "\"", 1);
                    i += 2;
                    continue;
                }
                quoted = false;
            } else {
                if (c == '\n') line++;
                rc = text_buf_add(&field, &c, 1);
            }
            i++;
            continue;
        }
        if (c == '"') {
            quoted = true;
            quote_line = line;
            row_started = true;
            if (!field.s) rc = text_buf_add(&field, "", 0);
        } else if (c == ',') {
            rc = add_field(&row, &field);
            row_started = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < len && s[i + 1] == '\n') i++;
            if (row_started || field.len) {
                rc = add_field(&row, &field);
                if (!rc) rc = add_row(out, &row);
            }
            row_started = false;
            line++;
            row.line = line;
        } else {
            rc = text_buf_add(&field, &c, 1);
            row_started = true;
        }
        i++;
    }
    if (!rc && quoted) {
        snprintf(err, es, "%s:%zu: a quoted field is never closed", path, quote_line);
        rc = -2;
    } else if (!rc && (row_started || field.len)) {
        rc = add_field(&row, &field);
        if (!rc) rc = add_row(out, &row);
    }
    if (rc == -1) snprintf(err, es, "%s: out of memory", path);
    text_buf_free(&field);
    for (size_t k = 0; k < row.n_fields; k++) free(row.fields[k]);
    free(row.fields);
    free(s);
    if (rc) {
        csv_free(out);
        return -1;
    }
    return 0;
}

void csv_free(csv_file *f) {
    for (size_t r = 0; r < f->n; r++) {
        for (size_t k = 0; k < f->rows[r].n_fields; k++) free(f->rows[r].fields[k]);
        free(f->rows[r].fields);
    }
    free(f->rows);
    memset(f, 0, sizeof *f);
}
