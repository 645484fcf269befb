/*
 * tool_options.h — `--tools FILE` and `--tool-choice` for `mote run` and
 * `mote chat` with a question: the tool definitions go into the model's
 * Jinja template, a forced choice holds the answer to a well-formed call
 * (the library's call grammar), and the calls in the answer are read by the
 * family's parser and printed as JSON.
 */
#ifndef MOTE_CLI_TOOL_OPTIONS_H
#define MOTE_CLI_TOOL_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "chat/session.h"
#include "cli/options.h"

typedef struct {
    char *tools_json;      /* the --tools file (NULL: no tools) */
    const char *choice;    /* --tool-choice: "auto", "none", "required" or a tool's name */
    const char *format;    /* the model's call syntax (hermes, llama3, ...) */
    mote_grammar *grammar; /* a forced call's grammar */
} tool_options;

/* Read --tools / --tool-choice; false after a one-line message on a bad file or value. */
bool tool_options_load(tool_options *t, const cli_args *a, const char *cmd);
/* With an open session: put the tools in gen (the template shows them),
 * find the model's call syntax, force the call when asked. false after a message. */
bool tool_options_setup(tool_options *t, chat_session *s, const char *template_override, const char *cmd);
/* Print an answer with tools: the text outside the calls (if any), then the
 * calls as one JSON array line [{"name", "arguments"}]; with json, the
 * calls as that JSON text in *calls_json (malloc'd, NULL when none) instead. */
void tool_options_answer(const tool_options *t, const char *text, size_t len, bool json, char **calls_json);
void tool_options_free(tool_options *t);

#endif
