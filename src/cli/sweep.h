/*
 * sweep.h — the pieces of `mote sweep` (one model, many quantizations, the
 * same measurements for each, then tables and plots):
 *   cmd_sweep.c     options, the loop over types, quantizing and measuring
 *                   each in a child process (so that every variant's peak
 *                   RSS is its own), resuming from the cells already done;
 *   sweep_cell.c    measuring one variant, and its cell file (JSON) in DIR;
 *   sweep_tasks.c   the scores of one variant: KL divergence against the
 *                   base (src/eval/kld.c) and the eval tasks (src/eval);
 *   sweep_compare.c llama.cpp's llama-bench on the same file (--compare);
 *   sweep_report.c  results.csv, results.json, report.md and the SVG plots.
 */
#ifndef MOTE_CLI_SWEEP_H
#define MOTE_CLI_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/cli_meter.h"

#define SWEEP_MAX_TYPES 32

typedef struct {
    const char *model, *out_dir, *imatrix, *text;
    char types[SWEEP_MAX_TYPES][24]; /* lower case, as given; "bpwX" for a --target-bpw budget */
    double target_bpw[SWEEP_MAX_TYPES]; /* > 0 for a budget variant: its bits per weight */
    int n_types;
    bool task_ppl;      /* perplexity on --text */
    bool task_kld;      /* KL divergence against the base model on --text */
    char kld_base[1100]; /* the base's log-probabilities (DIR/kld-base.bin), made once */
    int mmlu_n, ifeval_n; /* eval tasks: items (mmlu: per subject); 0: not run */
    const char *eval_data; /* --data: the eval data (a folder laid out as shared/data/eval) */
    long max_tokens;    /* ifeval: longest answer */
    const char *chat_template; /* ifeval: the chat format (NULL: the model's) */
    const char *llama_bench; /* --compare: the llama-bench program; NULL: not compared */
    int threads, n_prompt, n_gen, reps, n_ctx, n_chunks;
    uint64_t ram_budget; /* --ram in bytes; 0: none */
    cli_meter_opts meter;
    bool verbose;
} sweep_opts;

/* One measured variant: a row of results.csv. */
typedef struct {
    char type[24];
    char file[1024];
    char settings[1024];  /* what the numbers depend on; a cell is reused only if it matches */
    char measured_at[32]; /* UTC */
    uint64_t size_bytes, n_params;
    double bpw;
    double load_ms;
    uint64_t peak_rss_bytes;
    int threads, pp_tokens, tg_tokens;
    double pp_tps, tg_tps, cpu_percent;
    bool has_energy;
    char energy_source[40];
    double watts, pp_j_per_token, tg_j_per_token;
    double tg_g_co2_per_1k_tokens; /* < 0: no --grid-intensity */
    bool has_ppl;
    double ppl, ppl_err;
    bool has_kld;         /* KL divergence against the base on --text */
    double kld, kld_p99, same_top;
    bool has_mmlu, has_ifeval;
    double mmlu_acc, ifeval_acc; /* mmlu: accuracy over all subjects; ifeval: prompt-level strict */
    long mmlu_items, ifeval_items;
    bool has_llama;       /* --compare: llama-bench's numbers for the same file */
    double llama_pp_tps, llama_tg_tps;
    uint64_t llama_peak_rss_bytes;
} sweep_cell;

/* The settings key of a sweep (the measurement options, not the types). */
void sweep_settings_key(const sweep_opts *o, char *buf, size_t size);

/* Measure the model at `path` as variant `type` (in this process); on
 * failure write the reason to err and return non-zero. */
int sweep_measure(const sweep_opts *o, const char *type, const char *path, sweep_cell *out, char *err, size_t err_size);

/* The scores of the tasks other than perplexity (KLD, mmlu, ifeval) for
 * the model at `path`, into out; non-zero with the reason in err. */
int sweep_score_tasks(const sweep_opts *o, const char *path, sweep_cell *out, char *err, size_t err_size);

/* Make o->kld_base from the base model (reused when it exists with the same
 * settings, kept in a ".key" file beside it). Non-zero with the reason in err. */
int sweep_make_kld_base(const sweep_opts *o, char *err, size_t err_size);

/* Run llama-bench (o->llama_bench) on the file with the sweep's -p/-n/-r/-t:
 * its pp and tg tokens/s and its peak RSS into out. Non-zero with the reason. */
int sweep_llama_bench(const sweep_opts *o, const char *path, sweep_cell *out, char *err, size_t err_size);

/* The llama-bench program: `given` if it is runnable, else llama-bench in
 * PATH; into buf, false if there is none. */
bool sweep_find_llama_bench(const char *given, char *buf, size_t size);

/* Save a cell as JSON (through a temporary file and a rename, so a cell
 * file is either whole or absent); load one back. 0 on success. */
int sweep_cell_save(const sweep_cell *c, const char *path);
int sweep_cell_load(const char *path, sweep_cell *c);

/* Write results.csv, results.json, report.md and the plots into o->out_dir.
 * energy_notes: why better energy sources were not used. 0 on success, else
 * the reason in err. */
int sweep_write_reports(const sweep_opts *o, const sweep_cell *cells, int n, const char *energy_source,
                        const char *energy_notes, char *err, size_t err_size);

#endif
