/*
 * ask.c — answering from a knowledge base: the prompt with numbered
 * passages, multi-query rewrites written by the chat model, and one answer
 * through the model's chat template (src/chat's session), streamed, with
 * the passages it cites found in its text. See mote_rag.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/session.h"
#include "core/clock.h"
#include "core/error.h"
#include "rag/rag_internal.h"

#define MAX_REWRITES 8
#define REWRITE_MAX_BYTES 300

int mote_rag_prompt(const char *question, const mote_rag_hit *hits, int32_t n, char **out) {
    *out = NULL;
    size_t len = strlen(question) + 512;
    for (int32_t i = 0; i < n; i++) len += strlen(hits[i].text) + strlen(hits[i].path) + 64;
    char *p = malloc(len);
    if (!p) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    size_t o = (size_t)snprintf(p, len,
                                "Answer the question using only the numbered passages below. Cite the passages you "
                                "use as [1], [2], ... If they do not hold the answer, say so.\n\n");
    for (int32_t i = 0; i < n; i++) {
        const char *base = strrchr(hits[i].path, '/');
        o += (size_t)snprintf(p + o, len - o, "[%d] (%s) %s\n\n", i + 1, base ? base + 1 : hits[i].path, hits[i].text);
    }
    snprintf(p + o, len - o, "Question: %s", question);
    *out = p;
    return MOTE_OK;
}

mote_rag_ask_params mote_rag_ask_default_params(void) {
    mote_rag_ask_params p = {0};
    p.k = 5;
    p.mode = MOTE_RAG_HYBRID;
    p.sampling = mote_sampler_default();
    p.n_predict = -1;
    return p;
}

/* Collects the answer, shows the prompt before its first piece, and streams. */
typedef struct {
    const mote_rag_ask_params *p;
    FILE *prompt_stream;
    char *prompt_buf;
    size_t prompt_len;
    bool prompt_shown;
    char *text;
    size_t len, cap;
    bool failed;
} answer_sink;

static void show_prompt(answer_sink *a) {
    if (a->prompt_shown || !a->prompt_stream) return;
    fflush(a->prompt_stream);
    if (a->p->on_prompt && a->prompt_buf) a->p->on_prompt(a->prompt_buf, a->prompt_len, a->p->user);
    a->prompt_shown = true;
}

static void on_piece(const char *text, size_t len, void *user) {
    answer_sink *a = user;
    show_prompt(a);
    if (a->len + len + 1 > a->cap) {
        size_t cap = (a->len + len + 1) * 2;
        char *more = realloc(a->text, cap);
        if (!more) {
            a->failed = true;
            return;
        }
        a->text = more;
        a->cap = cap;
    }
    memcpy(a->text + a->len, text, len);
    a->len += len;
    a->text[a->len] = '\0';
    if (a->p->on_text) a->p->on_text(text, len, a->p->user);
}

/* The model's rewrites, one per line of its answer (numbering, bullets and quotes taken off). */
static int32_t parse_rewrites(const char *text, const char *question, char **out, int32_t max) {
    int32_t n = 0;
    for (const char *line = text; line && *line && n < max;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *s = line;
        const char *e = line + len;
        while (s < e && strchr(" \t\r-*•0123456789.)\"'", *s)) s++;
        while (e > s && strchr(" \t\r\"'", e[-1])) e--;
        line = end ? end + 1 : NULL;
        size_t l = (size_t)(e - s);
        if (l < 3 || l > REWRITE_MAX_BYTES || (strlen(question) == l && !strncmp(question, s, l))) continue;
        bool seen = false;
        for (int32_t i = 0; i < n && !seen; i++) seen = strlen(out[i]) == l && !strncmp(out[i], s, l);
        if (!seen && (out[n] = strndup(s, l))) n++;
    }
    return n;
}

/* Let the chat model write up to p->multi_query rewrites of the question. */
static int write_rewrites(chat_session *s, const mote_rag_ask_params *p, const char *question, char **rewrites,
                          int32_t *n) {
    *n = 0;
    char msg[4096];
    snprintf(msg, sizeof msg,
             "Write %d different search queries that would find passages answering the question below. Write one "
             "query per line, with no numbering and nothing else.\n\nQuestion: %.3000s",
             p->multi_query, question);
    int32_t saved = s->gen->n_predict;
    s->gen->n_predict = 40 * p->multi_query;
    answer_sink sink = {0};
    mote_rag_ask_params quiet = *p;
    quiet.on_text = NULL;
    quiet.on_prompt = NULL;
    sink.p = &quiet;
    chat_reply_info info;
    int st = chat_session_reply(s, msg, on_piece, &sink, &info);
    s->gen->n_predict = saved;
    if (st == MOTE_OK && sink.text) {
        mote_chat_reasoning split = mote_chat_split_reasoning(sink.text);
        char *answer = rag_utf8_clean(split.answer, split.answer_len);
        if (answer) *n = parse_rewrites(answer, question, rewrites, p->multi_query);
        free(answer);
    }
    free(sink.text);
    chat_session_clear(s);
    return st;
}

/* Which passages the answer cites as [n]. */
static void find_citations(const char *text, int32_t n, bool *cited) {
    for (const char *c = text ? strchr(text, '[') : NULL; c; c = strchr(c + 1, '[')) {
        char *end;
        long v = strtol(c + 1, &end, 10);
        if (end != c + 1 && (*end == ']' || *end == ',') && v >= 1 && v <= n) cited[v - 1] = true;
    }
}

/* True if the GGUF file names a chat template. */
static bool has_template(const char *path) {
    mote_gguf *g;
    if (mote_gguf_open(path, &g) != MOTE_OK) return true; /* loading it says why */
    bool yes = mote_gguf_find_key(g, "tokenizer.chat_template") >= 0;
    mote_gguf_close(g);
    return yes;
}

int mote_rag_ask(mote_rag *r, const char *question, const mote_rag_ask_params *p, mote_rag_answer *out) {
    memset(out, 0, sizeof *out);
    if (!question || !*question) return mote_fail(MOTE_ERR_INVALID_ARG, "an empty question");
    if (!p || !p->chat_model) return mote_fail(MOTE_ERR_INVALID_ARG, "no chat model given");
    if (p->multi_query < 0 || p->multi_query > MAX_REWRITES)
        return mote_fail(MOTE_ERR_INVALID_ARG, "multi-query takes 0 to %d rewrites, not %d", MAX_REWRITES,
                         p->multi_query);
    chat_gen_params gen;
    chat_gen_params_default(&gen);
    gen.sampling = p->sampling;
    gen.n_predict = p->n_predict;
    gen.n_ctx = p->n_ctx;
    gen.n_threads = p->n_threads;
    gen.verbose_prompt = p->on_prompt != NULL;
    const char *tmpl = p->chat_template ? p->chat_template : has_template(p->chat_model) ? NULL : "none";
    int64_t t0 = mote_now_ns();
    chat_session s;
    int st = chat_session_open(&s, p->chat_model, &gen, tmpl);
    if (st) return st;
    out->load_s = (double)(mote_now_ns() - t0) / 1e9;
    char *queries[1 + MAX_REWRITES] = {(char *)question};
    int32_t n_rewrites = 0;
    answer_sink sink = {0};
    char *prompt = NULL;
    if (p->multi_query > 0) {
        t0 = mote_now_ns();
        s.verbose_out = NULL; /* the rewriting prompt is not the one asked for */
        st = write_rewrites(&s, p, question, queries + 1, &n_rewrites);
        out->rewrite_s = (double)(mote_now_ns() - t0) / 1e9;
        for (int32_t i = 0; !st && i < n_rewrites; i++)
            if (p->on_rewrite) p->on_rewrite(i, queries[1 + i], p->user);
    }
    if (!st) {
        t0 = mote_now_ns();
        int32_t k = p->k > 0 ? p->k : 5;
        st = mote_rag_search_multi(r, (const char *const *)queries, 1 + n_rewrites, k, p->mode, &out->sources);
        out->retrieval_s = (double)(mote_now_ns() - t0) / 1e9;
    }
    if (!st) st = mote_rag_prompt(question, out->sources.hits, out->sources.n, &prompt);
    if (!st) {
        sink.p = p;
        if (p->on_prompt) s.verbose_out = sink.prompt_stream = open_memstream(&sink.prompt_buf, &sink.prompt_len);
        else s.verbose_out = NULL;
        chat_reply_info info;
        t0 = mote_now_ns();
        st = chat_session_reply(&s, prompt, on_piece, &sink, &info);
        out->generation_s = (double)(mote_now_ns() - t0) / 1e9;
        show_prompt(&sink);
        out->n_prompt = info.n_prompt;
        out->n_eval = info.n_eval;
        out->stop = info.stop;
        if (!st && sink.failed) st = mote_fail(MOTE_ERR_NOMEM, "out of memory for the answer");
    }
    if (sink.prompt_stream) fclose(sink.prompt_stream);
    free(sink.prompt_buf);
    free(prompt);
    for (int32_t i = 0; i < n_rewrites; i++) free(queries[1 + i]);
    chat_session_close(&s);
    out->text = rag_utf8_clean(sink.text ? sink.text : "", sink.len);
    free(sink.text);
    out->cited = calloc((size_t)(out->sources.n + 1), sizeof *out->cited);
    if (!st && (!out->text || !out->cited)) st = mote_fail(MOTE_ERR_NOMEM, "out of memory");
    if (!st) find_citations(out->text, out->sources.n, out->cited);
    if (st) mote_rag_answer_free(out);
    return st;
}

void mote_rag_answer_free(mote_rag_answer *a) {
    if (!a) return;
    mote_rag_results_free(&a->sources);
    free(a->cited);
    free(a->text);
    memset(a, 0, sizeof *a);
}
