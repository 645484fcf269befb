/*
 * jsonl.h — reading a JSON-lines file (one JSON object per line), with
 * errors that name the file and the line.
 */
#ifndef MOTE_EVAL_JSONL_H
#define MOTE_EVAL_JSONL_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct {
    cJSON **rows;   /* one object per non-blank line */
    size_t *line;   /* its 1-based line number */
    size_t n;
} jsonl_file;

/* Read every line of path. Blank lines are skipped; a line that is not a
 * JSON object, or a file with no rows, is an error "PATH:LINE: ..." (or
 * "PATH: ...") in err. Returns 0 or -1. */
int jsonl_read(const char *path, jsonl_file *out, char *err, size_t err_size);
void jsonl_free(jsonl_file *f);

/* Member `name` of row i as a string, else NULL with err "PATH:LINE: no string \"name\"". */
const char *jsonl_str(const jsonl_file *f, size_t i, const char *path, const char *name, char *err, size_t err_size);

#endif
