/*
 * eval.c — `mote eval`'s driver: find the task's data, load the model when
 * the task needs one, run the task, print the table.
 */
#include "eval/eval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "eval/tasks.h"

void eval_options_default(eval_options *o) {
    memset(o, 0, sizeof *o);
    o->max_tokens = 1280;
}

static const char *const task_names[] = {"mmlu", "truthfulqa-gen", "truthfulqa-mc1", "truthfulqa-mc2", "ifeval", NULL};

const char *const *eval_task_names(void) { return task_names; }

size_t *eval_item_order(size_t n, unsigned long long seed) {
    size_t *o = malloc((n ? n : 1) * sizeof *o);
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) o[i] = i;
    if (seed) { /* Fisher-Yates with splitmix64 */
        unsigned long long x = seed;
        for (size_t i = n; i > 1; i--) {
            x += 0x9e3779b97f4a7c15ULL;
            unsigned long long z = x;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            z ^= z >> 31;
            size_t j = (size_t)(z % i);
            size_t tmp = o[i - 1];
            o[i - 1] = o[j];
            o[j] = tmp;
        }
    }
    return o;
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* The task's data: --data as given when it is the file (or, for mmlu, the
 * folder) itself; when it is a folder of the layout of shared/data/eval,
 * the task's file inside it. Into buf; NULL with err set if not found. */
static const char *resolve_data(const eval_options *o, char *buf, size_t n, char *err, size_t es) {
    if (!o->data) {
        snprintf(err, es, "needs --data PATH (the task's file, or a folder laid out as shared/data/eval)");
        return NULL;
    }
    struct stat st;
    if (stat(o->data, &st) != 0) {
        snprintf(err, es, "cannot read '%s': %s", o->data, strerror(errno));
        return NULL;
    }
    bool mmlu = !strcmp(o->task, "mmlu");
    if (!S_ISDIR(st.st_mode)) {
        if (mmlu) {
            snprintf(err, es, "'%s': mmlu needs the folder holding test/ and dev/", o->data);
            return NULL;
        }
        snprintf(buf, n, "%s", o->data);
        return buf;
    }
    const char *tries[3] = {NULL, NULL, NULL};
    if (mmlu) {
        tries[0] = "";
        tries[1] = "/mmlu";
    } else if (!strcmp(o->task, "ifeval")) {
        tries[0] = "/input_data.jsonl";
        tries[1] = "/ifeval/input_data.jsonl";
    } else if (!strcmp(o->task, "truthfulqa-gen")) {
        tries[0] = "/TruthfulQA.csv";
        tries[1] = "/truthfulqa/TruthfulQA.csv";
    } else {
        tries[0] = "/mc_task.json";
        tries[1] = "/truthfulqa/mc_task.json";
    }
    for (int i = 0; tries[i]; i++) {
        snprintf(buf, n, "%s%s", o->data, tries[i]);
        if (mmlu) {
            char test[4200];
            snprintf(test, sizeof test, "%s/test", buf);
            if (exists(test)) return buf;
        } else if (exists(buf)) {
            return buf;
        }
    }
    snprintf(err, es, "'%s' holds no %s data (looked for %s)", o->data, o->task, tries[0][0] ? tries[0] + 1 : "test/");
    return NULL;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the task of o and keep its rows in *results. Returns 0, or the exit
 * status (1 failure, 2 bad usage) with a one-line message in err. */
static int eval_collect(const eval_options *o, eval_results *results, double *seconds, char *err, size_t es) {
    int (*run)(eval_task_ctx *) = NULL;
    int mc = 0;
    const char *all = "mmlu, truthfulqa-gen, truthfulqa-mc1, truthfulqa-mc2, ifeval";
    if (!o->task) {
        snprintf(err, es, "needs --task (%s)", all);
        return 2;
    }
    if (!strcmp(o->task, "mmlu")) run = eval_task_mmlu;
    else if (!strcmp(o->task, "truthfulqa-gen")) run = eval_task_truthfulqa_gen;
    else if (!strcmp(o->task, "truthfulqa-mc1")) mc = 1;
    else if (!strcmp(o->task, "truthfulqa-mc2")) mc = 2;
    else if (!strcmp(o->task, "ifeval")) run = eval_task_ifeval;
    else {
        snprintf(err, es, "unknown task '%s' (%s)", o->task, all);
        return 2;
    }
    bool needs_model = !(run == eval_task_ifeval && o->responses);
    if (o->responses && run != eval_task_ifeval) {
        snprintf(err, es, "--responses is for --task ifeval");
        return 2;
    }
    if (needs_model && !o->model_path) {
        snprintf(err, es, "--task %s needs a model (-m)", o->task);
        return 2;
    }
    eval_task_ctx t = {.opt = o};
    eval_lm lm;
    char data[4096];
    int status = 1;
    if (!(t.data = resolve_data(o, data, sizeof data, t.err, sizeof t.err))) {
        snprintf(err, es, "%s", t.err);
        return 1;
    }
    if (needs_model) {
        if (eval_lm_open(&lm, o->model_path, o->n_ctx, o->n_threads, t.err, sizeof t.err)) {
            snprintf(err, es, "%s", t.err);
            return 1;
        }
        t.lm = &lm;
    }
    if (o->output && !(t.output = fopen(o->output, "w"))) {
        snprintf(err, es, "cannot write '%s': %s", o->output, strerror(errno));
        goto done;
    }
    t.results = results;
    double t0 = now_s();
    int rc = mc ? eval_task_truthfulqa_mc(&t, mc) : run(&t);
    if (rc) {
        if (!o->quiet) fputc('\n', stderr);
        snprintf(err, es, "%s", t.err);
        goto done;
    }
    if (t.lm && t.lm->truncated)
        fprintf(stderr, "mote eval: note: %zu requests had their context cut from the left to fit %d tokens\n",
                t.lm->truncated, t.lm->n_ctx);
    *seconds = now_s() - t0;
    status = 0;
done:
    if (t.output && fclose(t.output) && !status) {
        snprintf(err, es, "cannot write '%s': %s", o->output, strerror(errno));
        status = 1;
    }
    if (t.lm) eval_lm_close(t.lm);
    return status;
}

int eval_run(const eval_options *o) {
    eval_results results = {0};
    double seconds = 0;
    char err[EVAL_ERR_SIZE];
    int status = eval_collect(o, &results, &seconds, err, sizeof err);
    if (status) fprintf(stderr, "mote eval: %s\n", err);
    else eval_results_print(&results, o->task, seconds, o->json, stdout);
    eval_results_free(&results);
    return status;
}

int eval_headline(const eval_options *o, double *score, long *n_items, char *err, size_t err_size) {
    eval_results results = {0};
    double seconds = 0;
    int status = eval_collect(o, &results, &seconds, err, err_size);
    if (!status) {
        const eval_row *r = results.n ? &results.rows[0] : NULL; /* the first headline row, if no better one */
        for (size_t i = 0; i < results.n; i++)
            if (!results.rows[i].group[0]) {
                r = &results.rows[i];
                break;
            }
        if (!r) {
            snprintf(err, err_size, "--task %s gave no score", o->task);
            status = 1;
        } else {
            *score = r->value;
            *n_items = r->n;
        }
    }
    eval_results_free(&results);
    return status;
}
