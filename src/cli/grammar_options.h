/*
 * grammar_options.h — the command-line options that constrain answers with
 * a grammar (--grammar, --grammar-file, --json-mode, --json-schema,
 * --json-schema-file), shared by `mote run` and `mote chat` through
 * gen_options.
 */
#ifndef MOTE_CLI_GRAMMAR_OPTIONS_H
#define MOTE_CLI_GRAMMAR_OPTIONS_H

#include <stdio.h>

#include "chat/session.h"

/* If argv[*i] is a grammar option, build the grammar into p->grammar (it
 * lives until the process exits), advance *i past it and return 1; 0 if it
 * is not one; -1 after printing "mote <cmd>: ..." on a bad value. */
int grammar_options_parse(chat_gen_params *p, const char *cmd, int argc, char **argv, int *i);

void grammar_options_help(FILE *out);

/* The message for an answer cut at the token limit before the grammar was
 * complete (printed to stderr). */
void grammar_options_report_cut(const char *cmd, int32_t n_predict);

#endif
