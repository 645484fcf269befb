/*
 * sweep_report.c — what `mote sweep` leaves in its directory once every
 * cell is measured: results.csv (one row per type, every column always
 * present, empty when not measured), results.json (the same plus the
 * machine and the settings), report.md (a table, the choice under --ram,
 * the machine, how each number was measured) and six SVG plots drawn by
 * src/plot: perplexity vs size, KLD vs size, accuracy vs size, tokens/s vs
 * size (mote's, and llama.cpp's under --compare), J/token vs size, and the
 * Pareto front of perplexity vs memory.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/sweep.h"
#include "plot/svg_plot.h"
#include "mote.h"

#define MIB 1048576.0

static const char *const csv_columns =
    "type,file,size_bytes,n_params,bpw,load_ms,peak_rss_bytes,threads,pp_tokens,pp_tps,tg_tokens,tg_tps,"
    "cpu_percent,energy_source,watts,pp_j_per_token,tg_j_per_token,tg_g_co2_per_1k_tokens,ppl,ppl_err,kld,kld_p99,"
    "same_top,mmlu_acc,mmlu_items,ifeval_acc,ifeval_items,llama_pp_tps,llama_tg_tps,llama_peak_rss_bytes";

/* The machine, for the report: CPU model, CPUs, kernel, memory. */
typedef struct {
    char cpu[128], kernel[200];
    long n_cpus;
    uint64_t mem_bytes;
} machine;

static void describe_machine(machine *m) {
    memset(m, 0, sizeof *m);
    snprintf(m->cpu, sizeof m->cpu, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (colon && (!strncmp(line, "model name", 10) || !strncmp(line, "Model", 5))) {
            colon++;
            while (*colon == ' ') colon++;
            colon[strcspn(colon, "\n")] = 0;
            snprintf(m->cpu, sizeof m->cpu, "%s", colon);
            if (!strncmp(line, "model name", 10)) break;
        }
    }
    if (f) fclose(f);
    struct utsname u;
    if (uname(&u) == 0) snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);
    m->n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) m->mem_bytes = (uint64_t)pages * (uint64_t)page;
}

/* The variant to choose under the memory budget: the lowest perplexity among
 * those whose peak RSS fits (without perplexity: the fastest generation);
 * -1 if none fits or there is no budget. */
static int best_under_ram(const sweep_opts *o, const sweep_cell *c, int n) {
    if (!o->ram_budget) return -1;
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (c[i].peak_rss_bytes > o->ram_budget) continue;
        if (best < 0) best = i;
        else if (c[i].has_ppl ? c[i].ppl < c[best].ppl : c[i].tg_tps > c[best].tg_tps) best = i;
    }
    return best;
}

static void csv_text(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_num(FILE *f, bool present, const char *fmt, double v) {
    fputc(',', f);
    if (present) fprintf(f, fmt, v);
}

static int write_csv(const char *path, const sweep_cell *c, int n) {
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    fprintf(f, "%s\n", csv_columns);
    for (int i = 0; i < n; i++) {
        csv_text(f, c[i].type);
        fputc(',', f);
        csv_text(f, c[i].file);
        fprintf(f, ",%llu,%llu,%.4f,%.3f,%llu,%d,%d,%.3f,%d,%.3f,%.1f,", (unsigned long long)c[i].size_bytes,
                (unsigned long long)c[i].n_params, c[i].bpw, c[i].load_ms, (unsigned long long)c[i].peak_rss_bytes,
                c[i].threads, c[i].pp_tokens, c[i].pp_tps, c[i].tg_tokens, c[i].tg_tps, c[i].cpu_percent);
        csv_text(f, c[i].energy_source);
        csv_num(f, c[i].has_energy, "%.4f", c[i].watts);
        csv_num(f, c[i].has_energy, "%.6g", c[i].pp_j_per_token);
        csv_num(f, c[i].has_energy, "%.6g", c[i].tg_j_per_token);
        csv_num(f, c[i].tg_g_co2_per_1k_tokens >= 0, "%.6g", c[i].tg_g_co2_per_1k_tokens);
        csv_num(f, c[i].has_ppl, "%.4f", c[i].ppl);
        csv_num(f, c[i].has_ppl, "%.5f", c[i].ppl_err);
        csv_num(f, c[i].has_kld, "%.6f", c[i].kld);
        csv_num(f, c[i].has_kld, "%.6f", c[i].kld_p99);
        csv_num(f, c[i].has_kld, "%.5f", c[i].same_top);
        csv_num(f, c[i].has_mmlu, "%.5f", c[i].mmlu_acc);
        csv_num(f, c[i].has_mmlu, "%.0f", (double)c[i].mmlu_items);
        csv_num(f, c[i].has_ifeval, "%.5f", c[i].ifeval_acc);
        csv_num(f, c[i].has_ifeval, "%.0f", (double)c[i].ifeval_items);
        csv_num(f, c[i].has_llama, "%.3f", c[i].llama_pp_tps);
        csv_num(f, c[i].has_llama, "%.3f", c[i].llama_tg_tps);
        csv_num(f, c[i].has_llama, "%.0f", (double)c[i].llama_peak_rss_bytes);
        fputc('\n', f);
    }
    return fclose(f) != 0;
}

static cJSON *num_or_null(double v, bool present) { return present ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

static int write_json(const char *path, const sweep_opts *o, const machine *mc, const sweep_cell *c, int n, int best,
                      const char *source, const char *notes) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "mote_version", mote_version());
    cJSON_AddStringToObject(j, "model", o->model);
    cJSON *m = cJSON_AddObjectToObject(j, "machine");
    cJSON_AddStringToObject(m, "cpu", mc->cpu);
    cJSON_AddNumberToObject(m, "n_cpus", (double)mc->n_cpus);
    cJSON_AddStringToObject(m, "kernel", mc->kernel);
    cJSON_AddNumberToObject(m, "mem_bytes", (double)mc->mem_bytes);
    cJSON *s = cJSON_AddObjectToObject(j, "settings");
    cJSON_AddNumberToObject(s, "threads", o->threads);
    cJSON_AddNumberToObject(s, "pp_tokens", o->n_prompt);
    cJSON_AddNumberToObject(s, "tg_tokens", o->n_gen);
    cJSON_AddNumberToObject(s, "repetitions", o->reps);
    cJSON_AddItemToObject(s, "text", o->task_ppl ? cJSON_CreateString(o->text) : cJSON_CreateNull());
    cJSON_AddNumberToObject(s, "ppl_ctx", o->n_ctx);
    cJSON_AddNumberToObject(s, "ppl_chunks", o->n_chunks);
    cJSON_AddBoolToObject(s, "kld", o->task_kld);
    cJSON_AddNumberToObject(s, "mmlu_per_subject", o->mmlu_n);
    cJSON_AddNumberToObject(s, "ifeval_prompts", o->ifeval_n);
    cJSON_AddItemToObject(s, "eval_data", o->eval_data ? cJSON_CreateString(o->eval_data) : cJSON_CreateNull());
    cJSON_AddItemToObject(s, "llama_bench", o->llama_bench ? cJSON_CreateString(o->llama_bench) : cJSON_CreateNull());
    cJSON_AddItemToObject(s, "imatrix", o->imatrix ? cJSON_CreateString(o->imatrix) : cJSON_CreateNull());
    cJSON_AddItemToObject(s, "ram_budget_bytes", num_or_null((double)o->ram_budget, o->ram_budget > 0));
    cJSON_AddItemToObject(s, "grid_g_per_kwh", num_or_null(o->meter.grid_g_per_kwh, o->meter.grid_g_per_kwh > 0));
    cJSON_AddStringToObject(j, "energy_source", source);
    cJSON_AddStringToObject(j, "energy_notes", notes);
    cJSON_AddItemToObject(j, "best_under_ram", best >= 0 ? cJSON_CreateString(c[best].type) : cJSON_CreateNull());
    cJSON *rows = cJSON_AddArrayToObject(j, "results");
    for (int i = 0; i < n; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "type", c[i].type);
        cJSON_AddStringToObject(r, "file", c[i].file);
        cJSON_AddNumberToObject(r, "size_bytes", (double)c[i].size_bytes);
        cJSON_AddNumberToObject(r, "n_params", (double)c[i].n_params);
        cJSON_AddNumberToObject(r, "bpw", c[i].bpw);
        cJSON_AddNumberToObject(r, "load_ms", c[i].load_ms);
        cJSON_AddNumberToObject(r, "peak_rss_bytes", (double)c[i].peak_rss_bytes);
        cJSON_AddNumberToObject(r, "threads", c[i].threads);
        cJSON_AddNumberToObject(r, "pp_tokens", c[i].pp_tokens);
        cJSON_AddNumberToObject(r, "pp_tps", c[i].pp_tps);
        cJSON_AddNumberToObject(r, "tg_tokens", c[i].tg_tokens);
        cJSON_AddNumberToObject(r, "tg_tps", c[i].tg_tps);
        cJSON_AddNumberToObject(r, "cpu_percent", c[i].cpu_percent);
        cJSON_AddStringToObject(r, "energy_source", c[i].energy_source);
        cJSON_AddItemToObject(r, "watts", num_or_null(c[i].watts, c[i].has_energy));
        cJSON_AddItemToObject(r, "pp_j_per_token", num_or_null(c[i].pp_j_per_token, c[i].has_energy));
        cJSON_AddItemToObject(r, "tg_j_per_token", num_or_null(c[i].tg_j_per_token, c[i].has_energy));
        cJSON_AddItemToObject(r, "tg_g_co2_per_1k_tokens",
                              num_or_null(c[i].tg_g_co2_per_1k_tokens, c[i].tg_g_co2_per_1k_tokens >= 0));
        cJSON_AddItemToObject(r, "ppl", num_or_null(c[i].ppl, c[i].has_ppl));
        cJSON_AddItemToObject(r, "ppl_err", num_or_null(c[i].ppl_err, c[i].has_ppl));
        cJSON_AddItemToObject(r, "kld", num_or_null(c[i].kld, c[i].has_kld));
        cJSON_AddItemToObject(r, "kld_p99", num_or_null(c[i].kld_p99, c[i].has_kld));
        cJSON_AddItemToObject(r, "same_top", num_or_null(c[i].same_top, c[i].has_kld));
        cJSON_AddItemToObject(r, "mmlu_acc", num_or_null(c[i].mmlu_acc, c[i].has_mmlu));
        cJSON_AddItemToObject(r, "mmlu_items", num_or_null((double)c[i].mmlu_items, c[i].has_mmlu));
        cJSON_AddItemToObject(r, "ifeval_acc", num_or_null(c[i].ifeval_acc, c[i].has_ifeval));
        cJSON_AddItemToObject(r, "ifeval_items", num_or_null((double)c[i].ifeval_items, c[i].has_ifeval));
        cJSON_AddItemToObject(r, "llama_pp_tps", num_or_null(c[i].llama_pp_tps, c[i].has_llama));
        cJSON_AddItemToObject(r, "llama_tg_tps", num_or_null(c[i].llama_tg_tps, c[i].has_llama));
        cJSON_AddItemToObject(r, "llama_peak_rss_bytes", num_or_null((double)c[i].llama_peak_rss_bytes, c[i].has_llama));
        cJSON_AddStringToObject(r, "measured_at", c[i].measured_at);
        cJSON_AddItemToArray(rows, r);
    }
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    FILE *f = text ? fopen(path, "w") : NULL;
    int rc = !f || fputs(text, f) < 0 || fputc('\n', f) == EOF;
    if (f && fclose(f)) rc = 1;
    free(text);
    return rc;
}

/* ---- plots ------------------------------------------------------------------------- */

static int write_plot(const char *dir, const char *name, const plot_spec *s) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    int rc = svg_plot_write(f, s);
    return fclose(f) != 0 || rc;
}

static int write_plots(const sweep_opts *o, const sweep_cell *c, int n, int best) {
    plot_point *a = calloc((size_t)n * 3 + 1, sizeof *a), *b = a + n, *front = b + n;
    if (!a) return 1;
    int rc = 0;
    bool any_ppl = false, any_energy = false;
    for (int i = 0; i < n; i++) any_ppl |= c[i].has_ppl, any_energy |= c[i].has_energy;
    const char *no_score = "no score measured (give --text FILE for perplexity)";

    /* score vs size */
    for (int i = 0; i < n; i++) a[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].has_ppl ? c[i].ppl : NAN};
    plot_series s1[] = {{"perplexity (lower is better)", "#1f77b4", a, (size_t)n, false, true}};
    plot_spec p = plot_spec_init("Perplexity vs file size", "file size (MiB)", "perplexity");
    p.series = s1, p.n_series = any_ppl ? 1 : 0, p.empty_note = no_score;
    rc |= write_plot(o->out_dir, "score_vs_size.svg", &p);

    /* KLD vs size */
    bool any_kld = false, any_acc = false, any_llama = false;
    for (int i = 0; i < n; i++) {
        any_kld |= c[i].has_kld, any_acc |= c[i].has_mmlu || c[i].has_ifeval, any_llama |= c[i].has_llama;
        a[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].has_kld ? c[i].kld : NAN};
    }
    plot_series sk[] = {{"mean KL divergence from the base (nats; lower is better)", "#d62728", a, (size_t)n, false, true}};
    p = plot_spec_init("KL divergence vs file size", "file size (MiB)", "mean KLD (nats)");
    p.series = sk, p.n_series = any_kld ? 1 : 0;
    p.empty_note = "KLD not measured (give --tasks kld and --text FILE)";
    rc |= write_plot(o->out_dir, "kld_vs_size.svg", &p);

    /* accuracy vs size */
    for (int i = 0; i < n; i++) {
        a[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].has_mmlu ? c[i].mmlu_acc : NAN};
        b[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].has_ifeval ? c[i].ifeval_acc : NAN};
    }
    plot_series sa[] = {{"MMLU accuracy", "#9467bd", a, (size_t)n, false, true},
                        {"IFEval prompt-level strict accuracy", "#8c564b", b, (size_t)n, false, true}};
    p = plot_spec_init("Benchmark accuracy vs file size", "file size (MiB)", "accuracy (higher is better)");
    p.series = sa, p.n_series = any_acc ? 2 : 0;
    p.empty_note = "no benchmark run (give --tasks mmlu:N,ifeval:N and --data PATH)";
    rc |= write_plot(o->out_dir, "accuracy_vs_size.svg", &p);

    /* tokens/s vs size (with llama-bench's under --compare) */
    plot_point *lpp = calloc((size_t)n * 2 + 1, sizeof *lpp), *ltg = lpp ? lpp + n : NULL;
    if (!lpp) {
        free(a);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        a[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].pp_tokens > 0 ? c[i].pp_tps : NAN};
        b[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].tg_tokens > 0 ? c[i].tg_tps : NAN};
        lpp[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].has_llama && c[i].pp_tokens > 0 ? c[i].llama_pp_tps : NAN};
        ltg[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].has_llama && c[i].tg_tokens > 0 ? c[i].llama_tg_tps : NAN};
    }
    plot_series s2[] = {{any_llama ? "mote prompt (pp)" : "prompt (pp) tokens/s", "#1f77b4", a, (size_t)n, false, true},
                        {any_llama ? "mote generation (tg)" : "generation (tg) tokens/s", "#ff7f0e", b, (size_t)n, false, true},
                        {"llama.cpp pp", "#17becf", lpp, (size_t)n, false, false},
                        {"llama.cpp tg", "#bcbd22", ltg, (size_t)n, false, false}};
    p = plot_spec_init(any_llama ? "Speed vs file size, mote and llama.cpp" : "Speed vs file size", "file size (MiB)",
                       "tokens/s");
    p.series = s2, p.n_series = any_llama ? 4 : 2;
    rc |= write_plot(o->out_dir, "tps_vs_size.svg", &p);
    free(lpp);

    /* J/token vs size */
    for (int i = 0; i < n; i++) {
        a[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].has_energy && c[i].pp_tokens ? c[i].pp_j_per_token : NAN};
        b[i] = (plot_point){c[i].type, c[i].size_bytes / MIB, c[i].has_energy && c[i].tg_tokens ? c[i].tg_j_per_token : NAN};
    }
    char title[160];
    snprintf(title, sizeof title, "Energy per token vs file size (%s)", n ? c[0].energy_source : "none");
    p = plot_spec_init(title, "file size (MiB)", "joules per token");
    plot_series s3[] = {{"prompt (pp) J/token", "#1f77b4", a, (size_t)n, false, true},
                        {"generation (tg) J/token", "#ff7f0e", b, (size_t)n, false, true}};
    p.series = s3, p.n_series = any_energy ? 2 : 0;
    p.empty_note = "energy not measured (no sensor readable; --watts IDLE,BUSY declares a model)";
    rc |= write_plot(o->out_dir, "joules_vs_size.svg", &p);

    /* Pareto front of score vs memory, the budget and the choice */
    double *xs = calloc((size_t)n + 1, sizeof *xs), *ys = calloc((size_t)n + 1, sizeof *ys);
    bool *on = calloc((size_t)n + 1, sizeof *on);
    size_t n_front = 0;
    if (xs && ys && on) {
        for (int i = 0; i < n; i++) {
            xs[i] = c[i].peak_rss_bytes / MIB;
            ys[i] = c[i].has_ppl ? c[i].ppl : NAN;
            a[i] = (plot_point){c[i].type, xs[i], ys[i]};
        }
        pareto_front(xs, ys, (size_t)n, on);
        for (int i = 0; i < n; i++)
            if (on[i]) front[n_front++] = a[i];
    }
    plot_series s4[] = {{"variants", "#1f77b4", a, (size_t)n, false, true},
                        {"Pareto front", "#2ca02c", front, n_front, true, false}};
    p = plot_spec_init("Perplexity vs peak memory", "peak RSS (MiB)", "perplexity");
    p.series = s4, p.n_series = any_ppl ? 2 : 0, p.empty_note = no_score;
    char mark[64], ring[96];
    if (o->ram_budget) {
        snprintf(mark, sizeof mark, "--ram %.1f MiB", o->ram_budget / MIB);
        p.has_x_mark = true, p.x_mark = o->ram_budget / MIB, p.x_mark_label = mark;
    }
    if (best >= 0 && c[best].has_ppl) {
        snprintf(ring, sizeof ring, "best under --ram: %s", c[best].type);
        p.ring_series = 0, p.ring_index = best, p.ring_label = ring;
    }
    rc |= write_plot(o->out_dir, "pareto_memory.svg", &p);
    free(xs);
    free(ys);
    free(on);
    free(a);
    return rc;
}

/* ---- report.md ---------------------------------------------------------------------- */

static void md_num(FILE *f, bool present, const char *fmt, double v) {
    fputs(" | ", f);
    if (present) fprintf(f, fmt, v);
    else fputs("–", f);
}

static int write_markdown(const char *path, const sweep_opts *o, const machine *mc, const sweep_cell *c, int n,
                          int best, const char *source, const char *notes) {
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    fprintf(f, "# mote sweep: %s\n\n", o->model);
    bool llama = false, mmlu = false, ifeval = false;
    for (int i = 0; i < n; i++) llama |= c[i].has_llama, mmlu |= c[i].has_mmlu, ifeval |= c[i].has_ifeval;
    fprintf(f, "| type | size (MiB) | bpw | load (ms) | peak RSS (MiB) | pp t/s | tg t/s | CPU %% | W | pp J/token | "
               "tg J/token | perplexity | KLD | same top %% |%s%s%s\n",
            mmlu ? " MMLU |" : "", ifeval ? " IFEval |" : "",
            llama ? " llama.cpp pp t/s | llama.cpp tg t/s | llama.cpp peak RSS (MiB) |" : "");
    fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%s%s%s\n", mmlu ? "---:|" : "",
            ifeval ? "---:|" : "", llama ? "---:|---:|---:|" : "");
    for (int i = 0; i < n; i++) {
        fprintf(f, "| %s%s | %.2f | %.2f | %.1f | %.1f", c[i].type, i == best ? " ★" : "", c[i].size_bytes / MIB,
                c[i].bpw, c[i].load_ms, c[i].peak_rss_bytes / MIB);
        md_num(f, c[i].pp_tokens > 0, "%.1f", c[i].pp_tps);
        md_num(f, c[i].tg_tokens > 0, "%.1f", c[i].tg_tps);
        md_num(f, true, "%.0f", c[i].cpu_percent);
        md_num(f, c[i].has_energy, "%.2f", c[i].watts);
        md_num(f, c[i].has_energy, "%.3g", c[i].pp_j_per_token);
        md_num(f, c[i].has_energy, "%.3g", c[i].tg_j_per_token);
        if (c[i].has_ppl) fprintf(f, " | %.4f ± %.4f", c[i].ppl, c[i].ppl_err);
        else fputs(" | –", f);
        md_num(f, c[i].has_kld, "%.5f", c[i].kld);
        md_num(f, c[i].has_kld, "%.2f", 100 * c[i].same_top);
        if (mmlu) md_num(f, c[i].has_mmlu, "%.3f", c[i].mmlu_acc);
        if (ifeval) md_num(f, c[i].has_ifeval, "%.3f", c[i].ifeval_acc);
        if (llama) {
            md_num(f, c[i].has_llama && c[i].pp_tokens > 0, "%.1f", c[i].llama_pp_tps);
            md_num(f, c[i].has_llama && c[i].tg_tokens > 0, "%.1f", c[i].llama_tg_tps);
            md_num(f, c[i].has_llama, "%.1f", c[i].llama_peak_rss_bytes / MIB);
        }
        fputs(" |\n", f);
    }
    fputc('\n', f);
    if (o->ram_budget) {
        if (best >= 0)
            fprintf(f, "**Best under --ram %.1f MiB: %s** (%s, peak RSS %.1f MiB). ★ marks it.\n\n", o->ram_budget / MIB,
                    c[best].type, c[best].has_ppl ? "the lowest perplexity" : "no perplexity measured: the fastest generation",
                    c[best].peak_rss_bytes / MIB);
        else fprintf(f, "**No variant fits --ram %.1f MiB.**\n\n", o->ram_budget / MIB);
    }
    bool any_co2 = false;
    for (int i = 0; i < n; i++) any_co2 |= c[i].tg_g_co2_per_1k_tokens >= 0;
    if (any_co2) {
        fprintf(f, "CO2 at %.0f g/kWh, per 1000 generated tokens:", o->meter.grid_g_per_kwh);
        for (int i = 0; i < n; i++)
            if (c[i].tg_g_co2_per_1k_tokens >= 0) fprintf(f, " %s %.3g g%s", c[i].type, c[i].tg_g_co2_per_1k_tokens, i + 1 < n ? "," : "");
        fputs("\n\n", f);
    }
    fprintf(f, "![perplexity vs size](score_vs_size.svg)\n![KLD vs size](kld_vs_size.svg)\n"
               "![accuracy vs size](accuracy_vs_size.svg)\n![tokens/s vs size](tps_vs_size.svg)\n"
               "![J/token vs size](joules_vs_size.svg)\n![perplexity vs peak memory](pareto_memory.svg)\n\n");
    fprintf(f, "## Machine\n\n- CPU: %s, %ld CPUs online\n- %s\n- memory: %.0f MiB\n- mote %s\n\n", mc->cpu, mc->n_cpus,
            mc->kernel, mc->mem_bytes / MIB, mote_version());
    fprintf(f, "## How it was measured\n\n");
    fprintf(f, "- Each variant is quantized from `%s` with `mote quantize`'s library code%s, then measured in a fresh "
               "child process, so peak RSS is that variant's own (model, speed-test contexts%s).\n",
            o->model, o->imatrix ? " and the importance matrix given" : "", o->task_ppl ? " and the perplexity context" : "");
    fprintf(f, "- Load: `mote_model_load` (the file is mapped; pages are read as they are first used).\n");
    fprintf(f, "- Speed: as llama-bench, with %d thread%s: pp%d evaluates a batch of %d random tokens from an empty cache, "
               "tg%d generates %d tokens one at a time; one warm-up run, then %d timed repetitions; tokens/s is the "
               "total over the repetitions.\n",
            o->threads, o->threads > 1 ? "s" : "", o->n_prompt, o->n_prompt, o->n_gen, o->n_gen, o->reps);
    fprintf(f, "- CPU %%: CPU time of all threads (getrusage) over wall time during the speed tests.\n");
    fprintf(f, "- Energy: source `%s`, over the timed repetitions, per token of each test.", source);
    if (!strcmp(source, "declared"))
        fprintf(f, " Not a measurement: %.2f W idle to %.2f W busy, scaled by the share of CPUs in use.",
                o->meter.idle_watts, o->meter.busy_watts);
    fputc('\n', f);
    if (notes && *notes) {
        fprintf(f, "  Sources not used:\n");
        for (const char *p = notes; *p;) {
            size_t len = strcspn(p, "\n");
            fprintf(f, "  - %.*s\n", (int)len, p);
            p += len + (p[len] == '\n');
        }
    }
    if (o->task_ppl) {
        fprintf(f, "- Perplexity: llama-perplexity's method (as `mote perplexity`) on `%s`, chunks of %d tokens", o->text,
                o->n_ctx);
        if (o->n_chunks == 1) fputs(", the first chunk only", f);
        else if (o->n_chunks) fprintf(f, ", the first %d chunks", o->n_chunks);
        fputs(".\n", f);
    }
    else fprintf(f, "- Perplexity: not measured (no --text).\n");
    if (o->task_kld)
        fprintf(f, "- KLD: llama-perplexity's method (as `mote perplexity --kl-divergence`): the base `%s`'s "
                   "log-probabilities over the same chunks of `%s` are saved once (`kld-base.bin`); each variant's "
                   "mean KL divergence from them over the scored half of each chunk, its 99th percentile "
                   "(`kld_p99`) and the share of positions where both rank the same token first (`same_top`).\n",
                o->model, o->text);
    else fprintf(f, "- KLD: not measured (`--tasks kld`).\n");
    if (o->mmlu_n)
        fprintf(f, "- MMLU: as `mote eval --task mmlu --limit %d` (the first %d questions of each subject, 0-shot, "
                   "log-likelihood of the answer letters), accuracy over all subjects; data `%s`.\n",
                o->mmlu_n, o->mmlu_n, o->eval_data);
    if (o->ifeval_n)
        fprintf(f, "- IFEval: as `mote eval --task ifeval --limit %d` (the first %d prompts, greedy answers in the "
                   "model's chat format), prompt-level strict accuracy; data `%s`.\n",
                o->ifeval_n, o->ifeval_n, o->eval_data);
    if (o->llama_bench)
        fprintf(f, "- llama.cpp: `%s -m FILE -p %d -n %d -r %d -t %d -o json` on the same file; its peak RSS is "
                   "the kernel's (wait4) for the whole llama-bench run.\n",
                o->llama_bench, o->n_prompt, o->n_gen, o->reps, o->threads);
    fprintf(f, "- Pareto front: the variants no other beats in both perplexity and peak RSS.\n");
    return fclose(f) != 0;
}

int sweep_write_reports(const sweep_opts *o, const sweep_cell *cells, int n, const char *energy_source,
                        const char *energy_notes, char *err, size_t err_size) {
    machine mc;
    describe_machine(&mc);
    int best = best_under_ram(o, cells, n);
    char path[1200];
    const char *what = "results.csv";
    snprintf(path, sizeof path, "%s/results.csv", o->out_dir);
    int rc = write_csv(path, cells, n);
    if (!rc) {
        what = "results.json";
        snprintf(path, sizeof path, "%s/results.json", o->out_dir);
        rc = write_json(path, o, &mc, cells, n, best, energy_source, energy_notes);
    }
    if (!rc) {
        what = "report.md";
        snprintf(path, sizeof path, "%s/report.md", o->out_dir);
        rc = write_markdown(path, o, &mc, cells, n, best, energy_source, energy_notes);
    }
    if (!rc) {
        what = "the plots";
        rc = write_plots(o, cells, n, best);
    }
    if (rc) snprintf(err, err_size, "cannot write %s in %s", what, o->out_dir);
    return rc;
}
