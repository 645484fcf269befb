/*
 * cmd_run.c — `mote run`: generate a continuation of a prompt, streamed to
 * stdout as it is produced. The prompt is echoed first (as its tokens
 * detokenize, like llama.cpp's examples), so stdout reads as one text.
 * With --verbose, Ollama-style timings follow on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/commands.h"
#include "mote.h"

#define DEFAULT_MODEL "models/stories260K.gguf"

static void run_usage(FILE *out) {
    fprintf(out,
            "usage: mote run [-m MODEL] -p PROMPT [options]\n"
            "\n"
            "Generate a continuation of PROMPT and print it as it is produced.\n"
            "\n"
            "  -m, --model FILE        GGUF model (default: " DEFAULT_MODEL ")\n"
            "  -p, --prompt TEXT       the text to continue\n"
            "  -n, --n-predict N       tokens to generate (default: -1, until the model ends or the context fills)\n"
            "  -c, --ctx-size N        context length in tokens (default: min(model's, 4096))\n"
            "  -t, --threads N         threads (default: physical cores)\n"
            "      --temp T            temperature; 0 = greedy (default: 0.8)\n"
            "      --top-k N           keep the N likeliest tokens; 0 = off (default: 40)\n"
            "      --top-p P           nucleus sampling; 1 = off (default: 0.95)\n"
            "      --min-p P           drop tokens below P x the top probability; 0 = off (default: 0.05)\n"
            "      --repeat-penalty F  penalize repeated tokens; 1 = off (default: 1.0)\n"
            "      --repeat-last-n N   tokens the penalties look back; -1 = all (default: 64)\n"
            "      --presence-penalty F   (default: 0)\n"
            "      --frequency-penalty F  (default: 0)\n"
            "      --seed N            random seed (default: from the clock)\n"
            "      --no-bos            do not add the beginning-of-sequence token\n"
            "      --verbose           print timings and memory on stderr at the end\n"
            "  -h, --help              show this help\n");
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Parse a whole number or fail with a message naming the flag. */
static int parse_long(const char *flag, const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "mote run: %s needs a whole number from %ld to %ld, not '%s'\n", flag, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_float(const char *flag, const char *s, float *out) {
    char *end;
    errno = 0;
    float v = strtof(s, &end);
    if (errno || end == s || *end || v != v) {
        fprintf(stderr, "mote run: %s needs a number, not '%s'\n", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

typedef struct {
    const mote_vocab *vocab;
    mote_detok *detok;
} stream;

/* Print each token as soon as its characters are complete; stop at end of generation. */
static bool on_token(int32_t token, void *user) {
    stream *st = user;
    if (mote_vocab_is_eog(st->vocab, token)) return false;
    size_t len;
    const char *text = mote_detok_feed(st->detok, token, &len);
    if (len) {
        fwrite(text, 1, len, stdout);
        fflush(stdout);
    }
    return true;
}

static void print_duration(const char *what, int64_t ns) {
    if (ns >= 1000000000)
        fprintf(stderr, "%-22s%.6fs\n", what, (double)ns / 1e9);
    else
        fprintf(stderr, "%-22s%.6fms\n", what, (double)ns / 1e6);
}

static void print_rate(const char *what, int32_t n, int64_t ns) {
    fprintf(stderr, "%-22s%.2f tokens/s\n", what, ns > 0 ? (double)n * 1e9 / (double)ns : 0.0);
}

int cmd_run(int argc, char **argv) {
    const char *model_path = DEFAULT_MODEL, *prompt = NULL;
    long n_predict = -1, n_ctx = 0, n_threads = 0;
    bool no_bos = false, verbose = false;
    mote_sampler_params sp = mote_sampler_default();

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            run_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--no-bos")) {
            no_bos = true;
            continue;
        }
        if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
            verbose = true;
            continue;
        }
        if (i + 1 >= argc || a[0] != '-') {
            fprintf(stderr, "mote run: %s '%s' (run 'mote run --help')\n",
                    a[0] == '-' ? "missing value after" : "unexpected argument", a);
            return 2;
        }
        const char *v = argv[++i];
        long l;
        int bad = 0;
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) model_path = v;
        else if (!strcmp(a, "-p") || !strcmp(a, "--prompt")) prompt = v;
        else if (!strcmp(a, "-n") || !strcmp(a, "--n-predict")) bad = parse_long(a, v, -1, INT32_MAX, &n_predict);
        else if (!strcmp(a, "-c") || !strcmp(a, "--ctx-size")) bad = parse_long(a, v, 0, INT32_MAX, &n_ctx);
        else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) bad = parse_long(a, v, 0, 1024, &n_threads);
        else if (!strcmp(a, "--temp")) bad = parse_float(a, v, &sp.temp);
        else if (!strcmp(a, "--top-k")) bad = parse_long(a, v, INT32_MIN, INT32_MAX, &l), sp.top_k = (int32_t)l;
        else if (!strcmp(a, "--top-p")) bad = parse_float(a, v, &sp.top_p);
        else if (!strcmp(a, "--min-p")) bad = parse_float(a, v, &sp.min_p);
        else if (!strcmp(a, "--repeat-penalty")) bad = parse_float(a, v, &sp.repeat_penalty);
        else if (!strcmp(a, "--repeat-last-n")) bad = parse_long(a, v, -1, INT32_MAX, &l), sp.repeat_last_n = (int32_t)l;
        else if (!strcmp(a, "--presence-penalty")) bad = parse_float(a, v, &sp.presence_penalty);
        else if (!strcmp(a, "--frequency-penalty")) bad = parse_float(a, v, &sp.frequency_penalty);
        else if (!strcmp(a, "--seed")) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(v, &end, 10);
            if (errno || end == v || *end || v[0] == '-') {
                fprintf(stderr, "mote run: --seed needs a whole number, not '%s'\n", v);
                return 2;
            }
            sp.seed = (uint64_t)s;
        } else {
            fprintf(stderr, "mote run: unknown option '%s' (run 'mote run --help')\n", a);
            return 2;
        }
        if (bad) return 2;
    }
    if (!prompt) {
        fprintf(stderr, "mote run: no prompt given (use -p TEXT)\n");
        return 2;
    }

    const int64_t t_start = now_ns();
    mote_model *model = NULL;
    mote_vocab *vocab = NULL;
    mote_context *ctx = NULL;
    mote_sampler *sampler = NULL;
    mote_detok *detok = NULL;
    int32_t *tokens = NULL;
    int status = 1;

    if (mote_model_load(model_path, &model) || mote_vocab_load(mote_model_gguf(model), &vocab)) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = (int32_t)n_ctx;
    cp.n_threads = (int32_t)n_threads;
    if (mote_context_new(model, &cp, &ctx)) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    const int64_t load_ns = now_ns() - t_start;

    size_t n_tokens;
    if (mote_tokenize_alloc(vocab, prompt, strlen(prompt), !no_bos, false, &tokens, &n_tokens)) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    if (n_tokens == 0) {
        fprintf(stderr, "mote run: the prompt is empty\n");
        goto done;
    }
    if (n_tokens > (size_t)mote_context_n_ctx(ctx)) {
        fprintf(stderr, "mote run: the prompt is %zu tokens, longer than the context of %d (use -c)\n", n_tokens,
                mote_context_n_ctx(ctx));
        goto done;
    }
    if (!(sampler = mote_sampler_new(&sp, mote_model_n_vocab(model))) || !(detok = mote_detok_new(vocab, 0))) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }

    /* echo the prompt as its tokens read back */
    stream st = {vocab, detok};
    for (size_t i = 0; i < n_tokens; i++) {
        size_t len;
        const char *text = mote_detok_feed(detok, tokens[i], &len);
        fwrite(text, 1, len, stdout);
    }
    fflush(stdout);

    mote_timings tm;
    int rc = mote_generate(ctx, tokens, (int32_t)n_tokens, (int32_t)n_predict, sampler, on_token, &st, &tm);
    size_t len;
    const char *rest = mote_detok_flush(detok, &len);
    fwrite(rest, 1, len, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    if (rc) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    if (verbose) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        print_duration("total duration:", now_ns() - t_start);
        print_duration("load duration:", load_ns);
        fprintf(stderr, "%-22s%d token(s)\n", "prompt eval count:", tm.n_prompt);
        print_duration("prompt eval duration:", tm.prompt_ns);
        print_rate("prompt eval rate:", tm.n_prompt, tm.prompt_ns);
        fprintf(stderr, "%-22s%d token(s)\n", "eval count:", tm.n_eval);
        print_duration("eval duration:", tm.eval_ns);
        print_rate("eval rate:", tm.n_eval, tm.eval_ns);
        fprintf(stderr, "%-22s%d tokens, KV cache %.2f MiB (f16), context buffers %.2f MiB\n", "context:",
                mote_context_n_ctx(ctx), mote_context_kv_bytes(ctx) / 1048576.0,
                (mote_context_memory(ctx) - mote_context_kv_bytes(ctx)) / 1048576.0);
        fprintf(stderr, "%-22s%.2f MiB\n", "peak RSS:", ru.ru_maxrss / 1024.0);
    }
    status = 0;
done:
    free(tokens);
    mote_detok_free(detok);
    mote_sampler_free(sampler);
    mote_context_free(ctx);
    mote_vocab_free(vocab);
    mote_model_free(model);
    return status;
}
