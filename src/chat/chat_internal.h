/*
 * chat_internal.h — what the chat formatters share: a growing output
 * string, Python-compatible trimming (the Jinja templates use str.strip()),
 * and the signature every family's formatter has.
 *
 * chat_text.c     the string builder and the trims
 * chat_formats.c  one formatter per family, each the C reading of that
 *                 family's Jinja template
 * chat_template.c the table of families: names, aliases, detection, stop
 *                 strings, and the public entry points
 */
#ifndef MOTE_CHAT_INTERNAL_H
#define MOTE_CHAT_INTERNAL_H

#include <stddef.h>

#include "mote.h"

/* A malloc'd string that grows as text is appended. On allocation failure
 * `failed` is set and further appends do nothing, so formatters append
 * freely and check once at the end. */
typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} chat_buf;

void chat_buf_add(chat_buf *b, const char *s);
void chat_buf_add_n(chat_buf *b, const char *s, size_t n);

/* A slice of a string (not NUL-terminated). */
typedef struct {
    const char *p;
    size_t n;
} chat_span;

chat_span chat_span_of(const char *s);
/* Without leading and trailing whitespace, as Python's str.strip() (and so
 * Jinja's `trim`) understands it: ASCII whitespace, \x1c-\x1f and the Unicode
 * spaces in UTF-8. */
chat_span chat_strip(chat_span s);
/* Only the leading / only the trailing whitespace (str.lstrip() / str.rstrip()). */
chat_span chat_lstrip(chat_span s);
chat_span chat_rstrip(chat_span s);
/* Whether a whitespace character (as above) starts at p; *len its bytes. */
bool chat_is_space(const char *p, size_t n, size_t *len);
/* Without leading / trailing newlines only (Python's strip('\n')). */
chat_span chat_lstrip_nl(chat_span s);
chat_span chat_rstrip_nl(chat_span s);
void chat_buf_add_span(chat_buf *b, chat_span s);

/* One family's formatter: appends the conversation to `out`; returns
 * MOTE_OK or a mote_fail() status for a conversation the template refuses. */
typedef int (*chat_formatter)(chat_buf *out, const mote_chat_message *m, size_t n, bool add_generation_prompt,
                              const mote_chat_options *opt);

int chat_format_llama3(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);
int chat_format_llama31(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);
int chat_format_gemma(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);
int chat_format_qwen3(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);
int chat_format_chatml(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);
int chat_format_smollm2(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);
int chat_format_phi3(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);
int chat_format_phi4_mini(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);
int chat_format_zephyr(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);
int chat_format_none(chat_buf *, const mote_chat_message *, size_t, bool, const mote_chat_options *);

#endif
