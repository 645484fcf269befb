/*
 * test_quant_kernels.c — the reference kernels of the quantized weight types
 * against llama.cpp's ggml, and against themselves.
 *
 *  1. Dequantization is bit-exact: for every quantized tensor of every fixture
 *     model, the 64-bit FNV-1a hash of mote's to_float output equals the hash
 *     of ggml's dequantize_row_* output (tests/data/dequant_hashes.txt).
 *  2. The 8-bit activation quantizers (Q8_0, Q8_1, Q8_K) produce the same
 *     bytes as ggml's quantize_row_q8_*_ref on a fixed input that exercises
 *     rounding ties, zero blocks, underflow and overflow
 *     (tests/data/q8_act_hashes.txt, input from quant_testdata.h).
 *  3. vec_dot(w, q8(x)) equals dot(to_float(w), x) within the error the
 *     activation rounding can cause, on random blocks and on fixture tensors.
 *  4. Edge cases: zero blocks, largest fp16 scales, negated scales.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/kernels.h"
#include "quant/types.h"
#include "quant_testdata.h"
#include "testutil.h"

/* The weight types mote computes with, and where each keeps its fp16 scales
 * (d, and the offset/min m or dmin when there is one; -1 = none). The edge
 * tests overwrite these fields to build blocks with chosen scales. */
typedef struct {
    int type;
    int scale_off[2];
} weight_type;

static const weight_type weight_types[] = {
    {MOTE_TYPE_Q4_0, {offsetof(block_q4_0, d), -1}},
    {MOTE_TYPE_Q4_1, {offsetof(block_q4_1, d), offsetof(block_q4_1, m)}},
    {MOTE_TYPE_Q5_0, {offsetof(block_q5_0, d), -1}},
    {MOTE_TYPE_Q5_1, {offsetof(block_q5_1, d), offsetof(block_q5_1, m)}},
    {MOTE_TYPE_Q8_0, {offsetof(block_q8_0, d), -1}},
    {MOTE_TYPE_Q2_K, {offsetof(block_q2_K, d), offsetof(block_q2_K, dmin)}},
    {MOTE_TYPE_Q3_K, {offsetof(block_q3_K, d), -1}},
    {MOTE_TYPE_Q4_K, {offsetof(block_q4_K, d), offsetof(block_q4_K, dmin)}},
    {MOTE_TYPE_Q5_K, {offsetof(block_q5_K, d), offsetof(block_q5_K, dmin)}},
    {MOTE_TYPE_Q6_K, {offsetof(block_q6_K, d), -1}},
    {MOTE_TYPE_IQ4_NL, {offsetof(block_iq4_nl, d), -1}},
    {MOTE_TYPE_IQ4_XS, {offsetof(block_iq4_xs, d), -1}},
    {MOTE_TYPE_TQ1_0, {offsetof(block_tq1_0, d), -1}},
    {MOTE_TYPE_TQ2_0, {offsetof(block_tq2_0, d), -1}},
};
#define N_WEIGHT_TYPES (sizeof weight_types / sizeof weight_types[0])

static bool is_weight_type(int type) {
    for (size_t k = 0; k < N_WEIGHT_TYPES; k++)
        if (weight_types[k].type == type) return true;
    return false;
}

static const weight_type *find_weight_type(int type) {
    for (size_t k = 0; k < N_WEIGHT_TYPES; k++)
        if (weight_types[k].type == type) return &weight_types[k];
    fail_msg("type %s is not in the test's list of weight types", mote_type_name(type));
    return NULL;
}

/* Types whose vec_dot activations carry a sum term s (Q8_1). */
static bool uses_q8_1(int type) { return mote_traits(type)->vec_dot_type == MOTE_TYPE_Q8_1; }

/* ---- small helpers ------------------------------------------------------- */

static uint32_t rng_state = 0x2545F491u;
static uint32_t rnd(void) { return act_xorshift(&rng_state); }
/* Uniform in [-1, 1). */
static float rnd_unit(void) { return act_uniform(&rng_state, 0); }

static const char *repo_path(const char *rel) {
    static char buf[2048];
    const char *root = getenv("MOTE_ROOT");
    snprintf(buf, sizeof buf, "%s/%s", root && *root ? root : ".", rel);
    return buf;
}

static void put_fp16(uint8_t *p, float v) {
    mote_fp16 h = mote_f32_to_fp16(v);
    memcpy(p, &h, 2);
}

/* Fill nb blocks of `wt` with random bytes, then give every fp16 scale a
 * sane random value (random bits could be NaN or infinity). */
static void random_blocks(const weight_type *wt, uint8_t *w, int64_t nb) {
    const size_t bb = mote_type_block_bytes(wt->type);
    for (size_t i = 0; i < nb * bb; i++) w[i] = (uint8_t)(rnd() >> 24);
    for (int64_t b = 0; b < nb; b++)
        for (int k = 0; k < 2; k++)
            if (wt->scale_off[k] >= 0) put_fp16(w + b * bb + wt->scale_off[k], rnd_unit() * 0.01f);
}

/* Checks vec_dot(w, q8(x)) against float dot products of the dequantized
 * weights, for one row of n weights:
 *   tight: against dot(to_float(w), to_float(q8(x))), the same product in
 *          float: only float rounding (and Q8_1's fp16 sum term) separate them;
 *   loose: against dot(to_float(w), x), allowing exactly the error that
 *          rounding the activations to 8 bits can cause, sum |w_i| |x_i - xq_i|. */
static void check_vec_dot_row(int type, const void *w, const float *x, int64_t n, const char *what) {
    const mote_type_traits *t = mote_traits(type);
    const mote_type_traits *a = mote_traits(t->vec_dot_type);
    assert_non_null(t->vec_dot);
    assert_non_null(a->from_float);
    float *wf = malloc(n * sizeof(float)), *xq = malloc(n * sizeof(float));
    void *q = malloc(mote_row_size(t->vec_dot_type, n));
    assert_true(wf && xq && q);
    t->to_float(w, wf, n);
    a->from_float(x, q, n);
    a->to_float(q, xq, n);

    double exact = 0, exact_q = 0, mag = 0, act_err = 0;
    for (int64_t i = 0; i < n; i++) {
        exact += (double)wf[i] * x[i];
        exact_q += (double)wf[i] * xq[i];
        mag += fabs((double)wf[i] * xq[i]) + fabs((double)wf[i] * x[i]);
        act_err += fabs((double)wf[i]) * fabs((double)x[i] - xq[i]);
    }
    /* Q8_1's s = fp16(d8 * sum q8) stands in for sum(xq) in the offset term:
     * allow its rounding (2^-9 relative: a margin over the fp16 rounding of d8 and of s). */
    double s_err = 0;
    if (uses_q8_1(type)) {
        const block_q8_1 *qb = q;
        const weight_type *wt = find_weight_type(type);
        const size_t bb = mote_type_block_bytes(type);
        for (int64_t b = 0; b < n / QK8_1; b++) {
            mote_fp16 m;
            memcpy(&m, (const uint8_t *)w + b * bb + wt->scale_off[1], 2);
            int sum = 0;
            for (int j = 0; j < QK8_1; j++) sum += qb[b].qs[j];
            s_err += fabs(mote_fp16_to_f32(m)) * fabs(sum * (double)mote_fp16_to_f32(qb[b].d)) * 0x1p-9;
        }
    }
    const double rounding = 2e-6 * mag + 1e-30;
    const float got = t->vec_dot(n, w, q);
    if (fabs(got - exact_q) > rounding + s_err || fabs(got - exact) > act_err + rounding + s_err) {
        fail_msg("%s %s n=%lld: vec_dot %.9g, float dot %.9g (with 8-bit activations %.9g), "
                 "allowed %.3g / %.3g",
                 mote_type_name(type), what, (long long)n, got, exact, exact_q, rounding + s_err,
                 act_err + rounding + s_err);
    }
    free(wf);
    free(xq);
    free(q);
}

/* ---- 1. dequantization vs ggml -------------------------------------------- */

static void test_dequant_matches_ggml(void **state) {
    (void)state;
    size_t size = 0;
    char *table = read_file(repo_path("tests/data/dequant_hashes.txt"), &size);
    assert_non_null(table);
    mote_gguf *g = NULL;
    char open_file[512] = "";
    int checked = 0, per_type[MOTE_TYPE_COUNT] = {0};
    for (char *line = strtok(table, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || !line[0]) continue;
        char file[512], name[256], tname[32];
        long long n;
        unsigned long long want;
        assert_int_equal(sscanf(line, "%511s %255s %31s %lld %llx", file, name, tname, &n, &want), 5);
        if (strcmp(file, open_file)) {
            if (g) mote_gguf_close(g);
            g = NULL;
            assert_int_equal(mote_gguf_open(fixture_path(file), &g), MOTE_OK);
            snprintf(open_file, sizeof open_file, "%s", file);
        }
        const mote_tensor_info *t = mote_gguf_find_tensor(g, name);
        assert_non_null(t);
        assert_string_equal(mote_type_name(t->type), tname);
        assert_int_equal(mote_tensor_nelements(t), n);
        const mote_type_traits *tr = mote_traits(t->type);
        if (!tr->to_float) fail_msg("%s: no to_float for %s", name, tname);
        float *y = malloc((size_t)n * sizeof(float));
        assert_non_null(y);
        tr->to_float(t->data, y, n);
        uint64_t got = fnv1a64(y, (size_t)n * sizeof(float), FNV1A64_INIT);
        free(y);
        if (got != want) fail_msg("%s %s (%s): dequantized hash %016llx, ggml's %016llx", file, name, tname,
                                  (unsigned long long)got, want);
        checked++;
        per_type[t->type]++;
    }
    if (g) mote_gguf_close(g);
    free(table);
    /* Every weight type mote supports must have been covered by the table. */
    for (size_t k = 0; k < N_WEIGHT_TYPES; k++) {
        if (!per_type[weight_types[k].type]) fail_msg("no fixture tensor of type %s", mote_type_name(weight_types[k].type));
    }
    assert_true(checked > 100);
}

/* ---- 2. activation quantizers vs ggml ------------------------------------- */

static void test_activation_quantizers_match_ggml(void **state) {
    (void)state;
    static float x[ACT_N];
    make_activation_input(x);
    size_t size = 0;
    char *table = read_file(repo_path("tests/data/q8_act_hashes.txt"), &size);
    assert_non_null(table);
    int checked = 0;
    for (char *line = strtok(table, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || !line[0]) continue;
        char tname[32];
        int n;
        unsigned long long want;
        assert_int_equal(sscanf(line, "%31s %d %llx", tname, &n, &want), 3);
        assert_int_equal(n, ACT_N);
        int type = mote_type_from_name(tname);
        const mote_type_traits *t = mote_traits(type);
        assert_non_null(t);
        assert_non_null(t->from_float);
        size_t bytes = mote_row_size(type, ACT_N);
        uint8_t *q = malloc(bytes);
        memset(q, 0xA5, bytes); /* every byte must be written */
        t->from_float(x, q, ACT_N);
        uint64_t got = fnv1a64(q, bytes, FNV1A64_INIT);
        free(q);
        if (got != want) fail_msg("%s: quantized activations hash %016llx, ggml's %016llx", tname,
                                  (unsigned long long)got, want);
        checked++;
    }
    free(table);
    assert_int_equal(checked, 3);
}

/* Q8_K by hand on a tiny case: the sign trick and round-half-to-even. */
static void test_q8_K_by_hand(void **state) {
    (void)state;
    float x[QK_K] = {0};
    x[0] = 2.0f;   /* the largest magnitude, positive: maps to -127 */
    x[1] = -2.0f;
    x[2] = 1.0f;   /* -63.5: a tie, rounds to even -64 */
    x[3] = 3.0f / 127.0f * 0.5f;
    block_q8_K b;
    mote_q8_K_from_float(x, &b, QK_K);
    assert_int_equal(b.qs[0], -127);
    assert_int_equal(b.qs[1], 127);
    assert_int_equal(b.qs[2], -64);
    assert_true(b.d < 0);
    assert_int_equal(b.bsums[0], -127 + 127 - 64 + b.qs[3]);
    for (int g = 1; g < QK_K / 16; g++) assert_int_equal(b.bsums[g], 0);
    /* Q8_0 rounds the same tie away from zero: 1.0 / (2/127) = 63.5 -> 64. */
    block_q8_0 c;
    mote_q8_0_from_float(x, &c, QK8_0);
    assert_int_equal(c.qs[0], 127);
    assert_int_equal(c.qs[2], 64);
}

/* ---- 3. vec_dot vs float dot products ------------------------------------- */

static void test_vec_dot_random(void **state) {
    (void)state;
    const int64_t sizes[] = {256, 1024, 4096};
    for (size_t k = 0; k < N_WEIGHT_TYPES; k++) {
        const weight_type *wt = &weight_types[k];
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            const int64_t n = sizes[s], nb = n / mote_type_block_size(wt->type);
            uint8_t *w = malloc(mote_row_size(wt->type, n));
            float *x = malloc(n * sizeof(float));
            for (int rep = 0; rep < 4; rep++) {
                random_blocks(wt, w, nb);
                for (int64_t i = 0; i < n; i++) x[i] = rnd_unit() * (rep + 1);
                check_vec_dot_row(wt->type, w, x, n, "random");
            }
            /* The activation test row, with all its awkward blocks but the overflowing one. */
            if (n == ACT_N) {
                make_activation_input(x);
                for (int64_t i = 15 * 256; i < ACT_N; i++) x[i] = 0;
                check_vec_dot_row(wt->type, w, x, n, "activation row");
            }
            free(w);
            free(x);
        }
    }
}

static void test_vec_dot_fixture_tensors(void **state) {
    (void)state;
    static const char *files[] = {
        "models/llama-tiny-q8_0.gguf", "models/llama-tiny-q4_0.gguf", "models/llama-tiny-q4_1.gguf",
        "models/llama-tiny-q5_0.gguf", "models/llama-tiny-q5_1.gguf", "models/llama-tiny-q2_k.gguf",
        "models/llama-tiny-q3_k_m.gguf", "models/llama-tiny-q4_k_m.gguf", "models/llama-tiny-q5_k_m.gguf",
        "models/llama-tiny-q6_k.gguf", "models/llama-tiny-iq4_nl.gguf", "models/llama-tiny-iq4_xs.gguf",
        "models/llama-tiny-tq1_0.gguf", "models/llama-tiny-tq2_0.gguf", "real/stories260K-q4_k_m.gguf",
    };
    int rows = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        mote_gguf *g = NULL;
        assert_int_equal(mote_gguf_open(fixture_path(files[f]), &g), MOTE_OK);
        for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
            const mote_tensor_info *t = mote_gguf_tensor(g, i);
            const mote_type_traits *tr = mote_traits(t->type);
            if (!tr->quantized || !is_weight_type(t->type)) continue;
            const int64_t n = t->ne[0], nrows = mote_tensor_nelements(t) / n;
            const size_t rb = mote_row_size(t->type, n);
            float *x = malloc(n * sizeof(float));
            for (int64_t j = 0; j < n; j++) x[j] = rnd_unit();
            /* Every 7th row keeps this fast while touching every part of each tensor. */
            for (int64_t r = 0; r < nrows; r += 7, rows++)
                check_vec_dot_row(t->type, (const uint8_t *)t->data + r * rb, x, n, t->name);
            free(x);
        }
        mote_gguf_close(g);
    }
    assert_true(rows > 1000);
}

/* ---- 4. edge cases --------------------------------------------------------- */

/* Zero blocks (all bytes zero) dequantize to +0 and contribute nothing. */
static void test_zero_blocks(void **state) {
    (void)state;
    for (size_t k = 0; k < N_WEIGHT_TYPES; k++) {
        const int type = weight_types[k].type;
        const int64_t n = 512;
        uint8_t *w = calloc(1, mote_row_size(type, n));
        float y[512], x[512];
        mote_traits(type)->to_float(w, y, n);
        for (int i = 0; i < n; i++) {
            x[i] = rnd_unit();
            if (y[i] != 0.0f) fail_msg("%s: zero block gives %g at %d", mote_type_name(type), y[i], i);
        }
        check_vec_dot_row(type, w, x, n, "zero block");
        free(w);
    }
}

/* Negating every fp16 scale negates every dequantized value exactly (the
 * formulas are odd in the scales), and the dot products with it. Then the
 * largest finite fp16 scales: results stay finite and consistent. */
static void test_negative_and_extreme_scales(void **state) {
    (void)state;
    for (size_t k = 0; k < N_WEIGHT_TYPES; k++) {
        const weight_type *wt = &weight_types[k];
        const int64_t n = 1024, nb = n / mote_type_block_size(wt->type);
        const size_t bb = mote_type_block_bytes(wt->type), bytes = mote_row_size(wt->type, n);
        uint8_t *w = malloc(bytes), *neg = malloc(bytes);
        float *y = malloc(n * sizeof(float)), *yn = malloc(n * sizeof(float)), *x = malloc(n * sizeof(float));
        random_blocks(wt, w, nb);
        memcpy(neg, w, bytes);
        for (int64_t b = 0; b < nb; b++)
            for (int s = 0; s < 2; s++)
                if (wt->scale_off[s] >= 0) neg[b * bb + wt->scale_off[s] + 1] ^= 0x80; /* fp16 sign bit */
        mote_traits(wt->type)->to_float(w, y, n);
        mote_traits(wt->type)->to_float(neg, yn, n);
        for (int64_t i = 0; i < n; i++) {
            x[i] = rnd_unit();
            if (yn[i] != -y[i]) fail_msg("%s: negated scales give %g, not -%g at %lld", mote_type_name(wt->type), yn[i], y[i], (long long)i);
        }
        check_vec_dot_row(wt->type, neg, x, n, "negated scales");

        /* Largest finite fp16 magnitude in every scale field, both signs. */
        for (int64_t b = 0; b < nb; b++)
            for (int s = 0; s < 2; s++)
                if (wt->scale_off[s] >= 0) put_fp16(w + b * bb + wt->scale_off[s], (b + s) % 2 ? 65504.0f : -65504.0f);
        mote_traits(wt->type)->to_float(w, y, n);
        for (int64_t i = 0; i < n; i++) {
            if (!isfinite(y[i])) fail_msg("%s: max scale gives %g at %lld", mote_type_name(wt->type), y[i], (long long)i);
            x[i] = rnd_unit() * 1000.0f;
        }
        check_vec_dot_row(wt->type, w, x, n, "max scales");
        free(w);
        free(neg);
        free(y);
        free(yn);
        free(x);
    }
}

/* Hand-computed values for the simple formats, so a shared mistake in both
 * the kernels and ggml's reading of them would still show. */
static void test_known_values(void **state) {
    (void)state;
    float y[32];
    block_q4_0 a;
    a.d = mote_f32_to_fp16(-2.0f);
    for (int j = 0; j < 16; j++) a.qs[j] = (uint8_t)(j | (15 - j) << 4);
    mote_q4_0_to_float(&a, y, 32);
    for (int j = 0; j < 16; j++) {
        assert_true(y[j] == -2.0f * (j - 8));
        assert_true(y[j + 16] == -2.0f * (15 - j - 8));
    }
    block_q5_1 b;
    b.d = mote_f32_to_fp16(0.5f);
    b.m = mote_f32_to_fp16(-3.0f);
    memset(b.qs, 0x21, sizeof b.qs);  /* low nibble 1, high nibble 2 */
    b.qh[0] = 0x01; b.qh[1] = 0; b.qh[2] = 0x01; b.qh[3] = 0x80; /* high bits of values 0, 16, 31 */
    mote_q5_1_to_float(&b, y, 32);
    assert_true(y[0] == 0.5f * 17 - 3.0f);
    assert_true(y[1] == 0.5f * 1 - 3.0f);
    assert_true(y[16] == 0.5f * 18 - 3.0f);
    assert_true(y[17] == 0.5f * 2 - 3.0f);
    assert_true(y[31] == 0.5f * 18 - 3.0f);
    block_q8_0 c;
    c.d = mote_f32_to_fp16(65504.0f);
    for (int j = 0; j < 32; j++) c.qs[j] = (int8_t)(j % 2 ? -128 : 127);
    mote_q8_0_to_float(&c, y, 32);
    assert_true(y[0] == 65504.0f * 127 && y[1] == 65504.0f * -128);
}

/* Every weight type is wired into the table with the activation type ggml
 * uses for it (ggml-cpu's type_traits_cpu). */
static void test_table_wiring(void **state) {
    (void)state;
    static const int expect[][2] = {
        {MOTE_TYPE_Q4_0, MOTE_TYPE_Q8_0}, {MOTE_TYPE_Q4_1, MOTE_TYPE_Q8_1}, {MOTE_TYPE_Q5_0, MOTE_TYPE_Q8_0},
        {MOTE_TYPE_Q5_1, MOTE_TYPE_Q8_1}, {MOTE_TYPE_Q8_0, MOTE_TYPE_Q8_0}, {MOTE_TYPE_Q2_K, MOTE_TYPE_Q8_K},
        {MOTE_TYPE_Q3_K, MOTE_TYPE_Q8_K}, {MOTE_TYPE_Q4_K, MOTE_TYPE_Q8_K}, {MOTE_TYPE_Q5_K, MOTE_TYPE_Q8_K},
        {MOTE_TYPE_Q6_K, MOTE_TYPE_Q8_K}, {MOTE_TYPE_IQ4_NL, MOTE_TYPE_Q8_0}, {MOTE_TYPE_IQ4_XS, MOTE_TYPE_Q8_K},
        {MOTE_TYPE_TQ1_0, MOTE_TYPE_Q8_K}, {MOTE_TYPE_TQ2_0, MOTE_TYPE_Q8_K},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        const mote_type_traits *t = mote_traits(expect[i][0]);
        assert_non_null(t->to_float);
        assert_non_null(t->vec_dot);
        assert_int_equal(t->vec_dot_type, expect[i][1]);
    }
    for (int a = 0; a < MOTE_TYPE_COUNT; a++) {
        const mote_type_traits *t = mote_traits(a);
        if (t && t->vec_dot) assert_non_null(mote_traits(t->vec_dot_type)->from_float);
    }
}

/* The dispatch seam: an installed kernel replaces the table's entry for
 * every caller, NULL arguments keep what is there. (Runs last: it changes
 * the process-wide table, and puts the reference back.) */
static int wrapped_calls;
static float counting_vec_dot(int64_t n, const void *w, const void *x) {
    wrapped_calls++;
    return mote_vec_dot_q4_0_q8_0(n, w, x);
}

static void test_dispatch_install(void **state) {
    (void)state;
    mote_kernels_init();
    const mote_type_traits *t = mote_traits(MOTE_TYPE_Q4_0);
    const mote_to_float_fn to_float = t->to_float;
    const mote_from_float_fn from_float = t->from_float;
    mote_traits_install(MOTE_TYPE_Q4_0, NULL, NULL, counting_vec_dot);
    assert_ptr_equal(mote_traits(MOTE_TYPE_Q4_0)->vec_dot, counting_vec_dot);
    assert_ptr_equal(mote_traits(MOTE_TYPE_Q4_0)->to_float, to_float);
    assert_ptr_equal(mote_traits(MOTE_TYPE_Q4_0)->from_float, from_float);
    uint8_t w[18] = {0};
    block_q8_0 a = {0};
    mote_traits(MOTE_TYPE_Q4_0)->vec_dot(32, w, &a);
    assert_int_equal(wrapped_calls, 1);
    mote_traits_install(MOTE_TYPE_Q4_0, NULL, NULL, mote_vec_dot_q4_0_q8_0);
    assert_ptr_equal(mote_traits(MOTE_TYPE_Q4_0)->vec_dot, mote_vec_dot_q4_0_q8_0);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_wiring),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_q8_K_by_hand),
        cmocka_unit_test(test_activation_quantizers_match_ggml),
        cmocka_unit_test(test_dequant_matches_ggml),
        cmocka_unit_test(test_zero_blocks),
        cmocka_unit_test(test_negative_and_extreme_scales),
        cmocka_unit_test(test_vec_dot_random),
        cmocka_unit_test(test_vec_dot_fixture_tensors),
        cmocka_unit_test(test_dispatch_install),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
