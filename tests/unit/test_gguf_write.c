/*
 * test_gguf_write.c — the GGUF writer: round trips of real fixture files,
 * every value type, streaming, and failures that must leave no file behind.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static bool file_exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

/* Assert that two opened files hold the same metadata (same order, types,
 * values and arrays) and the same tensors (names, types, shapes, bytes). */
static void assert_same_gguf(const mote_gguf *a, const mote_gguf *b) {
    assert_int_equal(mote_gguf_n_kv(a), mote_gguf_n_kv(b));
    for (int64_t i = 0; i < mote_gguf_n_kv(a); i++) {
        assert_string_equal(mote_gguf_key(a, i), mote_gguf_key(b, i));
        mote_gguf_type t = mote_gguf_kv_type(a, i);
        assert_int_equal(t, mote_gguf_kv_type(b, i));
        if (t == MOTE_GGUF_STRING) {
            size_t la, lb;
            const char *sa = mote_gguf_val_str(a, i, &la), *sb = mote_gguf_val_str(b, i, &lb);
            assert_int_equal(la, lb);
            assert_memory_equal(sa, sb, la);
        } else if (t == MOTE_GGUF_ARRAY) {
            mote_gguf_type et = mote_gguf_arr_type(a, i);
            uint64_t n = mote_gguf_arr_n(a, i);
            assert_int_equal(et, mote_gguf_arr_type(b, i));
            assert_int_equal(n, mote_gguf_arr_n(b, i));
            if (et == MOTE_GGUF_STRING) {
                for (uint64_t j = 0; j < n; j++) {
                    size_t la, lb;
                    const char *sa = mote_gguf_arr_str(a, i, j, &la), *sb = mote_gguf_arr_str(b, i, j, &lb);
                    assert_int_equal(la, lb);
                    assert_memory_equal(sa, sb, la);
                }
            } else if (n) {
                /* Element size from a one-element array is not exposed; compare by type. */
                size_t es = (et == MOTE_GGUF_UINT8 || et == MOTE_GGUF_INT8 || et == MOTE_GGUF_BOOL) ? 1
                            : (et == MOTE_GGUF_UINT16 || et == MOTE_GGUF_INT16)                      ? 2
                            : (et == MOTE_GGUF_UINT32 || et == MOTE_GGUF_INT32 || et == MOTE_GGUF_FLOAT32) ? 4
                                                                                                          : 8;
                assert_memory_equal(mote_gguf_arr_data(a, i), mote_gguf_arr_data(b, i), n * es);
            }
        } else {
            assert_true(mote_gguf_val_u64(a, i) == mote_gguf_val_u64(b, i));
            assert_true(mote_gguf_val_i64(a, i) == mote_gguf_val_i64(b, i));
            double fa = mote_gguf_val_f64(a, i), fb = mote_gguf_val_f64(b, i);
            assert_memory_equal(&fa, &fb, sizeof fa);
        }
    }
    assert_int_equal(mote_gguf_n_tensors(a), mote_gguf_n_tensors(b));
    for (int64_t i = 0; i < mote_gguf_n_tensors(a); i++) {
        const mote_tensor_info *ta = mote_gguf_tensor(a, i), *tb = mote_gguf_tensor(b, i);
        assert_string_equal(ta->name, tb->name);
        assert_int_equal(ta->type, tb->type);
        assert_int_equal(ta->n_dims, tb->n_dims);
        for (int d = 0; d < MOTE_MAX_DIMS; d++) assert_int_equal(ta->ne[d], tb->ne[d]);
        assert_int_equal(ta->size, tb->size);
        assert_memory_equal(ta->data, tb->data, ta->size);
    }
}

/* Copy every pair and tensor of `g` into a new writer. */
static mote_gguf_writer *copy_all(const mote_gguf *g) {
    mote_gguf_writer *w = mote_gguf_writer_new();
    assert_non_null(w);
    for (int64_t i = 0; i < mote_gguf_n_kv(g); i++) assert_int_equal(mote_gguf_writer_copy_kv(w, g, i), MOTE_OK);
    for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        assert_int_equal(mote_gguf_writer_add_tensor(w, t->name, t->type, t->n_dims, t->ne, t->data), MOTE_OK);
    }
    return w;
}

/* Read `rel`, write it back, check it reads back the same; return whether
 * the written file is byte-identical to the original. */
static bool round_trip(const char *rel) {
    mote_gguf *g = NULL, *h = NULL;
    assert_int_equal(mote_gguf_open(fixture_path(rel), &g), MOTE_OK);
    mote_gguf_writer *w = copy_all(g);
    const char *out = temp_path(".gguf");
    assert_int_equal(mote_gguf_writer_write_file(w, out), MOTE_OK);
    mote_gguf_writer_free(w);
    assert_int_equal(mote_gguf_open(out, &h), MOTE_OK);
    assert_int_equal(mote_gguf_version(h), 3);
    assert_int_equal(mote_gguf_alignment(h), mote_gguf_alignment(g));
    assert_same_gguf(g, h);
    mote_gguf_close(h);
    mote_gguf_close(g);

    size_t na, nb;
    char *a = read_file(fixture_path(rel), &na), *b = read_file(out, &nb);
    assert_non_null(a);
    assert_non_null(b);
    bool same = na == nb && !memcmp(a, b, na);
    free(a);
    free(b);
    unlink(out);
    return same;
}

/* Files written by llama.cpp (llama-quantize, gguf.cpp) come back byte for
 * byte: same order, same encoding, tensors packed in order with each one
 * padded to the alignment, the last one included.
 *
 * The vocab/ files do not: they were written by the Python gguf writer with
 * no tensors, which stops right after the metadata, while this writer (like
 * llama.cpp's) always pads the header to the alignment so the (empty) data
 * section starts aligned. Their metadata still round-trips exactly, and the
 * only difference allowed is that trailing padding (checked below). */
static void test_round_trip_models(void **state) {
    (void)state;
    static const char *dirs[] = {"models", "real"};
    int checked = 0;
    for (int k = 0; k < 2; k++) {
        DIR *d = opendir(fixture_path(dirs[k]));
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (n < 5 || strcmp(e->d_name + n - 5, ".gguf")) continue;
            char rel[512];
            snprintf(rel, sizeof rel, "%s/%s", dirs[k], e->d_name);
            if (!round_trip(rel)) fail_msg("%s: the written file differs from the original", rel);
            checked++;
        }
        closedir(d);
    }
    assert_true(checked >= 39);
}

static void test_round_trip_vocab(void **state) {
    (void)state;
    static const char *vocabs[] = {"vocab/ggml-vocab-llama-spm.gguf", "vocab/ggml-vocab-gpt-2.gguf",
                                   "vocab/ggml-vocab-bert-bge.gguf"};
    for (size_t k = 0; k < 3; k++) {
        const char *rel = vocabs[k];
        (void)round_trip(rel);
        /* Written size = original rounded up to the alignment, extra bytes zero. */
        mote_gguf *g = NULL;
        assert_int_equal(mote_gguf_open(fixture_path(rel), &g), MOTE_OK);
        mote_gguf_writer *w = copy_all(g);
        const char *out = temp_path(".gguf");
        assert_int_equal(mote_gguf_writer_write_file(w, out), MOTE_OK);
        mote_gguf_writer_free(w);
        size_t na, nb;
        char *a = read_file(fixture_path(rel), &na), *b = read_file(out, &nb);
        assert_int_equal(nb, (na + 31) / 32 * 32);
        assert_memory_equal(a, b, na);
        for (size_t j = na; j < nb; j++) assert_int_equal(b[j], 0);
        free(a);
        free(b);
        unlink(out);
        mote_gguf_close(g);
    }
}

/* Every scalar type, strings, numeric and string arrays, replacement and
 * removal, and a custom alignment. */
static void test_all_value_types(void **state) {
    (void)state;
    mote_gguf_writer *w = mote_gguf_writer_new();
    assert_int_equal(mote_gguf_writer_set_u8(w, "u8", 200), 0);
    assert_int_equal(mote_gguf_writer_set_i8(w, "i8", -100), 0);
    assert_int_equal(mote_gguf_writer_set_u16(w, "u16", 60000), 0);
    assert_int_equal(mote_gguf_writer_set_i16(w, "i16", -30000), 0);
    assert_int_equal(mote_gguf_writer_set_u32(w, "u32", 4000000000u), 0);
    assert_int_equal(mote_gguf_writer_set_i32(w, "i32", -2000000000), 0);
    assert_int_equal(mote_gguf_writer_set_u64(w, "u64", UINT64_MAX - 5), 0);
    assert_int_equal(mote_gguf_writer_set_i64(w, "i64", INT64_MIN + 7), 0);
    assert_int_equal(mote_gguf_writer_set_f32(w, "f32", 1.5f), 0);
    assert_int_equal(mote_gguf_writer_set_f64(w, "f64", -2.25e300), 0);
    assert_int_equal(mote_gguf_writer_set_bool(w, "bool", true), 0);
    assert_int_equal(mote_gguf_writer_set_str(w, "str", "héllo"), 0);
    assert_int_equal(mote_gguf_writer_set_str(w, "empty", ""), 0);
    const int32_t ints[] = {1, -2, 3};
    assert_int_equal(mote_gguf_writer_set_arr(w, "arr.i32", MOTE_GGUF_INT32, ints, 3), 0);
    assert_int_equal(mote_gguf_writer_set_arr(w, "arr.empty", MOTE_GGUF_FLOAT32, NULL, 0), 0);
    const char *strs[] = {"a", "", "ccc"};
    assert_int_equal(mote_gguf_writer_set_arr_str(w, "arr.str", strs, 3), 0);
    assert_int_equal(mote_gguf_writer_set_arr(w, "bad", MOTE_GGUF_STRING, strs, 3), MOTE_ERR_INVALID_ARG);
    /* Replacing keeps the place; removing drops it. */
    assert_int_equal(mote_gguf_writer_set_u32(w, "u8", 7), 0);
    assert_int_equal(mote_gguf_writer_set_str(w, "gone", "x"), 0);
    assert_int_equal(mote_gguf_writer_remove_key(w, "gone"), 0);
    assert_int_equal(mote_gguf_writer_remove_key(w, "gone"), MOTE_ERR_NOT_FOUND);
    assert_int_equal(mote_gguf_writer_set_u32(w, "general.alignment", 64), 0);

    float data[64];
    for (int i = 0; i < 64; i++) data[i] = (float)i;
    const int64_t ne1[] = {3}, ne2[] = {32, 2};
    assert_int_equal(mote_gguf_writer_add_tensor(w, "t.small", MOTE_TYPE_F32, 1, ne1, data), 0);
    assert_int_equal(mote_gguf_writer_add_tensor(w, "t.big", MOTE_TYPE_F32, 2, ne2, data), 0);
    assert_int_equal(mote_gguf_writer_add_tensor(w, "t.big", MOTE_TYPE_F32, 2, ne2, data), MOTE_ERR_DUPLICATE);
    assert_int_equal(mote_gguf_writer_add_tensor(w, "t.scalar", MOTE_TYPE_F32, 0, NULL, data + 5), 0);
    assert_int_equal(mote_gguf_writer_add_tensor(w, "t.q", MOTE_TYPE_Q4_0, 1, ne1, data), MOTE_ERR_SHAPE);
    assert_int_equal(mote_gguf_writer_add_tensor(w, "t.x", 99, 1, ne1, data), MOTE_ERR_TYPE);
    assert_int_equal(mote_gguf_writer_add_tensor(w, "t.x", MOTE_TYPE_F32, 5, ne2, data), MOTE_ERR_SHAPE);

    const char *out = temp_path(".gguf");
    assert_int_equal(mote_gguf_writer_write_file(w, out), MOTE_OK);
    mote_gguf_writer_free(w);

    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(out, &g), MOTE_OK);
    assert_int_equal(mote_gguf_alignment(g), 64);
    assert_int_equal(mote_gguf_data_offset(g) % 64, 0);
    assert_string_equal(mote_gguf_key(g, 0), "u8");
    assert_int_equal(mote_gguf_kv_type(g, 0), MOTE_GGUF_UINT32);
    assert_int_equal(mote_gguf_get_u32(g, "u8", 0), 7);
    assert_int_equal(mote_gguf_val_i64(g, mote_gguf_find_key(g, "i8")), -100);
    assert_int_equal(mote_gguf_get_u32(g, "u16", 0), 60000);
    assert_int_equal(mote_gguf_get_i32(g, "i16", 0), -30000);
    assert_int_equal(mote_gguf_get_u32(g, "u32", 0), 4000000000u);
    assert_int_equal(mote_gguf_get_i32(g, "i32", 0), -2000000000);
    assert_true(mote_gguf_get_u64(g, "u64", 0) == UINT64_MAX - 5);
    assert_true(mote_gguf_val_i64(g, mote_gguf_find_key(g, "i64")) == INT64_MIN + 7);
    assert_true(mote_gguf_get_f32(g, "f32", 0) == 1.5f);
    assert_true(mote_gguf_val_f64(g, mote_gguf_find_key(g, "f64")) == -2.25e300);
    assert_true(mote_gguf_get_bool(g, "bool", false));
    assert_string_equal(mote_gguf_get_str(g, "str", NULL), "héllo");
    assert_string_equal(mote_gguf_get_str(g, "empty", NULL), "");
    assert_int_equal(mote_gguf_find_key(g, "gone"), -1);
    mote_gguf_type et;
    uint64_t n;
    int64_t ai = mote_gguf_get_arr(g, "arr.i32", &et, &n);
    assert_true(ai >= 0);
    assert_int_equal(et, MOTE_GGUF_INT32);
    assert_int_equal(n, 3);
    assert_memory_equal(mote_gguf_arr_data(g, ai), ints, sizeof ints);
    assert_true(mote_gguf_get_arr(g, "arr.empty", &et, &n) >= 0);
    assert_int_equal(n, 0);
    int64_t si = mote_gguf_get_arr(g, "arr.str", &et, &n);
    assert_int_equal(et, MOTE_GGUF_STRING);
    assert_int_equal(n, 3);
    size_t len;
    assert_string_equal(mote_gguf_arr_str(g, si, 0, &len), "a");
    assert_string_equal(mote_gguf_arr_str(g, si, 1, &len), "");
    assert_int_equal(len, 0);
    assert_string_equal(mote_gguf_arr_str(g, si, 2, &len), "ccc");
    assert_int_equal(mote_gguf_n_tensors(g), 3);
    const mote_tensor_info *s = mote_gguf_find_tensor(g, "t.small"), *b = mote_gguf_find_tensor(g, "t.big");
    assert_int_equal(s->offset, 0);
    assert_int_equal(b->offset, 64); /* 12 bytes padded to the 64-byte alignment */
    assert_memory_equal(s->data, data, 12);
    assert_memory_equal(b->data, data, 256);
    const mote_tensor_info *sc = mote_gguf_find_tensor(g, "t.scalar");
    assert_int_equal(sc->n_dims, 0);
    assert_int_equal(mote_tensor_nelements(sc), 1);
    assert_int_equal(sc->offset, 320);
    assert_memory_equal(sc->data, data + 5, 4);
    assert_int_equal(mote_gguf_file_size(g), mote_gguf_data_offset(g) + 64 + 256 + 64);
    mote_gguf_close(g);
    unlink(out);
}

static void test_bad_alignment_rejected(void **state) {
    (void)state;
    mote_gguf_writer *w = mote_gguf_writer_new();
    const char *out = temp_path(".gguf");
    assert_int_equal(mote_gguf_writer_set_u32(w, "general.alignment", 24), 0);
    assert_int_equal(mote_gguf_writer_write_file(w, out), MOTE_ERR_ALIGN);
    assert_int_equal(mote_gguf_writer_set_u64(w, "general.alignment", 32), 0);
    assert_int_equal(mote_gguf_writer_write_file(w, out), MOTE_ERR_ALIGN);
    assert_false(file_exists(out));
    mote_gguf_writer_free(w);
}

/* Streaming: tensors supplied one at a time; sizes and counts checked. */
static void test_streaming(void **state) {
    (void)state;
    mote_gguf_writer *w = mote_gguf_writer_new();
    const int64_t ne[] = {32, 4};
    assert_int_equal(mote_gguf_writer_add_tensor(w, "a", MOTE_TYPE_Q8_0, 2, ne, NULL), 0);
    assert_int_equal(mote_gguf_writer_add_tensor(w, "b", MOTE_TYPE_F16, 1, ne, NULL), 0);
    const char *out = temp_path(".gguf");
    assert_int_equal(mote_gguf_writer_write_file(w, out), MOTE_ERR_INVALID_ARG); /* no data up front */
    assert_int_equal(mote_gguf_writer_begin(w, out), 0);
    assert_false(file_exists(out)); /* only the temporary exists until finish */
    uint8_t qa[4 * 34], hb[64];
    for (size_t i = 0; i < sizeof qa; i++) qa[i] = (uint8_t)(i * 7);
    for (size_t i = 0; i < sizeof hb; i++) hb[i] = (uint8_t)(255 - i);
    assert_int_equal(mote_gguf_writer_write_tensor_data(w, qa, sizeof qa), 0);
    assert_int_equal(mote_gguf_writer_finish(w), MOTE_ERR_INVALID_ARG); /* b missing: aborts */
    assert_false(file_exists(out));

    assert_int_equal(mote_gguf_writer_begin(w, out), 0);
    assert_int_equal(mote_gguf_writer_write_tensor_data(w, qa, 10), MOTE_ERR_INVALID_ARG); /* wrong size: aborts */
    assert_int_equal(mote_gguf_writer_write_tensor_data(w, qa, sizeof qa), MOTE_ERR_INVALID_ARG);
    assert_false(file_exists(out));

    assert_int_equal(mote_gguf_writer_begin(w, out), 0);
    assert_int_equal(mote_gguf_writer_write_tensor_data(w, qa, sizeof qa), 0);
    assert_int_equal(mote_gguf_writer_write_tensor_data(w, hb, sizeof hb), 0);
    assert_int_equal(mote_gguf_writer_finish(w), 0);
    mote_gguf_writer_free(w);

    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(out, &g), MOTE_OK);
    assert_memory_equal(mote_gguf_find_tensor(g, "a")->data, qa, sizeof qa);
    assert_memory_equal(mote_gguf_find_tensor(g, "b")->data, hb, sizeof hb);
    assert_int_equal(mote_gguf_find_tensor(g, "b")->offset, 160); /* 136 rounded up to 32 */
    mote_gguf_close(g);
    unlink(out);

    /* abort removes the temporary; freeing an unfinished writer does too. */
    w = mote_gguf_writer_new();
    assert_int_equal(mote_gguf_writer_begin(w, out), 0);
    mote_gguf_writer_abort(w);
    assert_int_equal(mote_gguf_writer_begin(w, out), 0);
    mote_gguf_writer_free(w);
    assert_false(file_exists(out));
}

/* No file appears in a directory that cannot be written. */
static void test_unwritable_directory(void **state) {
    (void)state;
    mote_gguf_writer *w = mote_gguf_writer_new();
    assert_int_equal(mote_gguf_writer_set_str(w, "general.architecture", "llama"), 0);
    const char *out = "/nonexistent-mote-dir/x.gguf";
    assert_int_equal(mote_gguf_writer_write_file(w, out), MOTE_ERR_IO);
    assert_non_null(strstr(mote_last_error(), out));
    assert_false(file_exists(out));
    mote_gguf_writer_free(w);
}

/* A path that names something other than a regular file (a FIFO here, a
 * device like /dev/null in real life) is refused, never replaced by rename. */
static void test_refuses_non_regular_file(void **state) {
    (void)state;
    char dir[] = "/tmp/mote-fifo-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    mote_gguf_writer *w = mote_gguf_writer_new();
    assert_int_equal(mote_gguf_writer_set_str(w, "general.architecture", "llama"), 0);
    assert_int_equal(mote_gguf_writer_write_file(w, fifo), MOTE_ERR_IO);
    assert_non_null(strstr(mote_last_error(), "not a regular file"));
    struct stat st;
    assert_int_equal(stat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    mote_gguf_writer_free(w);
    unlink(fifo);
    assert_int_equal(rmdir(dir), 0); /* nothing else was left behind */
}

/* A short write (the disk fills up) fails with MOTE_ERR_IO naming the path
 * and removes the temporary. A file size limit makes writes fail with EFBIG
 * like a full disk would; it runs in a child so the limit stays there. */
static void test_short_write(void **state) {
    (void)state;
    char dir[] = "/tmp/mote-shortwrite-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[128];
    snprintf(out, sizeof out, "%s/big.gguf", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {100000, 100000};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(3);
        mote_gguf_writer *w = mote_gguf_writer_new();
        static float big[200000];
        const int64_t ne[] = {200000};
        mote_gguf_writer_add_tensor(w, "big", MOTE_TYPE_F32, 1, ne, big);
        int rc = mote_gguf_writer_write_file(w, out);
        mote_gguf_writer_free(w);
        _exit(rc == MOTE_ERR_IO && strstr(mote_last_error(), out) ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* The directory is empty again: neither the file nor a temporary. */
    assert_int_equal(rmdir(dir), 0);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_models), cmocka_unit_test(test_round_trip_vocab),
        cmocka_unit_test(test_all_value_types),   cmocka_unit_test(test_bad_alignment_rejected),
        cmocka_unit_test(test_streaming),         cmocka_unit_test(test_unwritable_directory), cmocka_unit_test(test_refuses_non_regular_file),
        cmocka_unit_test(test_short_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
