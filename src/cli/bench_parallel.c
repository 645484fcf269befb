/*
 * bench_parallel.c — see bench_parallel.h.
 *
 * Each row: S requests, each with a prompt of P random tokens, go through
 * the library's scheduler on one context of S sequences. The first step
 * evaluates all S prompts in one batch (the context's batch is made large
 * enough) and chooses each sequence's first token: its time is T_PP. Every
 * later step evaluates one token of each of the S sequences: N such steps
 * take T_TG. As llama-batched-bench reports them:
 *   S_PP = S*P / T_PP       prompt tokens per second, all sequences
 *   S_TG = S*N / T_TG       generated tokens per second, all sequences
 *   per-sequence t/s = N / T_TG
 * Greedy choice over the logits is included in the times (the batched
 * bench of llama.cpp does not sample; mote_argmax over 128k logits takes
 * ~27 us, against ~20 ms for a step of llama3.2-1b).
 * The rows take turns, one timed run of each per round (run_rows).
 */
#include "cli/bench_parallel.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/clock.h"

typedef struct {
    int n_threads, S;
    double t_pp, t_tg;        /* seconds, mean over the runs */
    size_t kv_bytes;
    size_t ctx_bytes;         /* everything the context allocated, KV cache included */
    int seq_cells;            /* cells of the cache per sequence */
    int n_batch;              /* most tokens per call */
    int n_step;               /* most tokens per forward step */
    long peak_rss_kib;
} row;

typedef struct {
    int pending_first;        /* requests still waiting for their first token */
    bool *has_first;          /* (S) which requests have it */
} run_state;

typedef struct {
    run_state *run;
    int index;
} request_state;

static bool on_token(int32_t token, void *user) {
    (void)token;
    request_state *r = user;
    if (!r->run->has_first[r->index]) {
        r->run->has_first[r->index] = true;
        r->run->pending_first--;
    }
    return true;
}

/* One run of a row: S requests to their end; the two phases' times. The
 * prompt phase ends with the step that gives the last request its first
 * token (the first step, while the context's batch holds every prompt). */
static int run_once(mote_sched *s, int S, const int32_t *tokens, int P, int N, double *t_pp, double *t_tg) {
    bool has_first[S];
    request_state rs[S];
    run_state run = {S, has_first};
    for (int i = 0; i < S; i++) {
        has_first[i] = false;
        rs[i] = (request_state){&run, i};
        /* different prompts, so no sequence reuses another's cells */
        mote_request rq = {tokens + (size_t)i * P, P, N + 1, NULL, false, false, 0, on_token, NULL, &rs[i]};
        int32_t id;
        int rc = mote_sched_submit(s, &rq, &id);
        if (rc) return rc;
    }
    const int64_t t0 = mote_now_ns();
    int rc;
    while ((rc = mote_sched_step(s)) > 0 && run.pending_first > 0) {
    }
    if (rc < 0) return rc;
    const int64_t t1 = mote_now_ns();
    while (rc > 0 && (rc = mote_sched_step(s)) > 0) {
    }
    if (rc < 0) return rc;
    *t_pp = (double)(t1 - t0) / 1e9;
    *t_tg = (double)(mote_now_ns() - t1) / 1e9;
    return MOTE_OK;
}

/* Open row r's context and scheduler and warm them up with one untimed run
 * (the pages of the cache and the step buffers mapped in, the pool's
 * threads started). On the first round, also what the row reports about
 * its memory: peak RSS then is the largest of itself and the rows before
 * it, as every row has been opened once and freed in list order. */
static int open_row(mote_model *m, const bench_parallel_opts *o, const int32_t *tokens, row *r, bool first_round,
                    mote_context **c, mote_sched **s) {
    const int S = r->S, P = o->n_prompt, N = o->n_gen;
    mote_context_params cp = mote_context_default_params();
    cp.n_seq = S;
    cp.n_ctx = S * (P + N + 1);
    cp.n_batch = S * P > S ? S * P : S; /* all prompts in one call, as llama-batched-bench evaluates them */
    cp.n_threads = r->n_threads;
    int rc = mote_context_new(m, &cp, c);
    if (rc) return rc;
    if ((rc = mote_sched_new(*c, NULL, s))) {
        mote_context_free(*c);
        return rc;
    }
    if (first_round) {
        r->n_batch = cp.n_batch;
        r->n_step = mote_context_n_step(*c);
        r->n_threads = mote_context_n_threads(*c); /* -t 0 (the default): what it came to */
        if (!o->quiet)
            fprintf(stderr, "mote bench: %d sequence%s x (pp%d + tg%d), %d thread%s, %d runs (each after a warm-up)\n", S,
                    S > 1 ? "s" : "", P, N, r->n_threads, r->n_threads > 1 ? "s" : "", o->reps);
    }
    double pp, tg;
    rc = run_once(*s, S, tokens, P, N, &pp, &tg);
    if (!rc && first_round) {
        r->kv_bytes = mote_context_kv_bytes(*c);
        r->ctx_bytes = mote_context_memory(*c);
        r->seq_cells = mote_context_seq_capacity(*c);
        struct rusage ru;
        r->peak_rss_kib = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
    }
    if (rc) {
        mote_sched_free(*s);
        mote_context_free(*c);
    }
    return rc;
}

/* One run of row r, timed, after a warm-up in a context of its own. */
static int time_row(mote_model *m, const bench_parallel_opts *o, const int32_t *tokens, row *r, bool first_round) {
    mote_context *c;
    mote_sched *s;
    int rc = open_row(m, o, tokens, r, first_round, &c, &s);
    if (rc) return rc;
    mote_context_reset(c); /* every run evaluates its prompts afresh */
    double pp = 0, tg = 0;
    rc = run_once(s, r->S, tokens, o->n_prompt, o->n_gen, &pp, &tg);
    r->t_pp += pp / o->reps, r->t_tg += tg / o->reps;
    mote_sched_free(s);
    mote_context_free(c);
    return rc;
}

/* The rows of one thread count, rs[0..*n): on return *n is how many were
 * measured (a row that fails on the first round ends the list there).
 *
 * The rows take turns: each round opens every row, warms it up, times one
 * run and frees it, so that no row is measured alone in one stretch of the
 * process's life. Measured in one stretch, the first row (S = 1) carried
 * whatever slowed the machine in the process's first seconds: 2026-12-04,
 * S = 1 as the first row of 1,4,8,16 came out at 35.7 t/s against 47 alone
 * (llama3.2-1b q4_0), 18.8 against 50.1 in two runs of the same command.
 * Each round re-opens the rows, not all kept open, so that a row's peak RSS
 * stays its own and that of the rows before it (test_bench_memory). */
static int run_rows(mote_model *m, const bench_parallel_opts *o, const int32_t *tokens, row *rs, int *n) {
    for (int i = 0; i < *n; i++) rs[i].t_pp = rs[i].t_tg = 0;
    for (int k = 0; k < o->reps; k++)
        for (int i = 0; i < *n; i++) {
            const int rc = time_row(m, o, tokens, &rs[i], k == 0);
            if (rc) {
                *n = k == 0 ? i : 0; /* a failure after the first round leaves no row whole */
                return rc;
            }
        }
    return MOTE_OK;
}

static void print_markdown(const bench_parallel_opts *o, const row *rs, int n) {
    printf("| threads |  S |   PP |   TG | T_PP s |  S_PP t/s | T_TG s |  S_TG t/s | per seq t/s | KV cells | KV MiB |\n");
    printf("| ------: | -: | ---: | ---: | -----: | --------: | -----: | --------: | ----------: | -------: | -----: |\n");
    for (int i = 0; i < n; i++) {
        const row *r = &rs[i];
        printf("| %7d | %2d | %4d | %4d | %6.3f | %9.2f | %6.3f | %9.2f | %11.2f | %8d | %6.2f |\n", r->n_threads,
               r->S, o->n_prompt, o->n_gen, r->t_pp, r->S * o->n_prompt / r->t_pp, r->t_tg, r->S * o->n_gen / r->t_tg,
               o->n_gen / r->t_tg, r->S * r->seq_cells, (double)r->kv_bytes / (1 << 20));
    }
}

/* --verbose: where one row's memory went. Peak RSS is the process's, so a
 * row shows the largest of itself and the rows before it. */
static void print_memory(const mote_model *m, const row *rs, int n) {
    const double MiB = 1048576.0, w = (double)mote_model_weight_bytes(m);
    for (int i = 0; i < n; i++) {
        const row *r = &rs[i];
        const double kv = (double)r->kv_bytes, rss = (double)r->peak_rss_kib * 1024.0;
        fprintf(stderr,
                "memory, S=%d: weights %.1f MiB, KV cache %.2f MiB (%d cells: %d sequences x %d, f16), other buffers "
                "%.1f MiB (steps of %d tokens), peak RSS %.1f MiB = %.3f x (weights + KV)\n",
                r->S, w / MiB, kv / MiB, r->S * r->seq_cells, r->S, r->seq_cells, (double)(r->ctx_bytes - r->kv_bytes) / MiB, r->n_step, rss / MiB,
                rss / (w + kv));
    }
}

static cJSON *row_json(const bench_parallel_opts *o, const row *r) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "model_filename", o->model_name);
    cJSON_AddNumberToObject(j, "n_threads", r->n_threads);
    cJSON_AddNumberToObject(j, "n_parallel", r->S);
    cJSON_AddNumberToObject(j, "n_prompt", o->n_prompt);
    cJSON_AddNumberToObject(j, "n_gen", o->n_gen);
    cJSON_AddNumberToObject(j, "t_pp", r->t_pp);
    cJSON_AddNumberToObject(j, "speed_pp", r->S * o->n_prompt / r->t_pp);
    cJSON_AddNumberToObject(j, "t_tg", r->t_tg);
    cJSON_AddNumberToObject(j, "speed_tg", r->S * o->n_gen / r->t_tg);
    cJSON_AddNumberToObject(j, "speed_tg_per_seq", o->n_gen / r->t_tg);
    cJSON_AddNumberToObject(j, "n_batch", r->n_batch);
    cJSON_AddNumberToObject(j, "kv_cache_cells", r->S * r->seq_cells);
    cJSON_AddNumberToObject(j, "kv_cache_bytes", (double)r->kv_bytes);
    cJSON_AddNumberToObject(j, "peak_rss_bytes", (double)r->peak_rss_kib * 1024.0);
    return j;
}

static void print_csv(const bench_parallel_opts *o, const row *rs, int n) {
    printf("model_filename,n_threads,n_parallel,n_prompt,n_gen,t_pp,speed_pp,t_tg,speed_tg,speed_tg_per_seq,"
           "n_batch,kv_cache_cells,kv_cache_bytes,peak_rss_bytes\n");
    for (int i = 0; i < n; i++) {
        const row *r = &rs[i];
        printf("\"%s\",%d,%d,%d,%d,%f,%f,%f,%f,%f,%d,%d,%zu,%ld\n", o->model_name, r->n_threads, r->S, o->n_prompt,
               o->n_gen, r->t_pp, r->S * o->n_prompt / r->t_pp, r->t_tg, r->S * o->n_gen / r->t_tg,
               o->n_gen / r->t_tg, r->n_batch, r->S * r->seq_cells, r->kv_bytes, r->peak_rss_kib * 1024);
    }
}

int bench_parallel_run(mote_model *m, const bench_parallel_opts *o) {
    int max_s = 1;
    for (int i = 0; i < o->n_parallel; i++) max_s = o->parallel[i] > max_s ? o->parallel[i] : max_s;
    const int n_vocab = mote_model_n_vocab(m);
    const size_t n_tok = (size_t)max_s * (size_t)o->n_prompt;
    int32_t *tokens = malloc((n_tok ? n_tok : 1) * sizeof *tokens);
    row *rs = calloc((size_t)o->n_parallel * (size_t)o->n_threads, sizeof *rs);
    if (!tokens || !rs) {
        free(tokens);
        free(rs);
        return MOTE_ERR_NOMEM;
    }
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < n_tok; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        tokens[i] = (int32_t)(x % (uint64_t)n_vocab);
    }
    int n = 0, rc = MOTE_OK;
    for (int t = 0; t < o->n_threads && !rc; t++) {
        row *group = &rs[n];
        int n_group = o->n_parallel;
        for (int i = 0; i < n_group; i++) group[i] = (row){.n_threads = o->threads[t], .S = o->parallel[i]};
        rc = run_rows(m, o, tokens, group, &n_group);
        n += n_group;
    }
    if (o->format == 0 && n) print_markdown(o, rs, n);
    if (o->format == 1 && n) print_csv(o, rs, n);
    if (o->format == 2) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < n; i++) cJSON_AddItemToArray(arr, row_json(o, &rs[i]));
        char *s = cJSON_Print(arr);
        if (s) printf("%s\n", s);
        free(s);
        cJSON_Delete(arr);
    }
    if (o->verbose) print_memory(m, rs, n);
    free(tokens);
    free(rs);
    return rc;
}
