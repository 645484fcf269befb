/*
 * mem_options.h — the small-memory flags of the command line (-ctk/-ctv,
 * how the KV cache is stored; --mlock, --no-mmap, how the model is loaded),
 * checked once and mapped onto the library's parameters. The flags themselves are entries of the option table
 * (options.h); a command lists them in its cli_use list.
 */
#ifndef MOTE_CLI_MEM_OPTIONS_H
#define MOTE_CLI_MEM_OPTIONS_H

#include <stdbool.h>

#include "cli/options.h"
#include "mote.h"

typedef struct {
    int type_k, type_v; /* MOTE_TYPE_F16 unless -ctk / -ctv say otherwise */
    mote_model_params model; /* --mlock, --no-mmap, --no-memory-check */
} mem_options;

/* The flags of a parsed command line; false (with a one-line message on
 * stderr, "mote CMD: ...") for a type name that is not one. The model
 * flags also become the process's mote_set_model_params, so every
 * mote_model_load of the command follows them. */
bool mem_options_from_args(mem_options *o, const cli_args *a);

/* Put the options into a context's parameters. */
void mem_options_to_context(const mem_options *o, mote_context_params *p);

/* After loading: a one-line warning on stderr if --mlock could not lock the
 * weights, and a note if they were left in the file's layout (no memory for
 * the repacked copy). */
void mem_options_report_load(const char *cmd, const mote_model *m);

#endif
