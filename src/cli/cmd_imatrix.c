/*
 * cmd_imatrix.c — `mote imatrix`: compute an importance matrix from a
 * calibration text (the work is in src/engine/imatrix_collect.c), for
 * `mote quantize --imatrix` or llama-quantize --imatrix.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "engine/imatrix_collect.h"
#include "mote.h"

static const cli_use imatrix_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, NULL}, {CLI_FILE, "the calibration text"},
    {CLI_OUTPUT, "the imatrix file to write (default: imatrix.gguf)"},
    {CLI_CTX_SIZE, "chunk length in tokens (default 512; 0: the model's context, at most 4096)"},
    {CLI_CHUNKS, NULL}, {CLI_THREADS, NULL}, {CLI_OUTPUT_FREQUENCY, NULL}, {CLI_RESUME, NULL},
    {CLI_PROCESS_OUTPUT, NULL}, {CLI_QUIET, "no progress line on stderr"},
    {CLI_N_GPU_LAYERS, NULL}, {CLI_END, NULL},
};

const cli_command_spec imatrix_spec = {
    "imatrix",
    "mote imatrix MODEL -f TEXT [-o FILE] [options]\n       mote imatrix -m MODEL -f TEXT -o FILE [-c CTX] [--chunks N]",
    "Run MODEL over the text in chunks of CTX tokens (each starting with BOS) and\n"
    "write, for every weight matrix, the sum of squared input activations of each\n"
    "column and how many were seen: llama.cpp's imatrix GGUF format. The file is\n"
    "saved every --output-frequency chunks and on Ctrl-C; --resume continues it.",
    imatrix_options,
    0,
    true,
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
}

/* What the per-chunk callback needs. */
typedef struct {
    cli_progress *progress;   /* NULL: -q */
    const char *out_path, *text_path;
    long every;               /* save every this many chunks */
    int save_status;
} run_state;

/* After each chunk: progress, a save every --output-frequency chunks, and a
 * stop after Ctrl-C (the caller then saves what was gathered). */
static bool on_chunk(const mote_imatrix_stats *s, int32_t chunk, int32_t n_chunks, void *user) {
    run_state *r = user;
    if (r->progress) cli_progress_update(r->progress, chunk, n_chunks);
    if (interrupted) return false;
    if (chunk < n_chunks && chunk % r->every == 0 && r->save_status == MOTE_OK) {
        r->save_status = mote_imatrix_stats_save(s, r->out_path, &r->text_path, 1);
        if (r->save_status != MOTE_OK) {
            fprintf(stderr, "mote imatrix: %s\n", mote_last_error());
            return false;
        }
    }
    return true;
}

int cmd_imatrix(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&imatrix_spec, argc, argv, &a);
    if (st >= 0) return st;
    const char *model_path = a.model, *text_path = cli_str(&a, CLI_FILE, NULL);
    const char *out_path = cli_str(&a, CLI_OUTPUT, "imatrix.gguf");
    long n_ctx = (long)cli_int(&a, CLI_CTX_SIZE, 512), n_chunks = (long)cli_int(&a, CLI_CHUNKS, 0);
    const bool with_output = cli_flag(&a, CLI_PROCESS_OUTPUT);
    if (!model_path || !text_path) {
        fprintf(stderr, "mote imatrix: needs a model (mote imatrix MODEL, or -m) and a text file (-f)\n");
        return 2;
    }
    /* Before the work, not after it. */
    if (!cli_can_write(out_path)) {
        fprintf(stderr, "mote imatrix: cannot write the output file '%s'\n", out_path);
        return 1;
    }

    mote_model *model = NULL;
    mote_vocab *vocab = NULL;
    mote_context *ctx = NULL;
    mote_imatrix_stats *stats = NULL;
    int32_t *tokens = NULL;
    int status = 1;
    size_t n_tokens = 0;
    if (cli_load_model_and_text("imatrix", model_path, text_path, &model, &vocab, &tokens, &n_tokens)) goto done;
    n_ctx = cli_text_ctx(model, n_ctx);
    cli_warn_ctx("imatrix", model, (int32_t)n_ctx);
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = (int32_t)n_ctx;
    cp.n_batch = (int32_t)n_ctx;
    cp.n_threads = (int32_t)cli_int(&a, CLI_THREADS, 0);
    cp.all_logits = with_output;
    if (cli_flag(&a, CLI_RESUME)) {
        if (mote_imatrix_stats_load(out_path, &stats) != MOTE_OK) {
            fprintf(stderr, "mote imatrix: --resume: %s\n", mote_last_error());
            goto done;
        }
        fprintf(stderr, "mote imatrix: resuming after chunk %d of %s\n", mote_imatrix_stats_n_chunks(stats), out_path);
    }
    cli_progress progress;
    cli_progress_start(&progress, "imatrix", "chunks");
    run_state run = {cli_flag(&a, CLI_QUIET) ? NULL : &progress, out_path, text_path,
                     (long)cli_int(&a, CLI_OUTPUT_FREQUENCY, 10), MOTE_OK};
    const int32_t bos = mote_vocab_adds_bos(vocab) ? mote_vocab_bos(vocab) : -1;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    int rc = mote_context_new(model, &cp, &ctx);
    if (rc == MOTE_OK)
        rc = mote_imatrix_collect_more(ctx, tokens, (int64_t)n_tokens, bos, (int32_t)n_chunks, with_output, on_chunk,
                                       &run, &stats);
    sigaction(SIGINT, &old, NULL);
    if (rc == MOTE_OK && run.save_status == MOTE_OK && mote_imatrix_stats_n_chunks(stats) > 0)
        rc = mote_imatrix_stats_save(stats, out_path, &text_path, 1);
    if (rc != MOTE_OK) {
        fprintf(stderr, "mote imatrix: %s\n", mote_last_error());
        goto done;
    }
    if (run.save_status != MOTE_OK) goto done;
    int64_t used = mote_imatrix_stats_n_chunks(stats);
    if (interrupted) {
        fprintf(stderr, "mote imatrix: interrupted: %lld chunk%s saved to %s (continue with --resume)\n",
                (long long)used, used == 1 ? "" : "s", out_path);
        status = 130;
        goto done;
    }
    long long n_mat = (long long)mote_imatrix_stats_count(stats);
    printf("imatrix: %lld matri%s from %lld chunk%s of %ld tokens (%lld tokens) written to %s\n", n_mat,
           n_mat == 1 ? "x" : "ces", (long long)used, used == 1 ? "" : "s", n_ctx, (long long)used * n_ctx, out_path);
    status = 0;
done:
    mote_imatrix_stats_free(stats);
    free(tokens);
    mote_context_free(ctx);
    mote_vocab_free(vocab);
    mote_model_free(model);
    return status;
}
