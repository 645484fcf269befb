/*
 * commands.h — the subcommands of the `mote` program.
 *
 * Each subcommand lives in its own cli/cmd_<name>.c and has the signature of
 * main(): argv[0] is the subcommand's name. It prints errors as one line on
 * stderr ("mote <cmd>: ...") and returns the process exit status.
 */
#ifndef MOTE_CLI_COMMANDS_H
#define MOTE_CLI_COMMANDS_H

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
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
int cmd_sweep(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* The table, defined in main.c, for help output. */
extern const mote_command mote_commands[];

#endif
