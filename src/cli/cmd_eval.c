/*
 * cmd_eval.c — `mote eval`: score a model on MMLU, TruthfulQA or IFEval as
 * lm-evaluation-harness does (the work is in src/eval; this file only reads
 * the options). The option parsing is self-contained on purpose.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "eval/eval.h"
#include "mote.h"

static void eval_usage(FILE *out) {
    fprintf(out,
            "usage: mote eval -m MODEL --task TASK --data PATH [options]\n"
            "       mote eval --task ifeval --data PATH --responses FILE.jsonl [options]\n"
            "\n"
            "Score a model on a benchmark, as lm-evaluation-harness scores it.\n"
            "\n"
            "tasks:\n"
            "  mmlu             multiple choice by log-likelihood of \" A\"..\" D\"; accuracy per subject\n"
            "                   and overall (PATH: the folder with test/ and dev/)\n"
            "  truthfulqa-gen   greedy answers after the 6-shot QA prompt; BLEU, ROUGE-1/2/L\n"
            "                   max, diff and acc (PATH: TruthfulQA.csv)\n"
            "  truthfulqa-mc1   multiple choice, one true answer (PATH: mc_task.json)\n"
            "  truthfulqa-mc2   probability mass of the true answers (PATH: mc_task.json)\n"
            "  ifeval           instruction following, strict and loose, prompt and instruction\n"
            "                   level (PATH: input_data.jsonl)\n"
            "PATH may also be a folder laid out as shared/data/eval (mmlu/, truthfulqa/, ifeval/).\n"
            "\n"
            "  -m, --model FILE        GGUF model\n"
            "      --task TASK         one of the tasks above\n"
            "      --data PATH         the task's data\n"
            "      --responses FILE    ifeval: score these {\"prompt\", \"response\"} lines (no model)\n"
            "      --limit N           only N items (mmlu: N per subject)\n"
            "      --shots K           mmlu: K examples from the dev split before each question (0-5, default 0)\n"
            "      --seed S            with --limit: take a random sample, shuffled with seed S\n"
            "      --max-tokens N      longest generated answer (default 1280)\n"
            "      --chat-template NAME  ifeval: the chat format instead of the model's\n"
            "      --output FILE       write every item (prompt, answer, score) as JSON lines\n"
            "      --json              print the results as one JSON object\n"
            "  -c, --ctx-size N        context size (default: the model's, at most 4096)\n"
            "  -t, --threads N         threads (default: physical cores)\n"
            "  -h, --help              show this help\n");
}

/* A whole number in [lo, hi] for option `flag`; -1 (with a message) otherwise. */
static int eval_number(const char *flag, const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "mote eval: %s needs a whole number from %ld to %ld, not '%s'\n", flag, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_eval(int argc, char **argv) {
    eval_options o;
    eval_options_default(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            eval_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--json")) {
            o.json = true;
            continue;
        }
        if (a[0] != '-' || i + 1 >= argc) {
            fprintf(stderr, "mote eval: %s '%s' (run 'mote eval --help')\n",
                    a[0] == '-' ? "missing value after" : "unexpected argument", a);
            return 2;
        }
        const char *v = argv[++i];
        long n = 0;
        int bad = 0;
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) o.model_path = v;
        else if (!strcmp(a, "--task")) o.task = v;
        else if (!strcmp(a, "--data")) o.data = v;
        else if (!strcmp(a, "--responses")) o.responses = v;
        else if (!strcmp(a, "--output")) o.output = v;
        else if (!strcmp(a, "--chat-template")) o.chat_template = v;
        else if (!strcmp(a, "--limit")) bad = eval_number(a, v, 1, 1L << 30, &o.limit);
        else if (!strcmp(a, "--shots")) bad = eval_number(a, v, 0, 5, &o.shots);
        else if (!strcmp(a, "--max-tokens")) bad = eval_number(a, v, 1, 1L << 20, &o.max_tokens);
        else if (!strcmp(a, "--seed")) {
            bad = eval_number(a, v, 0, 2147483647L, &n);
            o.seed = (uint64_t)n;
        } else if (!strcmp(a, "-c") || !strcmp(a, "--ctx-size")) {
            bad = eval_number(a, v, 16, 1L << 20, &n);
            o.n_ctx = (int)n;
        } else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) {
            bad = eval_number(a, v, 1, 1024, &n);
            o.n_threads = (int)n;
        } else {
            fprintf(stderr, "mote eval: unknown option '%s' (run 'mote eval --help')\n", a);
            return 2;
        }
        if (bad) return 2;
    }
    return eval_run(&o);
}
