/*
 * cmd_eval.c — `mote eval`: score a model on MMLU, TruthfulQA or IFEval as
 * lm-evaluation-harness does (the work is in src/eval; this file only reads
 * the options, through the shared option table, and meters the run: its
 * cost — time, CPU, peak RSS, energy — goes to stderr after the results).
 */
#include <stdio.h>

#include "cli/cli_meter.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "eval/eval.h"

static const cli_use eval_options_used[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, "the GGUF model (also accepted as the first argument)"},
    {CLI_TASK, "one of the tasks above"}, {CLI_DATA, "the task's data (a file, or a folder laid out as shared/data/eval)"},
    {CLI_RESPONSES, "ifeval: score these {\"prompt\", \"response\"} lines instead of generating (no model)"},
    {CLI_LIMIT, "only N items (mmlu: N per subject)"},
    {CLI_SHOTS, "mmlu: K examples from the dev split before each question (0-5, default 0)"},
    {CLI_SEED, "with --limit: take a random sample, shuffled with seed N (default -1: the file's order)"},
    {CLI_MAX_TOKENS, "longest generated answer (default 1280)"},
    {CLI_CHAT_TEMPLATE, "ifeval: the chat format instead of the model's"},
    {CLI_OUTPUT, "write every item (prompt, answer, score) to FILE as JSON lines"},
    {CLI_JSON, "print the results as one JSON object"},
    {CLI_CTX_SIZE, NULL}, {CLI_THREADS, NULL}, {CLI_N_GPU_LAYERS, NULL},
    {CLI_VERBOSE, "name the energy source (and why better ones were not used) before the run"},
    {CLI_WATTS, NULL}, {CLI_GRID_INTENSITY, NULL}, {CLI_ENERGY_SOURCE, NULL}, {CLI_END, NULL},
};

const cli_command_spec eval_spec = {
    "eval",
    "mote eval MODEL --task TASK --data PATH [options]\n"
    "       mote eval --task ifeval --data PATH --responses FILE.jsonl [options]",
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
    "PATH may also be a folder laid out as shared/data/eval (mmlu/, truthfulqa/, ifeval/).",
    eval_options_used,
    0,
    true,
};

int cmd_eval(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&eval_spec, argc, argv, &a);
    if (st >= 0) return st;
    eval_options o;
    eval_options_default(&o);
    o.model_path = a.model;
    o.task = cli_str(&a, CLI_TASK, NULL);
    o.data = cli_str(&a, CLI_DATA, NULL);
    o.responses = cli_str(&a, CLI_RESPONSES, NULL);
    o.output = cli_str(&a, CLI_OUTPUT, NULL);
    o.chat_template = cli_str(&a, CLI_CHAT_TEMPLATE, NULL);
    o.limit = (long)cli_int(&a, CLI_LIMIT, 0);
    o.shots = (long)cli_int(&a, CLI_SHOTS, 0);
    o.max_tokens = (long)cli_int(&a, CLI_MAX_TOKENS, o.max_tokens);
    long long seed = cli_int(&a, CLI_SEED, -1);
    o.seed = seed < 0 ? 0 : (uint64_t)seed;
    o.n_ctx = (int)cli_int(&a, CLI_CTX_SIZE, 0);
    o.n_threads = (int)cli_int(&a, CLI_THREADS, 0);
    o.json = cli_flag(&a, CLI_JSON);
    cli_meter_opts meter_opts = {0};
    mote_meter *meter;
    if (cli_meter_from_args(&meter_opts, &a) || cli_meter_open(&meter_opts, "eval", cli_flag(&a, CLI_VERBOSE), &meter))
        return 2;
    mote_meter_report cost;
    mote_meter_start(meter);
    int status = eval_run(&o);
    mote_meter_stop(meter, &cost);
    if (status == 0) { /* what the whole run cost (loading, every item), on stderr beside the progress */
        char line[400];
        mote_meter_format(&cost, line, sizeof line);
        fprintf(stderr, "cost: %s\n", line);
    }
    mote_meter_free(meter);
    return status;
}
