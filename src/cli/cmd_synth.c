/*
 * cmd_synth.c — `mote synth --like NAME --type TYPE -o FILE`: write a
 * random-weight model with the exact shape of a known model (the work is
 * mote_synth_write in src/model/synth.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "mote.h"

static void synth_usage(FILE *out) {
    fprintf(out,
            "usage: mote synth --like NAME [--type TYPE] -o FILE [--seed N] [--ctx N] [-q]\n"
            "\n"
            "Write a GGUF model with random weights and the exact shape, tensor names and\n"
            "metadata of a known model, so it can be benchmarked (by mote or llama.cpp)\n"
            "without downloading the real one.\n"
            "\n"
            "  --like NAME   the model to imitate (--like list shows them)\n"
            "  --type TYPE   f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q6_k, q4_k_m, q5_k_m\n"
            "                (per-tensor choices as llama-quantize makes them; default q8_0)\n"
            "  -o FILE       the file to write\n"
            "  --seed N      seed of the random weights (default 42)\n"
            "  --ctx N       context length to record (default: the model's)\n"
            "  -q            no progress on stderr\n");
}

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

/* Parse a non-negative integer option value; false if it is not one. */
static bool parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s || *s == '-') return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end) return false;
    *out = v;
    return true;
}

/* True for the options that take a value (to tell "missing value" from "unknown"). */
static bool takes_value(const char *a) {
    static const char *const opts[] = {"--like", "--type", "-t", "-o", "--seed", "--ctx"};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        if (!strcmp(a, opts[i])) return true;
    return false;
}

int cmd_synth(int argc, char **argv) {
    const char *like = NULL, *out = NULL;
    mote_synth_params p = mote_synth_default_params();
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            synth_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--like") && has_val) {
            like = argv[++i];
        } else if ((!strcmp(a, "--type") || !strcmp(a, "-t")) && has_val) {
            p.type = argv[++i];
        } else if (!strcmp(a, "-o") && has_val) {
            out = argv[++i];
        } else if (!strcmp(a, "--seed") && has_val) {
            if (!parse_u64(argv[++i], &p.seed)) {
                fprintf(stderr, "mote synth: --seed needs a non-negative integer, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--ctx") && has_val) {
            uint64_t v;
            if (!parse_u64(argv[++i], &v) || v == 0 || v > (1u << 24)) {
                fprintf(stderr, "mote synth: --ctx needs a positive integer, not '%s'\n", argv[i]);
                return 2;
            }
            p.n_ctx = (int32_t)v;
        } else if (!strcmp(a, "-q")) {
            quiet = true;
        } else if (a[0] == '-') {
            fprintf(stderr, "mote synth: %s '%s' (see mote synth --help)\n",
                    takes_value(a) ? "missing value for" : "unknown option", a);
            return 2;
        } else {
            fprintf(stderr, "mote synth: unexpected argument '%s' (see mote synth --help)\n", a);
            return 2;
        }
    }
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
