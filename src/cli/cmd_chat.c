/*
 * cmd_chat.c — `mote chat MODEL`: talk to a model in its own chat format.
 *
 * On a terminal (or with -i) it is an interactive session (chat_repl.c);
 * with stdin from a file or a pipe it answers one question per line, for
 * scripts; with a prompt (-p, -f or words after the model) it answers that
 * one question. A model without a chat template is talked to as Ollama does
 * it: each message is plain text the model continues. The flags are the
 * option table's (options.h); `mote run` drives this file too (chat_main).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/chat_repl.h"
#include "cli/cli_meter.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/grammar_options.h"
#include "cli/tool_options.h"
#include "cli/speak.h"

/* The flags that shape generation, shared by chat and run. */
#define CLI_GENERATION_FLAGS                                                                                        \
    {CLI_N_PREDICT, NULL}, {CLI_CTX_SIZE, NULL}, {CLI_THREADS, NULL}, {CLI_SEED, NULL}, {CLI_TEMP, NULL}, {CLI_TOP_K, NULL}, {CLI_TOP_P, NULL}, {CLI_MIN_P, NULL}, \
        {CLI_REPEAT_PENALTY, NULL}, {CLI_REPEAT_LAST_N, NULL}, {CLI_PRESENCE_PENALTY, NULL}, {CLI_FREQUENCY_PENALTY, NULL}, {CLI_STOP, NULL},    \
        {CLI_N_GPU_LAYERS, NULL}, {CLI_COLOR, NULL}, {CLI_VERBOSE, NULL}, {CLI_VERBOSE_PROMPT, NULL}, {CLI_GRAMMAR, NULL}, {CLI_GRAMMAR_FILE, NULL}, \
        {CLI_JSON_MODE, NULL}, {CLI_JSON_SCHEMA, NULL}, {CLI_JSON_SCHEMA_FILE, NULL}, {CLI_TOOLS, NULL}, {CLI_TOOL_CHOICE, NULL}, \
        {CLI_JSON, "one JSON object per answer: text, tokens, timings, stop reason"}, \
        {CLI_CACHE_TYPE_K, NULL}, {CLI_CACHE_TYPE_V, NULL}, {CLI_MLOCK, NULL}, {CLI_NO_MMAP, NULL}, {CLI_NO_MEMORY_CHECK, NULL}, \
        {CLI_SPEAK, "speak the answer to -p (or the words given), each sentence as soon as it is complete"}, \
        {CLI_SPEAK_CMD, NULL}, {CLI_SPEAK_WAV, NULL}, \
        {CLI_WATTS, "(with --verbose) declared power IDLE,BUSY watts, scaled by CPU use, when nothing can be measured"}, \
        {CLI_GRID_INTENSITY, NULL}, {CLI_ENERGY_SOURCE, NULL}

static const cli_use chat_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, NULL}, {CLI_PROMPT, "ask this one question, print the answer and exit"},
    {CLI_FILE, "the same with the question read from FILE"}, {CLI_SYSTEM_PROMPT, NULL}, {CLI_MESSAGES, NULL},
    {CLI_CHAT_TEMPLATE, NULL}, {CLI_CHAT_TEMPLATE_FILE, NULL}, {CLI_INTERACTIVE, NULL}, {CLI_OUTPUT, NULL}, {CLI_HISTORY_FILE, NULL},
    CLI_GENERATION_FLAGS, {CLI_END, NULL},
};

const cli_command_spec chat_spec = {
    "chat",
    "mote chat MODEL [QUESTION] [options]",
    "Talk to a model. On a terminal: an interactive session (/? lists its commands).\n"
    "With stdin from a file or a pipe: one question per line, each in a fresh\n"
    "conversation, one answer per line (newlines written as \\n). A model without a\n"
    "chat template continues each message as plain text. Chat formats for\n"
    "--chat-template: llama3, llama3.1, gemma, qwen3, chatml, smollm2, phi3,\n"
    "phi4-mini, zephyr, none (plain text).",
    chat_options,
    CLI_MAX_POSITIONAL,
    true,
};

/* Stream the answer to stdout as it is generated. */
static void print_text(const char *text, size_t len, void *user) {
    speaker_feed(user, text, len); /* user: the speaker, or NULL */
    fwrite(text, 1, len, stdout);
    fflush(stdout);
}

/* One question, one answer (printed as generated, or as JSON). */
static int chat_once(chat_session *s, const gen_options *opt, const tool_options *tools, const char *question) {
    chat_reply_info info;
    cli_text b = {0};
    bool collect = opt->json || tools->tools_json; /* calls are read from the whole answer */
    cli_answer_cost cost;
    int rc = chat_answer(s, opt, question, collect ? cli_text_collect : print_text, collect ? (void *)&b : (void *)opt->speak, &info, &cost);
    char *calls = NULL;
    if (rc == MOTE_OK && tools->tools_json) tool_options_answer(tools, b.p ? b.p : "", b.len, opt->json, &calls);
    else if (!opt->json) fputc('\n', stdout);
    fflush(stdout);
    if (rc != MOTE_OK) {
        fprintf(stderr, "mote %s: %s\n", opt->cmd, mote_last_error());
        free(b.p);
        return 1;
    }
    if (info.grammar_incomplete) grammar_options_report_cut(opt->cmd, opt->gen.n_predict);
    if (opt->json) {
        cli_answer a = {b.p, b.len, info.stop, info.n_prompt, info.n_eval, s->load_ns, info.prompt_ns, info.eval_ns, calls};
        cli_print_answer_json(stdout, &a);
    }
    free(calls);
    free(b.p);
    if (info.context_full)
        fprintf(stderr, "mote %s: the context of %d tokens is full: the answer was cut (use -c for a larger one)\n",
                opt->cmd, mote_context_n_ctx(s->ctx));
    chat_answer_report(s, opt, &info, &cost);
    return 0;
}

/* True if the file is a GGUF with a chat template. */
static bool model_has_template(const char *path) {
    mote_gguf *g;
    if (mote_gguf_open(path, &g) != MOTE_OK) return true; /* loading it reports why */
    bool yes = mote_gguf_find_key(g, "tokenizer.chat_template") >= 0;
    mote_gguf_close(g);
    return yes;
}

/* The words after the model, joined by spaces (as `ollama run MODEL words...`); NULL if none. */
char *cli_join_positional(const cli_args *a) {
    if (a->n_positional == 0) return NULL;
    size_t n = 1;
    for (int i = 0; i < a->n_positional; i++) n += strlen(a->positional[i]) + 1;
    char *s = malloc(n);
    if (!s) return NULL;
    s[0] = '\0';
    for (int i = 0; i < a->n_positional; i++) {
        if (i) strcat(s, " ");
        strcat(s, a->positional[i]);
    }
    return s;
}

int chat_main(const cli_args *a, const char *cmd) {
    gen_options gen;
    gen_options_default(&gen);
    if (!gen_options_from_args(&gen, a)) return 2;
    gen.cmd = cmd;
    tool_options tools;
    if (!tool_options_load(&tools, a, cmd)) {
        tool_options_free(&tools);
        return 2;
    }
    cli_meter_opts meter_opts = {0};
    if (cli_meter_from_args(&meter_opts, a)) {
        tool_options_free(&tools);
        return 2;
    }
    const char *model = a->model;
    const char *system = cli_str(a, CLI_SYSTEM_PROMPT, NULL), *messages = cli_str(a, CLI_MESSAGES, NULL);
    const char *tmpl = cli_str(a, CLI_CHAT_TEMPLATE, NULL), *tmpl_file = cli_str(a, CLI_CHAT_TEMPLATE_FILE, NULL);
    const char *prompt = cli_str(a, CLI_PROMPT, NULL), *prompt_file = cli_str(a, CLI_FILE, NULL);
    if (!model) {
        fprintf(stderr, "mote %s: no model given (mote %s MODEL, or -m MODEL)\n", cmd, cmd);
        return 2;
    }
    char *words = cli_join_positional(a);
    if (words && !prompt && !prompt_file) prompt = words;
    else if (words) {
        fprintf(stderr, "mote %s: give the question as words after the model or with -p/-f, not both\n", cmd);
        free(words);
        return 2;
    }
    if (prompt && prompt_file) {
        fprintf(stderr, "mote %s: give the question with -p or with -f, not both\n", cmd);
        free(words);
        return 2;
    }
    bool interactive = cli_flag(a, CLI_INTERACTIVE) || (!prompt && !prompt_file && isatty(STDIN_FILENO));
    if (interactive && gen.json) {
        fprintf(stderr, "mote %s: --json is for scripts: give a prompt or questions on stdin, not -i\n", cmd);
        free(words);
        return 2;
    }
    char *question = NULL;
    if (prompt_file && !(question = cli_read_file(prompt_file, NULL))) {
        fprintf(stderr, "mote %s: cannot read the prompt file '%s'\n", cmd, prompt_file);
        free(words);
        return 1;
    }
    if (prompt) question = strdup(prompt);
    free(words);
    char *jinja = NULL;
    if (tmpl_file && !tmpl) {
        jinja = cli_read_file(tmpl_file, NULL);
        if (!jinja) {
            fprintf(stderr, "mote %s: cannot read the chat template file '%s'\n", cmd, tmpl_file);
            free(question);
            return 1;
        }
        tmpl = jinja;
    }
    if (!tmpl && !model_has_template(model)) {
        tmpl = "none";
        fprintf(stderr,
                "mote %s: note: the model has no chat template: each message is plain text for it to continue "
                "(--chat-template NAME picks a chat format)\n",
                cmd);
    }
    if (gen.verbose && cli_meter_open(&meter_opts, cmd, true, &gen.meter)) {
        tool_options_free(&tools);
        free(jinja);
        free(question);
        return 2;
    }
    chat_session s;
    int rc = chat_session_open(&s, model, &gen.gen, tmpl);
    if (rc == MOTE_OK) cli_warn_ctx(cmd, s.model, mote_context_n_ctx(s.ctx));
    if (rc == MOTE_OK) mem_options_report_load(cmd, s.model);
    if (rc == MOTE_OK && messages) rc = mote_chat_conv_load_json(&s.conv, messages);
    if (rc == MOTE_OK && system) rc = chat_session_set_system(&s, system);
    if (rc == MOTE_OK && !tool_options_setup(&tools, &s, tmpl, cmd)) {
        chat_session_close(&s);
        tool_options_free(&tools);
        free(jinja);
        free(question);
        return 2;
    }
    const char *out_path = cli_str(a, CLI_OUTPUT, NULL);
    bool out_failed = rc == MOTE_OK && out_path && !freopen(out_path, "w", stdout);
    if (rc != MOTE_OK || out_failed) {
        if (out_failed) fprintf(stderr, "mote %s: cannot write '%s'\n", cmd, out_path);
        else fprintf(stderr, "mote %s: %s\n", cmd, mote_last_error());
        chat_session_close(&s);
        mote_meter_free(gen.meter);
        free(jinja);
        free(question);
        return 1;
    }
    /* A conversation that ends with a question gets its answer. */
    if (!question && !interactive && s.conv.n > 0 && !strcmp(s.conv.msgs[s.conv.n - 1].role, "user")) {
        question = strdup(s.conv.msgs[s.conv.n - 1].content);
        mote_chat_conv_remove(&s.conv, s.conv.n - 1, 1);
    }
    int status = 0;
    bool speak_failed;
    gen.speak = question ? speaker_from_args(a, &speak_failed) : NULL;
    if (question && speak_failed) status = 2;
    else if (question) status = chat_once(&s, &gen, &tools, question);
    speaker_close(gen.speak);
    gen.speak = NULL;
    if (status == 2) question = NULL, interactive = false;
    if (!status && interactive) status = chat_interactive(&s, &gen, model, cli_str(a, CLI_HISTORY_FILE, NULL));
    else if (!question && status != 2) status = chat_batch(&s, &gen, stdin);
    chat_session_close(&s);
    tool_options_free(&tools);
    mote_meter_free(gen.meter);
    free(jinja);
    free(question);
    return status;
}

int cmd_chat(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&chat_spec, argc, argv, &a);
    if (st >= 0) return st;
    return chat_main(&a, "chat");
}
