/*
 * cmd_rag.c — `mote rag`: a knowledge base in one SQLite file, built and
 * searched on the device (the library's mote_rag.h does the work).
 *
 *   mote rag index --db KB.sqlite [--embed-model E.gguf] PATH...   (directories recursively; '-': paths on stdin)
 *   mote rag rm    --db KB.sqlite PATH...
 *   mote rag ls    --db KB.sqlite [--json]
 *   mote rag stats --db KB.sqlite [--json]
 *   mote rag search / ask                                          (cmd_rag_query.c)
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/rag_cli.h"

static const cli_use index_options[] = {
    {CLI_HELP, NULL}, {CLI_RAG_DB, "the knowledge base (an SQLite file, made if absent)"}, {CLI_EMBED_MODEL, NULL},
    {CLI_CHUNK_TOKENS, NULL}, {CLI_CHUNK_OVERLAP, NULL}, {CLI_VECTOR_TYPE, NULL}, {CLI_THREADS, NULL},
    {CLI_QUIET, "no line per file on stderr"}, {CLI_END, NULL},
};
static const cli_command_spec index_spec = {
    "rag index", "mote rag index --db KB.sqlite [--embed-model E.gguf] PATH... [options]",
    "Add text and Markdown files to a knowledge base: each is cut into chunks of about\n"
    "--chunk-tokens tokens along paragraph and sentence boundaries, each chunk is\n"
    "embedded, and everything is written in one transaction per file. A directory\n"
    "adds its *.txt, *.md and *.markdown files recursively; '-' reads paths from\n"
    "standard input, one per line. A file whose content is unchanged is skipped; a\n"
    "changed one is replaced. The first index run needs --embed-model; the database\n"
    "remembers it and refuses another.",
    index_options, CLI_MAX_POSITIONAL, false,
};

static const cli_use rm_options[] = {{CLI_HELP, NULL}, {CLI_RAG_DB, NULL}, {CLI_END, NULL}};
static const cli_command_spec rm_spec = {
    "rag rm", "mote rag rm --db KB.sqlite PATH...",
    "Remove documents (a file, or everything under a directory) from a knowledge base.", rm_options,
    CLI_MAX_POSITIONAL, false,
};

static const cli_use ls_options[] = {{CLI_HELP, NULL}, {CLI_RAG_DB, NULL}, {CLI_JSON, "print a JSON array"}, {CLI_END, NULL}};
static const cli_command_spec ls_spec = {
    "rag ls", "mote rag ls --db KB.sqlite [--json]",
    "List the documents of a knowledge base: chunks, bytes, content hash, path.", ls_options, 0, false,
};

static const cli_use stats_options[] = {{CLI_HELP, NULL}, {CLI_RAG_DB, NULL}, {CLI_JSON, "print a JSON object"}, {CLI_END, NULL}};
static const cli_command_spec stats_spec = {
    "rag stats", "mote rag stats --db KB.sqlite [--json]",
    "Describe a knowledge base: documents, chunks, vectors, size, the embedding model.", stats_options, 0, false,
};

int rag_cli_open(const cli_args *a, const char *sub, bool must_exist, mote_rag **out) {
    const char *db = cli_str(a, CLI_RAG_DB, NULL);
    if (!db) {
        fprintf(stderr, "mote rag %s: no knowledge base given (--db KB.sqlite)\n", sub);
        return 2;
    }
    mote_rag_params p = mote_rag_default_params();
    p.embed_model = cli_str(a, CLI_EMBED_MODEL, NULL);
    p.chunk_tokens = (int32_t)cli_int(a, CLI_CHUNK_TOKENS, 200);
    p.overlap_tokens = (int32_t)cli_int(a, CLI_CHUNK_OVERLAP, p.chunk_tokens / 5 < 40 ? p.chunk_tokens / 5 : 40);
    p.n_threads = (int32_t)cli_int(a, CLI_THREADS, 0);
    p.must_exist = must_exist;
    const char *vt = cli_str(a, CLI_VECTOR_TYPE, "f16");
    if (strcmp(vt, "f16") && strcmp(vt, "f32")) {
        fprintf(stderr, "mote rag %s: --vector-type is f16 or f32, not '%s'\n", sub, vt);
        return 2;
    }
    p.vectors_f32 = !strcmp(vt, "f32");
    if (p.overlap_tokens >= p.chunk_tokens) {
        fprintf(stderr, "mote rag %s: --overlap %d must be smaller than --chunk-tokens %d\n", sub, p.overlap_tokens,
                p.chunk_tokens);
        return 2;
    }
    if (mote_rag_open(db, &p, out)) {
        fprintf(stderr, "mote rag %s: %s\n", sub, mote_last_error());
        return 1;
    }
    return 0;
}

static void on_progress(const char *path, const char *what, int32_t n_chunks, void *user) {
    if (*(bool *)user) return;
    if (n_chunks) fprintf(stderr, "%s: %s (%d chunks)\n", path, what, n_chunks);
    else fprintf(stderr, "%s: %s\n", path, what);
}

static int cmd_index(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&index_spec, argc, argv, &a);
    if (st >= 0) return st;
    if (a.n_positional == 0) {
        fprintf(stderr, "mote rag index: no files given (PATH..., or '-' to read paths from stdin)\n");
        return 2;
    }
    mote_rag *r;
    if ((st = rag_cli_open(&a, "index", false, &r))) return st;
    bool quiet = cli_flag(&a, CLI_QUIET);
    mote_rag_index_stats s = {0};
    int rc = 0;
    for (int i = 0; i < a.n_positional && !rc; i++) {
        if (strcmp(a.positional[i], "-")) {
            rc = mote_rag_index_path(r, a.positional[i], on_progress, &quiet, &s);
            continue;
        }
        char line[4096];
        while (!rc && fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (line[0]) rc = mote_rag_index_path(r, line, on_progress, &quiet, &s);
        }
    }
    if (rc) fprintf(stderr, "mote rag index: %s\n", mote_last_error());
    else fprintf(stderr,
            "mote rag index: %lld indexed, %lld unchanged, %lld skipped; %lld chunks in %.2f s (embedding %.2f s, "
            "%.1f chunks/s)\n",
            (long long)s.files_indexed, (long long)s.files_unchanged, (long long)s.files_skipped,
            (long long)s.chunks_added, s.total_s, s.embed_s, s.total_s > 0 ? (double)s.chunks_added / s.total_s : 0.0);
    mote_rag_close(r);
    return rc ? 1 : 0;
}

static int cmd_rm(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&rm_spec, argc, argv, &a);
    if (st >= 0) return st;
    if (a.n_positional == 0) {
        fprintf(stderr, "mote rag rm: no paths given\n");
        return 2;
    }
    mote_rag *r;
    if ((st = rag_cli_open(&a, "rm", true, &r))) return st;
    int rc = 0;
    for (int i = 0; i < a.n_positional && !rc; i++) {
        int64_t n;
        if (mote_rag_remove(r, a.positional[i], &n)) {
            fprintf(stderr, "mote rag rm: %s\n", mote_last_error());
            rc = 1;
        } else if (n == 0) {
            fprintf(stderr, "mote rag rm: '%s' is not in the knowledge base\n", a.positional[i]);
            rc = 1;
        } else fprintf(stderr, "%s: removed (%lld document%s)\n", a.positional[i], (long long)n, n == 1 ? "" : "s");
    }
    mote_rag_close(r);
    return rc;
}

static bool print_doc(const mote_rag_doc *d, void *user) {
    cJSON *arr = user;
    if (!arr) {
        printf("%6lld chunks %10lld bytes  %.12s  %s\n", (long long)d->n_chunks, (long long)d->bytes, d->hash, d->path);
        return true;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", d->path);
    cJSON_AddNumberToObject(o, "chunks", (double)d->n_chunks);
    cJSON_AddNumberToObject(o, "bytes", (double)d->bytes);
    cJSON_AddStringToObject(o, "sha256", d->hash);
    cJSON_AddNumberToObject(o, "indexed_at", (double)d->indexed_at);
    cJSON_AddItemToArray(arr, o);
    return true;
}

void rag_cli_put_json(cJSON *v) {
    char *s = cJSON_PrintUnformatted(v);
    if (s) puts(s);
    free(s);
    cJSON_Delete(v);
}

static int cmd_ls(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&ls_spec, argc, argv, &a);
    if (st >= 0) return st;
    mote_rag *r;
    if ((st = rag_cli_open(&a, "ls", true, &r))) return st;
    cJSON *arr = cli_flag(&a, CLI_JSON) ? cJSON_CreateArray() : NULL;
    int rc = mote_rag_list(r, print_doc, arr);
    if (rc) fprintf(stderr, "mote rag ls: %s\n", mote_last_error());
    else if (arr) rag_cli_put_json(arr), arr = NULL;
    cJSON_Delete(arr);
    mote_rag_close(r);
    return rc ? 1 : 0;
}

static int cmd_stats(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&stats_spec, argc, argv, &a);
    if (st >= 0) return st;
    mote_rag *r;
    if ((st = rag_cli_open(&a, "stats", true, &r))) return st;
    mote_rag_stats s;
    int rc = mote_rag_get_stats(r, &s);
    mote_rag_close(r);
    if (rc) {
        fprintf(stderr, "mote rag stats: %s\n", mote_last_error());
        return 1;
    }
    if (cli_flag(&a, CLI_JSON)) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "documents", (double)s.n_docs);
        cJSON_AddNumberToObject(o, "chunks", (double)s.n_chunks);
        cJSON_AddNumberToObject(o, "vectors", (double)s.n_vectors);
        cJSON_AddNumberToObject(o, "bytes", (double)s.db_bytes);
        cJSON_AddNumberToObject(o, "n_embd", s.n_embd);
        cJSON_AddStringToObject(o, "vector_type", s.vector_type);
        cJSON_AddNumberToObject(o, "chunk_tokens", s.chunk_tokens);
        cJSON_AddNumberToObject(o, "overlap_tokens", s.overlap_tokens);
        cJSON_AddStringToObject(o, "embed_model", s.embed_model);
        cJSON_AddStringToObject(o, "embed_id", s.embed_id);
        rag_cli_put_json(o);
        return 0;
    }
    printf("documents       %lld\n"
           "chunks          %lld\n"
           "vectors         %lld (%d dimensions, %s)\n"
           "database        %.1f KiB\n"
           "chunking        %d tokens, overlap %d\n"
           "embedding model %s\n"
           "model identity  %s\n",
           (long long)s.n_docs, (long long)s.n_chunks, (long long)s.n_vectors, s.n_embd, s.vector_type,
           (double)s.db_bytes / 1024.0, s.chunk_tokens, s.overlap_tokens, s.embed_model[0] ? s.embed_model : "(none yet)",
           s.embed_id[0] ? s.embed_id : "-");
    return 0;
}

static const struct {
    const char *name, *summary;
    int (*run)(int argc, char **argv);
} SUBCOMMANDS[] = {
    {"index", "add files to a knowledge base (chunk, embed, store)", cmd_index},
    {"search", "find the passages that answer a question", rag_cmd_search},
    {"ask", "answer a question from the passages with a chat model", rag_cmd_ask},
    {"ls", "list the documents", cmd_ls},
    {"rm", "remove documents", cmd_rm},
    {"stats", "describe a knowledge base", cmd_stats},
};

static void rag_usage(FILE *out) {
    fprintf(out, "usage: mote rag <command> --db KB.sqlite [options]\n\n"
                 "Retrieval on the device: a knowledge base of text and Markdown files in one\n"
                 "SQLite file, searched by embeddings and by keywords, and questions answered\n"
                 "from it by a chat model.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof SUBCOMMANDS / sizeof *SUBCOMMANDS; i++)
        fprintf(out, "  %-8s %s\n", SUBCOMMANDS[i].name, SUBCOMMANDS[i].summary);
    fprintf(out, "\nRun 'mote rag <command> --help' for its options.\n");
}

int cmd_rag(int argc, char **argv) {
    if (argc < 2) {
        rag_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        rag_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof SUBCOMMANDS / sizeof *SUBCOMMANDS; i++)
        if (!strcmp(argv[1], SUBCOMMANDS[i].name)) return SUBCOMMANDS[i].run(argc - 1, argv + 1);
    fprintf(stderr, "mote rag: unknown command '%s' (index, search, ask, ls, rm, stats)\n", argv[1]);
    return 2;
}
