/*
 * test_dynlib.c — opening the front ends' optional libraries on first use
 * (src/server/dynlib.c): a library that is there gives working function
 * pointers; a missing library, or one without a wanted symbol, gives a
 * one-line message naming it (and the package to install) and false.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "server/dynlib.h"

static double (*libm_fabs)(double);

static void test_present_library_resolves(void **state) {
    (void)state;
    char err[256] = "";
    const dynlib_symbol symbols[] = {{"fabs", (void (**)(void))&libm_fabs}};
    assert_true(dynlib_load("libm.so.6", "libc6", symbols, 1, err, sizeof err));
    assert_non_null(libm_fabs);
    assert_true(libm_fabs(-2.5) == 2.5);
}

static void test_missing_library_names_package(void **state) {
    (void)state;
    char err[256] = "";
    double (*never)(double) = NULL;
    const dynlib_symbol symbols[] = {{"fabs", (void (**)(void))&never}};
    assert_false(dynlib_load("libmote-no-such-library.so.7", "libmote-nothing7", symbols, 1, err, sizeof err));
    assert_null(never);
    assert_string_equal(err, "libmote-no-such-library.so.7 is not installed (apt-get install libmote-nothing7)");
    assert_null(strchr(err, '\n'));
}

static void test_missing_symbol_is_named(void **state) {
    (void)state;
    char err[256] = "";
    double (*f)(double) = NULL, (*g)(double) = NULL;
    const dynlib_symbol symbols[] = {{"fabs", (void (**)(void))&f}, {"mote_no_such_function", (void (**)(void))&g}};
    assert_false(dynlib_load("libm.so.6", "libc6", symbols, 2, err, sizeof err));
    assert_non_null(strstr(err, "libm.so.6 has no mote_no_such_function"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_present_library_resolves),
        cmocka_unit_test(test_missing_library_names_package),
        cmocka_unit_test(test_missing_symbol_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
