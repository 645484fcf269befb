/*
 * test_vec_dot_multi.c — the multi-column dot products (types.h,
 * vec_dot_multi, used by batched prefill) against the reference vec_dot of
 * their type, column by column, on random rows of several lengths.
 *
 * Each column must equal the reference dot up to float summation order:
 * |multi - ref| <= 1e-5 * sum over blocks of |block dot| (bounded here by
 * the dot of the absolute values) + 1e-6.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/kernels.h"
#include "quant/types.h"
#include "testutil.h"

static uint32_t rng = 2463534242u;
static float frand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (float)(rng & 0xFFFFFF) / (float)0x800000 - 1.0f;
}

/* Reference vec_dot of each type that may have a multi kernel. */
static mote_vec_dot_fn reference(int type) {
    switch (type) {
    case MOTE_TYPE_Q8_0: return mote_vec_dot_q8_0_q8_0;
    case MOTE_TYPE_Q4_0: return mote_vec_dot_q4_0_q8_0;
    case MOTE_TYPE_Q4_K: return mote_vec_dot_q4_K_q8_K;
    case MOTE_TYPE_Q6_K: return mote_vec_dot_q6_K_q8_K;
    default: return NULL;
    }
}

static void check_type(int type) {
    const mote_vec_dot_multi_fn multi = mote_vec_dot_multi(type);
    if (!multi) return;
    const mote_type_traits *tr = mote_traits(type), *at = mote_traits(tr->vec_dot_type);
    const mote_vec_dot_fn ref = reference(type);
    assert_non_null(ref);
    const int64_t sizes[] = {256, 512, 1024, 2048 + 256};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const int64_t n = sizes[si];
        float *wf = malloc(sizeof(float) * (size_t)n), *xf = malloc(sizeof(float) * (size_t)n * MOTE_DOT_COLS);
        const size_t wrow = mote_row_size(type, n), xrow = mote_row_size(tr->vec_dot_type, n);
        uint8_t *w = malloc(wrow), *x = malloc(xrow * MOTE_DOT_COLS);
        for (int64_t i = 0; i < n; i++) wf[i] = frand() * (i % 97 == 0 ? 8.0f : 1.0f);
        for (int64_t i = 0; i < n * MOTE_DOT_COLS; i++) xf[i] = frand() * (i % 13 == 0 ? 30.0f : 1.0f);
        tr->from_float(wf, w, n);
        for (int c = 0; c < MOTE_DOT_COLS; c++) at->from_float(xf + c * n, x + c * xrow, n);
        float y[MOTE_DOT_COLS * 3];
        multi(n, w, x, xrow, y, 3); /* a y stride other than 1 */
        for (int c = 0; c < MOTE_DOT_COLS; c++) {
            const float want = ref(n, w, x + c * xrow);
            double mag = 0;
            for (int64_t i = 0; i < n; i++) mag += fabs((double)wf[i] * xf[c * n + i]);
            if (fabs((double)y[c * 3] - want) > 1e-5 * mag * 2 + 1e-6)
                fail_msg("%s n=%lld column %d: multi %.9g, reference %.9g", tr->name, (long long)n, c, y[c * 3], want);
        }
        free(wf), free(xf), free(w), free(x);
    }
    printf("  %s: vec_dot_multi matches vec_dot\n", tr->name);
}

static void test_multi_matches_reference(void **state) {
    (void)state;
    const char *env = getenv("MOTE_KERNELS");
    int found = 0;
    for (int type = 0; type < MOTE_TYPE_COUNT; type++)
        if (mote_vec_dot_multi(type)) {
            check_type(type);
            found++;
        }
    printf("  %d types with a multi-column kernel\n", found);
#if defined(__x86_64__)
    if (!(env && strcmp(env, "ref") == 0) && mote_traits(MOTE_TYPE_Q4_0) &&
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        assert_true(found >= 4); /* dispatch installed them */
#else
    (void)env;
#endif
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multi_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
