/*
 * test_server_budget.c — the server's memory budget (src/server/
 * memory_budget.c) without models: engines that hold or reserve bytes are
 * counted, a request above --max-memory is refused at once, one that needs
 * memory held by a busy (here: not yet loaded, so not unloadable) model
 * waits until its deadline and says so, one that fits is reserved and
 * shows in the engine's status; --max-loaded alone never waits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "server/engine.h"
#include "server/memory_budget.h"
#include "server/registry.h"
#include "server/server.h"

/* A server with three engines that never start a thread (no job is submitted). */
typedef struct {
    server srv;
    registry reg;
    engine *e[3];
} fake_server;

static void fake_init(fake_server *f, size_t max_memory, int max_loaded) {
    memset(f, 0, sizeof *f);
    server_config_default(&f->srv.cfg);
    f->srv.cfg.max_memory = max_memory;
    f->srv.cfg.max_loaded = max_loaded;
    pthread_mutex_init(&f->srv.budget_mu, NULL);
    const char *names[3] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) assert_non_null(f->e[i] = engine_new(&f->srv, names[i], "/nonexistent.gguf"));
    f->reg.engines = f->e;
    f->reg.n = 3;
    f->srv.reg = &f->reg;
}

static void fake_free(fake_server *f) {
    for (int i = 0; i < 3; i++) engine_free(f->e[i]);
    pthread_mutex_destroy(&f->srv.budget_mu);
}

static size_t bytes_of(engine *e) {
    engine_status st;
    engine_get_status(e, &st);
    return st.bytes;
}

static void test_memory_budget(void **state) {
    (void)state;
    fake_server f;
    fake_init(&f, 1000, 0);
    /* more than the whole budget: refused without waiting */
    assert_int_equal(budget_reserve(&f.srv, f.e[0], 1001, INT64_MAX), BUDGET_TOO_BIG);
    /* fits: reserved, and visible to the others */
    assert_int_equal(budget_reserve(&f.srv, f.e[0], 600, mote_now_ns()), BUDGET_OK);
    assert_int_equal(bytes_of(f.e[0]), 600);
    /* 600 + 500 > 1000 and engine a cannot be unloaded (it is loading): wait, then give up */
    int64_t t0 = mote_now_ns();
    assert_int_equal(budget_reserve(&f.srv, f.e[1], 500, t0 + 100000000), BUDGET_BUSY);
    assert_true(mote_now_ns() - t0 >= 100000000);
    assert_int_equal(bytes_of(f.e[1]), 0);
    /* what remains fits */
    assert_int_equal(budget_reserve(&f.srv, f.e[1], 400, mote_now_ns()), BUDGET_OK);
    /* an engine's own bytes do not count against it: growing a from 600 to 600 still fits */
    assert_int_equal(budget_reserve(&f.srv, f.e[0], 600, mote_now_ns()), BUDGET_OK);
    assert_int_equal(budget_reserve(&f.srv, f.e[0], 601, mote_now_ns()), BUDGET_BUSY);
    /* a stopping server gives up at once */
    atomic_store(&f.srv.stopping, true);
    assert_int_equal(budget_reserve(&f.srv, f.e[2], 1, INT64_MAX), BUDGET_STOPPING);
    fake_free(&f);
}

static void test_max_loaded_never_waits(void **state) {
    (void)state;
    fake_server f;
    fake_init(&f, 0, 1);
    assert_int_equal(budget_reserve(&f.srv, f.e[0], 100, mote_now_ns()), BUDGET_OK);
    /* one model holds memory and none is idle to unload: the count is exceeded, not waited for */
    int64_t t0 = mote_now_ns();
    assert_int_equal(budget_reserve(&f.srv, f.e[1], 100, t0 + 5000000000LL), BUDGET_OK);
    assert_true(mote_now_ns() - t0 < 1000000000LL);
    fake_free(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_budget),
        cmocka_unit_test(test_max_loaded_never_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
