/*
 * packed.h — what a packed executable (mote pack) does with its command
 * line: its embedded model becomes every command's model, and its default
 * arguments its default command.
 */
#ifndef MOTE_CLI_PACKED_H
#define MOTE_CLI_PACKED_H

/* If the running executable carries a model (mote pack), rewrite the command
 * line, where DEFAULT is the default command (the first default argument if
 * it names a command, else "chat") and FLAGS the other default arguments:
 *   NAME [-FLAG ARGS...]    ->  NAME DEFAULT -m SELF FLAGS [-FLAG ARGS...]
 *   NAME DEFAULT ARGS...    ->  NAME DEFAULT -m SELF FLAGS ARGS...
 *   NAME CMD ARGS...        ->  NAME CMD -m SELF ARGS...   (a command taking a model)
 * "-m SELF" is left out when ARGS give a model (-m, --model, --models), and
 * nothing changes for help, --version and commands without a model. The new
 * argv lives until exit. Returns 0, or 1 after a one-line error (a damaged
 * trailer). An executable that is not packed is left alone. */
int cli_packed_command_line(int *argc, char ***argv);

/* Is NAME a command of mote that reads a model (so -m SELF applies)? */
int cli_command_takes_model(const char *name);

#endif
