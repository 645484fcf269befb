/*
 * prompt.h — the one place where a request becomes prompt tokens: chat
 * messages go through the model's chat template (mote_chat_template_for_model
 * + mote_chat_format, exactly as `mote chat` does), plain prompts are
 * tokenized as `mote run` does. Tools, tool calls and tool results, and
 * templates no built-in format knows, go through the model's own Jinja
 * template.
 */
#ifndef MOTE_SERVER_PROMPT_H
#define MOTE_SERVER_PROMPT_H

#include <stddef.h>
#include <stdint.h>

#include "mote.h"
#include "server/api_request.h"

typedef struct {
    const mote_vocab *vocab;
    const char *template_name;       /* a built-in format (NULL: none matches the model's template) */
    mote_chat_jinja *jinja;          /* the model's own template, run for tools, tool results and
                                        templates no built-in format matches (NULL: none or unreadable) */
    const char *tool_format;         /* the call syntax the template teaches (NULL: it shows no tools) */
    bool thinks;                     /* the template has <think> blocks (Qwen 3) */
    mote_chat_options topt;
} prompt_model;

/* Pick the model's chat format (none is fine: chat requests then fail). */
void prompt_model_init(prompt_model *pm, const mote_gguf *g, const mote_vocab *vocab);
void prompt_model_free(prompt_model *pm);

/* The tokens of the request's prompt (malloc'd into *toks). Returns 0, or an
 * HTTP status (400) with a message in err. */
int prompt_tokens(const prompt_model *pm, const gen_input *in, int32_t **toks, size_t *n, char *err,
                  size_t err_size);
/* The same, also telling whether the prompt ends inside an open <think>
 * block (templates that open it for the model), so the answer starts with reasoning. */
int prompt_tokens_ex(const prompt_model *pm, const gen_input *in, int32_t **toks, size_t *n, bool *opens_think,
                     char *err, size_t err_size);

/* The stop strings of a request: its own plus, for chat, the template's end-of-turn texts.
 * Fills up to max pointers (owned by in / the template) and returns their count. */
size_t prompt_stops(const prompt_model *pm, const gen_input *in, const char **stops, size_t max);

#endif
