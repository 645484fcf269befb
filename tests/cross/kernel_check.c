/*
 * kernel_check.c — the SIMD kernel test as a plain program, for targets
 * without cmocka (ARM cross builds run under qemu-user). Runs every kernel
 * set the CPU supports through tests/kernels/simd_check.c (random rows and
 * the deliberately extreme super-block rows) and exits 1 on any
 * mismatch; the panel kernels and stored panel layouts of each set too
 * (tests/kernels/panel_check.c), and its attention and SiLU kernels
 * (tests/kernels/attention_check.c, glu_check.c).
 *
 * usage: kernel_check [--expect SET]... [--fixtures DIR]
 *   --expect SET    fail unless kernel set SET ("neon", "neon-dotprod") is
 *                   usable here, so a qemu CPU model that silently lacks a
 *                   feature cannot turn the test into a no-op.
 *   --fixtures DIR  also compare on every 5th row of every weight tensor of
 *                   the fixture models in DIR (the shared fixtures root).
 */
#include <stdio.h>
#include <string.h>

#include "core/cpu.h"
#include "mote.h"
#include "quant/types.h"
#include "attention_check.h"
#include "glu_check.h"
#include "panel_check.h"
#include "simd_check.h"

/* Every 5th row of every tensor with a vec_dot, in the fixture models. */
static int check_fixtures(const char *root, const mote_kernel_set *set) {
    static const char *files[] = {
        "models/llama-tiny-f32.gguf",    "models/llama-tiny-f16.gguf",    "models/llama-tiny-bf16.gguf",
        "models/llama-tiny-tq1_0.gguf",  "models/llama-tiny-q8_0.gguf",
        "models/llama-tiny-q4_0.gguf",   "models/llama-tiny-q4_1.gguf",   "models/llama-tiny-q5_0.gguf",
        "models/llama-tiny-q5_1.gguf",   "models/llama-tiny-q2_k.gguf",   "models/llama-tiny-q3_k_m.gguf",
        "models/llama-tiny-q4_k_m.gguf", "models/llama-tiny-q5_k_m.gguf", "models/llama-tiny-q6_k.gguf",
        "models/llama-tiny-iq4_nl.gguf", "models/llama-tiny-iq4_xs.gguf", "models/llama-tiny-tq2_0.gguf",
        "models/gemma3-tiny-q4_k_m.gguf",
    };
    int bad = 0, rows = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", root, files[f]);
        mote_gguf *g = NULL;
        if (mote_gguf_open(path, &g) != MOTE_OK) {
            fprintf(stderr, "cannot open fixture %s\n", path);
            bad++;
            continue;
        }
        for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
            const mote_tensor_info *t = mote_gguf_tensor(g, i);
            const mote_type_traits *tr = mote_traits(t->type);
            if (!tr || !tr->vec_dot || t->ne[0] % tr->block_size) continue;
            const int64_t n = t->ne[0], nrows = mote_tensor_nelements(t) / n;
            const size_t rb = mote_row_size(t->type, n);
            for (int64_t r = 0; r < nrows; r += 5, rows++)
                bad += simd_check_row(set, t->type, (const uint8_t *)t->data + r * rb, n, (uint32_t)(r + 1), t->name);
        }
        mote_gguf_close(g);
    }
    printf("kernel set %s: %d fixture rows, %d mismatches\n", set->name, rows, bad);
    return bad;
}

int main(int argc, char **argv) {
    int count, bad = 0, ran = 0;
    const char *fixtures = NULL;
    const mote_kernel_set *sets = mote_kernel_sets(&count);
    printf("cpu: %s\n", mote_cpu_describe());
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--fixtures") == 0 && a + 1 < argc) {
            fixtures = argv[++a];
            continue;
        }
        if (strcmp(argv[a], "--expect") != 0 || a + 1 >= argc) {
            fprintf(stderr, "usage: kernel_check [--expect SET]... [--fixtures DIR]\n");
            return 2;
        }
        const char *want = argv[++a];
        int found = 0;
        for (int i = 0; i < count; i++)
            if (strcmp(sets[i].name, want) == 0 && sets[i].usable()) found = 1;
        if (!found) {
            fprintf(stderr, "kernel set %s is not usable on this CPU\n", want);
            bad++;
        }
    }
    for (int i = 0; i < count; i++) {
        if (!sets[i].usable()) {
            printf("kernel set %s: not supported by this CPU, skipped\n", sets[i].name);
            continue;
        }
        int entries = 0;
        for (const mote_kernel_entry *e = sets[i].entries; e->type >= 0; e++) entries++;
        const int b = simd_check_set(&sets[i], 777u + (uint32_t)i);
        printf("kernel set %s: %d kernels, %d mismatches\n", sets[i].name, entries, b);
        bad += b;
        int extreme = 0;
        const int eb = simd_check_extreme_rows(&sets[i], &extreme);
        printf("kernel set %s: %d super-block dots on extreme rows, %d mismatches\n", sets[i].name, extreme, eb);
        bad += eb;
        int panels = 0, stored = 0;
        const int pb = panel_check_set(&sets[i], 4242u + (uint32_t)i, &panels, &stored);
        printf("kernel set %s: %d panel kernels, %d stored layouts, %d mismatches\n", sets[i].name, panels, stored, pb);
        bad += pb;
        int queries = 0;
        const int ab = attention_check_set(&sets[i], &queries);
        if (queries) printf("kernel set %s: %d attention queries, %d mismatches\n", sets[i].name, queries, ab);
        bad += ab;
        int elements = 0;
        const int gb = glu_check_set(&sets[i], &elements);
        if (elements) printf("kernel set %s: %d glu_silu elements, %d mismatches\n", sets[i].name, elements, gb);
        bad += gb;
        if (fixtures) bad += check_fixtures(fixtures, &sets[i]);
        ran++;
    }
    if (ran == 0) printf("no kernel set usable: nothing to compare\n");
    printf("%s\n", bad ? "FAIL" : "OK");
    return bad ? 1 : 0;
}
