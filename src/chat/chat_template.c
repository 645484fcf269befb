/*
 * chat_template.c — the chat formats mote knows (mote.h section 7): their
 * names and aliases, how a model's Jinja template is recognised, the strings
 * that end a turn, and the public entry points that dispatch to a family's
 * formatter (chat_formats.c).
 *
 * Recognition looks for the marker strings each family's template cannot do
 * without (its turn tokens, and the details that tell versions apart, such as
 * Llama 3.2's strftime_now or Qwen 3's <think>). Templates that share
 * markers but format differently (Llama 3.0 without a date header, Qwen 2.5
 * with its default system prompt, Phi-4 with <|im_sep|>) are refused rather
 * than formatted wrongly; the user can still pick a format by name.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chat/chat_internal.h"
#include "core/error.h"

typedef struct {
    const char *name;
    chat_formatter format;
    const char *stops[3]; /* NULL-terminated */
} chat_family;

static const chat_family families[] = {
    {"llama3", chat_format_llama3, {"<|eot_id|>", NULL}},
    {"llama3.1", chat_format_llama31, {"<|eot_id|>", NULL}},
    {"gemma", chat_format_gemma, {"<end_of_turn>", NULL}},
    {"qwen3", chat_format_qwen3, {"<|im_end|>", NULL}},
    {"chatml", chat_format_chatml, {"<|im_end|>", NULL}},
    {"smollm2", chat_format_smollm2, {"<|im_end|>", NULL}},
    {"phi3", chat_format_phi3, {"<|end|>", "<|endoftext|>", NULL}},
    {"phi4-mini", chat_format_phi4_mini, {"<|end|>", "<|endoftext|>", NULL}},
    {"zephyr", chat_format_zephyr, {"</s>", NULL}},
    /* Not a model family: for models without a chat template, each message
     * as plain text for the model to continue (what Ollama does with them).
     * Left out of family_names, which lists formats checked against a
     * reference template. */
    {"none", chat_format_none, {NULL}},
};
enum { N_FAMILIES = sizeof families / sizeof families[0] };

static const char *const family_names[N_FAMILIES] = {
    "llama3", "llama3.1", "gemma", "qwen3", "chatml", "smollm2", "phi3", "phi4-mini", "zephyr", NULL,
};

/* Other names people use for the same formats. */
static const struct {
    const char *alias, *name;
} aliases[] = {
    {"llama3.2", "llama3"}, {"llama3.3", "llama3.1"}, {"gemma3", "gemma"},   {"gemma2", "gemma"},
    {"qwen", "qwen3"},      {"smollm", "chatml"},     {"phi3.5", "phi3"},    {"phi-3", "phi3"},
    {"phi4mini", "phi4-mini"}, {"phi-4-mini", "phi4-mini"}, {"tinyllama", "zephyr"},
};

/* The list of names for error messages. */
#define CHAT_NAMES_TEXT "llama3, llama3.1, gemma, qwen3, chatml, smollm2, phi3, phi4-mini, zephyr, none"

const char *const *mote_chat_template_names(void) { return family_names; }

static const chat_family *find_family(const char *name) {
    if (!name) return NULL;
    for (size_t i = 0; i < N_FAMILIES; i++)
        if (!strcasecmp(families[i].name, name)) return &families[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcasecmp(aliases[i].alias, name)) return find_family(aliases[i].name);
    return NULL;
}

static bool has(const char *text, const char *marker) { return strstr(text, marker) != NULL; }

const char *mote_chat_template_detect(const char *t) {
    if (!t) return NULL;
    if (has(t, "<|start_header_id|>") && has(t, "<|eot_id|>")) {
        if (!has(t, "Cutting Knowledge Date")) return NULL; /* Llama 3.0: no built-in format */
        return has(t, "strftime_now") ? "llama3" : "llama3.1";
    }
    if (has(t, "<start_of_turn>") && has(t, "<end_of_turn>")) return "gemma";
    if (has(t, "<|im_start|>")) {
        if (has(t, "<|im_sep|>") || has(t, "You are Qwen")) return NULL; /* Phi-4, Qwen 2.5 */
        if (has(t, "<think>")) return "qwen3";
        if (has(t, "SmolLM")) return "smollm2";
        return "chatml";
    }
    if (has(t, "<|end|>")) {
        if (has(t, "<|user|>")) return "phi3";
        if (has(t, "'<|' + message['role'] + '|>'")) return "phi4-mini";
        return NULL;
    }
    if (has(t, "<|user|>") && has(t, "<|assistant|>") && has(t, "eos_token")) return "zephyr";
    return NULL;
}

/* A name, or Jinja text recognised as a family. */
int mote_chat_template_resolve(const char *name_or_jinja, const char **name) {
    if (!name_or_jinja || !name_or_jinja[0])
        return mote_fail(MOTE_ERR_INVALID_ARG, "no chat template given (one of: " CHAT_NAMES_TEXT ")");
    const chat_family *f = find_family(name_or_jinja);
    if (f) {
        *name = f->name;
        return MOTE_OK;
    }
    if (has(name_or_jinja, "{{") || has(name_or_jinja, "{%")) {
        const char *d = mote_chat_template_detect(name_or_jinja);
        if (d) {
            *name = d;
            return MOTE_OK;
        }
        return mote_fail(MOTE_ERR_UNSUPPORTED,
                         "the chat template is not one mote knows; choose a format with --chat-template NAME "
                         "(one of: " CHAT_NAMES_TEXT ")");
    }
    return mote_fail(MOTE_ERR_NOT_FOUND, "unknown chat template '%s' (one of: " CHAT_NAMES_TEXT ")",
                     name_or_jinja);
}

int mote_chat_template_for_model(const mote_gguf *g, const char *override, const char **name) {
    if (override) return mote_chat_template_resolve(override, name);
    const char *jinja = g ? mote_gguf_get_str(g, "tokenizer.chat_template", NULL) : NULL;
    if (!jinja)
        return mote_fail(MOTE_ERR_NOT_FOUND,
                         "the model has no chat template (tokenizer.chat_template); choose one with "
                         "--chat-template NAME (one of: " CHAT_NAMES_TEXT ")");
    return mote_chat_template_resolve(jinja, name);
}

const char *const *mote_chat_template_stops(const char *name) {
    const chat_family *f = find_family(name);
    return f ? f->stops : NULL;
}

mote_chat_options mote_chat_options_default(void) {
    mote_chat_options o = {.bos_token = NULL, .eos_token = NULL, .date = NULL, .enable_thinking = true};
    return o;
}

/* The text of token `key`'s id in the vocabulary, or NULL. */
static const char *token_text(const mote_gguf *g, const char *key) {
    int64_t id = mote_gguf_find_key(g, key);
    if (id < 0) return NULL;
    uint64_t tok = mote_gguf_val_u64(g, id);
    mote_gguf_type et;
    uint64_t n;
    int64_t arr = mote_gguf_get_arr(g, "tokenizer.ggml.tokens", &et, &n);
    if (arr < 0 || et != MOTE_GGUF_STRING || tok >= n) return NULL;
    return mote_gguf_arr_str(g, arr, tok, NULL);
}

void mote_chat_options_from_gguf(const mote_gguf *g, mote_chat_options *opt) {
    if (!g || !opt) return;
    const char *bos = token_text(g, "tokenizer.ggml.bos_token_id");
    const char *eos = token_text(g, "tokenizer.ggml.eos_token_id");
    if (bos) opt->bos_token = bos;
    if (eos) opt->eos_token = eos;
}

int mote_chat_format(const char *name, const mote_chat_message *msgs, size_t n, bool add_generation_prompt,
                     const mote_chat_options *opt, char **out) {
    if (!out) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_chat_format: no output pointer");
    *out = NULL;
    const chat_family *f = find_family(name);
    if (!f)
        return mote_fail(MOTE_ERR_NOT_FOUND, "unknown chat template '%s' (one of: " CHAT_NAMES_TEXT ")",
                         name ? name : "(null)");
    if (n == 0 || !msgs) return mote_fail(MOTE_ERR_INVALID_ARG, "a conversation needs at least one message");
    for (size_t i = 0; i < n; i++)
        if (!msgs[i].role || !msgs[i].content)
            return mote_fail(MOTE_ERR_INVALID_ARG, "chat message %zu has no %s", i + 1,
                             msgs[i].role ? "content" : "role");
    mote_chat_options o = opt ? *opt : mote_chat_options_default();
    if (!o.bos_token) o.bos_token = "";
    if (!o.eos_token) o.eos_token = "";
    chat_buf b = {0};
    int rc = f->format(&b, msgs, n, add_generation_prompt, &o);
    if (rc == MOTE_OK) chat_buf_add(&b, ""); /* an empty result is still a string */
    if (rc == MOTE_OK && b.failed) rc = mote_fail(MOTE_ERR_NOMEM, "out of memory formatting a conversation");
    if (rc != MOTE_OK) {
        free(b.data);
        return rc;
    }
    *out = b.data;
    return MOTE_OK;
}
