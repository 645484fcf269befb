/*
 * cli_util.h — small helpers shared by the subcommands.
 */
#ifndef MOTE_CLI_UTIL_H
#define MOTE_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mote.h"

/* A whole file ("-": standard input), NUL-terminated, malloc'd; its length
 * (without the terminator) in *len if len != NULL. NULL if it cannot be read. */
char *cli_read_file(const char *path, size_t *len);

/* Parse a whole number from 1 to INT32_MAX for option `flag` of command
 * `cmd`; on failure print "mote <cmd>: ..." and return -1. */
int cli_parse_count(const char *cmd, const char *flag, const char *s, long *out);

/* For commands that evaluate a whole text (perplexity, imatrix): load the
 * model and its vocabulary and tokenize the text file with BOS first. On
 * failure print "mote <cmd>: ..." and return non-zero; what was loaded is
 * left in the out-parameters for the caller to free as usual. */
int cli_load_model_and_text(const char *cmd, const char *model_path, const char *text_path, mote_model **model,
                            mote_vocab **vocab, int32_t **tokens, size_t *n_tokens);

/* The context of such a whole-text evaluation: n_ctx as given, or for 0 the
 * model's trained context capped at 4096 (4096 when the model names none). */
long cli_text_ctx(const mote_model *model, long n_ctx);

#endif

/* --- shared by the generating commands (run, chat) ------------------------ */

#include <stdio.h>

/* "eos", "stop", "length", "context", "cancel", "error" ("" for NONE). */
const char *cli_stop_reason_name(mote_stop_reason r);

/* Warn (one line on stderr) when the context is larger than the one the
 * model was trained with, as llama.cpp does. */
void cli_warn_ctx(const char *cmd, const mote_model *m, int32_t n_ctx);

/* One answer as one JSON line: {"text", "stop_reason", "tokens": {"prompt",
 * "generated"}, "timings": {"load_ms", "prompt_ms", "eval_ms",
 * "prompt_per_second", "eval_per_second"}} (and "tool_calls" when set). 0 on success. */
typedef struct {
    const char *text;
    size_t len;
    mote_stop_reason stop;
    int32_t n_prompt, n_eval;
    int64_t load_ns, prompt_ns, eval_ns;
    const char *tool_calls_json; /* with --tools: the calls as a JSON array, added as "tool_calls" (NULL: none) */
} cli_answer;
int cli_print_answer_json(FILE *out, const cli_answer *a);

/* A growing text (an answer collected for --json or batch mode). After a
 * failed allocation it stops growing and `failed` is set. */
typedef struct {
    char *p;
    size_t len, cap;
    bool failed;
} cli_text;

/* Append n bytes (NUL-terminated after them); false when memory ran out. */
bool cli_text_add(cli_text *b, const char *s, size_t n);
/* The same as a chat_text_fn: user is the cli_text. */
void cli_text_collect(const char *text, size_t len, void *user);

/* Print the stop reason line of --verbose. */
void cli_print_stop_reason(FILE *out, mote_stop_reason r);

/* Same file (same path, or the same device and inode)? False if either
 * cannot be looked at. */
bool cli_same_file(const char *a, const char *b);

/* A size in bytes as people write it: "1G", "512M", "1.5g", "300000K",
 * "250MB", "123456" (K, M, G are powers of 1024). 0 on anything else. */
uint64_t cli_parse_size(const char *s);

/* True if `path` can be created or overwritten (checked without changing it). */
bool cli_can_write(const char *path);
