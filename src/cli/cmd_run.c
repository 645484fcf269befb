/*
 * cmd_run.c — `mote run`: what `ollama run` and `llama-cli` do.
 *
 * Three cases, decided after the options are read:
 *   - no prompt (-p / -f): an interactive chat, or one answer per line of
 *     stdin when it is not a terminal — that is `mote chat`;
 *   - a prompt and a model with a chat template (and no --raw): the prompt is
 *     one user turn in the model's chat format — also `mote chat`, one-shot;
 *   - otherwise (a base model like stories260K, or --raw): the prompt is
 *     continued as plain text, streamed to stdout after an echo of the
 *     prompt (as its tokens read back, like llama.cpp's examples).
 * The generation controls (-n, sampling, -c, -t, --stop, --verbose, ...)
 * are the ones `mote chat` reads (gen_options.h), so both behave alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "cli/cli_meter.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/gen_options.h"
#include "mote.h"

#define DEFAULT_MODEL "models/stories260K.gguf"

static void run_usage(FILE *out) {
    fprintf(out,
            "usage: mote run [-m MODEL] [-p PROMPT | -f FILE] [options]\n"
            "\n"
            "With a prompt: a model with a chat template answers it as one chat turn; any\n"
            "other model (or --raw) continues it as text. Without a prompt: a chat session\n"
            "(one answer per line of stdin when stdin is not a terminal), as `mote chat`.\n"
            "\n"
            "  -m, --model FILE        GGUF model (default: " DEFAULT_MODEL ")\n"
            "  -p, --prompt TEXT       the prompt\n"
            "  -f, --file FILE         the prompt, read from FILE\n"
            "      --raw               continue the prompt as text even if the model has a chat template\n"
            "      --no-bos            (raw) do not add the beginning-of-sequence token\n"
            "      --parse-special     (raw) read control tokens like <|im_start|> in the prompt\n"
            "      --system TEXT, --messages FILE, --chat-template NAME: see mote chat --help\n");
    gen_options_help(out);
    cli_meter_help(out);
}

/* State of a raw continuation while it streams. */
typedef struct {
    const mote_vocab *vocab;
    mote_detok *detok;
    mote_stopper *stopper; /* the stop strings (the library's matcher, shared with chat and serve) */
    mote_meter *meter;          /* --verbose: the prompt and the generation are metered apart */
    mote_meter_report prompt_cost;
    bool prompt_done;
} stream;

/* Print each token as soon as its characters are complete and cannot be
 * the start of a stop string; stop at the end of generation or after a stop
 * string (which is printed: raw mode shows exactly what the model wrote). */
static bool on_token(int32_t token, void *user) {
    stream *st = user;
    if (st->meter && !st->prompt_done) { /* the first token comes right after the prompt's evaluation */
        mote_meter_stop(st->meter, &st->prompt_cost);
        mote_meter_start(st->meter);
        st->prompt_done = true;
    }
    if (mote_vocab_is_eog(st->vocab, token)) return false;
    size_t len, shown;
    const char *text = mote_detok_feed(st->detok, token, &len), *out;
    const bool stop = mote_stopper_feed(st->stopper, text, len, &out, &shown);
    fwrite(out, 1, shown, stdout);
    if (stop) fputs(mote_stopper_matched(st->stopper), stdout);
    fflush(stdout);
    return !stop;
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

/* Continue `prompt` as plain text; the process exit status. */
static int run_raw(const char *model_path, const char *prompt, const gen_options *opt, bool add_bos, bool parse_special,
                   const cli_meter_opts *meter_opts) {
    const chat_gen_params *gen = &opt->gen;
    const int64_t t_start = mote_now_ns();
    mote_model *model = NULL;
    mote_vocab *vocab = NULL;
    mote_context *ctx = NULL;
    mote_sampler *sampler = NULL;
    mote_detok *detok = NULL;
    int32_t *tokens = NULL;
    stream st = {0};
    int status = 1;
    mote_meter *meter = NULL;
    mote_meter_report cost;
    if (opt->verbose && cli_meter_open(meter_opts, "run", true, &meter)) return 2;
    if (meter) mote_meter_start(meter);

    if (mote_model_load(model_path, &model) || mote_vocab_load(mote_model_gguf(model), &vocab)) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = gen->n_ctx;
    cp.n_threads = gen->n_threads;
    if (mote_context_new(model, &cp, &ctx)) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    const int64_t load_ns = mote_now_ns() - t_start;

    size_t n_tokens;
    if (mote_tokenize_alloc(vocab, prompt, strlen(prompt), add_bos, parse_special, &tokens, &n_tokens)) {
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
    if (!(sampler = mote_sampler_new(&gen->sampling, mote_model_n_vocab(model))) || !(detok = mote_detok_new(vocab, 0))) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    if (gen->verbose_prompt) {
        fprintf(stderr, "prompt: '%s'\nprompt tokens (%zu):", prompt, n_tokens);
        for (size_t i = 0; i < n_tokens; i++) fprintf(stderr, " %d", tokens[i]);
        fputc('\n', stderr);
    }
    st = (stream){vocab, detok, NULL, meter, {.wall_s = 0}, false};
    if (mote_stopper_new(gen->stops, (size_t)gen->n_stops, &st.stopper)) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }

    /* echo the prompt as its tokens read back (bold on a terminal with --color) */
    bool color = opt->color && isatty(STDOUT_FILENO);
    if (color) fputs("\033[1m", stdout);
    for (size_t i = 0; i < n_tokens; i++) {
        size_t len;
        const char *text = mote_detok_feed(detok, tokens[i], &len);
        fwrite(text, 1, len, stdout);
    }
    if (color) fputs("\033[0m", stdout);
    fflush(stdout);

    mote_timings tm;
    if (meter) {
        mote_meter_stop(meter, &cost); /* loading; the prompt and the generation are measured on their own */
        mote_meter_start(meter);
    }
    int rc = mote_generate(ctx, tokens, (int32_t)n_tokens, gen->n_predict, sampler, on_token, &st, &tm);
    size_t len, shown;
    const char *rest = mote_detok_flush(detok, &len), *out;
    if (!mote_stopper_matched(st.stopper)) {
        if (mote_stopper_feed(st.stopper, rest, len, &out, &shown)) {
            fwrite(out, 1, shown, stdout);
            fputs(mote_stopper_matched(st.stopper), stdout);
        } else {
            fwrite(out, 1, shown, stdout);
            out = mote_stopper_flush(st.stopper, &shown);
            fwrite(out, 1, shown, stdout);
        }
    }
    fputc('\n', stdout);
    fflush(stdout);
    if (rc) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    if (opt->verbose) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        print_duration("total duration:", mote_now_ns() - t_start);
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
        char line[400];
        mote_meter_stop(meter, &cost);
        if (!st.prompt_done) st.prompt_cost = cost;
        mote_meter_format(&st.prompt_cost, line, sizeof line);
        fprintf(stderr, "%-22s%s\n", "prompt eval cost:", line);
        mote_meter_format(&cost, line, sizeof line);
        fprintf(stderr, "%-22s%s\n", "eval cost:", line);
        if (cost.has_energy)
            fprintf(stderr, "%-22s%.6g J/token prompt, %.6g J/token generated (%s)\n", "energy:",
                    mote_meter_joules_per_token(&st.prompt_cost, tm.n_prompt),
                    st.prompt_done ? mote_meter_joules_per_token(&cost, tm.n_eval) : 0.0, cost.source);
    }
    status = 0;
done:
    mote_stopper_free(st.stopper);
    mote_meter_free(meter);
    free(tokens);
    mote_detok_free(detok);
    mote_sampler_free(sampler);
    mote_context_free(ctx);
    mote_vocab_free(vocab);
    mote_model_free(model);
    return status;
}

/* True if the file is a GGUF with a chat template. A file that cannot be
 * read says false here; loading it reports why. */
static bool has_chat_template(const char *path) {
    mote_gguf *g;
    if (mote_gguf_open(path, &g) != MOTE_OK) return false;
    bool yes = mote_gguf_find_key(g, "tokenizer.chat_template") >= 0;
    mote_gguf_close(g);
    return yes;
}

/* Options that only chat understands: run passes them on (with their value). */
static bool is_chat_option(const char *a) {
    return !strcmp(a, "--system") || !strcmp(a, "--messages") || !strcmp(a, "--chat-template") ||
           !strcmp(a, "--chat-template-file");
}

int cmd_run(int argc, char **argv) {
    gen_options opt;
    gen_options_default(&opt);
    const char *model_path = DEFAULT_MODEL, *prompt = NULL, *prompt_file = NULL;
    bool add_bos = true, raw = false, parse_special = false, chat_options = false, template_given = false;
    cli_meter_opts meter_opts = {0};

    for (int i = 1; i < argc;) {
        const char *a = argv[i];
        int r = gen_options_parse(&opt, "run", argc, argv, &i);
        if (r < 0) return 2;
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            run_usage(stdout);
            return 0;
        }
        int mr = cli_meter_parse(&meter_opts, "run", a, i + 1 < argc ? argv[i + 1] : NULL);
        if (mr < 0) return 2;
        if (mr > 0) {
            i += 2;
            continue;
        }
        bool flag = true;
        if (!strcmp(a, "--no-bos")) add_bos = false;
        else if (!strcmp(a, "--raw")) raw = true;
        else if (!strcmp(a, "--parse-special")) parse_special = true;
        else flag = false;
        if (flag) {
            i++;
            continue;
        }
        const char **slot = !strcmp(a, "-m") || !strcmp(a, "--model")    ? &model_path
                            : !strcmp(a, "-p") || !strcmp(a, "--prompt") ? &prompt
                            : !strcmp(a, "-f") || !strcmp(a, "--file")   ? &prompt_file
                                                                         : NULL;
        if (!slot && !is_chat_option(a)) {
            fprintf(stderr, "mote run: unknown option '%s' (run 'mote run --help')\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "mote run: %s needs a value\n", a);
            return 2;
        }
        if (slot) *slot = argv[i + 1];
        else chat_options = true;
        template_given |= !strncmp(a, "--chat-template", 15);
        i += 2;
    }
    if (prompt && prompt_file) {
        fprintf(stderr, "mote run: give the prompt with -p or with -f, not both\n");
        return 2;
    }

    bool chat = !prompt && !prompt_file;
    bool model_template = has_chat_template(model_path);
    if (chat && !model_template && !template_given && access(model_path, R_OK) == 0) {
        fprintf(stderr, "mote run: no prompt given (-p TEXT or -f FILE), and without one run starts a chat, "
                        "which needs a chat template this model lacks (--chat-template NAME)\n");
        return 2;
    }
    if (!chat && !raw) chat = model_template;
    if (chat_options && !chat) {
        fprintf(stderr, "mote run: --system, --messages and --chat-template need a chat (not --raw, a model with a chat template)\n");
        return 2;
    }
    if (chat) {
        /* `mote chat -m MODEL` with every other option as given. */
        char **cargv = malloc(((size_t)argc + 3) * sizeof *cargv);
        if (!cargv) return 1;
        int n = 0;
        cargv[n++] = "chat";
        cargv[n++] = "-m";
        cargv[n++] = (char *)model_path;
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "-m") || !strcmp(argv[i], "--model")) i++;
            else if (!strcmp(argv[i], "--no-bos") || !strcmp(argv[i], "--parse-special")) continue;
            else if (cli_meter_is_option(argv[i])) i++; /* chat does not meter (yet) */
            else cargv[n++] = argv[i];
        }
        cargv[n] = NULL;
        int status = cmd_chat(n, cargv);
        free(cargv);
        return status;
    }

    char *owned = NULL;
    if (prompt_file && !(prompt = owned = cli_read_file(prompt_file, NULL))) {
        fprintf(stderr, "mote run: cannot read the prompt file '%s'\n", prompt_file);
        return 1;
    }
    int status = run_raw(model_path, prompt, &opt, add_bos, parse_special, &meter_opts);
    free(owned);
    return status;
}
