/*
 * gen_options.h — the generation controls shared by `mote chat` and
 * `mote run` (and later the server): sampling (-n --temp --top-k --top-p
 * --min-p --repeat-penalty --repeat-last-n --presence-penalty
 * --frequency-penalty --seed), context and threads (-c -t), stop strings
 * (--stop), and the output switches (--color --verbose --verbose-prompt).
 * Defaults are llama.cpp's.
 */
#ifndef MOTE_CLI_GEN_OPTIONS_H
#define MOTE_CLI_GEN_OPTIONS_H

#include <stdio.h>

#include "chat/session.h"
#include "mote.h"

typedef struct {
    chat_gen_params gen;  /* sampling, -n, -c, -t, --stop, --verbose-prompt */
    bool color, verbose;
} gen_options;

void gen_options_default(gen_options *o);

/* If argv[*i] is a generation option, consume it (and its value), advance *i
 * past it and return 1; return 0 if it is not one; on a bad value print
 * "mote <cmd>: ..." and return -1. */
int gen_options_parse(gen_options *o, const char *cmd, int argc, char **argv, int *i);

/* Set one sampling parameter by name as /set does ("temperature", "temp",
 * "top_k", "top-k", ...); returns false (with a message) for an unknown
 * name or a bad value. */
bool gen_options_set(gen_options *o, const char *name, const char *value, char *err, size_t err_size);

/* The option lines for a command's --help. */
void gen_options_help(FILE *out);
/* The sampling parameters in one line (for /show and --verbose). */
void gen_options_print(const gen_options *o, FILE *out);

#endif
