/*
 * text.h — text helpers for the evaluation code: a growable byte buffer,
 * UTF-8 walking, and string operations that behave as Python's str methods
 * do (strip, lower, isupper, islower), because the reference scorers of the
 * benchmarks are written in Python and their results hinge on those rules.
 */
#ifndef MOTE_EVAL_TEXT_H
#define MOTE_EVAL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable NUL-terminated byte string. Zero-initialise ({0}); free with text_buf_free. */
typedef struct {
    char *s;
    size_t len, cap;
} text_buf;

/* Append n bytes (or a C string); returns 0, or -1 when memory runs out. */
int text_buf_add(text_buf *b, const char *s, size_t n);
int text_buf_adds(text_buf *b, const char *s);
/* printf-style append. */
int text_buf_printf(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_buf_free(text_buf *b);

/* Decode the code point at s[*i] (len bytes in all), advancing *i; a byte
 * that is not valid UTF-8 is returned as itself (0x80..0xff) and skipped. */
int32_t text_next_cp(const char *s, size_t len, size_t *i);

/* Python's str.isspace for one code point. */
bool text_py_isspace(int32_t cp);
/* Python's str.strip(): the span [*b, *e) of s without leading and trailing whitespace. */
void text_py_strip(const char *s, size_t len, size_t *b, size_t *e);
/* Python's str.lower() (simple case mapping), malloc'd; *out_len its length. NULL on no memory. */
char *text_py_lower(const char *s, size_t len, size_t *out_len);
/* Python's str.isupper() / str.islower(): at least one cased character and
 * all cased characters upper (lower) case. */
bool text_py_isupper(const char *s, size_t len);
bool text_py_islower(const char *s, size_t len);
/* Is the code point a letter or digit of any script (Python's isalnum), or '_': Python's \w. */
bool text_is_word_cp(int32_t cp);
/* Number of Python `\w+` runs in s (the IFEval word count). */
size_t text_count_words(const char *s, size_t len);

/* A malloc'd NUL-terminated copy of n bytes; NULL on no memory. */
char *text_dup(const char *s, size_t n);

#endif
