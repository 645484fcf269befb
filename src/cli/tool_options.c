/*
 * tool_options.c — tool calling on the command line (see tool_options.h).
 */
#include "cli/tool_options.h"

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli/cli_util.h"

bool tool_options_load(tool_options *t, const cli_args *a, const char *cmd) {
    memset(t, 0, sizeof *t);
    const char *path = cli_str(a, CLI_TOOLS, NULL);
    t->choice = cli_str(a, CLI_TOOL_CHOICE, "auto");
    if (!path) {
        if (cli_str(a, CLI_TOOL_CHOICE, NULL)) {
            fprintf(stderr, "mote %s: --tool-choice needs --tools FILE\n", cmd);
            return false;
        }
        return true;
    }
    if (!(t->tools_json = cli_read_file(path, NULL))) {
        fprintf(stderr, "mote %s: cannot read the tools file '%s'\n", cmd, path);
        return false;
    }
    cJSON *tools = cJSON_Parse(t->tools_json);
    bool ok = cJSON_IsArray(tools) && cJSON_GetArraySize(tools) > 0;
    cJSON_Delete(tools);
    if (!ok) {
        fprintf(stderr, "mote %s: '%s' is not a JSON array of tool definitions\n", cmd, path);
        return false;
    }
    return true;
}

bool tool_options_setup(tool_options *t, chat_session *s, const char *template_override, const char *cmd) {
    if (!t->tools_json) return true;
    const char *src = template_override ? template_override
                                        : mote_gguf_get_str(mote_model_gguf(s->model), "tokenizer.chat_template", NULL);
    t->format = s->jinja ? mote_tool_format_detect(src) : NULL;
    if (!t->format) {
        fprintf(stderr, "mote %s: the chat template does not show tools to the model (--tools needs a Jinja "
                        "template that does, such as Qwen 2.5 / 3, Llama 3.1 / 3.2, Phi-4-mini or Mistral)\n", cmd);
        return false;
    }
    s->gen->tools_json = t->tools_json;
    bool required = !strcmp(t->choice, "required");
    if (!required && (!strcmp(t->choice, "auto") || !strcmp(t->choice, "none"))) return true;
    char *gbnf = NULL;
    int rc = mote_tool_call_gbnf(t->format, t->tools_json, strlen(t->tools_json), required ? NULL : t->choice, &gbnf);
    if (rc == MOTE_OK) rc = mote_grammar_parse(gbnf, strlen(gbnf), NULL, &t->grammar);
    free(gbnf);
    if (rc == MOTE_OK && s->gen->grammar) {
        fprintf(stderr, "mote %s: a forced tool call and a grammar cannot be asked together\n", cmd);
        return false;
    }
    if (rc == MOTE_OK) {
        s->gen->grammar = t->grammar;
        rc = chat_session_update_sampling(s);
    }
    if (rc != MOTE_OK) {
        fprintf(stderr, "mote %s: --tool-choice %s: %s\n", cmd, t->choice, mote_last_error());
        return false;
    }
    return true;
}

void tool_options_answer(const tool_options *t, const char *text, size_t len, bool json, char **calls_json) {
    if (calls_json) *calls_json = NULL;
    mote_tool_calls calls = {0};
    bool read = strcmp(t->choice, "none") && mote_tool_calls_parse(t->format, text, len, &calls) == MOTE_OK;
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; read && i < calls.n_calls; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", calls.calls[i].name);
        cJSON *args = cJSON_Parse(calls.calls[i].arguments);
        cJSON_AddItemToObject(c, "arguments", args ? args : cJSON_CreateObject());
        cJSON_AddItemToArray(arr, c);
    }
    char *printed = read && calls.n_calls ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    if (json) {
        if (calls_json) *calls_json = printed;
        else free(printed);
    } else {
        const char *content = read ? calls.content : NULL;
        if (!read) fwrite(text, 1, len, stdout), fputc('\n', stdout);
        else if (content && *content) printf("%s\n", content);
        if (printed) printf("%s\n", printed);
        free(printed);
        fflush(stdout);
    }
    mote_tool_calls_free(&calls);
}

void tool_options_free(tool_options *t) {
    free(t->tools_json);
    mote_grammar_free(t->grammar);
    memset(t, 0, sizeof *t);
}
