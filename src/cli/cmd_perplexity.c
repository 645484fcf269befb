/*
 * cmd_perplexity.c — `mote perplexity`: how well a model predicts a text,
 * measured exactly as llama-perplexity does (see engine/perplexity.c), so
 * the two can be compared number for number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "cli/cli_meter.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "mote.h"

static void ppl_usage(FILE *out) {
    fprintf(out,
            "usage: mote perplexity -m MODEL -f TEXT [-c CTX] [-b BATCH]\n"
            "\n"
            "Perplexity of MODEL on the text file, llama-perplexity's way: chunks of CTX\n"
            "tokens, each starting with BOS; the second half of each chunk is scored.\n"
            "\n"
            "  -m, --model FILE       GGUF model\n"
            "  -f, --file FILE        the text\n"
            "  -c, --ctx-size N       chunk length in tokens (default: 512)\n"
            "  -b, --batch-size N     tokens evaluated per step (default: the chunk length)\n"
            "  -t, --threads N        threads (default: physical cores)\n"
            "      --chunks N         score only the first N chunks (default: all)\n"
            "  -h, --help             show this help\n");
    cli_meter_help(out);
}

static void on_chunk(int32_t chunk, int32_t n_chunks, double ppl, void *user) {
    (void)user;
    printf("[%d]%.4f,", chunk, ppl);
    if (chunk == n_chunks) printf("\n");
    fflush(stdout);
}

int cmd_perplexity(int argc, char **argv) {
    const char *model_path = NULL, *text_path = NULL;
    long n_ctx = 512, n_batch = 0, n_threads = 0, n_chunks = 0;
    cli_meter_opts meter_opts = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            ppl_usage(stdout);
            return 0;
        }
        if (i + 1 >= argc || a[0] != '-') {
            fprintf(stderr, "mote perplexity: %s '%s' (run 'mote perplexity --help')\n",
                    a[0] == '-' ? "missing value after" : "unexpected argument", a);
            return 2;
        }
        const char *v = argv[++i];
        int bad = 0;
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) model_path = v;
        else if (!strcmp(a, "-f") || !strcmp(a, "--file")) text_path = v;
        else if (!strcmp(a, "-c") || !strcmp(a, "--ctx-size")) bad = cli_parse_count("perplexity", a, v, &n_ctx);
        else if (!strcmp(a, "-b") || !strcmp(a, "--batch-size")) bad = cli_parse_count("perplexity", a, v, &n_batch);
        else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) bad = cli_parse_count("perplexity", a, v, &n_threads);
        else if (!strcmp(a, "--chunks")) bad = cli_parse_count("perplexity", a, v, &n_chunks);
        else if (cli_meter_is_option(a)) bad = cli_meter_parse(&meter_opts, "perplexity", a, v) < 0;
        else {
            fprintf(stderr, "mote perplexity: unknown option '%s' (run 'mote perplexity --help')\n", a);
            return 2;
        }
        if (bad) return 2;
    }
    if (!model_path || !text_path) {
        fprintf(stderr, "mote perplexity: needs a model (-m) and a text file (-f)\n");
        return 2;
    }

    mote_model *model = NULL;
    mote_vocab *vocab = NULL;
    mote_context *ctx = NULL;
    mote_meter *meter = NULL;
    int32_t *tokens = NULL;
    int status = 1;
    size_t n_tokens = 0;
    if (cli_meter_open(&meter_opts, "perplexity", false, &meter)) {
        status = 2;
        goto done;
    }
    if (cli_load_model_and_text("perplexity", model_path, text_path, &model, &vocab, &tokens, &n_tokens)) goto done;
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = (int32_t)n_ctx;
    cp.n_batch = (int32_t)(n_batch ? n_batch : n_ctx);
    cp.n_threads = (int32_t)n_threads;
    cp.all_logits = true;
    if (mote_context_new(model, &cp, &ctx)) {
        fprintf(stderr, "mote perplexity: %s\n", mote_last_error());
        goto done;
    }
    if (n_chunks > 0 && (size_t)n_chunks * (size_t)n_ctx < n_tokens) n_tokens = (size_t)n_chunks * (size_t)n_ctx;
    const int32_t bos = mote_vocab_adds_bos(vocab) ? mote_vocab_bos(vocab) : -1;
    printf("perplexity: %zu tokens, %zu chunks of %ld tokens\n", n_tokens, n_tokens / (size_t)n_ctx, n_ctx);
    double ppl, err, t0 = (mote_now_ns() / 1e9);
    mote_meter_report cost;
    mote_meter_start(meter);
    int rc = mote_perplexity(ctx, tokens, (int64_t)n_tokens, bos, on_chunk, NULL, &ppl, &err);
    mote_meter_stop(meter, &cost);
    if (rc) {
        fprintf(stderr, "mote perplexity: %s\n", mote_last_error());
        goto done;
    }
    double secs = (mote_now_ns() / 1e9) - t0;
    size_t evaluated = n_tokens / (size_t)n_ctx * (size_t)n_ctx;
    printf("Final estimate: PPL = %.4f +/- %.5f\n", ppl, err);
    printf("%zu tokens in %.2f s: %.2f tokens/s\n", evaluated, secs, secs > 0 ? evaluated / secs : 0.0);
    char line[400];
    mote_meter_format(&cost, line, sizeof line);
    printf("cost: %s\n", line);
    if (cost.has_energy)
        printf("energy: %.6g J/token (%s)\n", mote_meter_joules_per_token(&cost, (int64_t)evaluated), cost.source);
    status = 0;
done:
    free(tokens);
    mote_context_free(ctx);
    mote_meter_free(meter);
    mote_vocab_free(vocab);
    mote_model_free(model);
    return status;
}
