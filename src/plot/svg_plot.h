/*
 * svg_plot.h — small scatter charts written as SVG text: labelled points in
 * one or more series, optionally joined by a line (a Pareto front), one
 * point ringed (the best choice) and a dashed vertical line (a budget).
 * Enough for the plots of `mote sweep`; hand-written so that a report can
 * be drawn on the device without a plotting program (README: why not
 * gnuplot).
 */
#ifndef MOTE_PLOT_SVG_PLOT_H
#define MOTE_PLOT_SVG_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    const char *label; /* shown beside the point (the variant's name) */
    double x, y;
} plot_point;

typedef struct {
    const char *name;   /* in the legend */
    const char *color;  /* any SVG colour, "#1f77b4" */
    const plot_point *points;
    size_t n;
    bool joined;        /* draw a line through the points in order of x */
    bool labels;        /* write each point's label beside it */
} plot_series;

typedef struct {
    const char *title, *x_label, *y_label;
    const plot_series *series;
    size_t n_series;
    bool has_x_mark;            /* a dashed vertical line at x_mark ... */
    double x_mark;
    const char *x_mark_label;   /* ... with this caption */
    int ring_series, ring_index; /* the point to ring (ring_series < 0: none) */
    const char *ring_label;      /* caption beside the ring */
    const char *empty_note;      /* shown instead of points when no series has one */
} plot_spec;

/* A plot_spec with nothing ringed and no mark. */
plot_spec plot_spec_init(const char *title, const char *x_label, const char *y_label);

/* Round tick positions covering [lo, hi]: *first is the first tick at or
 * below lo, *step a 1, 2 or 5 times a power of ten, at most about max_ticks
 * ticks. lo == hi gets a range around the value. */
void plot_ticks(double lo, double hi, int max_ticks, double *first, double *step, int *n_ticks);

/* Write the chart to f as a standalone SVG document (UTF-8, every text
 * escaped). Returns 0, or -1 if writing failed. Non-finite coordinates are
 * left out. */
int svg_plot_write(FILE *f, const plot_spec *spec);

/* Mark the points on the Pareto front of minimising both x and y: no other
 * point is at least as good in both and better in one. Returns how many. */
size_t pareto_front(const double *x, const double *y, size_t n, bool *on_front);

#endif
