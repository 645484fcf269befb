/*
 * tokenize_bench.c — how fast mote tokenizes: a text of at least 1 MiB
 * (fixtures/text/stories.txt repeated) through each vocabulary given, timing
 * vocabulary load, tokenization (best of 3) and detokenization.
 *
 *   tokenize_bench TEXT.txt VOCAB.gguf...
 *
 * Prints one Markdown table row per vocabulary (see bench/RESULTS-tokenizer.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mote.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static char *load_text(const char *path, size_t min_size, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n <= 0) {
        fclose(f);
        return NULL;
    }
    char *one = malloc((size_t)n);
    if (!one || fread(one, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(one);
        return NULL;
    }
    fclose(f);
    size_t reps = (min_size + (size_t)n - 1) / (size_t)n;
    char *text = malloc(reps * (size_t)n);
    for (size_t r = 0; text && r < reps; r++) memcpy(text + r * (size_t)n, one, (size_t)n);
    free(one);
    *len = reps * (size_t)n;
    return text;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: tokenize_bench TEXT.txt VOCAB.gguf...\n");
        return 2;
    }
    size_t len;
    char *text = load_text(argv[1], 1 << 20, &len);
    if (!text) {
        fprintf(stderr, "tokenize_bench: cannot read %s\n", argv[1]);
        return 1;
    }
    printf("text: %s repeated to %zu bytes\n\n", argv[1], len);
    printf("| vocabulary | load (ms) | tokens | tokenize (ms, best of 3) | MB/s | detokenize (ms) |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (int a = 2; a < argc; a++) {
        double t0 = now();
        mote_gguf *g;
        mote_vocab *v;
        if (mote_gguf_open(argv[a], &g) || mote_vocab_load(g, &v)) {
            fprintf(stderr, "tokenize_bench: %s: %s\n", argv[a], mote_last_error());
            return 1;
        }
        double t_load = now() - t0;
        mote_gguf_close(g);
        double best = 1e9;
        int32_t *ids = NULL;
        size_t n = 0;
        for (int rep = 0; rep < 3; rep++) {
            free(ids);
            t0 = now();
            if (mote_tokenize_alloc(v, text, len, true, false, &ids, &n)) {
                fprintf(stderr, "tokenize_bench: %s\n", mote_last_error());
                return 1;
            }
            double t = now() - t0;
            if (t < best) best = t;
        }
        t0 = now();
        char *back;
        size_t back_len;
        mote_detokenize(v, ids, n, MOTE_DETOK_STRIP_SPACE, &back, &back_len);
        double t_detok = now() - t0;
        int same = back_len == len && !memcmp(back, text, len);
        const char *name = strrchr(argv[a], '/');
        printf("| %s | %.0f | %zu | %.1f | %.1f | %.1f |%s\n", name ? name + 1 : argv[a], t_load * 1e3, n, best * 1e3,
               (double)len / best / 1e6, t_detok * 1e3, same                                    ? ""
               : mote_vocab_kind(v) == MOTE_VOCAB_WPM ? " (WordPiece normalizes: no round trip)"
                                                      : " (ROUND TRIP DIFFERS)");
        free(back);
        free(ids);
        mote_vocab_free(v);
    }
    free(text);
    return 0;
}
