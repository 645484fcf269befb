/*
 * cmd_chat.c — `mote chat -m MODEL`: talk to a model in its own chat format.
 *
 * On a terminal it is an interactive session (chat_repl.c); with stdin from
 * a file or a pipe it answers one question per line, for scripts. The
 * options pick the model, the chat template, the starting conversation and
 * the generation controls shared with `mote run` (gen_options.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/chat_repl.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/grammar_options.h"

static void chat_usage(FILE *out) {
    fprintf(out,
            "usage: mote chat -m MODEL.gguf [options]\n"
            "\n"
            "Talk to a model. On a terminal: an interactive session (/? lists its commands).\n"
            "With stdin from a file or a pipe: one question per line, each in a fresh\n"
            "conversation, one answer per line (newlines written as \\n).\n"
            "\n"
            "options:\n"
            "  -m, --model FILE         the model (also accepted as the first argument)\n"
            "  -p, --prompt TEXT        ask this one question, print the answer and exit\n"
            "  -f, --file FILE          the same with the question read from FILE\n"
            "  --system TEXT            the system prompt\n"
            "  --messages FILE.json     start from a conversation (an OpenAI-style JSON array)\n"
            "  --chat-template NAME     the chat format, instead of the model's own:\n"
            "                           ");
    for (const char *const *n = mote_chat_template_names(); *n; n++) fprintf(out, "%s%s", *n, n[1] ? ", " : "\n");
    fprintf(out, "  --chat-template-file F    the chat format of a Jinja template file (recognised, not run)\n");
    gen_options_help(out);
}

/* Stream the answer to stdout as it is generated. */
static void print_text(const char *text, size_t len, void *user) {
    (void)user;
    fwrite(text, 1, len, stdout);
    fflush(stdout);
}

/* One question, one answer (printed as generated), for `-p` / `-f` and for
 * `mote run` on a model with a chat template. */
static int chat_once(chat_session *s, const gen_options *opt, const char *question) {
    chat_reply_info info;
    int rc = chat_session_reply(s, question, print_text, NULL, &info);
    fputc('\n', stdout);
    fflush(stdout);
    if (rc != MOTE_OK) {
        fprintf(stderr, "mote chat: %s\n", mote_last_error());
        return 1;
    }
    if (info.grammar_incomplete) grammar_options_report_cut("chat", opt->gen.n_predict);
    if (opt->verbose) chat_print_timings(s, &info, stderr);
    return 0;
}

int cmd_chat(int argc, char **argv) {
    gen_options gen;
    gen_options_default(&gen);
    const char *model = NULL, *system = NULL, *messages = NULL, *tmpl = NULL, *tmpl_file = NULL;
    const char *prompt = NULL, *prompt_file = NULL;
    for (int i = 1; i < argc;) {
        const char *a = argv[i];
        int r = gen_options_parse(&gen, "chat", argc, argv, &i);
        if (r < 0) return 2;
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            chat_usage(stdout);
            return 0;
        }
        const char **slot = !strcmp(a, "-m") || !strcmp(a, "--model") ? &model
                            : !strcmp(a, "-p") || !strcmp(a, "--prompt") ? &prompt
                            : !strcmp(a, "-f") || !strcmp(a, "--file")   ? &prompt_file
                            : !strcmp(a, "--system")                   ? &system
                            : !strcmp(a, "--messages")                 ? &messages
                            : !strcmp(a, "--chat-template")            ? &tmpl
                            : !strcmp(a, "--chat-template-file")       ? &tmpl_file
                                                                       : NULL;
        if (slot) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mote chat: %s needs a value\n", a);
                return 2;
            }
            *slot = argv[i + 1];
            i += 2;
            continue;
        }
        if (a[0] == '-' || model) {
            fprintf(stderr, "mote chat: unknown option '%s' (see mote chat --help)\n", a);
            return 2;
        }
        model = a;
        i++;
    }
    if (!model) {
        chat_usage(stderr);
        return 2;
    }
    if (prompt && prompt_file) {
        fprintf(stderr, "mote chat: give the question with -p or with -f, not both\n");
        return 2;
    }
    char *question = NULL;
    if (prompt_file && !(question = cli_read_file(prompt_file, NULL))) {
        fprintf(stderr, "mote chat: cannot read the prompt file '%s'\n", prompt_file);
        return 1;
    }
    if (prompt) question = strdup(prompt);
    char *jinja = NULL;
    if (tmpl_file && !tmpl) {
        jinja = cli_read_file(tmpl_file, NULL);
        if (!jinja) {
            fprintf(stderr, "mote chat: cannot read the chat template file '%s'\n", tmpl_file);
            free(question);
            return 1;
        }
        tmpl = jinja;
    }
    chat_session s;
    int rc = chat_session_open(&s, model, &gen.gen, tmpl);
    if (rc == MOTE_OK && messages) rc = mote_chat_conv_load_json(&s.conv, messages);
    if (rc == MOTE_OK && system) rc = chat_session_set_system(&s, system);
    if (rc != MOTE_OK) {
        fprintf(stderr, "mote chat: %s\n", mote_last_error());
        chat_session_close(&s);
        free(jinja);
        free(question);
        return 1;
    }
    int status = question                ? chat_once(&s, &gen, question)
                 : isatty(STDIN_FILENO) ? chat_interactive(&s, &gen, model)
                                        : chat_batch(&s, &gen, stdin);
    chat_session_close(&s);
    free(jinja);
    free(question);
    return status;
}
