/*
 * cmd_fit.c — `mote fit -m MODEL [--ram 1G] [-c N]`: what a model needs in
 * memory (weights, KV cache per context length for each cache type,
 * buffers) and what fits in the RAM given, or in what this process may use
 * now (mote_memory_available: MemAvailable, the cgroup's limit, ulimit -v):
 * the largest context, and which quantizations of the model would fit
 * (estimated from its parameter count and each type's bits per weight).
 * The same arithmetic makes `mote run` refuse a model that cannot fit.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/fit.h"
#include "cli/mem_options.h"
#include "cli/options.h"

static const cli_use fit_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, NULL}, {CLI_RAM, NULL},
    {CLI_CTX_SIZE, "the context to show in full (default 0: the model's, at most 4096)"},
    {CLI_CACHE_TYPE_K, NULL}, {CLI_CACHE_TYPE_V, NULL}, {CLI_END, NULL},
};

const cli_command_spec fit_spec = {
    "fit",
    "mote fit [-m] MODEL [--ram SIZE] [-c N] [-ctk TYPE -ctv TYPE]",
    "What MODEL needs in memory: its weights, the KV cache per context length for\n"
    "each cache type, the buffers; the largest context that fits --ram (or the memory\n"
    "this process may use now: MemAvailable, a cgroup's limit, ulimit -v), and which\n"
    "quantizations of the model would fit (estimated from its parameter count).",
    fit_options,
    0,
    true,
};

#define MIB (1024.0 * 1024.0)

mote_model *fit_open(const char *cmd, const char *path) {
    mote_model_params p = mote_model_default_params();
    p.no_repack = true;
    p.no_memory_check = true;
    mote_model *m = NULL;
    if (mote_model_load_with(path, &p, &m) != MOTE_OK) {
        fprintf(stderr, "mote %s: %s\n", cmd, mote_last_error());
        return NULL;
    }
    return m;
}

double fit_total(const mote_model *m, int32_t n_ctx, int type_k, int type_v) {
    mote_context_params p = mote_context_default_params();
    p.n_ctx = n_ctx;
    p.type_k = type_k;
    p.type_v = type_v;
    size_t kv, other;
    if (mote_context_estimate(m, &p, &kv, &other) != MOTE_OK) return 0;
    return (double)mote_model_weight_bytes(m) + (double)kv + (double)other;
}

int32_t fit_largest_context(const mote_model *m, double budget, int type_k, int type_v) {
    int32_t lo = 0, hi = mote_model_n_ctx_train(m) > 0 ? mote_model_n_ctx_train(m) : 4096;
    while (lo < hi) { /* the total grows with n_ctx */
        const int32_t mid = lo + (hi - lo + 1) / 2;
        const double t = fit_total(m, mid, type_k, type_v);
        if (t > 0 && t <= budget) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* KV cache bytes per token of a cache type (0 if the model cannot take it). */
static double kv_per_token(const mote_model *m, int type) {
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 256;
    p.type_k = p.type_v = type;
    size_t kv;
    return mote_context_estimate(m, &p, &kv, NULL) == MOTE_OK ? (double)kv / 256.0 : 0;
}

void fit_info_line(const mote_model *m, FILE *out) {
    /* the same on every machine (threads fixed at 1): what fits here is mote fit's */
    mote_context_params p = mote_context_default_params();
    p.n_threads = 1;
    size_t kv = 0, other = 0;
    mote_context_estimate(m, &p, &kv, &other);
    const int32_t n_ctx = mote_model_n_ctx_train(m) > 0 && mote_model_n_ctx_train(m) < 4096 ? mote_model_n_ctx_train(m) : 4096;
    fprintf(out, "memory:           weights %.1f MiB, KV cache per token %.1f KiB f16 / %.1f q8_0 / %.1f q4_0, "
                 "at %d tokens %.1f MiB + buffers %.1f MiB (mote fit: what fits here)\n",
            mote_model_weight_bytes(m) / MIB, kv_per_token(m, MOTE_TYPE_F16) / 1024.0,
            kv_per_token(m, MOTE_TYPE_Q8_0) / 1024.0, kv_per_token(m, MOTE_TYPE_Q4_0) / 1024.0, n_ctx, kv / MIB,
            other / MIB);
}

/* "1G", "512M", "300000K", "1.5G", "123456789" (bytes) -> bytes; < 0 if not a size. */
static double parse_size(const char *s) {
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno || end == s || !(v > 0) || !isfinite(v)) return -1;
    double mult = 1;
    switch (*end) {
    case 'k': case 'K': mult = 1024.0; end++; break;
    case 'm': case 'M': mult = MIB; end++; break;
    case 'g': case 'G': mult = MIB * 1024.0; end++; break;
    case 't': case 'T': mult = MIB * MIB; end++; break;
    default: break;
    }
    if (*end == 'i' && mult > 1) end++;
    if (*end == 'B' || *end == 'b') end++;
    return *end ? -1 : v * mult;
}

int cmd_fit(int argc, char **argv) {
    cli_args a;
    const int st = cli_parse(&fit_spec, argc, argv, &a);
    if (st >= 0) return st;
    if (!a.model) {
        fprintf(stderr, "mote fit: no model given (mote fit MODEL, or -m MODEL)\n");
        return 2;
    }
    mem_options mem;
    if (!mem_options_from_args(&mem, &a)) return 2;
    const char *ram_text = cli_str(&a, CLI_RAM, NULL), *source = "--ram";
    const double ram = ram_text ? parse_size(ram_text) : (double)mote_memory_available(&source);
    if (ram < 0) {
        fprintf(stderr, "mote fit: --ram '%s': expected a size such as 1G, 512M or 300000K\n", ram_text);
        return 2;
    }
    mote_model *m = fit_open("fit", a.model);
    if (!m) return 1;
    mote_context_params p = mote_context_default_params();
    p.n_ctx = (int32_t)cli_int(&a, CLI_CTX_SIZE, 0);
    mem_options_to_context(&mem, &p);
    size_t kv = 0, other = 0;
    if (mote_context_estimate(m, &p, &kv, &other) != MOTE_OK) {
        fprintf(stderr, "mote fit: %s\n", mote_last_error());
        mote_model_free(m);
        return 1;
    }
    const int32_t n_ctx = p.n_ctx > 0 ? p.n_ctx
                          : (mote_model_n_ctx_train(m) > 0 && mote_model_n_ctx_train(m) < 4096 ? mote_model_n_ctx_train(m) : 4096);
    const double weights = (double)mote_model_weight_bytes(m), total = weights + (double)kv + (double)other;
    const uint64_t n_params = mote_model_n_params(m);
    printf("model:            %s (%s, %.1fM parameters, trained for %d tokens)\n", a.model, mote_model_arch(m),
           n_params / 1e6, mote_model_n_ctx_train(m));
    printf("weights:          %.1f MiB\n", weights / MIB);
    static const int cache_types[] = {MOTE_TYPE_F16, MOTE_TYPE_Q8_0, MOTE_TYPE_Q4_0};
    printf("KV cache:         per token");
    for (int i = 0; i < 3; i++)
        printf("%s %.1f KiB (%s)", i ? "," : "", kv_per_token(m, cache_types[i]) / 1024.0, mote_type_name(cache_types[i]));
    printf("\n                  at");
    static const int32_t lens[] = {512, 1024, 2048, 4096, 8192, 32768};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        printf("%s %d: %.0f/%.0f/%.0f MiB", i ? "," : "", lens[i], kv_per_token(m, MOTE_TYPE_F16) * lens[i] / MIB,
               kv_per_token(m, MOTE_TYPE_Q8_0) * lens[i] / MIB, kv_per_token(m, MOTE_TYPE_Q4_0) * lens[i] / MIB);
    printf(" (f16/q8_0/q4_0)\n");
    printf("buffers:          %.1f MiB (activations, logits, scratch) at %d tokens\n", (double)other / MIB, n_ctx);
    printf("total:            %.1f MiB at %d tokens (KV cache %s/%s)\n", total / MIB, n_ctx, mote_type_name(mem.type_k),
           mote_type_name(mem.type_v));
    printf("memory:           %.1f MiB (%s): %s\n", ram / MIB, source,
           total <= ram ? "fits" : "does NOT fit");
    printf("largest context:  ");
    for (int i = 0; i < 3; i++)
        printf("%s%d tokens (%s cache)", i ? ", " : "", fit_largest_context(m, ram, cache_types[i], cache_types[i]),
               mote_type_name(cache_types[i]));
    printf("\n");
    /* other quantizations: the weights scaled by bits per weight (norms and
     * the like stay f32 in every file, a small share) */
    static const int quants[] = {MOTE_TYPE_F16, MOTE_TYPE_Q8_0, MOTE_TYPE_Q6_K, MOTE_TYPE_Q5_K, MOTE_TYPE_Q4_K,
                                 MOTE_TYPE_Q4_0, MOTE_TYPE_IQ4_XS, MOTE_TYPE_Q3_K, MOTE_TYPE_Q2_K};
    printf("quantizations (weights estimated from the parameter count; context with an f16 cache):\n");
    const double rest = total - weights;
    for (size_t i = 0; i < sizeof quants / sizeof *quants; i++) {
        const double bpw = 8.0 * (double)mote_type_block_bytes(quants[i]) / (double)mote_type_block_size(quants[i]);
        const double w = (double)n_params * bpw / 8.0;
        printf("  %-7s %5.2f bpw %8.1f MiB  %s", mote_type_name(quants[i]), bpw, w / MIB,
               w + rest <= ram ? "fits" : "does not fit");
        if (w + rest <= ram && total > 0) {
            /* the same buffers and cache as this file's, with these weights */
            const int32_t c = fit_largest_context(m, ram - (w - weights), MOTE_TYPE_F16, MOTE_TYPE_F16);
            printf(" (up to %d tokens)", c);
        }
        printf("\n");
    }
    mote_model_free(m);
    return 0;
}
