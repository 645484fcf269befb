/*
 * grammar_bench.c — what a grammar adds to each generated token (issue 14).
 *
 *   grammar_bench [-m MODEL.gguf] [--vocab VOCAB.gguf] [-n TOKENS] [-t THREADS]
 *
 * The grammar works on the vocabulary of --vocab (default: the fixtures'
 * Qwen2/Qwen3 vocabulary, 151k tokens). With -m (e.g. a model made by
 * `mote synth --like qwen3-0.6b`) each step evaluates the chosen token and
 * the sampler sees the model's logits; without it the logits are random.
 * Every step times the same logits through four samplers: no grammar, JSON
 * mode greedy, JSON mode with temperature 0.8 / top_k 40, and a JSON Schema
 * with temperature. The JSON-mode greedy sampler's token drives the model.
 * Prints the time to prepare the vocabulary, the forward pass per token,
 * each sampler's time per token, and the grammar's share of a token's time.
 * Not run by CI: timings depend on the machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "mote.h"
#include "sampler/rng.h"

static const char SCHEMA[] =
    "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\", \"maxLength\": 40}, \"age\": {\"type\": "
    "\"integer\"}, \"tags\": {\"type\": \"array\", \"items\": {\"enum\": [\"a\", \"b\", \"c\"]}, \"maxItems\": 4}, "
    "\"address\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}, \"zip\": {\"type\": "
    "\"string\", \"pattern\": \"^[0-9]{5}$\"}}, \"required\": [\"city\"]}}, \"required\": [\"name\", \"age\"]}";

enum { N_SAMPLERS = 5 };
static const char *const LABELS[N_SAMPLERS] = {"no grammar, temp 0.8, top_k 40", "JSON mode, greedy",
                                               "JSON mode, temp 0.8, top_k 40", "JSON Schema, temp 0.8, top_k 40",
                                               "no grammar, greedy"};
/* the sampler without a grammar each one is compared with */
static const int BASE[N_SAMPLERS] = {0, 4, 0, 0, 4};

static int die(const char *what) {
    fprintf(stderr, "grammar_bench: %s: %s\n", what, mote_last_error());
    return 1;
}

int main(int argc, char **argv) {
    const char *model_path = NULL, *vocab_path = NULL;
    int n_tokens = 200, n_threads = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") && i + 1 < argc) model_path = argv[++i];
        else if (!strcmp(argv[i], "--vocab") && i + 1 < argc) vocab_path = argv[++i];
        else if (!strcmp(argv[i], "-n") && i + 1 < argc) n_tokens = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-t") && i + 1 < argc) n_threads = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: grammar_bench [-m MODEL.gguf] [--vocab VOCAB.gguf] [-n TOKENS] [-t THREADS]\n");
            return 2;
        }
    }
    char default_vocab[1024];
    if (!vocab_path) {
        const char *fx = getenv("MOTE_FIXTURES");
        snprintf(default_vocab, sizeof default_vocab, "%s/vocab/ggml-vocab-qwen2.gguf", fx ? fx : "../shared/fixtures");
        vocab_path = default_vocab;
    }
    mote_gguf *vg;
    mote_vocab *vocab;
    if (mote_gguf_open(vocab_path, &vg) || mote_vocab_load(vg, &vocab)) return die(vocab_path);
    mote_gguf_close(vg);

    int64_t t0 = mote_now_ns();
    mote_grammar_vocab *gv;
    if (mote_grammar_vocab_new(vocab, &gv)) return die("grammar vocabulary");
    double prep_ms = (double)(mote_now_ns() - t0) / 1e6;

    mote_model *model = NULL;
    mote_context *ctx = NULL;
    int32_t n_vocab = mote_vocab_n_tokens(vocab);
    if (model_path) {
        if (mote_model_load(model_path, &model)) return die(model_path);
        mote_context_params cp = mote_context_default_params();
        cp.n_ctx = n_tokens + 16;
        cp.n_threads = n_threads;
        if (mote_context_new(model, &cp, &ctx)) return die("context");
        n_vocab = mote_model_n_vocab(model);
    }

    mote_grammar *json, *schema;
    if (mote_grammar_json(&json) || mote_grammar_from_json_schema(SCHEMA, sizeof SCHEMA - 1, &schema)) return die("grammar");
    mote_sampler_params warm = mote_sampler_default(), greedy = mote_sampler_default();
    warm.seed = greedy.seed = 1;
    greedy.temp = 0;
    mote_sampler *s[N_SAMPLERS] = {mote_sampler_new(&warm, n_vocab), mote_sampler_new(&greedy, n_vocab),
                                   mote_sampler_new(&warm, n_vocab), mote_sampler_new(&warm, n_vocab),
                                   mote_sampler_new(&greedy, n_vocab)};
    for (int k = 0; k < N_SAMPLERS; k++)
        if (!s[k]) return die("sampler");
    if (mote_sampler_set_grammar(s[1], json, gv) || mote_sampler_set_grammar(s[2], json, gv) ||
        mote_sampler_set_grammar(s[3], schema, gv))
        return die("set grammar");

    float *logits = malloc((size_t)n_vocab * sizeof *logits), *work = malloc((size_t)n_vocab * sizeof *work);
    int64_t sample_ns[N_SAMPLERS] = {0}, forward_ns = 0;
    int restarts[N_SAMPLERS] = {0};
    mote_rng rng;
    mote_rng_seed(&rng, 7);
    int32_t token = mote_vocab_bos(vocab) >= 0 ? mote_vocab_bos(vocab) : 0;
    const float *out = NULL;
    for (int step = 0; step < n_tokens; step++) {
        if (ctx) {
            int64_t f0 = mote_now_ns();
            if (mote_decode(ctx, &token, 1, false, &out)) return die("decode");
            forward_ns += mote_now_ns() - f0;
            memcpy(logits, out, (size_t)n_vocab * sizeof *logits);
        } else {
            for (int32_t i = 0; i < n_vocab; i++) {
                double u1 = mote_rng_uniform(&rng) + 1e-12, u2 = mote_rng_uniform(&rng);
                logits[i] = (float)(2.0 * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
            }
        }
        for (int k = 0; k < N_SAMPLERS; k++) {
            memcpy(work, logits, (size_t)n_vocab * sizeof *work);
            int64_t s0 = mote_now_ns();
            int32_t t = mote_sampler_sample(s[k], work);
            mote_sampler_accept(s[k], t);
            sample_ns[k] += mote_now_ns() - s0;
            /* a finished answer starts again, so every step does grammar work */
            if (k > 0 && k < 4 && (t < 0 || mote_vocab_is_eog(vocab, t))) {
                mote_sampler_grammar_restart(s[k]);
                restarts[k]++;
            }
            if (k == 1) token = t >= 0 && !mote_vocab_is_eog(vocab, t) ? t : token;
        }
    }
    printf("vocabulary: %s (%d tokens), prepared for grammars in %.1f ms\n", vocab_path, mote_vocab_n_tokens(vocab), prep_ms);
    if (ctx) printf("model: %s, forward pass %.2f ms/token\n", model_path, (double)forward_ns / 1e6 / n_tokens);
    else printf("model: none (random logits)\n");
    for (int k = 0; k < N_SAMPLERS; k++) {
        double us = (double)sample_ns[k] / 1e3 / n_tokens, base = (double)sample_ns[BASE[k]] / 1e3 / n_tokens;
        printf("%-34s %9.1f us/token", LABELS[k], us);
        if (BASE[k] != k) {
            printf("  (+%.1f us", us - base);
            if (ctx) printf(", %+.2f%% of a token", 100.0 * (us - base) / ((double)forward_ns / 1e3 / n_tokens + base));
            printf(", %d answers completed)", restarts[k]);
        }
        printf("\n");
    }
    for (int k = 0; k < N_SAMPLERS; k++) mote_sampler_free(s[k]);
    mote_grammar_free(json);
    mote_grammar_free(schema);
    mote_grammar_vocab_free(gv);
    mote_context_free(ctx);
    mote_model_free(model);
    mote_vocab_free(vocab);
    free(logits);
    free(work);
    return 0;
}
