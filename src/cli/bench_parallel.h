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
    int reps;                  /* timed runs per row, after one warm-up */
    int format;                /* 0 markdown, 1 csv, 2 json */
    bool quiet;
    bool verbose;              /* a memory line per row on stderr: weights, KV cache (sequences x cells),
                                  the context's other buffers, peak RSS against 1.1 x (weights + KV) */
} bench_parallel_opts;

/* A bench's pp test keeps its buffers other than the KV cache (activations
 * of a step, logits) within 1/BENCH_BUFFER_SHARE of weights + KV cache:
 * the 1.1 x (file + KV cache) of issue #11, the process itself aside.
 * Prompts lose nothing to steps of BENCH_MIN_BATCH tokens or more (pp512
 * in 64-token steps: same t/s, busy machine, 2026-12-04). bench --parallel
 * does not split its prompts (see run_row). */
#define BENCH_BUFFER_SHARE 10
#define BENCH_MIN_BATCH 64

/* Halve cp->n_batch (as mote_context_estimate sees it) until the buffers
 * are within that share or one more halving would go below `floor`.
 * MOTE_OK, or the estimate's status for parameters it refuses. */
int bench_fit_batch(const mote_model *m, mote_context_params *cp, int floor);

/* Run every (threads, S) row on the model and print the table; returns
 * MOTE_OK or a status (the message in mote_last_error). */
int bench_parallel_run(mote_model *m, const bench_parallel_opts *o);

#endif
