/*
 * report.h — what every task shows: progress on stderr (done/total, the
 * running score, time left; rewritten in place with '\r' only on a
 * terminal), the final table or JSON object on stdout, and the per-item
 * JSON lines of --output.
 */
#ifndef MOTE_EVAL_REPORT_H
#define MOTE_EVAL_REPORT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    const char *task;
    size_t total, done;
    double t0;              /* seconds, monotonic */
    double last_print;
    bool tty;
    bool quiet;
} eval_progress;

void eval_progress_start(eval_progress *p, const char *task, size_t total, bool quiet);
/* One more item done; score_name/score is the running figure shown. */
void eval_progress_step(eval_progress *p, const char *score_name, double score);
/* End the progress line. */
void eval_progress_end(eval_progress *p);

/* One row of results: a metric, its value (a fraction for accuracies), the
 * items it covers; group is "" for the task's headline rows and e.g. the
 * subject for MMLU's per-subject rows. */
typedef struct {
    char group[64];
    char metric[48];
    double value;
    long n;
} eval_row;

typedef struct {
    eval_row *rows;
    size_t n, cap;
} eval_results;

int eval_results_add(eval_results *r, const char *group, const char *metric, double value, long n);
void eval_results_free(eval_results *r);
/* Print the table (or, with json, one object {"task", "results": [...]}) to out. */
void eval_results_print(const eval_results *r, const char *task, double seconds, bool json, FILE *out);

/* Append one item as a JSON line to f (if f is not NULL); takes ownership of item. */
int eval_output_item(FILE *f, cJSON *item);

#endif
