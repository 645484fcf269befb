/*
 * test_matmul_same_input.c — mote_matmul_same_input (engine/matmul.h): a
 * product that takes the converted input rows of the product before it
 * must give exactly mote_matmul's numbers, whether or not the rows can be
 * reused: same type (reused), another type in between (converted again),
 * another token count, and a changed input behind a plain mote_matmul.
 * Token counts on both roads (one-row kernels and panels).
 */
#include <stdlib.h>
#include <string.h>

#include "engine/matmul.h"
#include "quant/quantize.h"
#include "quant/types.h"
#include "testutil.h"

#define N_IN 256
#define N_OUT 48
#define MAX_TOKENS 20

typedef struct {
    mote_weight w;
    void *data;
} owned_weight;

static float frand(void) { return (float)rand() / (float)RAND_MAX * 2.0f - 1.0f; }

/* A random N_OUT x N_IN matrix of `type`, used in place (not stored). */
static owned_weight make_weight(int type) {
    float *f = malloc(sizeof(float) * N_IN * N_OUT);
    for (int i = 0; i < N_IN * N_OUT; i++) f[i] = frand();
    owned_weight o;
    memset(&o, 0, sizeof o);
    o.w.row_bytes = mote_row_size(type, N_IN);
    o.data = malloc(o.w.row_bytes * N_OUT);
    assert_true(mote_quantize_rows(type, f, o.data, N_OUT, N_IN, NULL) > 0);
    o.w.name = "test";
    o.w.data = o.data;
    o.w.type = type;
    o.w.traits = mote_traits(type);
    o.w.n_in = N_IN;
    o.w.n_out = N_OUT;
    free(f);
    return o;
}

static void *scratch_for(const mote_weight *const *ws, int count) {
    size_t bytes = 0;
    for (int i = 0; i < count; i++) {
        const size_t b = mote_matmul_scratch_bytes(ws[i], MAX_TOKENS, 2);
        if (b > bytes) bytes = b;
    }
    return aligned_alloc(64, (bytes + 63) & ~(size_t)63);
}

static void test_same_numbers(void **state) {
    (void)state;
    owned_weight a = make_weight(MOTE_TYPE_Q4_0), b = make_weight(MOTE_TYPE_Q4_0), q8 = make_weight(MOTE_TYPE_Q8_0);
    const mote_weight *ws[] = {&a.w, &b.w, &q8.w};
    void *scratch = scratch_for(ws, 3);
    float *x = malloc(sizeof(float) * N_IN * MAX_TOKENS);
    float *want = malloc(sizeof(float) * N_OUT * MAX_TOKENS), *got = malloc(sizeof(float) * N_OUT * MAX_TOKENS);
    float *other = malloc(sizeof(float) * N_OUT * MAX_TOKENS);
    mote_threadpool *tp = mote_threadpool_new(2);
    assert_non_null(tp);
    const int32_t counts[] = {1, 3, 16, 20};
    for (int ci = 0; ci < 4; ci++) {
        const int32_t n = counts[ci];
        for (int i = 0; i < N_IN * n; i++) x[i] = frand();
        const size_t ybytes = sizeof(float) * N_OUT * (size_t)n;
        /* b alone, then b right after a on the same input: the same numbers */
        mote_matmul(tp, &b.w, x, want, n, scratch);
        mote_matmul(tp, &a.w, x, other, n, scratch);
        mote_matmul_same_input(tp, &b.w, x, got, n, scratch);
        assert_memory_equal(want, got, ybytes);
        /* a Q8_0 product in between converts differently: b must convert again */
        mote_matmul(tp, &a.w, x, other, n, scratch);
        mote_matmul_same_input(tp, &q8.w, x, other, n, scratch);
        mote_matmul_same_input(tp, &b.w, x, got, n, scratch);
        assert_memory_equal(want, got, ybytes);
        /* a new input behind a plain product is converted, not taken from before */
        for (int i = 0; i < N_IN * n; i++) x[i] = frand();
        mote_matmul(tp, &b.w, x, want, n, scratch);
        mote_matmul(tp, &a.w, x, other, n, scratch);
        mote_matmul_same_input(tp, &b.w, x, got, n, scratch);
        assert_memory_equal(want, got, ybytes);
    }
    /* another token count than the product before: converted again (the
     * rows past the first 13 in the scratch are of the input before; both
     * counts take the panel road) */
    for (int i = 0; i < N_IN * MAX_TOKENS; i++) x[i] = frand();
    mote_matmul(tp, &a.w, x, other, 13, scratch);
    mote_matmul_same_input(tp, &b.w, x, got, 16, scratch);
    mote_matmul(tp, &b.w, x, want, 16, scratch);
    assert_memory_equal(want, got, sizeof(float) * N_OUT * 16);
    mote_threadpool_free(tp);
    free(x), free(want), free(got), free(other), free(scratch);
    free(a.data), free(b.data), free(q8.data);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
