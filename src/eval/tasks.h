/*
 * tasks.h — the tasks of `mote eval`, each in its own file, called by
 * eval.c with the options and (unless the task needs none) the model.
 */
#ifndef MOTE_EVAL_TASKS_H
#define MOTE_EVAL_TASKS_H

#include <stdio.h>

#include "eval/eval.h"
#include "eval/lm.h"
#include "eval/report.h"

#define EVAL_ERR_SIZE 8192

/* What a task gets: options, the model (NULL for ifeval --responses), the
 * resolved data path, the --output file (or NULL), and where the results go.
 * Each returns 0, or -1 with a one-line message in err. */
typedef struct {
    const eval_options *opt;
    eval_lm *lm;
    const char *data;
    FILE *output;
    eval_results *results;
    char err[EVAL_ERR_SIZE];
} eval_task_ctx;

int eval_task_ifeval(eval_task_ctx *t);
int eval_task_mmlu(eval_task_ctx *t);
int eval_task_truthfulqa_gen(eval_task_ctx *t);
int eval_task_truthfulqa_mc(eval_task_ctx *t, int which); /* 1 or 2 */

/* The order in which items are taken: 0..n-1, shuffled when seed != 0
 * (so that --limit takes a random sample). malloc'd. */
size_t *eval_item_order(size_t n, unsigned long long seed);

#endif
