/*
 * gtext.h — a growable text buffer for the code that writes GBNF (the JSON
 * Schema converter, the tool-call grammars). An allocation failure sets
 * `failed` and later appends do nothing, so writers check once at the end.
 */
#ifndef MOTE_GRAMMAR_GTEXT_H
#define MOTE_GRAMMAR_GTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef struct {
    char *s;      /* NUL-terminated when not NULL */
    size_t len, cap;
    bool failed;
} gtext;

void gt_add(gtext *t, const char *s, size_t n);
void gt_str(gtext *t, const char *s);
void gt_fmt(gtext *t, const char *fmt, ...) MOTE_PRINTF(2, 3);
/* A GBNF literal "..." for n bytes of text (quotes, backslashes and control characters escaped). */
void gt_literal(gtext *t, const char *s, size_t n);
/* Copy at most cap-1 bytes of src into dst with control characters shown as
 * '?', so that user text can go into a one-line error message. */
const char *gt_printable(char *dst, size_t cap, const char *src, size_t len);
/* Take the text (the caller frees it) and leave t empty. */
char *gt_take(gtext *t);
void gt_free(gtext *t);

#endif
