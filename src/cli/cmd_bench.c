/*
 * cmd_bench.c — `mote bench`: prompt-processing and generation speed, like llama-bench.
 *
 * Tests, for each thread count:
 *   ppP  a batch of P random tokens evaluated from an empty cache (arithmetic-bound);
 *   tgN  N single-token steps from an empty cache (memory-bandwidth-bound).
 * Each test runs once to warm up at each thread count, then R rounds in which
 * every thread count runs once (its context kept open between rounds), so
 * that a drifting machine touches every row alike; tokens/s is reported as
 * the mean ± standard deviation over the repetitions, as llama-bench does.
 * --csv and --json use llama-bench's field names where the meaning is the
 * same, one row per test, so scripts written for llama-bench read both;
 * mote's own fields (peak_rss_bytes, type_mix, kv_cache_cells, kv_cache_bytes) come
 * after them.
 *
 * --like NAME [--type TYPE] benchmarks a random-weight model of a known shape
 * (written by mote_synth_write to a temporary file, deleted afterwards).
 */
#include <cJSON.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "cli/bench_parallel.h"
#include "cli/cli_meter.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/cpu.h"
#include "model/synth.h"
#include "mote.h"

#define MAX_LIST 16

typedef enum { OUT_MD, OUT_CSV, OUT_JSON } out_format;

typedef struct {
    int n;
    int v[MAX_LIST];
} int_list;

typedef struct {
    const char *model;
    const char *like, *type;
    int_list prompt, gen, threads;
    int_list parallel;    /* --parallel: sequence counts (bench_parallel.c); empty: the usual tests */
    int reps;
    out_format fmt;
    bool quiet;
    bool verbose;         /* --verbose: bench_parallel's memory lines */
    bool prompt_given, gen_given;
    cli_meter_opts meter;
} bench_opts;

/* One finished test: what it was and its samples. */
typedef struct {
    int n_prompt, n_gen, n_threads;
    int n_ubatch;           /* most tokens per forward step */
    int kv_cells;           /* the context's cache: cells and bytes */
    size_t kv_bytes;
    char test_time[32];
    int n_samples;
    int64_t samples_ns[64];
    mote_meter_report cost; /* of the timed repetitions together (not the warm-up) */
} bench_result;

/* Facts about the model shared by every row. */
typedef struct {
    char filename[1024];
    char type[128];      /* "llama 1.2B Q4_0" */
    char type_mix[256];  /* "q4_0:112,q6_K:1,f32:33" */
    uint64_t size, n_params;
    int32_t n_vocab;
    char cpu[128];
} model_facts;

static char tmp_model[64]; /* a --like model to delete on exit or interruption */

static void remove_tmp_model(void) {
    if (tmp_model[0]) unlink(tmp_model);
    tmp_model[0] = 0;
}

static void on_signal(int sig) {
    if (tmp_model[0]) unlink(tmp_model);
    signal(sig, SIG_DFL);
    raise(sig);
}

static const cli_use bench_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, NULL}, {CLI_LIKE, NULL}, {CLI_TYPE, NULL}, {CLI_BENCH_N_PROMPT, NULL},
    {CLI_BENCH_N_GEN, NULL}, {CLI_BENCH_THREADS, NULL}, {CLI_BENCH_REPS, NULL}, {CLI_BENCH_FORMAT, NULL},
    {CLI_BENCH_PARALLEL, NULL}, {CLI_JSON, "the same as -o json"}, {CLI_CSV, NULL}, {CLI_QUIET, NULL},
    {CLI_VERBOSE, "with --parallel: one memory line per row on stderr (weights, KV cache, buffers, peak RSS)"},
    {CLI_N_GPU_LAYERS, NULL}, {CLI_WATTS, NULL}, {CLI_GRID_INTENSITY, NULL}, {CLI_ENERGY_SOURCE, NULL}, {CLI_END, NULL},
};

const cli_command_spec bench_spec = {
    "bench",
    "mote bench (MODEL.gguf | --like NAME [--type TYPE]) [options]",
    "Measure tokens/s like llama-bench: ppP evaluates a batch of P tokens from an\n"
    "empty cache, tgN generates N tokens one at a time. As in llama-bench, -p and -n\n"
    "take lists of lengths here (not a prompt and a count), -t a list of thread\n"
    "counts and -o the output format; --csv and --json use llama-bench's field names.",
    bench_options,
    0,
    true,
};

/* ---- statistics (llama-bench's: per-sample tokens/s, sample standard deviation) ---- */

static double mean_of(const double *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += x[i];
    return n ? s / n : 0;
}

static double stddev_of(const double *x, int n) {
    if (n < 2) return 0;
    double m = mean_of(x, n), s = 0;
    for (int i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (n - 1));
}

static int n_tokens(const bench_result *r) { return r->n_prompt + r->n_gen; }

static void stats(const bench_result *r, double *avg_ns, double *sd_ns, double *avg_ts, double *sd_ts) {
    double ns[64], ts[64];
    for (int i = 0; i < r->n_samples; i++) {
        ns[i] = (double)r->samples_ns[i];
        ts[i] = 1e9 * n_tokens(r) / (double)r->samples_ns[i];
    }
    *avg_ns = mean_of(ns, r->n_samples);
    *sd_ns = stddev_of(ns, r->n_samples);
    *avg_ts = mean_of(ts, r->n_samples);
    *sd_ts = stddev_of(ts, r->n_samples);
}

/* ---- running the tests ------------------------------------------------------------------ */

/* One timed run of a test from an empty cache; its duration in *ns. */
static int run_once(mote_context *c, const int32_t *tokens, const bench_result *r, int64_t *ns) {
    const float *logits;
    int64_t t0 = mote_now_ns();
    mote_context_reset(c);
    int rc = MOTE_OK;
    if (r->n_prompt > 0) rc = mote_decode(c, tokens, r->n_prompt, false, &logits);
    for (int i = 0; i < r->n_gen && !rc; i++) rc = mote_decode(c, &tokens[i], 1, false, &logits);
    *ns = mote_now_ns() - t0;
    return rc;
}

static void utc_now(char *buf, size_t n) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Open the context for test r (its sizes and threads set) and fill in what
 * the row reports about it: steps, cache, the threads it came to. */
static int open_test(mote_model *m, bench_result *r, mote_context **out) {
    mote_context_params cp = mote_context_default_params();
    int need = r->n_prompt > r->n_gen ? r->n_prompt : r->n_gen;
    cp.n_ctx = need < 16 ? 16 : need;
    cp.n_batch = r->n_prompt > 0 ? r->n_prompt : 1;
    cp.n_threads = r->n_threads;
    int rc = mote_context_new(m, &cp, out);
    if (rc) return rc;
    r->n_ubatch = mote_context_n_step(*out);
    r->kv_cells = mote_context_n_ctx(*out);
    r->kv_bytes = mote_context_kv_bytes(*out);
    r->n_threads = mote_context_n_threads(*out); /* 0 asked: what it came to */
    utc_now(r->test_time, sizeof r->test_time);
    return MOTE_OK;
}

/* Add one repetition's cost to a row's: times, faults and energy add up,
 * rates are recomputed from the sums. */
static void add_cost(mote_meter_report *sum, const mote_meter_report *one, bool first) {
    if (first) {
        *sum = *one;
        return;
    }
    sum->wall_s += one->wall_s;
    sum->cpu_user_s += one->cpu_user_s;
    sum->cpu_sys_s += one->cpu_sys_s;
    sum->cpu_s += one->cpu_s;
    sum->minor_faults += one->minor_faults;
    sum->major_faults += one->major_faults;
    sum->joules += one->joules;
    if (sum->co2_g >= 0 && one->co2_g >= 0) sum->co2_g += one->co2_g;
    if (one->peak_rss_bytes > sum->peak_rss_bytes) sum->peak_rss_bytes = one->peak_rss_bytes;
    sum->cpu_percent = sum->wall_s > 0 ? 100 * sum->cpu_s / sum->wall_s : 0;
    sum->watts = sum->wall_s > 0 ? sum->joules / sum->wall_s : 0;
}

/* Run one test at every thread count of the list: rows[0..n) (sizes and
 * threads set). Each row's context is opened and warmed up once; then the
 * repetitions take turns, one run of each row per round, so that every
 * thread count is measured under the same conditions: on a machine whose
 * speed drifts (other processes, frequency, the memory's state) a row
 * measured after all the repetitions of another would carry the drift
 * alone (issue 18: tg128 at 2 threads after the 1-thread rows of the same
 * process came out 42 t/s against 55 t/s alone). */
static int run_rows(mote_model *m, const int32_t *tokens, int reps, bench_result *rows, int n, bool quiet,
                    mote_meter *meter) {
    mote_context *ctx[MAX_LIST] = {0};
    int rc = MOTE_OK, opened = 0;
    for (; opened < n && !rc; opened++) {
        bench_result *r = &rows[opened];
        if ((rc = open_test(m, r, &ctx[opened]))) break;
        if (!quiet)
            fprintf(stderr, "mote bench: %s%d, %d thread%s, %d+1 runs\n", r->n_prompt ? "pp" : "tg",
                    r->n_prompt ? r->n_prompt : r->n_gen, r->n_threads, r->n_threads > 1 ? "s" : "", reps);
        int64_t ns;
        rc = run_once(ctx[opened], tokens, r, &ns); /* warm-up: pages mapped in, caches and pool warm */
        r->n_samples = 0;
    }
    for (int rep = 0; rep < reps && !rc; rep++) {
        for (int i = 0; i < n && !rc; i++) {
            bench_result *r = &rows[i];
            mote_meter_report one;
            int64_t ns;
            mote_meter_start(meter);
            rc = run_once(ctx[i], tokens, r, &ns);
            mote_meter_stop(meter, &one);
            add_cost(&r->cost, &one, rep == 0);
            r->samples_ns[r->n_samples++] = ns;
        }
    }
    for (int i = 0; i < opened; i++) mote_context_free(ctx[i]);
    return rc;
}

/* ---- model facts -------------------------------------------------------------------------- */

static void describe_model(const char *path, const char *shown_name, mote_model *m, model_facts *f) {
    memset(f, 0, sizeof *f);
    snprintf(f->filename, sizeof f->filename, "%s", shown_name ? shown_name : path);
    const mote_gguf *g = mote_model_gguf(m);
    f->size = mote_model_weight_bytes(m);
    f->n_params = mote_model_n_params(m);
    f->n_vocab = mote_model_n_vocab(m);
    /* Type mix: tensors per type, in type-id order. */
    int64_t count[MOTE_TYPE_COUNT] = {0};
    uint64_t bytes[MOTE_TYPE_COUNT] = {0};
    for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        if (t->type >= 0 && t->type < MOTE_TYPE_COUNT) {
            count[t->type]++;
            bytes[t->type] += t->size;
        }
    }
    int dominant = 0;
    for (int t = 0; t < MOTE_TYPE_COUNT; t++) {
        if (!count[t]) continue;
        if (bytes[t] > bytes[dominant]) dominant = t;
        size_t len = strlen(f->type_mix);
        snprintf(f->type_mix + len, sizeof f->type_mix - len, "%s%s:%lld", len ? "," : "", mote_type_name(t),
                 (long long)count[t]);
    }
    /* "llama 1.2B Q4_0", in the spirit of llama-bench's model_type. */
    const char *ft = mote_ftype_name((int)mote_gguf_get_u32(g, "general.file_type", 1000));
    char sz[32];
    if (f->n_params >= 1000000000ull) snprintf(sz, sizeof sz, "%.1fB", (double)f->n_params / 1e9);
    else snprintf(sz, sizeof sz, f->n_params < 10000000ull ? "%.1fM" : "%.0fM", (double)f->n_params / 1e6);
    char ftbuf[32];
    if (!ft) {
        snprintf(ftbuf, sizeof ftbuf, "%s", mote_type_name(dominant));
        for (char *p = ftbuf; *p; p++)
            if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
        ft = ftbuf;
    }
    snprintf(f->type, sizeof f->type, "%s %s %s", mote_model_arch(m), sz, ft);
    /* CPU model name, as llama-bench's cpu_info. */
    snprintf(f->cpu, sizeof f->cpu, "unknown");
    FILE *ci = fopen("/proc/cpuinfo", "r");
    if (ci) {
        char line[512];
        while (fgets(line, sizeof line, ci)) {
            char *colon = strchr(line, ':');
            if (!strncmp(line, "model name", 10) && colon) {
                colon++;
                while (*colon == ' ') colon++;
                colon[strcspn(colon, "\n")] = 0;
                snprintf(f->cpu, sizeof f->cpu, "%s", colon);
                break;
            }
        }
        fclose(ci);
    }
}

static uint64_t peak_rss_bytes(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (uint64_t)ru.ru_maxrss * 1024; /* Linux reports KiB */
}

/* ---- output ----------------------------------------------------------------------------------- */

/* One row as a JSON object with llama-bench's fields in llama-bench's order
 * and mote's extras last; the CSV row is made from the same object, so the
 * two formats always carry the same fields. NULL if memory runs out. */
static cJSON *row_object(const model_facts *f, const bench_result *r, uint64_t rss) {
    double avg_ns, sd_ns, avg_ts, sd_ts;
    stats(r, &avg_ns, &sd_ns, &avg_ts, &sd_ts);
    int n_batch = r->n_prompt > 0 ? r->n_prompt : 1;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "build_commit", "mote-" MOTE_VERSION);
    cJSON_AddNumberToObject(o, "build_number", 0);
    cJSON_AddStringToObject(o, "cpu_info", f->cpu);
    cJSON_AddStringToObject(o, "kernels", mote_kernel_set_name());
    cJSON_AddStringToObject(o, "gpu_info", "");
    cJSON_AddStringToObject(o, "backends", "CPU");
    cJSON_AddStringToObject(o, "model_filename", f->filename);
    cJSON_AddStringToObject(o, "model_type", f->type);
    cJSON_AddNumberToObject(o, "model_size", (double)f->size);
    cJSON_AddNumberToObject(o, "model_n_params", (double)f->n_params);
    cJSON_AddNumberToObject(o, "n_batch", n_batch);
    cJSON_AddNumberToObject(o, "n_ubatch", r->n_ubatch);
    cJSON_AddNumberToObject(o, "n_threads", r->n_threads);
    cJSON_AddStringToObject(o, "type_k", "f16");
    cJSON_AddStringToObject(o, "type_v", "f16");
    cJSON_AddNumberToObject(o, "n_gpu_layers", 0);
    cJSON_AddNumberToObject(o, "n_prompt", r->n_prompt);
    cJSON_AddNumberToObject(o, "n_gen", r->n_gen);
    cJSON_AddNumberToObject(o, "n_depth", 0);
    cJSON_AddStringToObject(o, "test_time", r->test_time);
    cJSON_AddNumberToObject(o, "avg_ns", (double)llround(avg_ns));
    cJSON_AddNumberToObject(o, "stddev_ns", (double)llround(sd_ns));
    cJSON_AddNumberToObject(o, "avg_ts", avg_ts);
    cJSON_AddNumberToObject(o, "stddev_ts", sd_ts);
    cJSON *ns = cJSON_AddArrayToObject(o, "samples_ns"), *ts = cJSON_AddArrayToObject(o, "samples_ts");
    for (int i = 0; i < r->n_samples; i++) {
        cJSON_AddItemToArray(ns, cJSON_CreateNumber((double)r->samples_ns[i]));
        cJSON_AddItemToArray(ts, cJSON_CreateNumber(1e9 * n_tokens(r) / (double)r->samples_ns[i]));
    }
    cJSON_AddNumberToObject(o, "peak_rss_bytes", (double)rss);
    cJSON_AddNumberToObject(o, "kv_cache_cells", r->kv_cells);
    cJSON_AddNumberToObject(o, "kv_cache_bytes", (double)r->kv_bytes);
    cJSON_AddStringToObject(o, "type_mix", f->type_mix);
    /* The meter's (null when not measured): CPU use, power, energy per token, CO2. */
    const mote_meter_report *c = &r->cost;
    cJSON_AddNumberToObject(o, "cpu_percent", round(c->cpu_percent * 10) / 10);
    if (c->has_energy) {
        cJSON_AddNumberToObject(o, "watts", c->watts);
        cJSON_AddNumberToObject(o, "joules_per_token",
                                mote_meter_joules_per_token(c, (int64_t)n_tokens(r) * r->n_samples));
    } else {
        cJSON_AddNullToObject(o, "watts");
        cJSON_AddNullToObject(o, "joules_per_token");
    }
    if (c->co2_g >= 0) cJSON_AddNumberToObject(o, "co2_g", c->co2_g);
    else cJSON_AddNullToObject(o, "co2_g");
    cJSON_AddStringToObject(o, "energy_source", c->source);
    return o;
}

/* A CSV field: strings quoted (quotes doubled), numbers as JSON writes them,
 * arrays as their values separated by spaces in one quoted field. */
static void csv_field(FILE *o, const cJSON *v) {
    if (cJSON_IsString(v)) {
        fputc('"', o);
        for (const char *s = v->valuestring; *s; s++) {
            if (*s == '"') fputc('"', o);
            fputc(*s, o);
        }
        fputc('"', o);
    } else if (cJSON_IsArray(v)) {
        fputc('"', o);
        for (const cJSON *e = v->child; e; e = e->next) {
            char *t = cJSON_PrintUnformatted(e);
            fprintf(o, "%s%s", e == v->child ? "" : " ", t ? t : "");
            free(t);
        }
        fputc('"', o);
    } else if (!cJSON_IsNull(v)) { /* null: an empty field */
        char *t = cJSON_PrintUnformatted(v);
        fputs(t ? t : "", o);
        free(t);
    }
}

/* One row in CSV (with the header first) or as an element of a JSON array. */
static void print_row(FILE *o, out_format fmt, const model_facts *f, const bench_result *r, uint64_t rss, bool first) {
    cJSON *row = row_object(f, r, rss);
    if (!row) return;
    if (fmt == OUT_CSV) {
        if (first) {
            for (const cJSON *v = row->child; v; v = v->next) fprintf(o, "%s%s", v == row->child ? "" : ",", v->string);
            fputc('\n', o);
        }
        for (const cJSON *v = row->child; v; v = v->next) {
            if (v != row->child) fputc(',', o);
            csv_field(o, v);
        }
        fputc('\n', o);
    } else {
        /* JSON: an array of objects, like llama-bench -o json; rows are
         * printed as they finish, so a long run shows progress. */
        char *text = cJSON_Print(row);
        if (text) fprintf(o, "%s%s", first ? "[\n" : ",\n", text);
        free(text);
    }
    cJSON_Delete(row);
}

/* llama-bench's markdown table. */
static void print_markdown(FILE *o, const model_facts *f, const bench_result *rs, int n, uint64_t rss) {
    char size[32], params[32];
    snprintf(size, sizeof size, "%.2f %s", f->size >= (1ull << 30) ? (double)f->size / (1ull << 30) : (double)f->size / (1 << 20),
             f->size >= (1ull << 30) ? "GiB" : "MiB");
    if (f->n_params >= 1000000000ull) snprintf(params, sizeof params, "%.2f B", (double)f->n_params / 1e9);
    else snprintf(params, sizeof params, "%.2f M", (double)f->n_params / 1e6);
    int wm = (int)strlen(f->type) > 5 ? (int)strlen(f->type) : 5;
    fprintf(o, "| %-*s | %10s | %10s | %-7s | %7s | %13s | %20s |\n", wm, "model", "size", "params", "backend",
            "threads", "test", "t/s");
    fprintf(o, "| ");
    for (int i = 0; i < wm; i++) fputc('-', o);
    fprintf(o, " | ---------: | ---------: | ------- | ------: | ------------: | -------------------: |\n");
    for (int i = 0; i < n; i++) {
        double avg_ns, sd_ns, avg_ts, sd_ts;
        stats(&rs[i], &avg_ns, &sd_ns, &avg_ts, &sd_ts);
        char test[32], ts[48];
        snprintf(test, sizeof test, "%s%d", rs[i].n_prompt ? "pp" : "tg", rs[i].n_prompt ? rs[i].n_prompt : rs[i].n_gen);
        snprintf(ts, sizeof ts, "%.2f ± %.2f", avg_ts, sd_ts);
        /* "±" is two bytes but one column: pad by one more. */
        fprintf(o, "| %-*s | %10s | %10s | %-7s | %7d | %13s | %21s |\n", wm, f->type, size, params, "CPU",
                rs[i].n_threads, test, ts);
    }
    fprintf(o, "\nmodel: %s\ntypes: %s\npeak RSS: %.1f MiB\ncpu: %s (%s)\nkernels: %s\nmote %s\n", f->filename,
            f->type_mix, (double)rss / (1 << 20), f->cpu, mote_cpu_describe(), mote_kernel_set_name(), mote_version());
    for (int i = 0; i < n; i++)
        fprintf(o, "%s%d: KV cache %d cells, %.2f MiB (f16); steps of at most %d token%s\n",
                rs[i].n_prompt ? "pp" : "tg", rs[i].n_prompt ? rs[i].n_prompt : rs[i].n_gen, rs[i].kv_cells,
                (double)rs[i].kv_bytes / (1 << 20), rs[i].n_ubatch, rs[i].n_ubatch > 1 ? "s" : "");
    for (int i = 0; i < n; i++) {
        const mote_meter_report *c = &rs[i].cost;
        fprintf(o, "%s%d, %d thread%s: CPU %.0f%%", rs[i].n_prompt ? "pp" : "tg",
                rs[i].n_prompt ? rs[i].n_prompt : rs[i].n_gen, rs[i].n_threads, rs[i].n_threads > 1 ? "s" : "",
                c->cpu_percent);
        if (c->has_energy)
            fprintf(o, ", %.2f W, %.4g J/token (%s)", c->watts,
                    mote_meter_joules_per_token(c, (int64_t)n_tokens(&rs[i]) * rs[i].n_samples), c->source);
        else fprintf(o, ", energy not measured (--watts IDLE,BUSY declares a power model)");
        fputc('\n', o);
    }
}

/* ---- the command ------------------------------------------------------------------------------ */

/* Parse the command line into o; returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, bench_opts *o) {
    cli_args a;
    int st = cli_parse(&bench_spec, argc, argv, &a);
    if (st >= 0) return st;
    *o = (bench_opts){0};
    o->model = a.model;
    o->like = cli_str(&a, CLI_LIKE, NULL);
    o->type = cli_str(&a, CLI_TYPE, "q4_0");
    o->prompt = (int_list){1, {512}};
    o->gen = (int_list){1, {128}};
    o->threads = (int_list){1, {0}}; /* 0: one per physical core, as everywhere */
    o->reps = (int)cli_int(&a, CLI_BENCH_REPS, 5);
    o->quiet = cli_flag(&a, CLI_QUIET);
    o->verbose = cli_flag(&a, CLI_VERBOSE);
    const cli_given_opt *g;
    if ((g = cli_given(&a, CLI_BENCH_N_PROMPT))) o->prompt.n = cli_list_values(g->text, o->prompt.v, MAX_LIST);
    if ((g = cli_given(&a, CLI_BENCH_N_GEN))) o->gen.n = cli_list_values(g->text, o->gen.v, MAX_LIST);
    if ((g = cli_given(&a, CLI_BENCH_PARALLEL))) o->parallel.n = cli_list_values(g->text, o->parallel.v, MAX_LIST);
    if (cli_meter_from_args(&o->meter, &a)) return 2;
    o->prompt_given = cli_flag(&a, CLI_BENCH_N_PROMPT);
    o->gen_given = cli_flag(&a, CLI_BENCH_N_GEN);
    if ((g = cli_given(&a, CLI_BENCH_THREADS))) o->threads.n = cli_list_values(g->text, o->threads.v, MAX_LIST);
    /* The last of --csv, --json and -o wins. */
    for (int k = 0; k < a.n_given; k++) {
        const cli_given_opt *x = &a.given[k];
        if (x->id == CLI_CSV) o->fmt = OUT_CSV;
        else if (x->id == CLI_JSON) o->fmt = OUT_JSON;
        else if (x->id == CLI_BENCH_FORMAT) {
            if (!strcmp(x->text, "csv")) o->fmt = OUT_CSV;
            else if (!strcmp(x->text, "json")) o->fmt = OUT_JSON;
            else if (!strcmp(x->text, "md")) o->fmt = OUT_MD;
            else {
                fprintf(stderr, "mote bench: -o takes md, csv or json, not '%s'\n", x->text);
                return 2;
            }
        }
    }
    if (!o->model == !o->like) {
        fprintf(stderr, "mote bench: give either a model (mote bench MODEL, or -m) or --like NAME (see mote help bench)\n");
        return 2;
    }
    return -1;
}

/* Write the --like model to a temporary file; its path in tmp_model. */
static int make_like_model(const bench_opts *o) {
    const mote_model_shape *s = mote_model_shape_find(o->like);
    if (!s) {
        fprintf(stderr, "mote bench: unknown model '%s' (mote synth --like list shows the known ones)\n", o->like);
        return 2;
    }
    const char *dir = getenv("TMPDIR");
    snprintf(tmp_model, sizeof tmp_model, "%s/mote-bench-XXXXXX", dir && strlen(dir) < 40 ? dir : "/tmp");
    int fd = mkstemp(tmp_model);
    if (fd < 0) {
        fprintf(stderr, "mote bench: cannot create a temporary file in %s\n", dir ? dir : "/tmp");
        tmp_model[0] = 0;
        return 1;
    }
    close(fd);
    atexit(remove_tmp_model);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    mote_synth_params sp = mote_synth_default_params();
    sp.type = o->type;
    if (!o->quiet) fprintf(stderr, "mote bench: writing a random %s model of type %s to %s\n", s->name, o->type, tmp_model);
    if (mote_synth_write(s, &sp, tmp_model) != MOTE_OK) {
        fprintf(stderr, "mote bench: %s\n", mote_last_error());
        return 1;
    }
    return -1;
}

int cmd_bench(int argc, char **argv) {
    bench_opts o;
    int st = parse_args(argc, argv, &o);
    if (st >= 0) return st;
    const char *path = o.model;
    char shown[160] = "";
    if (o.like) {
        if ((st = make_like_model(&o)) >= 0) return st;
        path = tmp_model;
        snprintf(shown, sizeof shown, "like:%s-%s", o.like, o.type);
    }
    mote_model *m;
    if (mote_model_load(path, &m) != MOTE_OK) {
        fprintf(stderr, "mote bench: %s\n", mote_last_error());
        return 1;
    }
    model_facts facts;
    describe_model(path, o.like ? shown : NULL, m, &facts);
    if (o.parallel.n) {
        bench_parallel_opts po = {facts.filename, o.parallel.v, o.parallel.n,
                                  o.prompt_given ? o.prompt.v[0] : 32, o.gen_given ? o.gen.v[0] : 64,
                                  o.threads.v, o.threads.n, o.reps, o.fmt == OUT_CSV ? 1 : o.fmt == OUT_JSON ? 2 : 0,
                                  o.quiet, o.verbose};
        int prc = bench_parallel_run(m, &po);
        if (prc) fprintf(stderr, "mote bench: %s\n", mote_last_error());
        else if (o.fmt == OUT_MD)
            printf("\nmodel: %s\ncpu: %s (%s)\nkernels: %s\nmote %s\n", facts.filename, facts.cpu, mote_cpu_describe(),
                   mote_kernel_set_name(), mote_version());
        mote_model_free(m);
        return prc ? 1 : 0;
    }
    mote_meter *meter;
    if (cli_meter_open(&o.meter, "bench", false, &meter)) {
        mote_model_free(m);
        return 2;
    }

    /* Random token ids, the same for every test, enough for the longest. */
    int max_tok = 1;
    for (int i = 0; i < o.prompt.n; i++) max_tok = o.prompt.v[i] > max_tok ? o.prompt.v[i] : max_tok;
    for (int i = 0; i < o.gen.n; i++) max_tok = o.gen.v[i] > max_tok ? o.gen.v[i] : max_tok;
    int32_t *tokens = malloc((size_t)max_tok * sizeof *tokens);
    bench_result *rs = calloc((size_t)MAX_LIST * 2 * MAX_LIST, sizeof *rs);
    if (!tokens || !rs) {
        fprintf(stderr, "mote bench: out of memory\n");
        free(tokens);
        free(rs);
        mote_meter_free(meter);
        mote_model_free(m);
        return 1;
    }
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < max_tok; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        tokens[i] = (int32_t)(x % (uint64_t)facts.n_vocab);
    }

    /* Test by test; within a test, the thread counts take turns (run_rows).
     * Rows are printed as each test finishes, so a long run shows progress. */
    int n = 0, rc = MOTE_OK;
    for (int k = 0; k < o.prompt.n + o.gen.n && !rc; k++) {
        const int n_prompt = k < o.prompt.n ? o.prompt.v[k] : 0, n_gen = k < o.prompt.n ? 0 : o.gen.v[k - o.prompt.n];
        if (!n_prompt && !n_gen) continue;
        bench_result *rows = &rs[n];
        for (int ti = 0; ti < o.threads.n; ti++) {
            memset(&rows[ti], 0, sizeof rows[ti]);
            rows[ti].n_prompt = n_prompt;
            rows[ti].n_gen = n_gen;
            rows[ti].n_threads = o.threads.v[ti];
        }
        rc = run_rows(m, tokens, o.reps, rows, o.threads.n, o.quiet, meter);
        for (int ti = 0; ti < o.threads.n && !rc; ti++, n++) {
            if (o.fmt != OUT_MD) print_row(stdout, o.fmt, &facts, &rows[ti], peak_rss_bytes(), n == 0);
            fflush(stdout);
        }
    }
    if (o.fmt == OUT_JSON && n) printf("\n]\n");
    if (o.fmt == OUT_JSON && !n && !rc) printf("[]\n");
    if (o.fmt == OUT_MD && n) print_markdown(stdout, &facts, rs, n, peak_rss_bytes());
    if (rc) fprintf(stderr, "mote bench: %s\n", mote_last_error());
    free(tokens);
    free(rs);
    mote_meter_free(meter);
    mote_model_free(m);
    return rc ? 1 : 0;
}
