/*
 * gen_options.h — the generation controls shared by `mote chat` and
 * `mote run` (and later the server): sampling (-n --temp --top-k --top-p
 * --min-p --repeat-penalty --repeat-last-n --presence-penalty
 * --frequency-penalty -s), context and threads (-c -t), stop strings
 * (--stop), and the output switches (--color --verbose --verbose-prompt).
 * The flags themselves (spellings, accepted values, help) are entries of
 * the option table (options.h); this file maps them onto the fields.
 * Defaults are llama.cpp's.
 */
#ifndef MOTE_CLI_GEN_OPTIONS_H
#define MOTE_CLI_GEN_OPTIONS_H

#include <stdio.h>

#include "chat/session.h"
#include "cli/mem_options.h"
#include "cli/options.h"
#include "mote.h"

typedef struct {
    chat_gen_params gen;  /* sampling, -n, -c, -t, --stop, --verbose-prompt */
    bool color, verbose, json;
    const char *cmd;      /* the command's name for messages ("chat", or "run" when run drives a chat) */
    mote_meter *meter;    /* --verbose: what each answer cost (cli_meter.h); NULL: not metered */
    mem_options mem;      /* -ctk -ctv (also copied into gen) */
    struct speaker *speak; /* --speak / --speak-cmd (cli/speak.h): answers are also spoken; NULL: not */
} gen_options;

void gen_options_default(gen_options *o);

/* The generation options of a parsed command line, in the order given;
 * false (with a one-line message) if there are more --stop strings than fit. */
bool gen_options_from_args(gen_options *o, const cli_args *a);

/* Set one sampling parameter by name as /set does ("temperature", "temp",
 * "top_k", "top-k", ...), checked as the command line checks it; returns
 * false (with a message) for an unknown name or a bad value. */
bool gen_options_set(gen_options *o, const char *name, const char *value, char *err, size_t err_size);

/* The sampling parameters in one line (for /show and --verbose). */
void gen_options_print(const gen_options *o, FILE *out);

#endif
