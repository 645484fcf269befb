/*
 * test_threadpool.c — the thread pool runs every share exactly once per
 * section, across many back-to-back sections (the per-token pattern) and
 * after the workers have gone to sleep; range splitting covers [0, n).
 */
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "core/cpu.h"
#include "core/threadpool.h"
#include "testutil.h"

typedef struct {
    atomic_int calls[8];
    atomic_long sum;
    long n;
} work;

static void add_range(void *p, int ith, int nth) {
    work *w = p;
    long b, e;
    mote_split_range(w->n, ith, nth, &b, &e);
    long s = 0;
    for (long i = b; i < e; i++) s += i;
    atomic_fetch_add(&w->sum, s);
    atomic_fetch_add(&w->calls[ith], 1);
}

static void test_sections(void **state) {
    (void)state;
    for (int nth = 1; nth <= 4; nth++) {
        mote_threadpool *tp = mote_threadpool_new(nth);
        assert_non_null(tp);
        assert_int_equal(mote_threadpool_size(tp), nth);
        work w = {.n = 1001};
        for (int round = 0; round < 2000; round++) mote_threadpool_run(tp, add_range, &w);
        assert_int_equal(atomic_load(&w.sum), 2000L * (1000L * 1001L / 2));
        for (int i = 0; i < nth; i++) assert_int_equal(atomic_load(&w.calls[i]), 2000);
        /* let the workers fall asleep, then wake them */
        usleep(300000);
        mote_threadpool_run(tp, add_range, &w);
        for (int i = 0; i < nth; i++) assert_int_equal(atomic_load(&w.calls[i]), 2001);
        mote_threadpool_free(tp);
    }
}

static void test_split(void **state) {
    (void)state;
    for (long n = 0; n < 50; n++)
        for (int nth = 1; nth <= 7; nth++) {
            long prev_end = 0;
            for (int i = 0; i < nth; i++) {
                long b, e;
                mote_split_range(n, i, nth, &b, &e);
                assert_int_equal(b, prev_end);
                assert_true(e - b == n / nth || e - b == n / nth + 1);
                prev_end = e;
            }
            assert_int_equal(prev_end, n);
        }
}

static void test_bad_args_and_cpu(void **state) {
    (void)state;
    assert_null(mote_threadpool_new(0));
    assert_non_null(strstr(mote_last_error(), "thread count"));
    assert_true(mote_physical_cores() >= 1);
    assert_non_null(mote_cpu());
    assert_true(strlen(mote_cpu_describe()) > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_bad_args_and_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
