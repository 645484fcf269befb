/*
 * commands.h — the subcommands of the `mote` program.
 *
 * Each subcommand lives in its own cli/cmd_<name>.c and has the signature of
 * main(): argv[0] is the subcommand's name. It prints errors as one line on
 * stderr ("mote <cmd>: ...") and returns the process exit status. Its
 * command line is a cli_command_spec over the shared option table
 * (options.h), which `mote help CMD` prints.
 */
#ifndef MOTE_CLI_COMMANDS_H
#define MOTE_CLI_COMMANDS_H

#include "cli/options.h"

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    const cli_command_spec *spec; /* NULL: the command prints its own --help */
} mote_command;

int cmd_info(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_perplexity(int argc, char **argv);
int cmd_quantize(int argc, char **argv);
int cmd_imatrix(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_rag(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_fit(int argc, char **argv);

extern const cli_command_spec info_spec, bench_spec, tokenize_spec, run_spec, perplexity_spec, quantize_spec,
    imatrix_spec, chat_spec, synth_spec, serve_spec, sweep_spec, eval_spec, embed_spec, pack_spec,
    fit_spec;

/* `mote chat` with a parsed command line (also what `mote run` becomes
 * without a prompt, or for a model with a chat template); messages say
 * "mote <cmd>:". */
int chat_main(const cli_args *a, const char *cmd);
/* The positional arguments (after the model) joined by spaces, malloc'd; NULL if none. */
char *cli_join_positional(const cli_args *a);

/* The table, defined in main.c, for help output. */
extern const mote_command mote_commands[];

#endif
