/*
 * chat_repl.h — the interactive and the batch front ends of `mote chat`
 * (see chat_repl.c), both driving a chat_session.
 */
#ifndef MOTE_CLI_CHAT_REPL_H
#define MOTE_CLI_CHAT_REPL_H

#include <stdio.h>

#include "chat/session.h"
#include "cli/gen_options.h"

/* The terminal session: returns the exit status. */
int chat_interactive(chat_session *s, gen_options *opt, const char *model_path);
/* One question per line of `in`, each in a fresh copy of the starting
 * conversation; one answer per line of stdout (\n, \r and \\ escaped). */
int chat_batch(chat_session *s, const gen_options *opt, FILE *in);

#endif
