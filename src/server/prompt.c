/*
 * prompt.c — requests to prompt tokens (see prompt.h). Mirrors
 * chat_session's first turn and `mote run`'s raw mode, so a greedy request
 * answers exactly what the command line answers.
 */
#include "server/prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void prompt_model_init(prompt_model *pm, const mote_gguf *g, const mote_vocab *vocab) {
    memset(pm, 0, sizeof *pm);
    pm->vocab = vocab;
    pm->topt = mote_chat_options_default();
    mote_chat_options_from_gguf(g, &pm->topt);
    const char *name = NULL;
    if (mote_chat_template_for_model(g, NULL, &name) == MOTE_OK) pm->template_name = name;
    const char *src = mote_gguf_get_str(g, "tokenizer.chat_template", NULL);
    if (src && *src && mote_chat_jinja_parse(src, &pm->jinja) != MOTE_OK) pm->jinja = NULL;
    if (pm->jinja) {
        pm->tool_format = mote_tool_format_detect(src);
        pm->thinks = strstr(src, "<think>") != NULL;
    }
}

void prompt_model_free(prompt_model *pm) {
    mote_chat_jinja_free(pm->jinja);
    memset(pm, 0, sizeof *pm);
}

/* Tokenize text into a malloc'd array; 400 with a message on failure. */
static int tokenize(const prompt_model *pm, const char *text, bool add_special, bool parse_special, int32_t **toks,
                    size_t *n, char *err, size_t err_size) {
    if (mote_tokenize_alloc(pm->vocab, text, strlen(text), add_special, parse_special, toks, n) != MOTE_OK) {
        snprintf(err, err_size, "cannot tokenize the prompt: %s", mote_last_error());
        return 400;
    }
    return 0;
}

/* The conversation as text: the built-in format (the fast path), or the
 * model's template run when the request carries what only it can show. */
static int format_chat(const prompt_model *pm, const gen_input *in, const mote_chat_message *msgs, size_t n_msgs,
                       const mote_chat_options *opt, char **text) {
    bool need_jinja = in->tools_json || in->messages_json || !pm->template_name;
    if (!need_jinja) return mote_chat_format(pm->template_name, msgs, n_msgs, true, opt, text);
    if (!pm->jinja) return mote_chat_format(pm->template_name, msgs, n_msgs, true, opt, text);
    mote_chat_jinja_input ji = {.messages_json = in->chat ? in->messages_json : NULL, .tools_json = in->tools_json};
    return mote_chat_jinja_render(pm->jinja, msgs, n_msgs, true, opt, &ji, text);
}

/* Does the prompt end inside a <think> block the template opened? */
static bool ends_in_open_think(const char *text) {
    const char *open = NULL;
    for (const char *p = strstr(text, "<think>"); p; p = strstr(p + 1, "<think>")) open = p;
    return open && !strstr(open, "</think>");
}

int prompt_tokens(const prompt_model *pm, const gen_input *in, int32_t **toks, size_t *n, char *err,
                  size_t err_size) {
    return prompt_tokens_ex(pm, in, toks, n, NULL, err, err_size);
}

int prompt_tokens_ex(const prompt_model *pm, const gen_input *in, int32_t **toks, size_t *n, bool *opens_think,
                     char *err, size_t err_size) {
    *toks = NULL;
    *n = 0;
    if (opens_think) *opens_think = false;
    bool has_template = pm->template_name || pm->jinja;
    bool use_template = in->chat || (!in->raw && has_template);
    if (!use_template) /* as `mote run` (raw: control tokens in the text are read) */
        return tokenize(pm, in->prompt ? in->prompt : "", true, in->raw, toks, n, err, err_size);
    if (!has_template) {
        snprintf(err, err_size, "this model has no chat template mote knows: send a plain prompt "
                                "(/api/generate with \"raw\": true, or /v1/completions)");
        return 400;
    }
    /* /api/generate with a template: [system] + one user turn */
    mote_chat_message one[2];
    const mote_chat_message *msgs = in->msgs;
    size_t n_msgs = in->n_msgs;
    if (!in->chat) {
        n_msgs = 0;
        if (in->system && *in->system) one[n_msgs++] = (mote_chat_message){"system", in->system};
        one[n_msgs++] = (mote_chat_message){"user", in->prompt ? in->prompt : ""};
        msgs = one;
    }
    if (n_msgs == 0) {
        snprintf(err, err_size, "'messages' is empty");
        return 400;
    }
    mote_chat_options opt = pm->topt;
    if (in->think == 0) opt.enable_thinking = false;
    char *text = NULL;
    if (format_chat(pm, in, msgs, n_msgs, &opt, &text) != MOTE_OK) {
        snprintf(err, err_size, "cannot format the conversation: %s", mote_last_error());
        return 400;
    }
    if (opens_think) *opens_think = ends_in_open_think(text);
    /* The vocabulary adds BOS itself: skip the template's copy (as llama.cpp and mote chat do). */
    bool add_bos = mote_vocab_adds_bos(pm->vocab);
    const char *rest = text, *bos = opt.bos_token;
    if (add_bos && bos && bos[0] && !strncmp(rest, bos, strlen(bos))) rest += strlen(bos);
    int rc = tokenize(pm, rest, add_bos, true, toks, n, err, err_size);
    free(text);
    return rc;
}

size_t prompt_stops(const prompt_model *pm, const gen_input *in, const char **stops, size_t max) {
    size_t n = 0;
    for (int i = 0; i < in->n_stops && n < max; i++) stops[n++] = in->stops[i];
    bool use_template = in->chat || (!in->raw && (pm->template_name || pm->jinja));
    if (use_template && pm->template_name)
        for (const char *const *t = mote_chat_template_stops(pm->template_name); t && *t && n < max; t++) stops[n++] = *t;
    return n;
}
