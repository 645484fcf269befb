/*
 * cmd_embed.c — `mote embed`: one embedding vector per text.
 *
 *   mote embed -m MODEL [-p TEXT | -f FILE] [--pooling mean|cls|last] [--no-normalize] [--json]
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
#include "mote.h"

static void embed_usage(FILE *out) {
    fprintf(out,
            "usage: mote embed -m MODEL [-p TEXT | -f FILE] [options]\n"
            "\n"
            "Print one embedding vector per text.\n"
            "\n"
            "  -m, --model MODEL      GGUF file (an embedding model such as BERT, or a decoder model)\n"
            "  -p, --prompt TEXT      the text\n"
            "  -f, --file FILE        one text per line ('-' for standard input; empty lines are skipped)\n"
            "  --pooling KIND         mean, cls or last (default: the model's; mean for decoder models)\n"
            "  --no-normalize         print the pooled vectors without scaling them to unit length\n"
            "  -t, --threads N        threads (default 0: one per physical core)\n"
            "  --json                 print JSON: {\"n_embd\": N, \"embeddings\": [[...], ...], ...}\n");
}

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
    const char *model = NULL, *prompt = NULL, *file = NULL;
    mote_embed_params ep = mote_embed_default_params();
    bool json = false;
    int n_threads = 0; /* -t: 0 = one per physical core */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            embed_usage(stdout);
            return 0;
        } else if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && has_value) {
            model = argv[++i];
        } else if ((!strcmp(a, "-p") || !strcmp(a, "--prompt")) && has_value) {
            prompt = argv[++i];
        } else if ((!strcmp(a, "-f") || !strcmp(a, "--file")) && has_value) {
            file = argv[++i];
        } else if (!strcmp(a, "--pooling") && has_value) {
            const char *k = argv[++i];
            if (!strcmp(k, "mean")) ep.pooling = MOTE_POOLING_MEAN;
            else if (!strcmp(k, "cls")) ep.pooling = MOTE_POOLING_CLS;
            else if (!strcmp(k, "last")) ep.pooling = MOTE_POOLING_LAST;
            else {
                fprintf(stderr, "mote embed: unknown pooling '%s' (mean, cls or last)\n", k);
                return 2;
            }
        } else if ((!strcmp(a, "-t") || !strcmp(a, "--threads")) && has_value) {
            char *end;
            const long t = strtol(argv[++i], &end, 10);
            if (*end || t < 0 || t > 1024) {
                fprintf(stderr, "mote embed: bad thread count '%s' (0 for one per physical core)\n", argv[i]);
                return 2;
            }
            n_threads = (int)t;
        } else if (!strcmp(a, "--no-normalize")) {
            ep.normalize = false;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "-m") || !strcmp(a, "-p") || !strcmp(a, "-f") || !strcmp(a, "--model") ||
                   !strcmp(a, "--prompt") || !strcmp(a, "--file") || !strcmp(a, "--pooling") || !strcmp(a, "-t") ||
                   !strcmp(a, "--threads")) {
            fprintf(stderr, "mote embed: option '%s' needs a value\n", a);
            return 2;
        } else {
            fprintf(stderr, "mote embed: unknown option '%s' (see mote embed --help)\n", a);
            return 2;
        }
    }
    if (!model) {
        fprintf(stderr, "mote embed: no model given (-m MODEL)\n");
        return 2;
    }
    if (!!prompt == !!file) {
        fprintf(stderr, "mote embed: give the text with -p TEXT or the texts with -f FILE (one of them)\n");
        return 2;
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
    cp.n_threads = n_threads;
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
