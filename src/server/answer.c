/*
 * answer.c — splitting a streamed answer into reasoning, content and tool
 * calls, and the grammar a request's answer follows (see answer.h).
 *
 * Tags can arrive cut between two tokens ("<thi" + "nk>"), so text that
 * could still become a tag waits in `pending` until it is decided.
 */
#include "server/answer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char THINK_OPEN[] = "<think>";
static const char THINK_CLOSE[] = "</think>";

/* The text that opens a call in each family's syntax. */
static const char *call_opening(const char *format) {
    if (!strcmp(format, "hermes")) return "<tool_call>";
    if (!strcmp(format, "phi4-mini")) return "<|tool_call|>";
    if (!strcmp(format, "mistral")) return "[TOOL_CALLS]";
    return "<|python_tag|>"; /* llama3 */
}

int answer_lazy_grammar(const char *format, const char *tools_json, mote_grammar **out) {
    *out = NULL;
    if (!strcmp(format, "llama3")) return MOTE_OK;
    char *gbnf = NULL;
    int rc = mote_tool_call_gbnf(format, tools_json, strlen(tools_json), NULL, &gbnf);
    if (rc != MOTE_OK) return rc;
    /* the forced grammar's root starts with the opening as a literal: drop it */
    char head[64];
    snprintf(head, sizeof head, "root ::= \"%s", call_opening(format));
    char *at = strstr(gbnf, head);
    if (!at) {
        free(gbnf);
        return MOTE_OK;
    }
    char *rest = at + strlen("root ::= \"");
    memmove(rest, at + strlen(head), strlen(at + strlen(head)) + 1);
    rc = mote_grammar_parse(gbnf, strlen(gbnf), NULL, out);
    free(gbnf);
    return rc;
}

int answer_prepare(job *j, const prompt_model *pm, bool opens_think, mote_grammar_vocab **gvocab, char *err,
                   size_t err_size) {
    const gen_input *in = &j->in;
    bool tools = in->tools_json && in->tool_choice != TOOL_CHOICE_NONE;
    bool forced = tools && in->tool_choice >= TOOL_CHOICE_REQUIRED;
    bool split = in->split_reasoning && pm->thinks;
    if (tools && !pm->tool_format) {
        snprintf(err, err_size, "this model's chat template does not show tools to the model: it cannot call them");
        return 400;
    }
    if (forced && in->grammar) {
        snprintf(err, err_size, "a forced tool call and a response format cannot be asked together");
        return 400;
    }
    if (!split && !tools && !in->grammar) return 0;
    answer_split *a = calloc(1, sizeof *a);
    if (!a) goto nomem;
    j->answer = a;
    a->split_thinking = split;
    a->phase = split && opens_think ? ANSWER_THINK : split ? ANSWER_START : ANSWER_CONTENT;
    a->skip_space = a->phase == ANSWER_THINK;
    if (tools) {
        a->tool_format = pm->tool_format;
        a->trigger = call_opening(pm->tool_format);
        a->json_call_at_start = !strcmp(pm->tool_format, "llama3");
        a->hold_all = forced;
    }
    if (tools && !forced && !in->grammar) {
        if (answer_lazy_grammar(pm->tool_format, in->tools_json, &a->lazy) != MOTE_OK) {
            snprintf(err, err_size, "cannot read the tools: %s", mote_last_error());
            return 400;
        }
        if (a->lazy && !*gvocab && mote_grammar_vocab_new(pm->vocab, gvocab) != MOTE_OK) goto nomem;
        a->gvocab = *gvocab;
    }
    const mote_grammar *g = in->grammar;
    if (forced) {
        char *gbnf = NULL;
        const char *name = in->tool_choice == TOOL_CHOICE_NAMED ? in->tool_name : NULL;
        if (mote_tool_call_gbnf(pm->tool_format, in->tools_json, strlen(in->tools_json), name, &gbnf) != MOTE_OK ||
            mote_grammar_parse(gbnf, strlen(gbnf), NULL, &a->grammar) != MOTE_OK) {
            snprintf(err, err_size, "cannot force the tool call: %s", mote_last_error());
            free(gbnf);
            return 400;
        }
        free(gbnf);
        g = a->grammar;
    }
    if (g) {
        if (!*gvocab && mote_grammar_vocab_new(pm->vocab, gvocab) != MOTE_OK) goto nomem;
        if (mote_sampler_set_grammar(j->sampler, g, *gvocab) != MOTE_OK) {
            snprintf(err, err_size, "cannot use the grammar: %s", mote_last_error());
            return 400;
        }
    }
    return 0;
nomem:
    snprintf(err, err_size, "out of memory");
    return 500;
}

const char *answer_control_text(const job *j, const mote_vocab *v, int32_t token, size_t *len) {
    static const char *const tags[] = {"<tool_call>", "</tool_call>", "<|tool_call|>", "<|/tool_call|>",
                                       "[TOOL_CALLS]", "[ARGS]", "[CALL_ID]", "<|python_tag|>"};
    const answer_split *a = j->answer;
    *len = 0;
    if (!a || !mote_vocab_is_control(v, token)) return NULL;
    size_t n = 0;
    const char *piece = mote_token_piece(v, token, &n);
    if (!piece) return NULL;
    bool wanted = false;
    if (a->split_thinking)
        wanted = (n == strlen(THINK_OPEN) && !memcmp(piece, THINK_OPEN, n)) ||
                 (n == strlen(THINK_CLOSE) && !memcmp(piece, THINK_CLOSE, n));
    for (size_t i = 0; a->tool_format && !wanted && i < sizeof tags / sizeof *tags; i++)
        wanted = n == strlen(tags[i]) && !memcmp(piece, tags[i], n);
    if (!wanted) return NULL;
    *len = n;
    return piece;
}

/* Pass text on as content or reasoning. */
static void out_content(job *j, const char *s, size_t n) {
    if (!n) return;
    if (j->answer) j->answer->content_started = true;
    sbuf_add(&j->text, s, n);
    if (j->format && j->format->on_text) j->format->on_text(j, s, n);
}

static void out_thinking(job *j, const char *s, size_t n) {
    if (!n) return;
    sbuf_add(&j->answer->thinking, s, n);
    if (j->format && j->format->on_thinking) j->format->on_thinking(j, s, n);
}

static bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/* Length of the longest end of s[0..n) that begins `tag` (a tag that may be cut). */
static size_t tag_prefix_at_end(const char *s, size_t n, const char *tag) {
    size_t t = strlen(tag);
    for (size_t k = n < t - 1 ? n : t - 1; k > 0; k--)
        if (!memcmp(s + n - k, tag, k)) return k;
    return 0;
}

static const char *find(const char *s, size_t n, const char *tag) {
    size_t t = strlen(tag);
    for (size_t i = 0; i + t <= n; i++)
        if (!memcmp(s + i, tag, t)) return s + i;
    return NULL;
}

/* Drop the first n bytes of pending. */
static void consume(sbuf *b, size_t n) {
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

/* Move what is decided out of pending; leaves only text that may still become a tag. */
static void process(job *j, bool at_end) {
    answer_split *a = j->answer;
    sbuf *p = &a->pending;
    for (;;) {
        if (a->skip_space) {
            size_t k = 0;
            while (k < p->len && is_space(p->data[k])) k++;
            consume(p, k);
            if (!p->len) return;
            a->skip_space = false;
        }
        if (!p->len) return;
        switch (a->phase) {
        case ANSWER_START: { /* does the answer open with <think>? */
            size_t k = 0;
            while (k < p->len && is_space(p->data[k])) k++;
            size_t rest = p->len - k, t = strlen(THINK_OPEN);
            if (rest >= t && !memcmp(p->data + k, THINK_OPEN, t)) {
                consume(p, k + t);
                a->phase = ANSWER_THINK;
                a->skip_space = true;
                continue;
            }
            if (!at_end && rest < t && !memcmp(p->data + k, THINK_OPEN, rest)) return; /* a prefix: undecided */
            a->phase = ANSWER_CONTENT;
            continue;
        }
        case ANSWER_THINK: {
            const char *close = find(p->data, p->len, THINK_CLOSE);
            size_t give = close ? (size_t)(close - p->data)
                                : p->len - (at_end ? 0 : tag_prefix_at_end(p->data, p->len, THINK_CLOSE));
            /* whitespace before </think> is not part of the reasoning: it waits until more text follows */
            size_t trimmed = give;
            while (trimmed > 0 && is_space(p->data[trimmed - 1])) trimmed--;
            out_thinking(j, p->data, trimmed);
            if (close) {
                consume(p, give + strlen(THINK_CLOSE));
                a->phase = ANSWER_CONTENT;
                a->skip_space = true;
                continue;
            }
            consume(p, at_end ? p->len : trimmed);
            return;
        }
        case ANSWER_CONTENT: {
            if (a->hold_all || (a->json_call_at_start && !a->content_started && p->data[0] == '{')) {
                a->phase = ANSWER_HELD;
                continue;
            }
            if (a->json_call_at_start && !a->content_started && is_space(p->data[0])) {
                /* leading whitespace: wait to see whether a '{' follows */
                size_t k = 0;
                while (k < p->len && is_space(p->data[k])) k++;
                if (k == p->len && !at_end) return;
                if (k < p->len && p->data[k] == '{') {
                    consume(p, k);
                    a->phase = ANSWER_HELD;
                    continue;
                }
            }
            if (!a->trigger) {
                out_content(j, p->data, p->len);
                consume(p, p->len);
                return;
            }
            const char *open = find(p->data, p->len, a->trigger);
            if (open) {
                out_content(j, p->data, (size_t)(open - p->data));
                consume(p, (size_t)(open - p->data));
                a->phase = ANSWER_HELD;
                /* the model opened a call: from here on it follows the call's grammar (when
                 * nothing was generated past the opening, or the grammar would start mid-way) */
                if (a->lazy && j->sampler && p->len == strlen(a->trigger))
                    mote_sampler_set_grammar(j->sampler, a->lazy, a->gvocab);
                continue;
            }
            size_t keep = at_end ? 0 : tag_prefix_at_end(p->data, p->len, a->trigger);
            out_content(j, p->data, p->len - keep);
            consume(p, p->len - keep);
            return;
        }
        case ANSWER_HELD:
            sbuf_add(&a->held, p->data, p->len);
            consume(p, p->len);
            return;
        }
    }
}

void answer_feed(job *j, const char *text, size_t len) {
    if (!j->answer) {
        out_content(j, text, len);
        return;
    }
    sbuf_add(&j->answer->pending, text, len);
    process(j, false);
}

void answer_end(job *j) {
    answer_split *a = j->answer;
    if (!a) return;
    process(j, true);
    if (!a->held.len) return;
    if (a->tool_format &&
        mote_tool_calls_parse(a->tool_format, a->held.data, a->held.len, &a->calls) == MOTE_OK) {
        /* text around the calls stays content */
        const char *c = a->calls.content ? a->calls.content : "";
        out_content(j, c, strlen(c));
    } else {
        out_content(j, a->held.data, a->held.len);
    }
}

void answer_free(answer_split *a) {
    if (!a) return;
    sbuf_free(&a->pending);
    sbuf_free(&a->held);
    sbuf_free(&a->thinking);
    mote_tool_calls_free(&a->calls);
    mote_grammar_free(a->grammar);
    mote_grammar_free(a->lazy);
    free(a);
}

const sbuf *answer_thinking(const job *j) { return j->answer && j->answer->thinking.len ? &j->answer->thinking : NULL; }

const mote_tool_calls *answer_calls(const job *j) {
    return j->answer && j->answer->calls.n_calls ? &j->answer->calls : NULL;
}
