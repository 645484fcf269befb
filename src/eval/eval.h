/*
 * eval.h — `mote eval`: benchmark tasks scored as lm-evaluation-harness
 * scores them (MMLU, TruthfulQA, IFEval), for the command-line front end.
 *
 * The evaluation code drives the model through the public API (mote.h)
 * only; this header is what src/cli/cmd_eval.c calls.
 */
#ifndef MOTE_EVAL_EVAL_H
#define MOTE_EVAL_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *task;        /* "mmlu", "truthfulqa-gen", "truthfulqa-mc1", "truthfulqa-mc2", "ifeval" */
    const char *model_path;  /* NULL: only for ifeval with responses */
    const char *data;        /* the task's file or folder; NULL: the task's default under ../shared/data/eval */
    const char *responses;   /* ifeval: score these {prompt, response} lines instead of generating */
    const char *output;      /* JSON lines of every item (prompt, answer, score), or NULL */
    const char *chat_template; /* ifeval: a template name to use instead of the model's */
    long limit;              /* items per task (mmlu: per subject); 0: all */
    long shots;              /* mmlu: examples from the dev split (0..5) */
    uint64_t seed;           /* order of items when limit is set (0: file order) */
    long max_tokens;         /* generation length limit */
    int n_threads;           /* 0: default */
    int n_ctx;               /* 0: the model's, at most 4096 */
    bool json;               /* the final results as one JSON object on stdout */
    bool quiet;              /* no progress lines on stderr */
} eval_options;

/* Fill the defaults (limit 0, shots 0, max_tokens 1280, ...). */
void eval_options_default(eval_options *o);

/* The task names, NULL-terminated. */
const char *const *eval_task_names(void);

/* Run one task: progress on stderr, the results table (or JSON) on stdout.
 * Errors are one line on stderr prefixed "mote eval: ". Returns the exit
 * status (0 ok, 1 failure, 2 bad usage). */
int eval_run(const eval_options *o);

/* Run one task as eval_run does but print no table: its headline score (the
 * first row of the whole task: mmlu "acc (all subjects)", ifeval
 * "prompt_level_strict_acc", truthfulqa-mc "acc", truthfulqa-gen the first
 * BLEU row) in *score and the items it covers in *n_items. Progress still
 * goes to stderr. Returns 0, or 1 (failure) / 2 (bad usage) with a one-line
 * message in err. */
int eval_headline(const eval_options *o, double *score, long *n_items, char *err, size_t err_size);

#endif
