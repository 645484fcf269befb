/*
 * test_model_params.c — how a model is loaded (mote_model_params):
 * --no-mmap reads the file into anonymous memory (the file is then not in
 * the process's mappings, and the model computes the same logits), --mlock
 * locks the weights (VmLck grows) or says why it could not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* A /proc file (whose size stat does not know) as a string. */
static char *read_proc(const char *path) {
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t cap = 1 << 20, n = 0, got;
    char *buf = malloc(cap);
    while ((got = fread(buf + n, 1, cap - 1 - n, f)) > 0) {
        n += got;
        if (n + 1 == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* True if `path` is among the process's mappings. */
static bool is_mapped(const char *path) {
    char *maps = read_proc("/proc/self/maps");
    assert_non_null(maps);
    const bool found = strstr(maps, path) != NULL;
    free(maps);
    return found;
}

/* VmLck of the process, in kB. */
static long locked_kb(void) {
    char *st = read_proc("/proc/self/status");
    assert_non_null(st);
    const char *at = strstr(st, "VmLck:");
    long kb = at ? atol(at + 6) : -1;
    free(st);
    return kb;
}

/* Logits after a few tokens. */
static void logits_of(mote_model *m, float *out) {
    mote_context *c;
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 32;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    const int32_t toks[5] = {1, 450, 300, 600, 23};
    const float *lg;
    assert_int_equal(mote_decode(c, toks, 5, false, &lg), MOTE_OK);
    memcpy(out, lg, sizeof(float) * (size_t)mote_model_n_vocab(m));
    mote_context_free(c);
}

static void test_no_mmap(void **state) {
    (void)state;
    require_fixtures();
    char path[4096];
    /* the real path: /proc/self/maps shows it resolved */
    assert_non_null(realpath(fixture_path("models/qwen3-tiny-q4_0.gguf"), path));
    mote_model *mapped, *read;
    assert_int_equal(mote_model_load(path, &mapped), MOTE_OK);
    assert_true(is_mapped(path));
    mote_model_params p = mote_model_default_params();
    p.no_mmap = true;
    mote_model_free(mapped);
    assert_false(is_mapped(path));
    assert_int_equal(mote_model_load_with(path, &p, &read), MOTE_OK);
    assert_false(is_mapped(path));
    assert_int_equal(mote_model_load(path, &mapped), MOTE_OK);
    const int nv = mote_model_n_vocab(read);
    float *a = malloc(sizeof(float) * nv), *b = malloc(sizeof(float) * nv);
    logits_of(mapped, a);
    logits_of(read, b);
    assert_memory_equal(a, b, sizeof(float) * nv);
    free(a);
    free(b);
    mote_model_free(mapped);
    mote_model_free(read);
    /* a missing file: the same one-line error either way */
    assert_int_equal(mote_model_load_with("/nonexistent.gguf", &p, &read), MOTE_ERR_IO);
    assert_non_null(strstr(mote_last_error(), "cannot open '/nonexistent.gguf'"));
}

static void test_mlock(void **state) {
    (void)state;
    require_fixtures();
    mote_model_params p = mote_model_default_params();
    p.mlock = true;
    const long before = locked_kb();
    mote_model *m;
    assert_int_equal(mote_model_load_with(fixture_path("models/llama-tiny-q4_0.gguf"), &p, &m), MOTE_OK);
    const char *why = NULL;
    const size_t locked = mote_model_locked_bytes(m, &why);
    if (locked) {
        assert_null(why);
        assert_true(locked >= mote_model_weight_bytes(m));
        assert_true(locked_kb() > before);
        printf("locked: %zu bytes under mlock, VmLck %ld kB -> %ld kB\n", locked, before, locked_kb());
    } else {
        assert_non_null(why);
        printf("not locked (allowed when `ulimit -l` is small): %s\n", why);
    }
    mote_model_free(m);
    assert_int_equal(locked_kb(), before);
    /* without mlock: nothing locked, no reason */
    assert_int_equal(mote_model_load(fixture_path("models/llama-tiny-q4_0.gguf"), &m), MOTE_OK);
    assert_int_equal(mote_model_locked_bytes(m, &why), 0);
    assert_null(why);
    mote_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_mmap),
        cmocka_unit_test(test_mlock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
