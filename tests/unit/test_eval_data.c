/*
 * test_eval_data.c — the data readers of `mote eval`: CSV as RFC 4180
 * writes it (quotes, doubled quotes, line breaks inside quotes, CRLF, a
 * BOM, no final newline, blank lines) and JSON lines (blank lines skipped,
 * errors naming file and line, an empty file refused); the Python-like
 * string helpers the checkers rely on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "eval/csv.h"
#include "eval/jsonl.h"
#include "eval/text.h"

static const char *write_temp(const char *suffix, const char *bytes, size_t n) {
    const char *p = temp_path(suffix);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(bytes, 1, n, f);
    fclose(f);
    return p;
}

static void test_csv(void **state) {
    const char data[] = "\xef\xbb\xbfq,a\r\n\"x, \"\"quoted\"\"\",\"two\nlines\"\r\n\r\nlast,row";
    const char *p = write_temp(".csv", data, sizeof data - 1);
    csv_file f;
    char err[256];
    assert_int_equal(csv_read(p, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.rows[0].fields[0], "q"); /* the BOM is not part of the first field */
    assert_string_equal(f.rows[1].fields[0], "x, \"quoted\"");
    assert_string_equal(f.rows[1].fields[1], "two\nlines");
    assert_int_equal(f.rows[1].line, 2);
    assert_int_equal(f.rows[2].line, 5);
    assert_string_equal(f.rows[2].fields[1], "row");
    csv_free(&f);
    const char open_quote[] = "a,b\n\"never closed,c\n";
    p = write_temp(".csv", open_quote, sizeof open_quote - 1);
    assert_int_equal(csv_read(p, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: a quoted field is never closed"));
    p = write_temp(".csv", "", 0);
    assert_int_equal(csv_read(p, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 0);
    csv_free(&f);
}

static void test_jsonl(void **state) {
    const char data[] = "{\"a\": 1}\n\n  \n{\"a\": \"x\"}\r\n";
    const char *p = write_temp(".jsonl", data, sizeof data - 1);
    jsonl_file f;
    char err[256];
    assert_int_equal(jsonl_read(p, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.line[1], 4);
    assert_null(jsonl_str(&f, 0, p, "a", err, sizeof err));
    assert_non_null(strstr(err, ":1: no string \"a\""));
    assert_string_equal(jsonl_str(&f, 1, p, "a", err, sizeof err), "x");
    jsonl_free(&f);
    p = write_temp(".jsonl", "{\"a\": 1}\n[1, 2]\n", 16);
    assert_int_equal(jsonl_read(p, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: not a JSON object"));
    p = write_temp(".jsonl", "\n\n", 2);
    assert_int_equal(jsonl_read(p, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "empty file"));
}

static void test_text(void **state) {
    size_t b, e;
    const char *s = "\xc2\xa0 hi there\t\n";
    text_py_strip(s, strlen(s), &b, &e);
    assert_int_equal(b, 3);
    assert_int_equal(e, 11);
    size_t n;
    char *low = text_py_lower("\xc3\x89T\xc3\x89", 5, &n);
    assert_string_equal(low, "\xc3\xa9t\xc3\xa9");
    free(low);
    assert_true(text_py_isupper("HELLO, WORLD 1", 14));
    assert_false(text_py_isupper("1234", 4)); /* no cased character */
    assert_true(text_py_islower("\xc3\xa9t\xc3\xa9", 5));
    assert_int_equal(text_count_words("it's a co-op_run, 42!", 21), 6); /* it, s, a, co, op_run, 42 */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
