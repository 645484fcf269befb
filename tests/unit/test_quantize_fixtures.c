/*
 * test_quantize_fixtures.c — mote's quantizers against llama-quantize's.
 *
 * The fixture models llama-tiny-<type>.gguf and stories260K-<type>.gguf were
 * made by llama-quantize (no imatrix) from the f32 files of the same weights.
 * Quantizing each f32 tensor with mote must reproduce llama-quantize's bytes
 * for every tensor stored in the type under test (the _m presets mix types:
 * other tensors are skipped here; test_quantize_model checks the mix, and
 * whole files byte for byte).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/quantize.h"
#include "testutil.h"

/* Compare every tensor of `qpath` whose type is quantizable with mote's
 * quantization of the same tensor of `fpath`; returns the number compared. */
static int compare_file(const char *fpath, const char *qpath) {
    mote_gguf *f = NULL, *q = NULL;
    assert_int_equal(mote_gguf_open(fixture_path(fpath), &f), 0);
    assert_int_equal(mote_gguf_open(fixture_path(qpath), &q), 0);
    int compared = 0;
    for (int64_t i = 0; i < mote_gguf_n_tensors(q); i++) {
        const mote_tensor_info *tq = mote_gguf_tensor(q, i);
        if (tq->type == MOTE_TYPE_F32 || !mote_quantize_can(tq->type)) continue;
        if (fixture_seen_before(fpath, tq->name, tq->type)) {
            compared++;
            continue;
        }
        const mote_tensor_info *tf = mote_gguf_find_tensor(f, tq->name);
        assert_non_null(tf);
        assert_int_equal(tf->type, MOTE_TYPE_F32);
        /* Rows are quantized independently: the first 64 of each tensor make
         * the check (the whole tensors take half a minute in a debug build). */
        int64_t nrows = mote_tensor_nelements(tf) / tf->ne[0];
        if (nrows > 64) nrows = 64;
        void *out = malloc(tq->size);
        size_t n = mote_quantize_rows_compat(tq->type, tf->data, out, nrows, tf->ne[0], NULL);
        assert_int_equal(n, (size_t)nrows * mote_row_size(tq->type, tf->ne[0]));
        if (memcmp(out, tq->data, n) != 0) {
            size_t k = 0;
            while (((const uint8_t *)out)[k] == ((const uint8_t *)tq->data)[k]) k++;
            fail_msg("%s: tensor %s (%s) differs from llama-quantize's at byte %zu of %zu", qpath, tq->name,
                     mote_type_name(tq->type), k, n);
        }
        free(out);
        compared++;
    }
    mote_gguf_close(f);
    mote_gguf_close(q);
    return compared;
}

/* compare_file as a for_each_tiny_pair visitor: at least one tensor compared. */
static void compare_some(const char *fpath, const char *qpath, void *unused) {
    (void)unused;
    assert_true(compare_file(fpath, qpath) > 0);
}

static void test_llama_tiny_all_types(void **state) {
    (void)state;
    static const char *types[] = {"f16",  "bf16", "q8_0",   "q4_0",   "q4_1",   "q5_0",   "q5_1",  "q2_k",  "q3_k_m",
                                  "q4_k_m", "q5_k_m", "q6_k", "iq4_nl", "iq4_xs", "tq1_0", "tq2_0"};
    static const char *llama[] = {"llama"};
    for_each_tiny_pair(llama, 1, types, sizeof types / sizeof *types, compare_some, NULL);
}

static void test_other_archs(void **state) {
    (void)state;
    static const char *archs[] = {"qwen3", "gemma3", "phi3"};
    static const char *types[] = {"f16", "q8_0", "q4_0", "q4_k_m", "q6_k"};
    for_each_tiny_pair(archs, 3, types, 5, compare_some, NULL);
}

static void test_stories260k(void **state) {
    (void)state;
    static const char *types[] = {"q8_0", "q4_0", "q4_k_m"};
    for (size_t t = 0; t < 3; t++) {
        char qp[128];
        snprintf(qp, sizeof qp, "real/stories260K-%s.gguf", types[t]);
        assert_true(compare_file("real/stories260K-f32.gguf", qp) > 0);
    }
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llama_tiny_all_types),
        cmocka_unit_test(test_other_archs),
        cmocka_unit_test(test_stories260k),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
