/*
 * report.c — see report.h.
 */
#include "eval/report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void eval_progress_start(eval_progress *p, const char *task, size_t total, bool quiet) {
    memset(p, 0, sizeof *p);
    p->task = task;
    p->total = total;
    p->t0 = now_s();
    p->tty = isatty(fileno(stderr));
    p->quiet = quiet;
}

/* "1m05s" for a number of seconds. */
static void fmt_time(double s, char *buf, size_t n) {
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60) snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
    else snprintf(buf, n, "%lds", t);
}

void eval_progress_step(eval_progress *p, const char *score_name, double score) {
    p->done++;
    if (p->quiet) return;
    double t = now_s(), spent = t - p->t0;
    /* on a terminal: at most 10 updates a second; otherwise one line per ~5% */
    bool last = p->done == p->total;
    if (p->tty) {
        if (!last && t - p->last_print < 0.1) return;
    } else {
        size_t step = p->total / 20 ? p->total / 20 : 1;
        if (!last && p->done % step) return;
    }
    p->last_print = t;
    char left[32];
    fmt_time(p->done ? spent / (double)p->done * (double)(p->total - p->done) : 0, left, sizeof left);
    fprintf(stderr, "%s%s: %zu/%zu  %s %.2f%%  %s left%s", p->tty ? "\r" : "", p->task, p->done, p->total,
            score_name, 100.0 * score, left, p->tty ? "\033[K" : "\n");
    fflush(stderr);
}

void eval_progress_end(eval_progress *p) {
    if (!p->quiet && p->tty && p->done) fputc('\n', stderr);
}

int eval_results_add(eval_results *r, const char *group, const char *metric, double value, long n) {
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;
        eval_row *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows) return -1;
        r->rows = rows;
        r->cap = cap;
    }
    eval_row *row = &r->rows[r->n++];
    snprintf(row->group, sizeof row->group, "%s", group ? group : "");
    snprintf(row->metric, sizeof row->metric, "%s", metric);
    row->value = value;
    row->n = n;
    return 0;
}

void eval_results_free(eval_results *r) {
    free(r->rows);
    memset(r, 0, sizeof *r);
}

void eval_results_print(const eval_results *r, const char *task, double seconds, bool json, FILE *out) {
    if (json) {
        cJSON *o = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(o, "results");
        cJSON_AddStringToObject(o, "task", task);
        cJSON_AddNumberToObject(o, "seconds", seconds);
        for (size_t i = 0; i < r->n; i++) {
            cJSON *row = cJSON_CreateObject();
            if (r->rows[i].group[0]) cJSON_AddStringToObject(row, "group", r->rows[i].group);
            cJSON_AddStringToObject(row, "metric", r->rows[i].metric);
            cJSON_AddNumberToObject(row, "value", r->rows[i].value);
            cJSON_AddNumberToObject(row, "n", (double)r->rows[i].n);
            cJSON_AddItemToArray(rows, row);
        }
        char *s = cJSON_PrintUnformatted(o);
        if (s) fprintf(out, "%s\n", s);
        free(s);
        cJSON_Delete(o);
        return;
    }
    int gw = (int)strlen(task) > 5 ? (int)strlen(task) : 5;
    for (size_t i = 0; i < r->n; i++) {
        int l = (int)strlen(r->rows[i].group);
        if (l > gw) gw = l;
    }
    fprintf(out, "\n| %-*s | %-28s | %10s | %6s |\n", gw, "group", "metric", "value", "n");
    fprintf(out, "|-");
    for (int i = 0; i < gw; i++) fputc('-', out);
    fprintf(out, "-|------------------------------|------------|--------|\n");
    for (size_t i = 0; i < r->n; i++) {
        const eval_row *row = &r->rows[i];
        fprintf(out, "| %-*s | %-28s | %10.4f | %6ld |\n", gw, row->group[0] ? row->group : task, row->metric,
                row->value, row->n);
    }
    fprintf(out, "\n%s: %.1f s\n", task, seconds);
}

int eval_output_item(FILE *f, cJSON *item) {
    int rc = 0;
    if (f && item) {
        char *s = cJSON_PrintUnformatted(item);
        if (!s || fprintf(f, "%s\n", s) < 0) rc = -1;
        free(s);
    }
    cJSON_Delete(item);
    return rc;
}
