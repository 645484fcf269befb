/*
 * csv.h — reading a CSV file as RFC 4180 writes it (quoted fields with
 * doubled quotes and line breaks inside, CRLF or LF line ends, a UTF-8 BOM,
 * no final newline), with errors that name the file and the line.
 */
#ifndef MOTE_EVAL_CSV_H
#define MOTE_EVAL_CSV_H

#include <stddef.h>

typedef struct {
    char **fields;   /* n_fields NUL-terminated strings */
    size_t n_fields;
    size_t line;     /* 1-based line where the row starts */
} csv_row;

typedef struct {
    csv_row *rows;
    size_t n;
} csv_file;

/* Read every row of path. Errors (unreadable file, a quote left open) are
 * "PATH:LINE: ..." in err. An empty file gives 0 rows (the caller decides). */
int csv_read(const char *path, csv_file *out, char *err, size_t err_size);
void csv_free(csv_file *f);

#endif
