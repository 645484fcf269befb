/*
 * bench_parallel.h — `mote bench --parallel`: many sequences generating
 * together, in the manner of llama.cpp's llama-batched-bench.
 */
#ifndef MOTE_CLI_BENCH_PARALLEL_H
#define MOTE_CLI_BENCH_PARALLEL_H

#include <stdbool.h>

#include "mote.h"

typedef struct {
    const char *model_name;    /* shown in the output */
    const int *parallel;       /* sequence counts S to test */
    int n_parallel;
    int n_prompt, n_gen;       /* tokens of each sequence's prompt, tokens each generates */
    const int *threads;
    int n_threads;
    int reps;                  /* timed runs per row, one per round, each after a warm-up run */
    int format;                /* 0 markdown, 1 csv, 2 json */
    bool quiet;
    bool verbose;              /* a memory line per row on stderr: weights, KV cache (sequences x cells),
                                  the context's other buffers, peak RSS against 1.1 x (weights + KV) */
} bench_parallel_opts;

/* Run every (threads, S) row on the model and print the table; returns
 * MOTE_OK or a status (the message in mote_last_error). */
int bench_parallel_run(mote_model *m, const bench_parallel_opts *o);

#endif
