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
 * The model may be the first argument and the prompt the words after it,
 * as with `ollama run MODEL "prompt"`.
 *
 * Raw generation ends at an end-of-generation token (unless --ignore-eos),
 * a stop string, -n tokens or Ctrl-C (which prints the timings so far);
 * --verbose names the reason. A full context stops it and says so.
 */
#include <signal.h>
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
#include "cli/default_model.h"
#include "cli/gen_options.h"
#include "cli/options.h"
#include "cli/grammar_options.h"
#include "cli/speak.h"
#include "mote.h"


static const cli_use run_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, "the GGUF model, also accepted as the first argument (default: the bundled " CLI_BUNDLED_MODEL ", installed beside mote)"},
    {CLI_PROMPT, "the prompt (also: the words after the model)"}, {CLI_FILE, NULL}, {CLI_INTERACTIVE, NULL}, {CLI_OUTPUT, NULL},
    {CLI_RAW, NULL}, {CLI_NO_BOS, "(raw) do not add the beginning-of-sequence token"},
    {CLI_PARSE_SPECIAL, "(raw) read control tokens like <|im_start|> in the prompt"}, {CLI_IGNORE_EOS, NULL},
    {CLI_NO_CONTEXT_SHIFT, NULL}, {CLI_SYSTEM_PROMPT, "(chat) the system prompt"}, {CLI_MESSAGES, NULL}, {CLI_CHAT_TEMPLATE, NULL},
    {CLI_CHAT_TEMPLATE_FILE, NULL}, {CLI_HISTORY_FILE, NULL},
    {CLI_N_PREDICT, NULL}, {CLI_CTX_SIZE, NULL}, {CLI_THREADS, NULL}, {CLI_SEED, NULL}, {CLI_TEMP, NULL}, {CLI_TOP_K, NULL}, {CLI_TOP_P, NULL}, {CLI_MIN_P, NULL},
    {CLI_REPEAT_PENALTY, NULL}, {CLI_REPEAT_LAST_N, NULL}, {CLI_PRESENCE_PENALTY, NULL}, {CLI_FREQUENCY_PENALTY, NULL}, {CLI_STOP, NULL},
    {CLI_N_GPU_LAYERS, NULL}, {CLI_COLOR, NULL}, {CLI_VERBOSE, NULL}, {CLI_VERBOSE_PROMPT, NULL}, {CLI_GRAMMAR, NULL}, {CLI_GRAMMAR_FILE, NULL},
    {CLI_JSON_MODE, NULL}, {CLI_JSON_SCHEMA, NULL}, {CLI_JSON_SCHEMA_FILE, NULL},
    {CLI_TOOLS, "(chat) " "tools the model may call: a JSON array of OpenAI-style tool definitions; the calls are printed as JSON"},
    {CLI_TOOL_CHOICE, NULL},
    {CLI_CACHE_TYPE_K, NULL}, {CLI_CACHE_TYPE_V, NULL}, {CLI_MLOCK, NULL}, {CLI_NO_MMAP, NULL}, {CLI_NO_MEMORY_CHECK, NULL},
    {CLI_SPEAK, "speak the text (raw) or the answer to -p, each sentence as soon as it is complete"},
    {CLI_SPEAK_CMD, NULL}, {CLI_SPEAK_WAV, NULL},
    {CLI_WATTS, "(with --verbose) " "declared power IDLE,BUSY watts, scaled by CPU use, when nothing can be measured"},
    {CLI_GRID_INTENSITY, NULL}, {CLI_ENERGY_SOURCE, NULL},
    {CLI_JSON, "print one JSON object per answer (text, tokens, timings, stop reason) instead of the text"},
    {CLI_END, NULL},
};

const cli_command_spec run_spec = {
    "run",
    "mote run [MODEL] [PROMPT] [options]\n       mote run -m MODEL -p PROMPT [options]",
    "With a prompt: a model with a chat template (or with --chat-template) answers it\n"
    "as one chat turn; any other model (or --raw) continues it as text, and when the\n"
    "context fills up the older half of the text is dropped and generation goes on\n"
    "(--no-context-shift stops instead). Without a prompt, or with -i: a chat\n"
    "session (one answer per line of stdin when stdin is not a terminal), as\n"
    "`mote chat`. Ctrl-C stops the text and prints the timings so far.",
    run_options,
    CLI_MAX_POSITIONAL,
    true,
};

/* State of a raw continuation while it streams. */
typedef struct {
    const mote_vocab *vocab;
    mote_detok *detok;
    mote_stopper *stopper; /* the stop strings (the library's matcher, shared with chat and serve) */
    cli_answer_cost cost;       /* --verbose: the prompt and the generation are metered apart */
    bool ignore_eos;
    cli_text *json;    /* --json: the text is collected here instead of printed */
    mote_stop_reason why;
    speaker *speak;    /* --speak: the text is also spoken (NULL: not) */
} stream;

/* Show (or, with --json, collect) text. */
static void emit(stream *st, const char *text, size_t len) {
    if (!len) return;
    speaker_feed(st->speak, text, len);
    if (st->json) cli_text_add(st->json, text, len);
    else fwrite(text, 1, len, stdout);
}

/* Print (or collect) each token as soon as its characters are complete and
 * cannot be the start of a stop string; false at the end of generation or
 * after a stop string (which is printed: raw mode shows exactly what the
 * model wrote), with the reason in st->why. */
static bool on_token(int32_t token, void *user) {
    stream *st = user;
    cli_answer_cost_first_token(&st->cost); /* the first token comes right after the prompt's evaluation */
    if (!st->ignore_eos && mote_vocab_is_eog(st->vocab, token)) {
        st->why = MOTE_STOP_EOG;
        return false;
    }
    size_t len, shown;
    const char *text = mote_detok_feed(st->detok, token, &len), *out;
    const bool stop = mote_stopper_feed(st->stopper, text, len, &out, &shown);
    emit(st, out, shown);
    if (stop) {
        const char *matched = mote_stopper_matched(st->stopper);
        speaker *speak = st->speak; /* the stop string is shown, not spoken */
        st->speak = NULL;
        emit(st, matched, strlen(matched));
        st->speak = speak;
        st->why = MOTE_STOP_CALLER;
    }
    if (!st->json) fflush(stdout);
    return !stop;
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
}

/* How a raw generation goes. */
typedef struct {
    int32_t n_predict;
    bool context_shift;
    int32_t n_keep;       /* tokens a context shift keeps at the start (BOS) */
    int32_t n_shifts;     /* out: context shifts made */
} gen_plan;

/* Evaluate the prompt, then sample, show and evaluate one token at a time
 * until on_token says stop, -n tokens, Ctrl-C or (without context shift) a
 * full context; the reason in st->why. */
static int generate(mote_context *ctx, const int32_t *prompt, int32_t n_prompt, gen_plan *plan, mote_sampler *sampler,
                    float *work, int32_t n_vocab, stream *st, mote_timings *tm) {
    const float *logits;
    *tm = (mote_timings){0, 0, 0, 0};
    int64_t t0 = mote_now_ns();
    int rc = mote_decode(ctx, prompt, n_prompt, false, &logits);
    if (rc) return rc;
    tm->n_prompt = n_prompt;
    tm->prompt_ns = mote_now_ns() - t0;
    for (int32_t i = 0; i < n_prompt; i++) mote_sampler_accept(sampler, prompt[i]);
    t0 = mote_now_ns();
    st->why = MOTE_STOP_LENGTH;
    for (int32_t i = 0; plan->n_predict < 0 || i < plan->n_predict; i++) {
        if (interrupted) {
            st->why = MOTE_STOP_CANCEL;
            break;
        }
        memcpy(work, logits, (size_t)n_vocab * sizeof *work);
        const int32_t token = mote_sampler_sample(sampler, work);
        mote_sampler_accept(sampler, token);
        tm->n_eval++;
        if (!on_token(token, st)) break;
        if (plan->n_predict >= 0 && i + 1 >= plan->n_predict) break;
        int32_t n_past = mote_context_n_past(ctx), n_ctx = mote_context_seq_capacity(ctx);
        if (n_past >= n_ctx) {
            if (!plan->context_shift || n_past - plan->n_keep < 2) {
                st->why = MOTE_STOP_CONTEXT;
                break;
            }
            /* As llama.cpp: drop the older half of what follows the kept start. */
            if ((rc = mote_seq_shift(ctx, 0, plan->n_keep, (n_past - plan->n_keep) / 2))) break;
            plan->n_shifts++;
        }
        if ((rc = mote_decode(ctx, &token, 1, false, &logits))) break;
    }
    tm->eval_ns = mote_now_ns() - t0;
    if (rc) st->why = MOTE_STOP_ERROR;
    return rc;
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

/* The Ollama-style timings of --verbose (and of Ctrl-C). */
static void print_timings(const mote_context *ctx, const mote_timings *tm, int64_t total_ns, int64_t load_ns,
                          mote_stop_reason why) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    print_duration("total duration:", total_ns);
    print_duration("load duration:", load_ns);
    fprintf(stderr, "%-22s%d token(s)\n", "prompt eval count:", tm->n_prompt);
    print_duration("prompt eval duration:", tm->prompt_ns);
    print_rate("prompt eval rate:", tm->n_prompt, tm->prompt_ns);
    fprintf(stderr, "%-22s%d token(s)\n", "eval count:", tm->n_eval);
    print_duration("eval duration:", tm->eval_ns);
    print_rate("eval rate:", tm->n_eval, tm->eval_ns);
    const int tk = mote_context_type_k(ctx), tv = mote_context_type_v(ctx);
    char types[64];
    if (tk == tv) snprintf(types, sizeof types, "%s", mote_type_name(tk));
    else snprintf(types, sizeof types, "K %s, V %s", mote_type_name(tk), mote_type_name(tv));
    fprintf(stderr, "%-22s%d tokens, KV cache %.2f MiB (%s), context buffers %.2f MiB\n", "context:",
            mote_context_n_ctx(ctx), mote_context_kv_bytes(ctx) / 1048576.0, types,
            (mote_context_memory(ctx) - mote_context_kv_bytes(ctx)) / 1048576.0);
    fprintf(stderr, "%-22s%.2f MiB\n", "peak RSS:", ru.ru_maxrss / 1024.0);
    fprintf(stderr, "%-22s%s\n", "kernels:", mote_kernel_set_name());
    cli_print_stop_reason(stderr, why);
}

/* Continue `prompt` as plain text; the process exit status. */
static int run_raw(const char *model_path, const char *prompt, const gen_options *opt, const cli_args *a,
                   const cli_meter_opts *meter_opts) {
    const chat_gen_params *gen = &opt->gen;
    const bool add_bos = !cli_flag(a, CLI_NO_BOS), parse_special = cli_flag(a, CLI_PARSE_SPECIAL);
    const int64_t t_start = mote_now_ns();
    mote_model *model = NULL;
    mote_vocab *vocab = NULL;
    mote_context *ctx = NULL;
    mote_sampler *sampler = NULL;
    mote_detok *detok = NULL;
    mote_grammar_vocab *gvocab = NULL;
    int32_t *tokens = NULL;
    float *work = NULL;
    cli_text json = {0};
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
    mem_options_to_context(&opt->mem, &cp);
    if (mote_context_new(model, &cp, &ctx)) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    cli_warn_ctx("run", model, mote_context_n_ctx(ctx));
    mem_options_report_load("run", model);
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
    if (n_tokens > (size_t)mote_context_seq_capacity(ctx)) {
        fprintf(stderr, "mote run: the prompt is %zu tokens, longer than the context of %d (use -c)\n", n_tokens,
                mote_context_seq_capacity(ctx));
        goto done;
    }
    const int32_t n_vocab = mote_model_n_vocab(model);
    if (!(sampler = mote_sampler_new(&gen->sampling, n_vocab)) || !(detok = mote_detok_new(vocab, 0)) ||
        (gen->grammar && (mote_grammar_vocab_new(vocab, &gvocab) || mote_sampler_set_grammar(sampler, gen->grammar, gvocab)))) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    if (gen->verbose_prompt) {
        fprintf(stderr, "prompt: '%s'\nprompt tokens (%zu):", prompt, n_tokens);
        for (size_t i = 0; i < n_tokens; i++) fprintf(stderr, " %d", tokens[i]);
        fputc('\n', stderr);
    }
    st = (stream){vocab, detok, NULL, {0}, cli_flag(a, CLI_IGNORE_EOS), opt->json ? &json : NULL, MOTE_STOP_NONE, NULL};
    bool speak_failed;
    if (!(st.speak = speaker_from_args(a, &speak_failed)) && speak_failed) {
        status = 2;
        goto done;
    }
    if (mote_stopper_new(gen->stops, (size_t)gen->n_stops, &st.stopper)) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    work = malloc((size_t)n_vocab * sizeof *work);
    if (!work) {
        fprintf(stderr, "mote run: out of memory\n");
        goto done;
    }

    /* echo the prompt as its tokens read back (bold on a terminal with --color) */
    bool color = opt->color && isatty(STDOUT_FILENO);
    if (color) fputs("\033[1m", stdout);
    for (size_t i = 0; i < n_tokens; i++) {
        size_t len;
        const char *text = mote_detok_feed(detok, tokens[i], &len);
        if (!opt->json) fwrite(text, 1, len, stdout);
        speaker_feed(st.speak, text, len);
    }
    if (color) fputs("\033[0m", stdout);
    fflush(stdout);

    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    gen_plan plan = {gen->n_predict, !cli_flag(a, CLI_NO_CONTEXT_SHIFT), add_bos && mote_vocab_adds_bos(vocab) ? 1 : 0, 0};
    mote_timings tm;
    if (meter) mote_meter_stop(meter, &cost); /* loading; the prompt and the generation are measured on their own */
    cli_answer_cost_start(&st.cost, meter);
    int rc = generate(ctx, tokens, (int32_t)n_tokens, &plan, sampler, work, n_vocab, &st, &tm);
    sigaction(SIGINT, &old, NULL);
    size_t len, shown;
    const char *rest = mote_detok_flush(detok, &len), *out;
    if (!mote_stopper_matched(st.stopper)) {
        if (mote_stopper_feed(st.stopper, rest, len, &out, &shown)) {
            emit(&st, out, shown);
            const char *matched = mote_stopper_matched(st.stopper);
            emit(&st, matched, strlen(matched));
            st.why = MOTE_STOP_CALLER;
        } else {
            emit(&st, out, shown);
            out = mote_stopper_flush(st.stopper, &shown);
            emit(&st, out, shown);
        }
    }
    if (opt->json) {
        cli_answer ans = {json.p, json.len, st.why, tm.n_prompt, tm.n_eval, load_ns, tm.prompt_ns, tm.eval_ns, NULL};
        cli_print_answer_json(stdout, &ans);
    } else {
        fputc('\n', stdout);
        fflush(stdout);
    }
    if (rc) {
        fprintf(stderr, "mote run: %s\n", mote_last_error());
        goto done;
    }
    if (!mote_sampler_grammar_complete(sampler)) grammar_options_report_cut("run", gen->n_predict);
    if (st.why == MOTE_STOP_CONTEXT)
        fprintf(stderr, "mote run: the context of %d tokens is full: generation stopped (use -c for a larger one%s)\n",
                mote_context_seq_capacity(ctx), plan.context_shift ? "" : ", or leave out --no-context-shift");
    if (plan.n_shifts && opt->verbose)
        fprintf(stderr, "%-22s%d (the context was full; the older half of the text was dropped each time)\n",
                "context shifts:", plan.n_shifts);
    if (opt->verbose || st.why == MOTE_STOP_CANCEL)
        print_timings(ctx, &tm, mote_now_ns() - t_start, load_ns, st.why);
    cli_answer_cost_print(&st.cost, tm.n_prompt, tm.n_eval, stderr);
    status = st.why == MOTE_STOP_CANCEL ? 130 : 0;
done:
    speaker_close(st.speak);
    mote_stopper_free(st.stopper);
    mote_meter_free(meter);
    free(tokens);
    free(work);
    free(json.p);
    mote_detok_free(detok);
    mote_sampler_free(sampler);
    mote_grammar_vocab_free(gvocab);
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

int cmd_run(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&run_spec, argc, argv, &a);
    if (st >= 0) return st;
    if (!a.model) a.model = cli_default_model();
    gen_options opt;
    gen_options_default(&opt);
    if (!gen_options_from_args(&opt, &a)) return 2;
    const char *prompt = cli_str(&a, CLI_PROMPT, NULL), *prompt_file = cli_str(&a, CLI_FILE, NULL);
    if (a.n_positional && (prompt || prompt_file)) {
        fprintf(stderr, "mote run: give the prompt as words after the model or with -p/-f, not both\n");
        return 2;
    }
    if (prompt && prompt_file) {
        fprintf(stderr, "mote run: give the prompt with -p or with -f, not both\n");
        return 2;
    }
    const bool has_prompt = prompt || prompt_file || a.n_positional;
    const bool raw = cli_flag(&a, CLI_RAW);
    const bool template_given = cli_flag(&a, CLI_CHAT_TEMPLATE) || cli_flag(&a, CLI_CHAT_TEMPLATE_FILE);
    const bool chat_options = template_given || cli_flag(&a, CLI_SYSTEM_PROMPT) || cli_flag(&a, CLI_MESSAGES) ||
                              cli_flag(&a, CLI_TOOLS);
    bool chat = !has_prompt || cli_flag(&a, CLI_INTERACTIVE) || (!raw && (template_given || has_chat_template(a.model)));
    if (raw && chat_options) {
        fprintf(stderr, "mote run: --system-prompt, --messages, --chat-template and --tools need a chat, not --raw\n");
        return 2;
    }
    if (!chat && chat_options) {
        fprintf(stderr, "mote run: --system-prompt, --messages and --tools need a chat (a model with a chat template, or "
                        "--chat-template NAME)\n");
        return 2;
    }
    if (chat) return chat_main(&a, "run");

    char *owned = NULL;
    if (prompt_file && !(prompt = owned = cli_read_file(prompt_file, NULL))) {
        fprintf(stderr, "mote run: cannot read the prompt file '%s'\n", prompt_file);
        return 1;
    }
    if (!prompt && !(prompt = owned = cli_join_positional(&a))) return 1;
    const char *out_path = cli_str(&a, CLI_OUTPUT, NULL);
    if (out_path && !freopen(out_path, "w", stdout)) {
        fprintf(stderr, "mote run: cannot write '%s'\n", out_path);
        free(owned);
        return 1;
    }
    cli_meter_opts meter_opts = {0};
    if (cli_meter_from_args(&meter_opts, &a)) {
        free(owned);
        return 2;
    }
    int status = run_raw(a.model, prompt, &opt, &a, &meter_opts);
    free(owned);
    return status;
}
