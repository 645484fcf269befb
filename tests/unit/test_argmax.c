/*
 * test_argmax.c — mote_argmax (engine/ops.h), the greedy choice of the
 * scheduler and of mote_generate, against one compare per value in order:
 * the same index for every length around its lane width, with ties (the
 * lowest index wins), signed zeros, infinities and NaNs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/ops.h"

/* What the greedy loops did before mote_argmax: the first largest value. */
static int32_t argmax_in_order(const float *x, int32_t n) {
    int32_t best = 0;
    for (int32_t i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return best;
}

static uint32_t next(uint32_t *s) {
    *s ^= *s << 13, *s ^= *s >> 17, *s ^= *s << 5;
    return *s;
}

/* Random values from a few levels, so the largest often repeats. */
static void test_matches_in_order_with_ties(void **state) {
    (void)state;
    float x[200];
    uint32_t s = 12345;
    for (int32_t n = 1; n <= 200; n++)
        for (int rep = 0; rep < 20; rep++) {
            for (int32_t i = 0; i < n; i++) x[i] = (float)(next(&s) % 7) - 3.0f;
            assert_int_equal(mote_argmax(x, n), argmax_in_order(x, n));
        }
}

static void test_continuous_values(void **state) {
    (void)state;
    static float x[128256];
    uint32_t s = 99;
    for (int rep = 0; rep < 5; rep++) {
        for (int32_t i = 0; i < 128256; i++) x[i] = (float)(int32_t)next(&s) * 1e-9f;
        assert_int_equal(mote_argmax(x, 128256), argmax_in_order(x, 128256));
        assert_int_equal(mote_argmax(x, 49152), argmax_in_order(x, 49152));
    }
}

static void test_special_values(void **state) {
    (void)state;
    float x[40];
    for (int32_t n = 1; n <= 40; n++) {
        for (int32_t i = 0; i < n; i++) x[i] = -INFINITY;
        assert_int_equal(mote_argmax(x, n), 0); /* all equal: the first */
        for (int32_t i = 0; i < n; i++) x[i] = (i % 3 == 1) ? 0.0f : -0.0f;
        assert_int_equal(mote_argmax(x, n), argmax_in_order(x, n)); /* +0 and -0 are equal */
        for (int32_t i = 0; i < n; i++) x[i] = (float)(i % 5);
        x[n - 1] = NAN; /* a NaN never wins */
        assert_int_equal(mote_argmax(x, n), argmax_in_order(x, n));
        x[0] = NAN; /* ... unless it is first: nothing compares above it */
        assert_int_equal(mote_argmax(x, n), 0);
        for (int32_t i = 0; i < n; i++) x[i] = 0.0f;
        x[1 % n] = NAN; /* a NaN early in a lane hides nothing behind it: */
        x[n >= 32 ? 1 + 16 * (n / 16 - 1) : n - 1] = 5.0f; /* the largest in that lane */
        assert_int_equal(mote_argmax(x, n), argmax_in_order(x, n));
        for (int32_t i = 0; i < n; i++) x[i] = -1.0f;
        x[n / 2] = INFINITY;
        assert_int_equal(mote_argmax(x, n), n / 2);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_in_order_with_ties),
        cmocka_unit_test(test_continuous_values),
        cmocka_unit_test(test_special_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
