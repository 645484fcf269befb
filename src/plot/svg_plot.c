/*
 * svg_plot.c — see svg_plot.h. Layout: a fixed 720 x 450 canvas, the plot
 * area inset by margins that leave room for tick labels, axis titles and a
 * legend above the area; coordinates are mapped linearly from the nice
 * tick range that covers the data.
 */
#include "plot/svg_plot.h"

#include <math.h>
#include <string.h>

#define W 720.0
#define H 450.0
#define LEFT 78.0
#define RIGHT 24.0
#define TOP 64.0
#define BOTTOM 58.0

plot_spec plot_spec_init(const char *title, const char *x_label, const char *y_label) {
    plot_spec s;
    memset(&s, 0, sizeof s);
    s.title = title, s.x_label = x_label, s.y_label = y_label;
    s.ring_series = -1;
    return s;
}

void plot_ticks(double lo, double hi, int max_ticks, double *first, double *step, int *n_ticks) {
    if (!(hi > lo)) {
        double pad = lo != 0 ? fabs(lo) * 0.1 : 1.0;
        lo -= pad, hi += pad;
    }
    if (max_ticks < 2) max_ticks = 2;
    double raw = (hi - lo) / (max_ticks - 1);
    double p = pow(10, floor(log10(raw)));
    double m = raw / p;
    double s = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    *first = floor(lo / s) * s;
    double last = ceil(hi / s) * s;
    *step = s;
    *n_ticks = (int)llround((last - *first) / s) + 1;
}

/* Text with &, <, >, " escaped. */
static void put_text(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

typedef struct {
    double x0, xs, y0, ys; /* first tick and step of each axis */
    int nx, ny;
} axes;

static double map_x(const axes *a, double x) {
    double span = a->xs * (a->nx - 1);
    return LEFT + (x - a->x0) / span * (W - LEFT - RIGHT);
}

static double map_y(const axes *a, double y) {
    double span = a->ys * (a->ny - 1);
    return H - BOTTOM - (y - a->y0) / span * (H - TOP - BOTTOM);
}

static bool finite_point(const plot_point *p) { return isfinite(p->x) && isfinite(p->y); }

/* The data range over every finite point (and the mark); false if there is none. */
static bool data_range(const plot_spec *s, double *xlo, double *xhi, double *ylo, double *yhi) {
    bool any = false;
    for (size_t i = 0; i < s->n_series; i++)
        for (size_t j = 0; j < s->series[i].n; j++) {
            const plot_point *p = &s->series[i].points[j];
            if (!finite_point(p)) continue;
            if (!any) *xlo = *xhi = p->x, *ylo = *yhi = p->y;
            *xlo = fmin(*xlo, p->x), *xhi = fmax(*xhi, p->x);
            *ylo = fmin(*ylo, p->y), *yhi = fmax(*yhi, p->y);
            any = true;
        }
    if (any && s->has_x_mark && isfinite(s->x_mark)) *xlo = fmin(*xlo, s->x_mark), *xhi = fmax(*xhi, s->x_mark);
    /* a margin, so that no point sits on the frame */
    double px = (*xhi - *xlo) * 0.04, py = (*yhi - *ylo) * 0.04;
    *xlo -= px, *xhi += px, *ylo -= py, *yhi += py;
    return any;
}

static void draw_axes(FILE *f, const axes *a, const plot_spec *s) {
    fprintf(f, "<g font-size=\"11\" fill=\"#444\">\n");
    for (int i = 0; i < a->nx; i++) {
        double v = a->x0 + i * a->xs, px = map_x(a, v);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n", px, TOP, px, H - BOTTOM);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n", px, H - BOTTOM + 16, fabs(v) < 1e-12 * a->xs ? 0.0 : v);
    }
    for (int i = 0; i < a->ny; i++) {
        double v = a->y0 + i * a->ys, py = map_y(a, v);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n", LEFT, py, W - RIGHT, py);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", LEFT - 6, py + 4, fabs(v) < 1e-12 * a->ys ? 0.0 : v);
    }
    fprintf(f, "</g>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#888\"/>\n", LEFT, TOP,
            W - LEFT - RIGHT, H - TOP - BOTTOM);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\">", (LEFT + W - RIGHT) / 2, H - 14);
    put_text(f, s->x_label);
    fprintf(f, "</text>\n<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 16 %.1f)\">",
            (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2);
    put_text(f, s->y_label);
    fprintf(f, "</text>\n");
}

/* True if two points are so close that their labels would overlap. */
static bool same_place(const axes *a, const plot_point *p, const plot_point *q) {
    return fabs(map_x(a, p->x) - map_x(a, q->x)) < 12 && fabs(map_y(a, p->y) - map_y(a, q->y)) < 8;
}

static void draw_series(FILE *f, const axes *a, const plot_series *ser) {
    if (ser->joined) {
        /* the line through the points in order of x (insertion sort of indices: n is small) */
        size_t order[256], n = 0;
        for (size_t j = 0; j < ser->n && n < 256; j++) {
            if (!finite_point(&ser->points[j])) continue;
            size_t k = n++;
            while (k > 0 && ser->points[order[k - 1]].x > ser->points[j].x) order[k] = order[k - 1], k--;
            order[k] = j;
        }
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", ser->color);
        for (size_t k = 0; k < n; k++)
            fprintf(f, "%s%.1f,%.1f", k ? " " : "", map_x(a, ser->points[order[k]].x), map_y(a, ser->points[order[k]].y));
        fprintf(f, "\"/>\n");
    }
    for (size_t j = 0; j < ser->n; j++) {
        const plot_point *p = &ser->points[j];
        if (!finite_point(p)) continue;
        double px = map_x(a, p->x), py = map_y(a, p->y);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>", px, py, ser->color);
        put_text(f, p->label);
        fprintf(f, ": %g, %g</title></circle>\n", p->x, p->y);
        if (!ser->labels) continue;
        /* points drawn (nearly) at the same place share one label ("q4_0, q2_k"), written by the first of them */
        bool first = true;
        for (size_t k = 0; k < j && first; k++)
            first = !(finite_point(&ser->points[k]) && same_place(a, &ser->points[k], p));
        if (!first) continue;
        bool right_edge = px > W - RIGHT - 90;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\"%s>", right_edge ? px - 6 : px + 6, py - 6,
                ser->color, right_edge ? " text-anchor=\"end\"" : "");
        put_text(f, p->label);
        for (size_t k = j + 1; k < ser->n; k++)
            if (finite_point(&ser->points[k]) && same_place(a, &ser->points[k], p)) {
                fputs(", ", f);
                put_text(f, ser->points[k].label);
            }
        fprintf(f, "</text>\n");
    }
}

int svg_plot_write(FILE *f, const plot_spec *s) {
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"sans-serif\">\n", W, H, W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"%.1f\" y=\"24\" text-anchor=\"middle\" "
               "font-size=\"16\" font-weight=\"bold\">", W / 2);
    put_text(f, s->title);
    fprintf(f, "</text>\n");
    double xlo = 0, xhi = 0, ylo = 0, yhi = 0;
    if (!data_range(s, &xlo, &xhi, &ylo, &yhi)) {
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#888\"/>\n", LEFT, TOP,
                W - LEFT - RIGHT, H - TOP - BOTTOM);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\" fill=\"#666\">", W / 2, H / 2);
        put_text(f, s->empty_note ? s->empty_note : "no data");
        fprintf(f, "</text>\n</svg>\n");
        return ferror(f) ? -1 : 0;
    }
    axes a;
    plot_ticks(xlo, xhi, 8, &a.x0, &a.xs, &a.nx);
    plot_ticks(ylo, yhi, 7, &a.y0, &a.ys, &a.ny);
    draw_axes(f, &a, s);
    if (s->has_x_mark && isfinite(s->x_mark)) {
        double px = map_x(&a, s->x_mark);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-dasharray=\"6 4\"/>\n", px,
                TOP, px, H - BOTTOM);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#c0392b\" text-anchor=\"end\">", px - 4, TOP + 14);
        put_text(f, s->x_mark_label);
        fprintf(f, "</text>\n");
    }
    for (size_t i = 0; i < s->n_series; i++) draw_series(f, &a, &s->series[i]);
    if (s->ring_series >= 0 && (size_t)s->ring_series < s->n_series && s->ring_index >= 0 &&
        (size_t)s->ring_index < s->series[s->ring_series].n) {
        const plot_point *p = &s->series[s->ring_series].points[s->ring_index];
        if (finite_point(p)) {
            double px = map_x(&a, p->x), py = map_y(&a, p->y);
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"10\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\"/>\n", px, py);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" font-weight=\"bold\" fill=\"#c0392b\">", px + 12, py + 16);
            put_text(f, s->ring_label);
            fprintf(f, "</text>\n");
        }
    }
    /* legend, in a row above the plot area */
    double lx = LEFT;
    for (size_t i = 0; i < s->n_series; i++) {
        fprintf(f, "<circle cx=\"%.1f\" cy=\"46\" r=\"4\" fill=\"%s\"/><text x=\"%.1f\" y=\"50\" font-size=\"12\">", lx + 4,
                s->series[i].color, lx + 12);
        put_text(f, s->series[i].name);
        fprintf(f, "</text>\n");
        lx += 24 + 7.0 * (double)strlen(s->series[i].name ? s->series[i].name : "");
    }
    fprintf(f, "</svg>\n");
    return ferror(f) ? -1 : 0;
}

size_t pareto_front(const double *x, const double *y, size_t n, bool *on_front) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        bool dominated = !isfinite(x[i]) || !isfinite(y[i]);
        for (size_t j = 0; j < n && !dominated; j++)
            if (j != i && isfinite(x[j]) && isfinite(y[j]) && x[j] <= x[i] && y[j] <= y[i] && (x[j] < x[i] || y[j] < y[i]))
                dominated = true;
        on_front[i] = !dominated;
        count += !dominated;
    }
    return count;
}
