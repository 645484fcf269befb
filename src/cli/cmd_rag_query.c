/*
 * cmd_rag_query.c — the reading side of `mote rag`:
 *
 *   mote rag search --db KB "question" [-k 5] [--mode hybrid|vector|keyword] [--json]
 *   mote rag ask --db KB -m CHAT.gguf "question" [-k 5] [--multi-query N] [--verbose-prompt] [--json]
 *
 * search prints the passages with their document, position and scores;
 * ask streams the chat model's answer, then lists the passages it was
 * given (the ones it cited marked), with retrieval and generation timed apart.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/gen_options.h"
#include "cli/rag_cli.h"

static const cli_use search_options[] = {
    {CLI_HELP, NULL}, {CLI_RAG_DB, NULL}, {CLI_RAG_K, NULL}, {CLI_RAG_MODE, NULL}, {CLI_EMBED_MODEL, NULL},
    {CLI_THREADS, NULL}, {CLI_JSON, "print JSON: the passages, their scores and the timings"},
    {CLI_QUIET, "no timing line on stderr"}, {CLI_END, NULL},
};
static const cli_command_spec search_spec = {
    "rag search", "mote rag search --db KB.sqlite \"QUESTION\" [-k 5] [--mode hybrid|vector|keyword] [--json]",
    "Print the passages of a knowledge base that best answer a question, with their\n"
    "document, position (chunk number and bytes) and scores, and the time taken.\n"
    "Keyword mode needs no embedding model.",
    search_options, CLI_MAX_POSITIONAL, false,
};

static const cli_use ask_options[] = {
    {CLI_HELP, NULL}, {CLI_RAG_DB, NULL}, {CLI_MODEL, "the GGUF chat model that answers"}, {CLI_RAG_K, NULL},
    {CLI_RAG_MODE, NULL}, {CLI_MULTI_QUERY, NULL}, {CLI_EMBED_MODEL, NULL}, {CLI_CHAT_TEMPLATE, NULL},
    {CLI_N_PREDICT, NULL}, {CLI_CTX_SIZE, NULL}, {CLI_THREADS, NULL}, {CLI_SEED, NULL}, {CLI_TEMP, NULL},
    {CLI_TOP_K, NULL}, {CLI_TOP_P, NULL}, {CLI_MIN_P, NULL}, {CLI_REPEAT_PENALTY, NULL},
    {CLI_VERBOSE_PROMPT, "print the prompt (the passages in the chat template) on stderr"},
    {CLI_JSON, "print JSON: the answer, the sources (cited or not), the rewrites and the timings"},
    {CLI_QUIET, "no sources and timings on stderr"}, {CLI_END, NULL},
};
static const cli_command_spec ask_spec = {
    "rag ask", "mote rag ask --db KB.sqlite -m CHAT.gguf \"QUESTION\" [-k 5] [--multi-query N] [options]",
    "Answer a question from a knowledge base: the best passages are retrieved,\n"
    "numbered and given to the chat model in its chat template; the answer streams\n"
    "to stdout, then the sources are listed on stderr (* marks those the answer\n"
    "cites as [n]), with the time of retrieval and of generation.",
    ask_options, CLI_MAX_POSITIONAL, false,
};

/* The question: the positional words joined (NULL after a message). */
static char *question_of(const cli_args *a, const char *sub) {
    char *q = cli_join_positional(a);
    if (!q || !q[strspn(q, " \t\n")]) {
        fprintf(stderr, "mote rag %s: no question given (mote rag %s --db KB \"QUESTION\")\n", sub, sub);
        free(q);
        return NULL;
    }
    return q;
}

static int mode_of(const cli_args *a, const char *sub) {
    const char *m = cli_str(a, CLI_RAG_MODE, "hybrid");
    int mode = mote_rag_mode_from_name(m);
    if (mode < 0) fprintf(stderr, "mote rag %s: --mode is hybrid, vector or keyword, not '%s'\n", sub, m);
    return mode;
}

/* The hits as a cJSON array (the library writes them). */
static cJSON *hits_json(const mote_rag_results *res, const bool *cited) {
    char *text = NULL;
    cJSON *arr = mote_rag_hits_json(res, cited, &text) == MOTE_OK ? cJSON_Parse(text) : NULL;
    free(text);
    return arr ? arr : cJSON_CreateArray();
}

/* "path, chunk 3 (bytes 120-480)" and the scores each list gave. */
static void print_source(FILE *out, int32_t i, const mote_rag_hit *h, const char *mark) {
    fprintf(out, "%s[%d] %s, chunk %d (bytes %lld-%lld)  score %.4g", mark, i + 1, h->path, h->seq,
            (long long)h->start, (long long)h->end, h->score);
    if (h->vector_rank) fprintf(out, "  cosine %.4f (#%d)", h->vector_score, h->vector_rank);
    if (h->keyword_rank) fprintf(out, "  bm25 %.3g (#%d)", h->keyword_score, h->keyword_rank);
    fputc('\n', out);
}

int rag_cmd_search(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&search_spec, argc, argv, &a);
    if (st >= 0) return st;
    int mode = mode_of(&a, "search");
    if (mode < 0) return 2;
    char *q = question_of(&a, "search");
    if (!q) return 2;
    mote_rag *r;
    if ((st = rag_cli_open(&a, "search", true, &r))) {
        free(q);
        return st;
    }
    int32_t k = (int32_t)cli_int(&a, CLI_RAG_K, 5);
    mote_rag_results res;
    if (mote_rag_search(r, q, k, (mote_rag_mode)mode, &res)) {
        fprintf(stderr, "mote rag search: %s\n", mote_last_error());
        mote_rag_close(r);
        free(q);
        return 1;
    }
    double total_ms = (res.load_s + res.embed_s + res.search_s) * 1e3;
    if (cli_flag(&a, CLI_JSON)) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "query", q);
        cJSON_AddStringToObject(o, "mode", mote_rag_mode_name((mote_rag_mode)mode));
        cJSON_AddNumberToObject(o, "k", k);
        cJSON_AddItemToObject(o, "results", hits_json(&res, NULL));
        cJSON *t = cJSON_AddObjectToObject(o, "timings");
        cJSON_AddNumberToObject(t, "load_ms", res.load_s * 1e3);
        cJSON_AddNumberToObject(t, "load_vectors_ms", res.vectors_s * 1e3);
        cJSON_AddNumberToObject(t, "embed_ms", res.embed_s * 1e3);
        cJSON_AddNumberToObject(t, "search_ms", res.search_s * 1e3);
        cJSON_AddNumberToObject(t, "total_ms", total_ms);
        rag_cli_put_json(o);
    } else {
        for (int32_t i = 0; i < res.n; i++) {
            const mote_rag_hit *h = &res.hits[i];
            if (i) putchar('\n');
            print_source(stdout, i, h, "");
            printf("%s\n", h->text);
        }
        if (res.n == 0) printf("(no passage matches)\n");
    }
    if (!cli_flag(&a, CLI_QUIET))
        fprintf(stderr, "mote rag search: %d passages in %.1f ms (embedding %.1f ms, ranking %.1f ms, loading the model and vectors %.1f ms)\n",
                res.n, total_ms, res.embed_s * 1e3, res.search_s * 1e3, res.load_s * 1e3);
    mote_rag_results_free(&res);
    mote_rag_close(r);
    free(q);
    return 0;
}

/* What ask shows as it goes. */
typedef struct {
    bool json, quiet;
    cJSON *rewrites; /* --json: collected for the output */
} ask_view;

static void stream_text(const char *text, size_t len, void *user) {
    if (((ask_view *)user)->json) return; /* printed whole at the end */
    fwrite(text, 1, len, stdout);
    fflush(stdout);
}

static void show_prompt(const char *text, size_t len, void *user) {
    (void)user;
    fwrite(text, 1, len, stderr);
}

static void show_rewrite(int32_t i, const char *query, void *user) {
    const ask_view *v = user;
    if (v->rewrites) cJSON_AddItemToArray(v->rewrites, cJSON_CreateString(query));
    else if (!v->quiet) fprintf(stderr, "rewrite %d: %s\n", i + 1, query);
}

int rag_cmd_ask(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&ask_spec, argc, argv, &a);
    if (st >= 0) return st;
    gen_options gen;
    gen_options_default(&gen);
    if (!gen_options_from_args(&gen, &a)) return 2;
    int mode = mode_of(&a, "ask");
    if (mode < 0) return 2;
    if (!a.model) {
        fprintf(stderr, "mote rag ask: no chat model given (-m CHAT.gguf)\n");
        return 2;
    }
    char *q = question_of(&a, "ask");
    if (!q) return 2;
    mote_rag *r;
    if ((st = rag_cli_open(&a, "ask", true, &r))) {
        free(q);
        return st;
    }
    bool json = cli_flag(&a, CLI_JSON), quiet = cli_flag(&a, CLI_QUIET) || json;
    ask_view view = {json, quiet, json ? cJSON_CreateArray() : NULL};
    mote_rag_ask_params p = mote_rag_ask_default_params();
    p.chat_model = a.model;
    p.chat_template = cli_str(&a, CLI_CHAT_TEMPLATE, NULL);
    p.k = (int32_t)cli_int(&a, CLI_RAG_K, 5);
    p.mode = (mote_rag_mode)mode;
    p.multi_query = (int32_t)cli_int(&a, CLI_MULTI_QUERY, 0);
    p.sampling = gen.gen.sampling;
    p.n_predict = gen.gen.n_predict;
    p.n_ctx = gen.gen.n_ctx;
    p.n_threads = gen.gen.n_threads;
    p.on_rewrite = show_rewrite;
    p.on_prompt = gen.gen.verbose_prompt ? show_prompt : NULL;
    p.on_text = stream_text;
    p.user = &view;
    mote_rag_answer ans;
    int rc = mote_rag_ask(r, q, &p, &ans);
    if (rc) {
        if (!json) fputc('\n', stdout);
        fprintf(stderr, "mote rag ask: %s\n", mote_last_error());
    } else if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "question", q);
        cJSON_AddStringToObject(o, "answer", ans.text ? ans.text : "");
        cJSON_AddItemToObject(o, "sources", hits_json(&ans.sources, ans.cited));
        cJSON_AddItemToObject(o, "rewrites", view.rewrites);
        view.rewrites = NULL;
        cJSON_AddStringToObject(o, "stop_reason", mote_stop_reason_name(ans.stop));
        cJSON *t = cJSON_AddObjectToObject(o, "timings");
        cJSON_AddNumberToObject(t, "load_ms", ans.load_s * 1e3);
        cJSON_AddNumberToObject(t, "rewrite_ms", ans.rewrite_s * 1e3);
        cJSON_AddNumberToObject(t, "retrieval_ms", ans.retrieval_s * 1e3);
        cJSON_AddNumberToObject(t, "generation_ms", ans.generation_s * 1e3);
        cJSON_AddNumberToObject(t, "prompt_tokens", ans.n_prompt);
        cJSON_AddNumberToObject(t, "generated_tokens", ans.n_eval);
        rag_cli_put_json(o);
    } else {
        fputc('\n', stdout);
        fflush(stdout);
        if (!quiet) {
            fprintf(stderr, "\nsources:\n");
            for (int32_t i = 0; i < ans.sources.n; i++)
                print_source(stderr, i, &ans.sources.hits[i], ans.cited[i] ? "* " : "  ");
            fprintf(stderr, "retrieval %.1f ms, generation %.1f ms (%d prompt tokens, %d generated)\n",
                    ans.retrieval_s * 1e3, ans.generation_s * 1e3, ans.n_prompt, ans.n_eval);
            if (p.multi_query) fprintf(stderr, "rewriting the question: %.1f ms\n", ans.rewrite_s * 1e3);
        }
    }
    if (!rc) mote_rag_answer_free(&ans);
    cJSON_Delete(view.rewrites);
    mote_rag_close(r);
    free(q);
    return rc ? 1 : 0;
}
