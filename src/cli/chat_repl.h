/*
 * chat_repl.h — the interactive and the batch front ends of `mote chat`
 * (see chat_repl.c), both driving a chat_session.
 */
#ifndef MOTE_CLI_CHAT_REPL_H
#define MOTE_CLI_CHAT_REPL_H

#include <stdio.h>

#include "chat/session.h"
#include "cli/cli_meter.h"
#include "cli/gen_options.h"

/* chat_session_reply with the answer's cost metered into *cost (prompt and
 * generation apart) when opt->meter is set. */
int chat_answer(chat_session *s, const gen_options *opt, const char *text, chat_text_fn on_text, void *user,
                chat_reply_info *info, cli_answer_cost *cost);
/* Under --verbose: the answer's timings, stop reason and cost on stderr. */
void chat_answer_report(const chat_session *s, const gen_options *opt, const chat_reply_info *info,
                        cli_answer_cost *cost);

/* The terminal session: returns the exit status. history_path: where the
 * input history is kept across sessions (NULL: the default place,
 * $XDG_DATA_HOME/mote/history or ~/.local/share/mote/history; "": none). */
int chat_interactive(chat_session *s, gen_options *opt, const char *model_path, const char *history_path);
/* One question per line of `in`, each in a fresh copy of the starting
 * conversation; one answer per line of stdout (\n, \r and \\ escaped), or
 * one JSON object per line with --json. A blank line gets an empty answer,
 * so answer N is always on line N. */
int chat_batch(chat_session *s, const gen_options *opt, FILE *in);

#endif
