/*
 * rag_cli.h — what the files of `mote rag` share: the subcommands
 * (cmd_rag.c: index, rm, ls, stats; cmd_rag_query.c: search, ask) and
 * opening the knowledge base a command line names.
 */
#ifndef MOTE_CLI_RAG_CLI_H
#define MOTE_CLI_RAG_CLI_H

#include "cli/options.h"
#include "mote_rag.h"

int rag_cmd_search(int argc, char **argv);
int rag_cmd_ask(int argc, char **argv);

/* Open the --db of a parsed command line (--embed-model, and for a new
 * database --chunk-tokens, --overlap and --vector-type, when the spec has
 * them); must_exist for commands that only read. On failure prints
 * "mote rag <sub>: ..." and returns the exit status (non-zero). */
int rag_cli_open(const cli_args *a, const char *sub, bool must_exist, mote_rag **out);

/* Print a JSON value on one line of stdout and free it. */
struct cJSON;
void rag_cli_put_json(struct cJSON *v);

#endif
