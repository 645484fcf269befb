/*
 * cmd_embed.c — `mote embed`: one embedding vector per text.
 *
 *   mote embed MODEL [-p TEXT | -f FILE] [--pooling mean|cls|last] [--no-normalize] [--json] [-t N] [-o FILE]
 *
 * -f reads one text per line (empty lines are skipped). Output: one line
 * per text, its n_embd numbers separated by spaces; --json prints
 * {"model", "n_embd", "pooling", "normalized", "embeddings": [[...], ...]}.
 * Works with embedding models (BERT: the file's pooling) and decoder models
 * (mean pooling of the last hidden state unless --pooling says otherwise).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "mote.h"

static const cli_use embed_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, "the GGUF model: an embedding model such as BERT, or a decoder model"},
    {CLI_PROMPT, "the text"}, {CLI_FILE, "one text per line ('-': standard input; empty lines are skipped)"},
    {CLI_POOLING, NULL}, {CLI_NO_NORMALIZE, NULL},
    {CLI_JSON, "print JSON: {\"n_embd\": N, \"embeddings\": [[...], ...], ...}"},
    {CLI_OUTPUT, NULL}, {CLI_THREADS, NULL}, {CLI_N_GPU_LAYERS, NULL}, {CLI_END, NULL},
};

const cli_command_spec embed_spec = {
    "embed",
    "mote embed MODEL [-p TEXT | -f FILE] [options]",
    "Print one embedding vector per text: its numbers separated by spaces, one\n"
    "line per text (or JSON with --json).",
    embed_options,
    0,
    true,
};

static const char *pooling_name(mote_pooling p) {
    return p == MOTE_POOLING_CLS ? "cls" : p == MOTE_POOLING_LAST ? "last" : "mean";
}

/* Split buf into its non-empty lines (in place); returns their count. */
static int32_t split_lines(char *buf, char ***lines) {
    int32_t n = 0, cap = 16;
    *lines = malloc((size_t)cap * sizeof **lines);
    for (char *p = buf; *lines && p && *p;) {
        char *end = strchr(p, '\n');
        if (end) *end = '\0';
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r') p[--len] = '\0';
        if (len) {
            if (n == cap) {
                char **more = realloc(*lines, (size_t)(cap *= 2) * sizeof **lines);
                if (!more) break;
                *lines = more;
            }
            (*lines)[n++] = p;
        }
        p = end ? end + 1 : NULL;
    }
    return n;
}

static void print_vectors(const float *v, int32_t n, int32_t d, bool json, const char *model, mote_pooling pool,
                          bool normalize) {
    if (!json) {
        for (int32_t i = 0; i < n; i++)
            for (int32_t k = 0; k < d; k++) printf("%.9g%c", v[(size_t)i * d + k], k + 1 < d ? ' ' : '\n');
        return;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", model);
    cJSON_AddNumberToObject(root, "n_embd", d);
    cJSON_AddStringToObject(root, "pooling", pooling_name(pool));
    cJSON_AddBoolToObject(root, "normalized", normalize);
    cJSON *all = cJSON_AddArrayToObject(root, "embeddings");
    for (int32_t i = 0; i < n; i++) {
        cJSON *row = cJSON_CreateArray();
        for (int32_t k = 0; k < d; k++) cJSON_AddItemToArray(row, cJSON_CreateNumber(v[(size_t)i * d + k]));
        cJSON_AddItemToArray(all, row);
    }
    char *s = cJSON_PrintUnformatted(root);
    if (s) puts(s);
    free(s);
    cJSON_Delete(root);
}

int cmd_embed(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&embed_spec, argc, argv, &a);
    if (st >= 0) return st;
    const char *model = a.model, *prompt = cli_str(&a, CLI_PROMPT, NULL), *file = cli_str(&a, CLI_FILE, NULL);
    const char *out_path = cli_str(&a, CLI_OUTPUT, NULL);
    mote_embed_params ep = mote_embed_default_params();
    const bool json = cli_flag(&a, CLI_JSON);
    ep.normalize = !cli_flag(&a, CLI_NO_NORMALIZE);
    const char *k = cli_str(&a, CLI_POOLING, NULL);
    if (k) {
        if (!strcmp(k, "mean")) ep.pooling = MOTE_POOLING_MEAN;
        else if (!strcmp(k, "cls")) ep.pooling = MOTE_POOLING_CLS;
        else if (!strcmp(k, "last")) ep.pooling = MOTE_POOLING_LAST;
        else {
            fprintf(stderr, "mote embed: unknown pooling '%s' (mean, cls or last)\n", k);
            return 2;
        }
    }
    if (!model) {
        fprintf(stderr, "mote embed: no model given (mote embed MODEL, or -m MODEL)\n");
        return 2;
    }
    if (!!prompt == !!file) {
        fprintf(stderr, "mote embed: give the text with -p TEXT or the texts with -f FILE (one of them)\n");
        return 2;
    }
    if (out_path && !freopen(out_path, "w", stdout)) {
        fprintf(stderr, "mote embed: cannot write '%s'\n", out_path);
        return 1;
    }

    char *buf = NULL, **lines = NULL;
    const char *one[1] = {prompt};
    const char *const *texts = one;
    int32_t n = 1;
    if (file) {
        if (!(buf = cli_read_file(file, NULL))) {
            fprintf(stderr, "mote embed: cannot read '%s'\n", file);
            return 1;
        }
        n = split_lines(buf, &lines);
        texts = (const char *const *)lines;
        if (n == 0) {
            fprintf(stderr, "mote embed: '%s' holds no text\n", file);
            free(lines);
            free(buf);
            return 1;
        }
    }

    mote_model *m = NULL;
    mote_vocab *v = NULL;
    mote_context *c = NULL;
    float *out = NULL;
    int status = 1;
    if (mote_model_load(model, &m) || mote_vocab_load(mote_model_gguf(m), &v)) goto fail;
    /* Each text gets a sequence of up to the model's context (at most 2048
     * tokens; an encoder's whole text is one step), and up to 4 texts share a pass. */
    int32_t per_text = mote_model_n_ctx_train(m) < 2048 ? mote_model_n_ctx_train(m) : 2048;
    mote_context_params cp = mote_context_default_params();
    cp.n_seq = n < 4 ? n : 4;
    cp.n_ctx = per_text * cp.n_seq;
    cp.n_batch = per_text > 512 ? per_text : 512;
    cp.n_threads = (int32_t)cli_int(&a, CLI_THREADS, 0);
    if (mote_context_new(m, &cp, &c)) goto fail;
    const int32_t d = mote_model_n_embd(m);
    if (!(out = malloc((size_t)n * d * sizeof *out))) {
        fprintf(stderr, "mote embed: out of memory for %d vectors\n", n);
        goto done;
    }
    if (mote_embed(c, v, texts, n, &ep, out)) goto fail;
    print_vectors(out, n, d, json, model, ep.pooling == MOTE_POOLING_DEFAULT ? mote_model_pooling(m) : ep.pooling,
                  ep.normalize);
    status = 0;
    goto done;
fail:
    fprintf(stderr, "mote embed: %s\n", mote_last_error());
done:
    free(out);
    mote_context_free(c);
    mote_vocab_free(v);
    mote_model_free(m);
    free(lines);
    free(buf);
    return status;
}
