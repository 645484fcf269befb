/*
 * cmd_synth.c — `mote synth --like NAME --type TYPE -o FILE`: write a
 * random-weight model with the exact shape of a known model (the work is
 * mote_synth_write in src/model/synth.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "mote.h"

static const cli_use synth_options[] = {
    {CLI_HELP, NULL}, {CLI_LIKE, "the model to imitate (--like list shows them)"},
    {CLI_TYPE, "f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q6_k, q4_k_m, q5_k_m (per-tensor choices as "
               "llama-quantize makes them; default q8_0)"},
    {CLI_OUTPUT, "the file to write"}, {CLI_SEED, "seed of the random weights (default 42; -1: from the clock)"},
    {CLI_CTX_SIZE, "context length to record (default 0: the model's)"},
    {CLI_VOCAB_FROM, "the real vocabulary of this GGUF file (same token count) instead of a synthetic one, so "
                     "text tokenizes as with the real model"},
    {CLI_QUIET, NULL}, {CLI_END, NULL},
};

const cli_command_spec synth_spec = {
    "synth",
    "mote synth --like NAME [--type TYPE] -o FILE [-s N] [-c N] [--vocab-from FILE] [-q]",
    "Write a GGUF model with random weights and the exact shape, tensor names and\n"
    "metadata of a known model, so it can be benchmarked (by mote or llama.cpp)\n"
    "without downloading the real one.",
    synth_options,
    0,
    false,
};

/* Print the known shapes with their sizes. */
static void list_shapes(void) {
    printf("%-17s %-7s %6s %6s %5s %4s %6s %7s %9s\n", "name", "arch", "embd", "layers", "heads", "kv", "ff",
           "vocab", "params");
    for (const mote_model_shape *s = mote_model_shapes(); s->name; s++)
        printf("%-17s %-7s %6d %6d %5d %4d %6d %7d %8.1fM\n", s->name, s->arch, s->n_embd, s->n_layer, s->n_head,
               s->n_head_kv, s->n_ff, s->n_vocab, (double)mote_model_shape_n_params(s) / 1e6);
}

/* Progress on stderr, redrawn in place when the percentage changes (only on a terminal). */
static void progress(int64_t done, int64_t total, const char *tensor, void *user) {
    int *last = user;
    int pct = (int)(100 * done / (total ? total : 1));
    if (!tensor) {
        if (*last >= 0) fprintf(stderr, "\rmote synth: 100%%%-40s\n", "");
        return;
    }
    if (pct == *last) return;
    *last = pct;
    fprintf(stderr, "\rmote synth: %3d%% %-40s", pct, tensor);
}

int cmd_synth(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&synth_spec, argc, argv, &a);
    if (st >= 0) return st;
    const char *like = cli_str(&a, CLI_LIKE, NULL), *out = cli_str(&a, CLI_OUTPUT, NULL);
    mote_synth_params p = mote_synth_default_params();
    p.type = cli_str(&a, CLI_TYPE, p.type);
    p.vocab_from = cli_str(&a, CLI_VOCAB_FROM, NULL);
    const long long seed = cli_int(&a, CLI_SEED, (long long)p.seed);
    p.seed = seed == -1 ? (uint64_t)time(NULL) : (uint64_t)seed;
    if (cli_int(&a, CLI_CTX_SIZE, 0) > (1 << 24)) {
        fprintf(stderr, "mote synth: -c %lld: at most %d tokens\n", cli_int(&a, CLI_CTX_SIZE, 0), 1 << 24);
        return 2;
    }
    p.n_ctx = (int32_t)cli_int(&a, CLI_CTX_SIZE, 0);
    const bool quiet = cli_flag(&a, CLI_QUIET);
    if (like && !strcmp(like, "list")) {
        list_shapes();
        return 0;
    }
    if (!like || !out) {
        fprintf(stderr, "mote synth: %s is required (see mote synth --help)\n", !like ? "--like NAME" : "-o FILE");
        return 2;
    }
    const mote_model_shape *s = mote_model_shape_find(like);
    if (!s) {
        fprintf(stderr, "mote synth: unknown model '%s' (mote synth --like list shows the known ones)\n", like);
        return 2;
    }
    int last_pct = -1;
    if (!quiet && isatty(2)) {
        p.progress = progress;
        p.user = &last_pct;
    }
    if (mote_synth_write(s, &p, out) != MOTE_OK) {
        if (last_pct >= 0) fprintf(stderr, "\n");
        fprintf(stderr, "mote synth: %s\n", mote_last_error());
        return 1;
    }
    return 0;
}
