/*
 * cmd_imatrix.c — `mote imatrix`: compute an importance matrix from a
 * calibration text (the work is in src/engine/imatrix_collect.c), for
 * `mote quantize --imatrix` or llama-quantize --imatrix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "engine/imatrix_collect.h"
#include "mote.h"

static void imatrix_usage(FILE *out) {
    fprintf(out,
            "usage: mote imatrix -m MODEL -f TEXT -o FILE [-c CTX] [--chunks N]\n"
            "\n"
            "Run MODEL over the text in chunks of CTX tokens (each starting with BOS) and\n"
            "write, for every weight matrix, the sum of squared input activations of each\n"
            "column and how many were seen: llama.cpp's imatrix GGUF format.\n"
            "\n"
            "  -m, --model FILE       GGUF model\n"
            "  -f, --file FILE        calibration text\n"
            "  -o, --output FILE      imatrix file to write (default: imatrix.gguf)\n"
            "  -c, --ctx-size N       chunk length in tokens (default: 512)\n"
            "      --chunks N         use only the first N chunks (default: all)\n"
            "      --process-output   also collect output.weight (llama-imatrix's option)\n"
            "  -h, --help             show this help\n");
}

static void on_chunk(int32_t chunk, int32_t n_chunks, void *user) {
    (void)user;
    fprintf(stderr, "\rimatrix: chunk %d/%d", chunk, n_chunks);
    if (chunk == n_chunks) fputc('\n', stderr);
}

int cmd_imatrix(int argc, char **argv) {
    const char *model_path = NULL, *text_path = NULL, *out_path = "imatrix.gguf";
    long n_ctx = 512, n_chunks = 0;
    bool with_output = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            imatrix_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--process-output")) {
            with_output = true;
            continue;
        }
        if (i + 1 >= argc || a[0] != '-') {
            fprintf(stderr, "mote imatrix: %s '%s' (run 'mote imatrix --help')\n",
                    a[0] == '-' ? "missing value after" : "unexpected argument", a);
            return 2;
        }
        const char *v = argv[++i];
        int bad = 0;
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) model_path = v;
        else if (!strcmp(a, "-f") || !strcmp(a, "--file")) text_path = v;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) out_path = v;
        else if (!strcmp(a, "-c") || !strcmp(a, "--ctx-size")) bad = cli_parse_count("imatrix", a, v, &n_ctx);
        else if (!strcmp(a, "--chunks")) bad = cli_parse_count("imatrix", a, v, &n_chunks);
        else {
            fprintf(stderr, "mote imatrix: unknown option '%s' (run 'mote imatrix --help')\n", a);
            return 2;
        }
        if (bad) return 2;
    }
    if (!model_path || !text_path) {
        fprintf(stderr, "mote imatrix: needs a model (-m) and a text file (-f)\n");
        return 2;
    }

    mote_model *model = NULL;
    mote_vocab *vocab = NULL;
    mote_context *ctx = NULL;
    mote_imatrix_stats *stats = NULL;
    int32_t *tokens = NULL;
    int status = 1;
    size_t n_tokens = 0;
    if (cli_load_model_and_text("imatrix", model_path, text_path, &model, &vocab, &tokens, &n_tokens)) goto done;
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = (int32_t)n_ctx;
    cp.n_batch = (int32_t)n_ctx;
    cp.all_logits = with_output;
    const int32_t bos = mote_vocab_adds_bos(vocab) ? mote_vocab_bos(vocab) : -1;
    if (mote_context_new(model, &cp, &ctx) ||
        mote_imatrix_collect(ctx, tokens, (int64_t)n_tokens, bos, (int32_t)n_chunks, with_output, on_chunk, NULL,
                             &stats) ||
        mote_imatrix_stats_save(stats, out_path, &text_path, 1)) {
        fprintf(stderr, "mote imatrix: %s\n", mote_last_error());
        goto done;
    }
    printf("imatrix: %lld matrices from %zu tokens written to %s\n", (long long)mote_imatrix_stats_count(stats),
           n_tokens, out_path);
    status = 0;
done:
    mote_imatrix_stats_free(stats);
    free(tokens);
    mote_context_free(ctx);
    mote_vocab_free(vocab);
    mote_model_free(model);
    return status;
}
