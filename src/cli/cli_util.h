/*
 * cli_util.h — small helpers shared by the subcommands.
 */
#ifndef MOTE_CLI_UTIL_H
#define MOTE_CLI_UTIL_H

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

#endif
