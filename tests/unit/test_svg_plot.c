/*
 * test_svg_plot.c — the SVG chart writer of src/plot: tick choice, the
 * Pareto front, and the document (every point drawn and labelled, text
 * escaped, non-finite points left out, the ring and the budget line, the
 * note of an empty chart). Well-formedness as XML is checked by parsing
 * the sweep's plots in tests/e2e/test_sweep.sh.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/svg_plot.h"
#include "testutil.h"

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* Render a spec into a malloc'd string. */
static char *render(const plot_spec *s) {
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(svg_plot_write(f, s), 0);
    long n = ftell(f);
    rewind(f);
    char *buf = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

static void ticks_are_round_and_cover(void **state) {
    (void)state;
    double first, step;
    int n;
    plot_ticks(0.13, 0.97, 6, &first, &step, &n);
    assert_true(fabs(step - 0.2) < 1e-12);
    assert_true(first <= 0.13 && first + step * (n - 1) >= 0.97);
    plot_ticks(1234, 98765, 8, &first, &step, &n);
    assert_true(fabs(step - 20000) < 1e-9);
    assert_true(first <= 1234 && first + step * (n - 1) >= 98765 && n <= 8);
    plot_ticks(5, 5, 6, &first, &step, &n); /* one value: a range around it */
    assert_true(first <= 5 && first + step * (n - 1) >= 5 && n >= 2);
}

static void pareto(void **state) {
    (void)state;
    /* size, ppl: b is worse than a in both; e is not finite */
    double x[] = {1, 2, 3, 0.5, NAN, 2};
    double y[] = {5, 6, 4, 9, 1, 5};
    bool on[6];
    assert_int_equal(pareto_front(x, y, 6, on), 3);
    assert_true(on[0] && !on[1] && on[2] && on[3] && !on[4] && !on[5]);
}

static void document(void **state) {
    (void)state;
    plot_point pts[] = {{"q8_0", 1.0, 10.0}, {"q4_<&>", 0.5, 12.0}, {"bad", NAN, 1.0}, {"f16", 2.0, 9.5}};
    plot_series ser[] = {{"perplexity", "#1f77b4", pts, 4, true, true}};
    plot_spec s = plot_spec_init("score vs size", "size (MiB)", "perplexity");
    s.series = ser, s.n_series = 1;
    s.has_x_mark = true, s.x_mark = 1.5, s.x_mark_label = "--ram 1.5M";
    s.ring_series = 0, s.ring_index = 0, s.ring_label = "best under --ram";
    char *svg = render(&s);
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(svg, ">q8_0</text>"));
    assert_non_null(strstr(svg, ">f16</text>"));
    assert_non_null(strstr(svg, ">q4_&lt;&amp;&gt;</text>"));
    assert_null(strstr(svg, ">bad</text>"));
    /* 3 points + 1 legend dot + 1 ring */
    assert_int_equal(count(svg, "<circle"), 5);
    assert_int_equal(count(svg, "<polyline"), 1);
    assert_non_null(strstr(svg, "stroke-dasharray"));
    assert_non_null(strstr(svg, "best under --ram"));
    assert_int_equal(count(svg, "<text"), count(svg, "</text>"));
    assert_non_null(strstr(svg, "</svg>\n"));
    free(svg);
}

/* Points at the same place share one label, so none is hidden under another. */
static void coincident_points_share_a_label(void **state) {
    (void)state;
    plot_point pts[] = {{"q4_0", 1.0, 2.0}, {"q8_0", 3.0, 1.0}, {"q2_k", 1.0, 2.0}};
    plot_series ser[] = {{"ppl", "#000", pts, 3, false, true}};
    plot_spec s = plot_spec_init("t", "x", "y");
    s.series = ser, s.n_series = 1;
    char *svg = render(&s);
    assert_non_null(strstr(svg, ">q4_0, q2_k</text>"));
    assert_non_null(strstr(svg, ">q8_0</text>"));
    assert_int_equal(count(svg, "<circle"), 4); /* 3 points + the legend */
    free(svg);
}

static void empty_chart_says_why(void **state) {
    (void)state;
    plot_spec s = plot_spec_init("score vs size", "size", "perplexity");
    s.empty_note = "no score: run with --text FILE";
    char *svg = render(&s);
    assert_non_null(strstr(svg, ">no score: run with --text FILE</text>"));
    assert_int_equal(count(svg, "<circle"), 0);
    free(svg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ticks_are_round_and_cover),
        cmocka_unit_test(pareto),
        cmocka_unit_test(document),
        cmocka_unit_test(coincident_points_share_a_label),
        cmocka_unit_test(empty_chart_says_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
