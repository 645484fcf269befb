/*
 * test_quantize_imatrix.c — reading importance matrices: llama.cpp's legacy
 * .dat layout (written here byte by byte) and its GGUF layout (written with
 * the GGUF writer, tensors "<name>.in_sum2" and "<name>.counts"); broken files
 * are rejected with a message, never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/quantize_model.h"
#include "testutil.h"

static void put_i32(FILE *f, int32_t v) { fwrite(&v, 4, 1, f); }

static void test_legacy(void **state) {
    (void)state;
    const char *path = temp_path(".dat");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    put_i32(f, 2);
    const char *names[2] = {"blk.0.attn_q.weight", "blk.0.ffn_down.weight"};
    for (int e = 0; e < 2; e++) {
        put_i32(f, (int32_t)strlen(names[e]));
        fwrite(names[e], 1, strlen(names[e]), f);
        put_i32(f, 4); /* ncall: values hold mean * ncall */
        put_i32(f, 3);
        float v[3] = {4.0f * (e + 1), 8.0f, 2.0f};
        fwrite(v, 4, 3, f);
    }
    put_i32(f, 10); /* trailing chunk count and dataset name */
    put_i32(f, 5);
    fwrite("a.txt", 1, 5, f);
    fclose(f);

    mote_imatrix *im = NULL;
    assert_int_equal(mote_imatrix_load(path, &im), 0);
    assert_int_equal(mote_imatrix_count(im), 2);
    int64_t n = 0;
    const float *v = mote_imatrix_find(im, "blk.0.ffn_down.weight", &n);
    assert_non_null(v);
    assert_int_equal(n, 3);
    assert_float_equal(v[0], 2.0f, 0);
    assert_float_equal(v[1], 2.0f, 0);
    assert_float_equal(v[2], 0.5f, 0);
    assert_null(mote_imatrix_find(im, "blk.1.ffn_down.weight", NULL));
    mote_imatrix_free(im);

    /* Truncated: the last entry loses its values. */
    size_t size;
    char *bytes = read_file(path, &size);
    f = fopen(path, "wb");
    fwrite(bytes, 1, 60, f);
    fclose(f);
    free(bytes);
    assert_int_not_equal(mote_imatrix_load(path, &im), 0);
    assert_null(im);
    assert_true(strlen(mote_last_error()) > 0);
    remove(path);
}

static void test_missing_and_garbage(void **state) {
    (void)state;
    mote_imatrix *im = NULL;
    assert_int_equal(mote_imatrix_load("/nonexistent/imatrix.gguf", &im), MOTE_ERR_IO);
    const char *path = temp_path(".dat");
    FILE *f = fopen(path, "wb");
    fputs("this is not an importance matrix", f);
    fclose(f);
    assert_int_not_equal(mote_imatrix_load(path, &im), 0);
    assert_null(im);
    remove(path);
}

static void test_gguf(void **state) {
    (void)state;
    const char *path = temp_path(".gguf");
    mote_gguf_writer *w = mote_gguf_writer_new();
    assert_non_null(w);
    assert_int_equal(mote_gguf_writer_set_str(w, "general.type", "imatrix"), 0);
    /* Two experts of 4 columns; the second saw nothing (importance 1). */
    static const float sums[8] = {2, 4, 6, 8, 1, 1, 1, 1};
    static const float counts[2] = {2, 0};
    const int64_t ne_s[2] = {4, 2}, ne_c[1] = {2};
    assert_int_equal(mote_gguf_writer_add_tensor(w, "blk.0.ffn_up.weight.in_sum2", MOTE_TYPE_F32, 2, ne_s, sums), 0);
    assert_int_equal(mote_gguf_writer_add_tensor(w, "blk.0.ffn_up.weight.counts", MOTE_TYPE_F32, 1, ne_c, counts), 0);
    assert_int_equal(mote_gguf_writer_write_file(w, path), 0);
    mote_gguf_writer_free(w);

    mote_imatrix *im = NULL;
    assert_int_equal(mote_imatrix_load(path, &im), 0);
    int64_t n = 0;
    const float *v = mote_imatrix_find(im, "blk.0.ffn_up.weight", &n);
    assert_non_null(v);
    assert_int_equal(n, 8);
    static const float want[8] = {1, 2, 3, 4, 1, 1, 1, 1};
    for (int i = 0; i < 8; i++) assert_float_equal(v[i], want[i], 0);
    mote_imatrix_free(im);
    remove(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy),
        cmocka_unit_test(test_missing_and_garbage),
        cmocka_unit_test(test_gguf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
