/*
 * test_quantize_error.c — how much each quantizer loses, measured by
 * decoding with the type's dequantizer (the traits table's to_float).
 *
 *  - fixtures: for every tensor llama-quantize stored in a quantizable type,
 *    mote's RMSE against the f32 weights must not exceed llama-quantize's,
 *    and mote's compat mode must equal it exactly;
 *  - random data: the round-trip error of every type stays within a bound;
 *  - importance: with random positive importances, the importance-weighted
 *    error of the importance-aware result must not exceed that of the plain
 *    quantization, nor that of llama-quantize's importance-aware result.
 * Set MOTE_QUANT_REPORT=1 to print the per-type table (bench/QUANT-RESULTS.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/quantize.h"
#include "quant/types.h"
#include "testutil.h"

static const int all_types[] = {MOTE_TYPE_Q4_0, MOTE_TYPE_Q4_1, MOTE_TYPE_Q5_0,  MOTE_TYPE_Q5_1,   MOTE_TYPE_Q8_0,
                                MOTE_TYPE_Q2_K, MOTE_TYPE_Q3_K, MOTE_TYPE_Q4_K,  MOTE_TYPE_Q5_K,   MOTE_TYPE_Q6_K,
                                MOTE_TYPE_IQ4_NL, MOTE_TYPE_IQ4_XS, MOTE_TYPE_TQ1_0, MOTE_TYPE_TQ2_0};
#define N_TYPES (sizeof all_types / sizeof *all_types)

static void require_dequantizers(void) {
    for (size_t i = 0; i < N_TYPES; i++)
        if (!mote_traits(all_types[i])->to_float) skip(); /* the dequantizers are another branch's work */
}

/* Sum of w * (x - y)^2 over n values (w NULL = 1). */
static double sq_err(const float *x, const float *y, const float *w, int64_t n, int64_t row) {
    double e = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = (double)x[i] - y[i];
        e += (w ? w[i % row] : 1.0) * d * d;
    }
    return e;
}

static bool report(void) { return getenv("MOTE_QUANT_REPORT") != NULL; }

/* ---- fixtures ---------------------------------------------------------------- */

typedef struct {
    double err_llama, err_mote, err_compat, n;
} err_sum;

static void fixture_errors(const char *f32_rel, const char *q_rel, void *sums_arg) {
    err_sum *sums = sums_arg;
    mote_gguf *f = NULL, *q = NULL;
    assert_int_equal(mote_gguf_open(fixture_path(f32_rel), &f), 0);
    assert_int_equal(mote_gguf_open(fixture_path(q_rel), &q), 0);
    for (int64_t i = 0; i < mote_gguf_n_tensors(q); i++) {
        const mote_tensor_info *tq = mote_gguf_tensor(q, i);
        const mote_type_traits *tr = mote_traits(tq->type);
        if (!tr->quantized || !mote_quantize_can(tq->type) || fixture_seen_before(f32_rel, tq->name, tq->type)) continue;
        const mote_tensor_info *tf = mote_gguf_find_tensor(f, tq->name);
        /* Rows are independent: 64 of them per tensor keep a debug build fast;
         * the report (MOTE_QUANT_REPORT) takes them all. */
        const int64_t ne0 = tf->ne[0], all = mote_tensor_nelements(tf);
        const int64_t n = report() || all <= 64 * ne0 ? all : 64 * ne0;
        float *ref = malloc((size_t)n * sizeof *ref), *dec = malloc((size_t)n * sizeof *dec);
        void *buf = malloc(tq->size);
        tr->to_float(tq->data, ref, n);
        const double e_llama = sq_err(tf->data, ref, NULL, n, ne0);
        const size_t qsize = (size_t)(n / ne0) * mote_row_size(tq->type, ne0);
        assert_int_equal(mote_quantize_rows(tq->type, tf->data, buf, n / ne0, ne0, NULL), qsize);
        tr->to_float(buf, dec, n);
        const double e_mote = sq_err(tf->data, dec, NULL, n, ne0);
        assert_int_equal(mote_quantize_rows_compat(tq->type, tf->data, buf, n / ne0, ne0, NULL), qsize);
        tr->to_float(buf, dec, n);
        const double e_compat = sq_err(tf->data, dec, NULL, n, ne0);
        if (e_mote > e_llama * (1 + 1e-9))
            fail_msg("%s %s (%s): mote's error %.6g > llama-quantize's %.6g", q_rel, tq->name, tr->name, e_mote, e_llama);
        assert_true(e_compat == e_llama);
        sums[tq->type].err_llama += e_llama;
        sums[tq->type].err_mote += e_mote;
        sums[tq->type].err_compat += e_compat;
        sums[tq->type].n += (double)n;
        free(ref), free(dec), free(buf);
    }
    mote_gguf_close(f);
    mote_gguf_close(q);
}

static void print_table(const char *title, const err_sum *sums) {
    if (!report()) return;
    printf("\n%s\n| type | tensors' weights | RMSE llama.cpp | RMSE mote | mote / llama.cpp |\n|---|---|---|---|---|\n", title);
    for (int t = 0; t < MOTE_TYPE_COUNT; t++) {
        if (sums[t].n == 0) continue;
        double rl = sqrt(sums[t].err_llama / sums[t].n), rm = sqrt(sums[t].err_mote / sums[t].n);
        printf("| %s | %.0f | %.6f | %.6f | %.4f |\n", mote_type_name(t), sums[t].n, rl, rm, rm / rl);
    }
}

static void test_fixture_rmse(void **state) {
    (void)state;
    require_dequantizers();
    static const char *types[] = {"q8_0",   "q4_0",   "q4_1", "q5_0",   "q5_1",   "q2_k",  "q3_k_m",
                                  "q4_k_m", "q5_k_m", "q6_k", "iq4_nl", "iq4_xs", "tq1_0", "tq2_0"};
    err_sum sums[MOTE_TYPE_COUNT] = {{0}};
    static const char *llama[] = {"llama"};
    for_each_tiny_pair(llama, 1, types, sizeof types / sizeof *types, fixture_errors, sums);
    print_table("llama-tiny (random weights), per tensor type", sums);
    memset(sums, 0, sizeof sums);
    static const char *stories[] = {"q8_0", "q4_0", "q4_k_m"};
    for (size_t t = 0; t < 3; t++) {
        char path[128];
        snprintf(path, sizeof path, "real/stories260K-%s.gguf", stories[t]);
        fixture_errors("real/stories260K-f32.gguf", path, sums);
    }
    print_table("stories260K (trained weights), per tensor type", sums);
}

/* ---- random data ------------------------------------------------------------------ */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double uniform(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return ((rng >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}
static float gaussian(void) { return (float)(sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform())); }

/* Weights like a trained matrix: Gaussian with a few large outliers. */
static void fill_weights(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = 0.02f * gaussian() * (uniform() < 0.01 ? 6.0f : 1.0f);
}

static void test_roundtrip_random(void **state) {
    (void)state;
    require_dequantizers();
    /* Bounds on RMSE / RMS(x): about 1.4x what each type achieves on this data
     * (q8_0 0.0076, q6_K 0.023, q5_0 0.061, q4_0 0.12, q3_K 0.19, q2_K 0.30,
     * ternary 0.73): loose enough for any sane rounding, tight enough to catch
     * a wrong level, scale or packing. */
    static const struct { int type; double bound; } bounds[] = {
        {MOTE_TYPE_Q8_0, 0.011},  {MOTE_TYPE_Q6_K, 0.033},   {MOTE_TYPE_Q5_0, 0.085},  {MOTE_TYPE_Q5_1, 0.058},
        {MOTE_TYPE_Q5_K, 0.060},  {MOTE_TYPE_Q4_0, 0.17},    {MOTE_TYPE_Q4_1, 0.12},   {MOTE_TYPE_Q4_K, 0.12},
        {MOTE_TYPE_IQ4_NL, 0.14}, {MOTE_TYPE_IQ4_XS, 0.14},  {MOTE_TYPE_Q3_K, 0.26},   {MOTE_TYPE_Q2_K, 0.42},
        {MOTE_TYPE_TQ1_0, 0.9},   {MOTE_TYPE_TQ2_0, 0.9},
    };
    const int64_t ne0 = 1024, nrows = 16, n = ne0 * nrows;
    float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    void *q = malloc((size_t)n * 4);
    fill_weights(x, n);
    double sx = 0;
    for (int64_t i = 0; i < n; i++) sx += (double)x[i] * x[i];
    const double xrms = sqrt(sx / n);
    if (report()) printf("\nrandom Gaussian weights with 1%% outliers, %lld values\n| type | RMSE / RMS |\n|---|---|\n", (long long)n);
    for (size_t b = 0; b < sizeof bounds / sizeof *bounds; b++) {
        const mote_type_traits *t = mote_traits(bounds[b].type);
        assert_int_equal(mote_quantize_rows(bounds[b].type, x, q, nrows, ne0, NULL), mote_row_size(bounds[b].type, ne0) * nrows);
        t->to_float(q, y, n);
        const double rel = sqrt(sq_err(x, y, NULL, n, ne0) / n) / xrms;
        if (report()) printf("| %s | %.4f |\n", t->name, rel);
        if (rel > bounds[b].bound) fail_msg("%s: relative RMSE %.4f above %.4f", t->name, rel, bounds[b].bound);
        /* An all-zero row stays exactly zero. */
        memset(y, 0, (size_t)ne0 * sizeof *y);
        mote_quantize_rows(bounds[b].type, y, q, 1, ne0, NULL);
        t->to_float(q, y, ne0);
        for (int64_t i = 0; i < ne0; i++) assert_true(y[i] == 0.0f);
    }
    free(x), free(y), free(q);
}

/* ---- importance ------------------------------------------------------------------ */

static void test_imatrix_weighted_error(void **state) {
    (void)state;
    require_dequantizers();
    const int64_t ne0 = 512, nrows = 16, n = ne0 * nrows;
    float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y), *imp = malloc((size_t)ne0 * sizeof *imp);
    void *q = malloc((size_t)n * 4);
    fill_weights(x, n);
    /* Importances spread over two orders of magnitude, like real activations. */
    for (int64_t j = 0; j < ne0; j++) imp[j] = (float)exp(4.0 * uniform() - 2.0);
    if (report()) printf("\nimportance-weighted error, random importances\n| type | plain (llama.cpp) | imatrix (llama.cpp) | imatrix (mote) |\n|---|---|---|---|\n");
    for (size_t i = 0; i < N_TYPES; i++) {
        const int type = all_types[i];
        const mote_type_traits *t = mote_traits(type);
        mote_quantize_rows_compat(type, x, q, nrows, ne0, NULL);
        t->to_float(q, y, n);
        const double e_plain = sq_err(x, y, imp, n, ne0);
        mote_quantize_rows_compat(type, x, q, nrows, ne0, imp);
        t->to_float(q, y, n);
        const double e_llama = sq_err(x, y, imp, n, ne0);
        mote_quantize_rows(type, x, q, nrows, ne0, imp);
        t->to_float(q, y, n);
        const double e_mote = sq_err(x, y, imp, n, ne0);
        if (report()) printf("| %s | %.4g | %.4g | %.4g |\n", t->name, e_plain, e_llama, e_mote);
        if (e_mote > e_plain * (1 + 1e-9)) fail_msg("%s: weighted error %.6g with imatrix > %.6g without", t->name, e_mote, e_plain);
        if (e_mote > e_llama * (1 + 1e-9)) fail_msg("%s: weighted error %.6g > llama.cpp's %.6g", t->name, e_mote, e_llama);
    }
    free(x), free(y), free(imp), free(q);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_rmse),
        cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_imatrix_weighted_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
