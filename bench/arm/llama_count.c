/*
 * llama_count.c — the llama.cpp side of the ARM whole-model proxy
 * (bench/arm-compare-llamacpp.sh): a minimal program on llama.cpp's public C
 * API (llama.h) that does what one `mote bench -r 1` test does per run, so
 * the instructions counted under qemu compare like for like:
 *   - load the GGUF file with llama.cpp's defaults (mmap, and its CPU
 *     "extra buffer types": weights repacked at load where its ARM kernels
 *     want it), one thread for prompts and generation;
 *   - from an empty cache, decode a prompt of P tokens in one batch, then G
 *     tokens one at a time; do this twice (mote bench's warm-up run and its
 *     one timed run), so the per-token differences are taken the same way.
 * The token ids are fixed, not sampled (as in llama-bench and mote bench).
 * It is cross-compiled by the proxy script against an out-of-tree build of
 * llama.cpp's static libraries; it is not part of mote's build.
 * usage: llama_count MODEL.gguf P G   (prints "kv N" and the buffer types)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama.h"

/* Keep llama.cpp's log quiet except the lines that say which buffer types
 * (CPU_REPACK and such) hold the weights. */
static void on_log(enum ggml_log_level level, const char *text, void *user) {
    (void)user;
    if (level == GGML_LOG_LEVEL_ERROR || strstr(text, "buffer size") || strstr(text, "REPACK"))
        fputs(text, stderr);
}

/* One run: cache cleared, P prompt tokens in one batch, then G one by one.
 * Returns 0, or 1 after saying what failed. */
static int run_once(struct llama_context *ctx, llama_token *tokens, int n_prompt, int n_gen) {
    llama_memory_clear(llama_get_memory(ctx), true);
    if (n_prompt > 0 && llama_decode(ctx, llama_batch_get_one(tokens, n_prompt))) {
        fprintf(stderr, "llama_count: prompt decode failed\n");
        return 1;
    }
    for (int i = 0; i < n_gen; i++)
        if (llama_decode(ctx, llama_batch_get_one(&tokens[n_prompt + i], 1))) {
            fprintf(stderr, "llama_count: decode of generated token %d failed\n", i);
            return 1;
        }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: llama_count MODEL.gguf PROMPT_TOKENS GEN_TOKENS\n");
        return 2;
    }
    int n_prompt = atoi(argv[2]), n_gen = atoi(argv[3]);
    if (n_prompt < 0 || n_gen < 0 || n_prompt + n_gen < 1 || n_prompt + n_gen > 4096) {
        fprintf(stderr, "llama_count: token counts out of range\n");
        return 2;
    }
    llama_log_set(on_log, NULL);
    llama_backend_init();
    struct llama_model *model = llama_model_load_from_file(argv[1], llama_model_default_params());
    if (!model) {
        fprintf(stderr, "llama_count: cannot load %s\n", argv[1]);
        return 1;
    }
    struct llama_context_params cp = llama_context_default_params();
    int need = n_prompt + n_gen;
    cp.n_ctx = need < 16 ? 16 : need;
    cp.n_batch = cp.n_ubatch = n_prompt > 0 ? n_prompt : 1;
    cp.n_threads = cp.n_threads_batch = 1;
    struct llama_context *ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        fprintf(stderr, "llama_count: cannot make a context\n");
        return 1;
    }
    int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    llama_token *tokens = malloc(sizeof *tokens * (size_t)need);
    if (!tokens) return 1;
    for (int i = 0; i < need; i++) tokens[i] = (llama_token)((1000 + 7 * i) % n_vocab);
    int rc = run_once(ctx, tokens, n_prompt, n_gen) || run_once(ctx, tokens, n_prompt, n_gen);
    printf("kv %u\n", llama_n_ctx(ctx));
    free(tokens);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return rc;
}
