/*
 * cmd_perplexity.c — `mote perplexity`: how well a model predicts a text,
 * measured exactly as llama-perplexity does (see engine/perplexity.c), so
 * the two can be compared number for number. With --kl-divergence-base it
 * also saves the logits, and with --kl-divergence it compares a model with
 * such a file (src/eval/kld.c), in llama-perplexity's file format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "cli/cli_meter.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/mem_options.h"
#include "cli/options.h"
#include "eval/kld.h"
#include "cli/progress.h"
#include "mote.h"

static const cli_use perplexity_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, NULL}, {CLI_FILE, "the text"},
    {CLI_CTX_SIZE, "chunk length in tokens (default 512; 0: the model's context, at most 4096)"},
    {CLI_BATCH_SIZE, NULL}, {CLI_THREADS, NULL}, {CLI_CHUNKS, "score only the first N chunks (default: all)"},
    {CLI_OUTPUT, "write the results to FILE"},
    {CLI_KLD_BASE, NULL}, {CLI_KLD, NULL}, {CLI_QUIET, "no progress line on stderr"}, {CLI_N_GPU_LAYERS, NULL},
    {CLI_WATTS, NULL}, {CLI_GRID_INTENSITY, NULL}, {CLI_ENERGY_SOURCE, NULL},
    {CLI_CACHE_TYPE_K, NULL}, {CLI_CACHE_TYPE_V, NULL}, {CLI_MLOCK, NULL}, {CLI_NO_MMAP, NULL}, {CLI_NO_MEMORY_CHECK, NULL}, {CLI_END, NULL},
};

const cli_command_spec perplexity_spec = {
    "perplexity",
    "mote perplexity MODEL -f TEXT [options]\n       mote perplexity -m MODEL -f TEXT [-c CTX] [-b BATCH] [--chunks N] [--kl-divergence-base FILE]\n"
    "       mote perplexity -m MODEL --kl-divergence --kl-divergence-base FILE",
    "Perplexity of MODEL on the text file, llama-perplexity's way: chunks of CTX\n"
    "tokens, each starting with BOS; the second half of each chunk is scored. As\n"
    "llama-perplexity, the text must hold at least two chunks.",
    perplexity_options,
    0,
    true,
};

static void on_chunk(int32_t chunk, int32_t n_chunks, double ppl, void *user) {
    printf("[%d]%.4f,", chunk, ppl);
    if (chunk == n_chunks) printf("\n");
    fflush(stdout);
    if (user) cli_progress_update(user, chunk, n_chunks);
}

/* --kl-divergence: the model against the base log-probabilities of a file,
 * over the file's own tokens and chunk length. */
static int kld_run(const char *model_path, const char *base, long n_threads, long n_chunks) {
    if (!model_path || !base) {
        fprintf(stderr, "mote perplexity: --kl-divergence needs a model (-m) and --kl-divergence-base FILE\n");
        return 2;
    }
    char why[1024];
    int32_t n_ctx;
    if (kld_base_n_ctx(base, &n_ctx, why, sizeof why)) {
        fprintf(stderr, "mote perplexity: %s\n", why);
        return 1;
    }
    mote_model *model = NULL;
    mote_vocab *vocab = NULL;
    mote_context *ctx = NULL;
    int status = 1;
    if (mote_model_load(model_path, &model) || mote_vocab_load(mote_model_gguf(model), &vocab)) {
        fprintf(stderr, "mote perplexity: %s\n", mote_last_error());
        goto done;
    }
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = n_ctx;
    cp.n_batch = n_ctx;
    cp.n_threads = (int32_t)n_threads;
    cp.all_logits = true;
    if (mote_context_new(model, &cp, &ctx)) {
        fprintf(stderr, "mote perplexity: %s\n", mote_last_error());
        goto done;
    }
    const int32_t bos = mote_vocab_adds_bos(vocab) ? mote_vocab_bos(vocab) : -1;
    if (kld_compare(model, ctx, bos, base, n_chunks, stdout, NULL, why, sizeof why)) {
        fprintf(stderr, "mote perplexity: %s\n", why);
        goto done;
    }
    status = 0;
done:
    mote_context_free(ctx);
    mote_vocab_free(vocab);
    mote_model_free(model);
    return status;
}

int cmd_perplexity(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&perplexity_spec, argc, argv, &a);
    if (st >= 0) return st;
    const char *model_path = a.model, *text_path = cli_str(&a, CLI_FILE, NULL);
    long n_ctx = (long)cli_int(&a, CLI_CTX_SIZE, 512), n_batch = (long)cli_int(&a, CLI_BATCH_SIZE, 0);
    long n_threads = (long)cli_int(&a, CLI_THREADS, 0), n_chunks = (long)cli_int(&a, CLI_CHUNKS, 0);
    const char *kld_base = cli_str(&a, CLI_KLD_BASE, NULL);
    if (cli_flag(&a, CLI_KLD)) return kld_run(model_path, kld_base, n_threads, n_chunks);
    if (!model_path || !text_path) {
        fprintf(stderr, "mote perplexity: needs a model (mote perplexity MODEL, or -m) and a text file (-f)\n");
        return 2;
    }
    cli_meter_opts meter_opts = {0};
    if (cli_meter_from_args(&meter_opts, &a)) return 2;
    mem_options mem;
    if (!mem_options_from_args(&mem, &a)) return 2;
    const char *out_path = cli_str(&a, CLI_OUTPUT, NULL);
    if (out_path && !freopen(out_path, "w", stdout)) {
        fprintf(stderr, "mote perplexity: cannot write '%s'\n", out_path);
        return 1;
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
    n_ctx = cli_text_ctx(model, n_ctx);
    /* llama-perplexity's rule on the whole text, whatever --chunks says. */
    if (n_tokens < 2 * (size_t)n_ctx) {
        fprintf(stderr, "mote perplexity: a context of %ld needs a text of at least %ld tokens; it has only %zu\n",
                n_ctx, 2 * n_ctx, n_tokens);
        goto done;
    }
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = (int32_t)n_ctx;
    cp.n_batch = (int32_t)(n_batch ? n_batch : n_ctx);
    cp.n_threads = (int32_t)n_threads;
    cp.all_logits = true;
    mem_options_to_context(&mem, &cp);
    if (mote_context_new(model, &cp, &ctx)) {
        fprintf(stderr, "mote perplexity: %s\n", mote_last_error());
        goto done;
    }
    cli_warn_ctx("perplexity", model, (int32_t)n_ctx);
    if (n_chunks > 0 && (size_t)n_chunks * (size_t)n_ctx < n_tokens) n_tokens = (size_t)n_chunks * (size_t)n_ctx;
    const int32_t bos = mote_vocab_adds_bos(vocab) ? mote_vocab_bos(vocab) : -1;
    size_t chunks = n_tokens / (size_t)n_ctx;
    printf("perplexity: %zu tokens, %zu chunk%s of %ld tokens\n", chunks * (size_t)n_ctx, chunks, chunks == 1 ? "" : "s",
           n_ctx);
    cli_progress progress;
    cli_progress_start(&progress, "perplexity", "chunks");
    double ppl, err, t0 = (mote_now_ns() / 1e9);
    mote_meter_report cost;
    mote_meter_start(meter);
    int rc;
    char why[1024] = "";
    if (kld_base)
        rc = kld_save_base(model, ctx, tokens, (int64_t)n_tokens, bos, kld_base, stdout, &ppl, &err, why, sizeof why);
    else
        rc = mote_perplexity(ctx, tokens, (int64_t)n_tokens, bos, on_chunk,
                             cli_flag(&a, CLI_QUIET) ? NULL : &progress, &ppl, &err);
    mote_meter_stop(meter, &cost);
    if (rc) {
        fprintf(stderr, "mote perplexity: %s\n", why[0] ? why : mote_last_error());
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
