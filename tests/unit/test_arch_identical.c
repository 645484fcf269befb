/*
 * test_arch_identical.c — the architectures that existed before the
 * variation-point refactor (issue 15: llama, qwen3, gemma3, phi3) still give
 * bit-identical logits.
 *
 * tests/data/arch_logits_hashes.txt holds, per fixture file, a 64-bit FNV-1a
 * hash of the logits of the fixture tokens evaluated as one batch (every
 * row) followed by 4 single-token steps (greedy), recorded by the code as it
 * was before the refactor. Each line is "<kernels> <file> <hash>", where
 * <kernels> is "ref-<isa>" (the portable kernels, MOTE_KERNELS=ref, on
 * that instruction set: the same numbers on every such machine) or a kernel
 * set's name (quant/simd.h: "avx2", "avx512", ...; a set computes the same
 * numbers on every CPU that runs it). The test checks the kernel set in
 * use, then runs itself again with each usable set below it and finally
 * the reference kernels, so every set this CPU runs is checked. Kernels
 * without a recorded hash are reported and skipped. Run with
 * MOTE_WRITE_HASHES=1 to print the lines for the current kernels instead of
 * checking them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quant/simd.h"
#include "testutil.h"

static const char *const files[] = {
    "llama-tiny-f32",   "llama-tiny-f16",   "llama-tiny-q8_0",   "llama-tiny-q4_0",   "llama-tiny-q4_k_m",
    "llama-tiny-q6_k",  "llama-tiny-tq2_0", "qwen3-tiny-f32",    "qwen3-tiny-q4_k_m", "gemma3-tiny-f32",
    "gemma3-tiny-q8_0", "phi3-tiny-f32",    "phi3-tiny-q4_0",
};
#define N_FILES (sizeof files / sizeof files[0])

static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* The hash of one file's logits (see the file comment). */
static uint64_t logits_hash(const char *name) {
    char rel[256];
    snprintf(rel, sizeof rel, "models/%s.gguf", name);
    mote_model *m;
    if (mote_model_load(fixture_path(rel), &m)) fail_msg("%s: %s", rel, mote_last_error());
    char *s = read_file(fixture_path("models/tokens.txt"), NULL);
    assert_non_null(s);
    int32_t tokens[64];
    int n = 0;
    for (char *p = s; *p && n < 64;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p) p++;
        else tokens[n++] = (int32_t)v, p = end;
    }
    free(s);
    const int n_vocab = mote_model_n_vocab(m);
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = 64;
    cp.n_batch = n;
    cp.n_threads = 2;
    cp.all_logits = true;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &cp, &c), MOTE_OK);
    const float *logits;
    assert_int_equal(mote_decode(c, tokens, n, true, &logits), MOTE_OK);
    uint64_t h = fnv1a(0xcbf29ce484222325ull, logits, (size_t)n * n_vocab * sizeof(float));
    const float *row = logits + (size_t)(n - 1) * n_vocab;
    for (int i = 0; i < 4; i++) {
        int32_t best = 0;
        for (int j = 1; j < n_vocab; j++)
            if (row[j] > row[best]) best = j;
        assert_int_equal(mote_decode(c, &best, 1, false, &row), MOTE_OK);
        h = fnv1a(h, row, (size_t)n_vocab * sizeof(float));
    }
    mote_context_free(c);
    mote_model_free(m);
    return h;
}

/* The recorded hash of `name` under `kernels`; false if none is recorded. */
static bool recorded(const char *table, const char *kernels, const char *name, uint64_t *out) {
    char want[256];
    snprintf(want, sizeof want, "%s\t%s\t", kernels, name);
    for (const char *line = table; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (!strncmp(line, want, strlen(want))) {
            *out = strtoull(line + strlen(want), NULL, 16);
            return true;
        }
    return false;
}

#if defined(__x86_64__)
#define REF_KERNELS "ref-x86_64"
#elif defined(__aarch64__)
#define REF_KERNELS "ref-aarch64"
#else
#define REF_KERNELS "ref-other"
#endif

static void test_logits_unchanged(void **state) {
    (void)state;
    const bool ref = !strcmp(mote_kernel_set_name(), "ref");
    const char *kernels = ref ? REF_KERNELS : mote_kernel_set_name();
    if (getenv("MOTE_WRITE_HASHES")) {
        for (size_t i = 0; i < N_FILES; i++)
            printf("%s\t%s\t%016llx\n", kernels, files[i], (unsigned long long)logits_hash(files[i]));
        return;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/arch_logits_hashes.txt", getenv("MOTE_ROOT") ? getenv("MOTE_ROOT") : ".");
    char *table = read_file(path, NULL);
    if (!table) fail_msg("cannot read %s", path);
    int checked = 0;
    for (size_t i = 0; i < N_FILES; i++) {
        uint64_t ref;
        if (!recorded(table, kernels, files[i], &ref)) continue;
        uint64_t h = logits_hash(files[i]);
        printf("  %-20s %-10s %016llx %s\n", files[i], kernels,
               (unsigned long long)h, h == ref ? "same" : "CHANGED");
        assert_true(h == ref);
        checked++;
    }
    if (!checked) printf("  no hashes recorded for kernels '%s': nothing to compare\n", kernels);
    free(table);
}

/* The kernels to check after `current` (kernels are chosen once per
 * process): the next usable set below it, then "ref"; NULL after "ref". */
static const char *next_kernels(const char *current) {
    if (!strcmp(current, "ref")) return NULL;
    int count, at = -1;
    const mote_kernel_set *sets = mote_kernel_sets(&count);
    for (int i = 0; i < count; i++)
        if (!strcmp(sets[i].name, current)) at = i;
    for (int i = at - 1; i >= 0; i--)
        if (sets[i].usable()) return sets[i].name;
    return "ref";
}

/* Checks the kernels in use, then runs itself again down the ladder of
 * kernel sets to the portable ones (MOTE_ARCH_TEST_CHAIN marks those runs;
 * a MOTE_KERNELS given from outside checks only that choice). */
int main(int argc, char **argv) {
    (void)argc;
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logits_unchanged),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (rc || getenv("MOTE_WRITE_HASHES") || (getenv("MOTE_KERNELS") && !getenv("MOTE_ARCH_TEST_CHAIN"))) return rc;
    const char *next = next_kernels(mote_kernel_set_name());
    if (!next) return rc;
    printf("again with MOTE_KERNELS=%s\n", next);
    fflush(stdout);
    setenv("MOTE_KERNELS", next, 1);
    setenv("MOTE_ARCH_TEST_CHAIN", "1", 1);
    execv("/proc/self/exe", argv);
    fail_msg("cannot run again with MOTE_KERNELS=%s", next);
    return 1;
}
