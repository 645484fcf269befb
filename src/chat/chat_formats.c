/*
 * chat_formats.c — one formatter per model family. Each is our C reading of
 * what that family's Jinja chat template does for system / user / assistant
 * messages (tools are not supported), and tests/unit/test_chat_template.c
 * holds every one to the real template's output byte for byte.
 */
#include <string.h>
#include <time.h>

#include "chat/chat_internal.h"
#include "core/error.h"

static bool is_role(const mote_chat_message *m, const char *role) { return m->role && !strcmp(m->role, role); }

static const char *role_of(const mote_chat_message *m) { return m->role ? m->role : ""; }

/* --- Llama 3.1 / 3.2 / 3.3 -------------------------------------------------
 * A system header always comes first, carrying the knowledge cut-off and a
 * date, then the (trimmed) system prompt if the conversation starts with
 * one; every other message is a header with its role and its trimmed text,
 * closed by <|eot_id|>. */

static void llama3_turns(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt,
                         const char *date) {
    chat_buf_add(out, opt->bos_token);
    size_t first = 0;
    chat_span system = {"", 0};
    if (is_role(&m[0], "system")) {
        system = chat_strip(chat_span_of(m[0].content));
        first = 1;
    }
    chat_buf_add(out, "<|start_header_id|>system<|end_header_id|>\n\n"
                      "Cutting Knowledge Date: December 2023\n"
                      "Today Date: ");
    chat_buf_add(out, date);
    chat_buf_add(out, "\n\n");
    chat_buf_add_span(out, system);
    chat_buf_add(out, "<|eot_id|>");
    for (size_t i = first; i < n; i++) {
        chat_buf_add(out, "<|start_header_id|>");
        chat_buf_add(out, role_of(&m[i]));
        chat_buf_add(out, "<|end_header_id|>\n\n");
        chat_buf_add_span(out, chat_strip(chat_span_of(m[i].content)));
        chat_buf_add(out, "<|eot_id|>");
    }
    if (gen) chat_buf_add(out, "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

/* Llama 3.2's template dates the header with today's date ("09 Mar 2025"). */
int chat_format_llama3(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt) {
    char today[32] = "26 Jul 2024";
    if (!opt->date) {
        time_t now = time(NULL);
        struct tm tm;
        if (localtime_r(&now, &tm)) strftime(today, sizeof today, "%d %b %Y", &tm);
    }
    llama3_turns(out, m, n, gen, opt, opt->date ? opt->date : today);
    return MOTE_OK;
}

/* Llama 3.1 and 3.3 print a fixed date unless one is given. */
int chat_format_llama31(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt) {
    llama3_turns(out, m, n, gen, opt, opt->date ? opt->date : "26 Jul 2024");
    return MOTE_OK;
}

/* --- Gemma 3 (and 2) ---------------------------------------------------------
 * No system role: a system prompt (untrimmed, plus a blank line) opens the
 * first user turn. Turns must alternate user / assistant; the assistant is
 * called "model"; texts are trimmed. */
int chat_format_gemma(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt) {
    chat_buf_add(out, opt->bos_token);
    const char *prefix = NULL;
    if (is_role(&m[0], "system")) {
        prefix = m[0].content ? m[0].content : "";
        m++;
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        if (is_role(&m[i], "user") != (i % 2 == 0))
            return mote_fail(MOTE_ERR_INVALID_ARG,
                             "chat template gemma: conversation roles must alternate user/assistant/user/... "
                             "(message %zu is '%s')",
                             i + (prefix ? 2 : 1), role_of(&m[i]));
        chat_buf_add(out, "<start_of_turn>");
        chat_buf_add(out, is_role(&m[i], "assistant") ? "model" : role_of(&m[i]));
        chat_buf_add(out, "\n");
        if (i == 0 && prefix) {
            chat_buf_add(out, prefix);
            chat_buf_add(out, "\n\n");
        }
        chat_buf_add_span(out, chat_strip(chat_span_of(m[i].content)));
        chat_buf_add(out, "<end_of_turn>\n");
    }
    if (gen) chat_buf_add(out, "<start_of_turn>model\n");
    return MOTE_OK;
}

/* --- Qwen 3 -------------------------------------------------------------------
 * ChatML. An assistant message may carry its reasoning as
 * "<think>...</think>answer". Reasoning is kept only for assistant messages
 * after the last real user query (the turn in progress): there it is
 * rewritten as "<think>\n...\n</think>\n\n" (always for the final message);
 * earlier turns keep only the answer. Tool results are wrapped in a user turn. */

/* The last occurrence of `needle` in s, or NULL. */
static const char *last_occurrence(chat_span s, const char *needle) {
    size_t k = strlen(needle);
    if (k > s.n) return NULL;
    for (size_t i = s.n - k + 1; i-- > 0;)
        if (!memcmp(s.p + i, needle, k)) return s.p + i;
    return NULL;
}

static const char *first_occurrence(chat_span s, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= s.n; i++)
        if (!memcmp(s.p + i, needle, k)) return s.p + i;
    return NULL;
}

static bool span_starts(chat_span s, const char *prefix) {
    size_t k = strlen(prefix);
    return s.n >= k && !memcmp(s.p, prefix, k);
}

static bool span_ends(chat_span s, const char *suffix) {
    size_t k = strlen(suffix);
    return s.n >= k && !memcmp(s.p + s.n - k, suffix, k);
}

/* Split an assistant text into answer and reasoning the way the template
 * does with str.split('</think>'). */
static void qwen3_split(chat_span text, chat_span *answer, chat_span *reasoning) {
    *answer = text;
    reasoning->p = "";
    reasoning->n = 0;
    const char *last_end = last_occurrence(text, "</think>");
    if (!last_end) return;
    const char *after = last_end + strlen("</think>");
    *answer = chat_lstrip_nl((chat_span){after, (size_t)(text.p + text.n - after)});
    const char *first_end = first_occurrence(text, "</think>");
    chat_span before = chat_rstrip_nl((chat_span){text.p, (size_t)(first_end - text.p)});
    const char *open = last_occurrence(before, "<think>");
    if (open) {
        const char *body = open + strlen("<think>");
        before = (chat_span){body, (size_t)(before.p + before.n - body)};
    }
    *reasoning = chat_lstrip_nl(before);
}

int chat_format_qwen3(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt) {
    if (is_role(&m[0], "system")) {
        chat_buf_add(out, "<|im_start|>system\n");
        chat_buf_add(out, m[0].content);
        chat_buf_add(out, "<|im_end|>\n");
    }
    /* The last user message that is not a wrapped tool response. */
    size_t last_query = n - 1;
    for (size_t i = n; i-- > 0;) {
        chat_span c = chat_span_of(m[i].content);
        if (is_role(&m[i], "user") && !(span_starts(c, "<tool_response>") && span_ends(c, "</tool_response>"))) {
            last_query = i;
            break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (is_role(&m[i], "user") || (is_role(&m[i], "system") && i > 0)) {
            chat_buf_add(out, "<|im_start|>");
            chat_buf_add(out, m[i].role);
            chat_buf_add(out, "\n");
            chat_buf_add(out, m[i].content);
            chat_buf_add(out, "<|im_end|>\n");
        } else if (is_role(&m[i], "assistant")) {
            chat_span answer, reasoning;
            qwen3_split(chat_span_of(m[i].content), &answer, &reasoning);
            if (i > last_query && (i == n - 1 || reasoning.n > 0)) {
                chat_buf_add(out, "<|im_start|>assistant\n<think>\n");
                chat_buf_add_span(out, chat_rstrip_nl(chat_lstrip_nl(reasoning)));
                chat_buf_add(out, "\n</think>\n\n");
                chat_buf_add_span(out, chat_lstrip_nl(answer));
            } else {
                chat_buf_add(out, "<|im_start|>assistant\n");
                chat_buf_add_span(out, answer);
            }
            chat_buf_add(out, "<|im_end|>\n");
        } else if (is_role(&m[i], "tool")) {
            if (i == 0 || !is_role(&m[i - 1], "tool")) chat_buf_add(out, "<|im_start|>user");
            chat_buf_add(out, "\n<tool_response>\n");
            chat_buf_add(out, m[i].content);
            chat_buf_add(out, "\n</tool_response>");
            if (i == n - 1 || !is_role(&m[i + 1], "tool")) chat_buf_add(out, "<|im_end|>\n");
        }
    }
    if (gen) {
        chat_buf_add(out, "<|im_start|>assistant\n");
        if (!opt->enable_thinking) chat_buf_add(out, "<think>\n\n</think>\n\n");
    }
    return MOTE_OK;
}

/* --- ChatML and SmolLM2 -------------------------------------------------------
 * Every message as <|im_start|>role\ntext<|im_end|>\n, texts untouched.
 * SmolLM2 supplies its own system prompt when the conversation has none. */

static void chatml_turns(chat_buf *out, const mote_chat_message *m, size_t n, bool gen) {
    for (size_t i = 0; i < n; i++) {
        chat_buf_add(out, "<|im_start|>");
        chat_buf_add(out, role_of(&m[i]));
        chat_buf_add(out, "\n");
        chat_buf_add(out, m[i].content);
        chat_buf_add(out, "<|im_end|>\n");
    }
    if (gen) chat_buf_add(out, "<|im_start|>assistant\n");
}

int chat_format_chatml(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt) {
    (void)opt;
    chatml_turns(out, m, n, gen);
    return MOTE_OK;
}

int chat_format_smollm2(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt) {
    (void)opt;
    if (!is_role(&m[0], "system"))
        chat_buf_add(out, "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
                          "Face<|im_end|>\n");
    chatml_turns(out, m, n, gen);
    return MOTE_OK;
}

/* --- Phi-3 / Phi-3.5 and Phi-4-mini -----------------------------------------------
 * Phi-3: <|role|>\ntext<|end|>\n for system (when not empty), user and
 * assistant; other roles are dropped. Phi-4-mini: <|role|>text<|end|> for
 * every message. Both end with the assistant tag, or with EOS when no
 * generation prompt is asked. */
int chat_format_phi3(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt) {
    for (size_t i = 0; i < n; i++) {
        bool system = is_role(&m[i], "system") && m[i].content && m[i].content[0];
        if (!system && !is_role(&m[i], "user") && !is_role(&m[i], "assistant")) continue;
        chat_buf_add(out, "<|");
        chat_buf_add(out, m[i].role);
        chat_buf_add(out, "|>\n");
        chat_buf_add(out, m[i].content);
        chat_buf_add(out, "<|end|>\n");
    }
    chat_buf_add(out, gen ? "<|assistant|>\n" : opt->eos_token);
    return MOTE_OK;
}

int chat_format_phi4_mini(chat_buf *out, const mote_chat_message *m, size_t n, bool gen,
                          const mote_chat_options *opt) {
    for (size_t i = 0; i < n; i++) {
        chat_buf_add(out, "<|");
        chat_buf_add(out, role_of(&m[i]));
        chat_buf_add(out, "|>");
        chat_buf_add(out, m[i].content);
        chat_buf_add(out, "<|end|>");
    }
    chat_buf_add(out, gen ? "<|assistant|>" : opt->eos_token);
    return MOTE_OK;
}

/* --- TinyLlama / Zephyr ---------------------------------------------------------
 * <|role|>\ntext followed by EOS and a newline, for system, user and
 * assistant; the generation prompt is <|assistant|> and a newline. */
int chat_format_zephyr(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt) {
    for (size_t i = 0; i < n; i++) {
        if (!is_role(&m[i], "user") && !is_role(&m[i], "system") && !is_role(&m[i], "assistant")) continue;
        chat_buf_add(out, "<|");
        chat_buf_add(out, m[i].role);
        chat_buf_add(out, "|>\n");
        chat_buf_add(out, m[i].content);
        chat_buf_add(out, opt->eos_token);
        chat_buf_add(out, "\n");
    }
    if (gen) chat_buf_add(out, "<|assistant|>\n");
    return MOTE_OK;
}

/* --- none: plain text ---------------------------------------------------------
 * For a model without a chat template: the messages' texts one after the
 * other, nothing around them, so each answer is the model's continuation of
 * everything said so far. */

int chat_format_none(chat_buf *out, const mote_chat_message *m, size_t n, bool gen, const mote_chat_options *opt) {
    (void)gen;
    (void)opt;
    for (size_t i = 0; i < n; i++) chat_buf_add(out, m[i].content);
    return MOTE_OK;
}
