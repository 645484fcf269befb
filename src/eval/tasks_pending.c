/* tasks_pending.c — placeholders for the tasks not written yet (removed as each lands). */
#include "eval/tasks.h"
int eval_task_truthfulqa_gen(eval_task_ctx *t) { snprintf(t->err, sizeof t->err, "todo"); return -1; }
int eval_task_truthfulqa_mc(eval_task_ctx *t, int w) { snprintf(t->err, sizeof t->err, "todo"); return -1; }
