/*
 * eval_bench.c — how long `mote eval` takes per item on the shapes of real
 * small models: seconds per MMLU question (0-shot: one prompt evaluation,
 * four log-likelihoods) and per IFEval prompt (prompt in a chat template,
 * then generation; random weights never end their turn, so every answer
 * runs to the token limit, which makes the time an upper bound for it).
 *
 * The models are written with mote_synth_write (random weights, the real
 * model's shape and quantization) into a temporary folder; MMLU questions
 * come from tests/data/eval/mmlu, IFEval prompts from the folder given.
 *
 * usage: eval_bench [-t threads] [--type q8_0] [--tokens 64] [--items 4]
 *                   [--ifeval ../shared/data/eval/ifeval/input_data.jsonl] [shape ...]
 * (default shapes: gemma3-270m qwen3-0.6b; run from the repository root,
 * Release build; not a test: nothing fails).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eval/eval.h"
#include "mote.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds one eval run takes; results and progress go to /dev/null. */
static double time_run(const eval_options *o) {
    fflush(stdout);
    int saved_out = dup(1), saved_err = dup(2);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        dup2(fileno(null), 1);
        dup2(fileno(null), 2);
    }
    double t0 = now_s();
    int rc = eval_run(o);
    double t = now_s() - t0;
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    if (null) fclose(null);
    return rc ? -1 : t;
}

int main(int argc, char **argv) {
    const char *type = "q8_0", *ifeval = "../shared/data/eval/ifeval/input_data.jsonl";
    int threads = 0;
    long tokens = 64, items = 4;
    const char *shapes[16];
    int n_shapes = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--type") && i + 1 < argc) type = argv[++i];
        else if (!strcmp(argv[i], "--tokens") && i + 1 < argc) tokens = atol(argv[++i]);
        else if (!strcmp(argv[i], "--items") && i + 1 < argc) items = atol(argv[++i]);
        else if (!strcmp(argv[i], "--ifeval") && i + 1 < argc) ifeval = argv[++i];
        else if (n_shapes < 16) shapes[n_shapes++] = argv[i];
    }
    if (!n_shapes) {
        shapes[n_shapes++] = "gemma3-270m";
        shapes[n_shapes++] = "qwen3-0.6b";
    }
    char dir[] = "/tmp/mote-eval-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    printf("| shape | type | threads | MMLU s/question (0-shot) | IFEval s/prompt (%ld tokens) |\n", tokens);
    printf("|---|---|---|---|---|\n");
    for (int s = 0; s < n_shapes; s++) {
        const mote_model_shape *shape = mote_model_shape_find(shapes[s]);
        if (!shape) {
            fprintf(stderr, "eval_bench: unknown shape '%s'\n", shapes[s]);
            continue;
        }
        char path[256];
        snprintf(path, sizeof path, "%s/%s-%s.gguf", dir, shape->name, type);
        mote_synth_params sp = mote_synth_default_params();
        sp.type = type;
        if (mote_synth_write(shape, &sp, path)) {
            fprintf(stderr, "eval_bench: %s\n", mote_last_error());
            continue;
        }
        eval_options o;
        eval_options_default(&o);
        o.model_path = path;
        o.n_threads = threads;
        o.n_ctx = 2048;
        o.task = "mmlu";
        o.data = "tests/data/eval/mmlu";
        o.limit = items / 2 > 0 ? items / 2 : 1; /* per subject, two subjects */
        double mmlu = time_run(&o);
        long n_mmlu = 2 * o.limit;
        o.task = "ifeval";
        o.data = ifeval;
        o.limit = items;
        o.max_tokens = tokens;
        o.chat_template = "chatml";
        double ife = time_run(&o);
        printf("| %s | %s | %d | %s%.3f | %s%.3f |\n", shape->name, type, threads, mmlu < 0 ? "failed " : "",
               mmlu / (double)n_mmlu, ife < 0 ? "failed " : "", ife / (double)items);
        fflush(stdout);
        remove(path);
    }
    rmdir(dir);
    return 0;
}
