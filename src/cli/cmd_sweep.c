/*
 * cmd_sweep.c — `mote sweep`: the quantization study of one model in one
 * command. For each type (or --target-bpw budget): quantize the model
 * (reusing a variant file already in DIR), then measure it in a child
 * process (size, bits per weight, load time, peak RSS, pp/tg tokens/s, CPU %,
 * J/token, perplexity, KLD, eval scores, llama-bench's speed) and keep the
 * result as DIR/cells/TYPE.json, so a sweep that is interrupted resumes
 * without redoing finished cells. Then results.csv, results.json, report.md
 * and the plots (sweep_report.c).
 *
 * Children, not threads: each variant's peak RSS (getrusage) is then its
 * own, and a crash in one variant cannot take the sweep with it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_meter.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/threadpool.h"
#include "cli/sweep.h"
#include "core/clock.h"
#include "mote.h"
#include "quantize/quantize_model.h"

#define DEFAULT_TYPES "f16,q8_0,q6_k,q4_k_m,q3_k_m,q2_k"

static const cli_use sweep_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, "the base model (F32, F16 or BF16; also accepted as the first argument)"},
    {CLI_OUTPUT, "the directory everything goes into (created if missing)"},
    {CLI_TYPES, "quantization types, comma-separated (default " DEFAULT_TYPES "); 'f32' (or 'base') measures "
                "the base file itself"},
    {CLI_SWEEP_TARGET_BPW, NULL},
    {CLI_IMATRIX, "importance matrix for the quantization"},
    {CLI_TASKS, "what to score each variant on, comma-separated: ppl (perplexity on --text; the default when "
                "--text is given), kld (KL divergence from the base model on --text), mmlu:N (N questions per "
                "subject), ifeval:N (N prompts); the eval tasks read --data"},
    {CLI_TEXT, NULL}, {CLI_DATA, "the eval tasks' data: a folder laid out as shared/data/eval (mmlu/, ifeval/)"},
    {CLI_MAX_TOKENS, "ifeval: longest answer (default 1280)"},
    {CLI_CHAT_TEMPLATE, "ifeval: the chat format instead of the model's (default for a model without one: none, "
                        "plain text)"},
    {CLI_CTX_SIZE, "perplexity and KLD chunk length (default 512; 0: the model's context, at most 4096)"},
    {CLI_CHUNKS, "score only the first N chunks (default: all)"},
    {CLI_BENCH_N_PROMPT, "prompt tokens of the speed test (default 128; 0 skips)"},
    {CLI_BENCH_N_GEN, "generated tokens of the speed test (default 32; 0 skips)"},
    {CLI_BENCH_REPS, "repetitions of each speed test (default 3), after one warm-up"},
    {CLI_THREADS, NULL}, {CLI_RAM, "memory budget (e.g. 1G, 512M): mark the best variant that fits"}, {CLI_COMPARE, NULL}, {CLI_LLAMA_BENCH, NULL},
    {CLI_VERBOSE, "say which energy source is used and why the others are not"},
    {CLI_WATTS, NULL}, {CLI_GRID_INTENSITY, NULL}, {CLI_ENERGY_SOURCE, NULL}, {CLI_N_GPU_LAYERS, NULL},
    {CLI_END, NULL},
};

const cli_command_spec sweep_spec = {
    "sweep",
    "mote sweep MODEL -o DIR [--types LIST] [--target-bpw LIST] [--tasks LIST] [--text FILE] [options]",
    "Quantize MODEL (F32, F16 or BF16) to each type, measure every variant the same\n"
    "way and write DIR/results.csv, results.json, report.md and SVG plots. Finished\n"
    "variants (DIR/cells/TYPE.json) and quantized files are reused: run it again\n"
    "after an interruption to finish the rest.",
    sweep_options,
    0,
    true,
};

static int bad(const char *msg, const char *what) {
    fprintf(stderr, "mote sweep: %s%s%s\n", msg, what ? " " : "", what ? what : "");
    return 2;
}

/* Add a variant name, refusing a repeat. */
static int add_variant(sweep_opts *o, const char *name, double bpw) {
    if (o->n_types == SWEEP_MAX_TYPES) return bad("too many types (at most 32)", NULL);
    for (int i = 0; i < o->n_types; i++)
        if (!strcmp(o->types[i], name)) return bad("type given twice:", name);
    o->target_bpw[o->n_types] = bpw;
    snprintf(o->types[o->n_types++], sizeof o->types[0], "%s", name);
    return 0;
}

/* Split the type list, lower-case, check each names a preset (or the base). */
static int parse_types(const char *list, sweep_opts *o) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strlen(t) >= sizeof o->types[0]) return bad("unknown type", t);
        for (char *p = t; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        if (strcmp(t, "f32") && strcmp(t, "base") && !mote_quant_preset_find(t)) {
            fprintf(stderr, "mote sweep: unknown type '%s' (see mote quantize --help for the list)\n", t);
            return 2;
        }
        if (add_variant(o, t, 0)) return 2;
    }
    return 0;
}

/* --target-bpw X[,X..]: one budget variant "bpwX" each (mote quantize --target-bpw X). */
static int parse_budgets(const char *list, sweep_opts *o) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *end, name[24];
        double v = strtod(t, &end);
        if (end == t || *end || !(v > 0) || v > 32 || strlen(t) > 16) {
            fprintf(stderr, "mote sweep: --target-bpw %s: expected bits per weight in (0, 32], comma-separated\n", list);
            return 2;
        }
        snprintf(name, sizeof name, "bpw%s", t);
        if (add_variant(o, name, v)) return 2;
    }
    return 0;
}

/* "NAME:N" with N > 0, into *n. */
static bool task_count(const char *t, const char *name, int *n) {
    size_t len = strlen(name);
    if (strncmp(t, name, len) || t[len] != ':') return false;
    char *end;
    long v = strtol(t + len + 1, &end, 10);
    if (end == t + len + 1 || *end || v < 1 || v > 1 << 20) return false;
    *n = (int)v;
    return true;
}

/* --tasks ppl,kld,mmlu:N,ifeval:N */
static int parse_tasks(const char *list, sweep_opts *o) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "ppl")) o->task_ppl = true;
        else if (!strcmp(t, "kld")) o->task_kld = true;
        else if (!task_count(t, "mmlu", &o->mmlu_n) && !task_count(t, "ifeval", &o->ifeval_n)) {
            fprintf(stderr, "mote sweep: unknown task '%s' (ppl, kld, mmlu:N or ifeval:N)\n", t);
            return 2;
        }
    }
    return 0;
}

/* Parse the command line; -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, sweep_opts *o) {
    memset(o, 0, sizeof *o);
    cli_args a;
    int st = cli_parse(&sweep_spec, argc, argv, &a);
    if (st >= 0) return st;
    o->model = a.model;
    o->out_dir = cli_str(&a, CLI_OUTPUT, NULL);
    o->imatrix = cli_str(&a, CLI_IMATRIX, NULL);
    o->text = cli_str(&a, CLI_TEXT, NULL);
    o->eval_data = cli_str(&a, CLI_DATA, NULL);
    o->max_tokens = (long)cli_int(&a, CLI_MAX_TOKENS, 0);
    o->chat_template = cli_str(&a, CLI_CHAT_TEMPLATE, NULL);
    o->threads = (int)cli_int(&a, CLI_THREADS, 0);
    if (o->threads == 0) o->threads = mote_physical_cores(); /* what 0 means everywhere; the reports name the number */
    o->n_ctx = (int)cli_int(&a, CLI_CTX_SIZE, 512);
    o->n_chunks = (int)cli_int(&a, CLI_CHUNKS, 0);
    o->reps = (int)cli_int(&a, CLI_BENCH_REPS, 3);
    o->verbose = cli_flag(&a, CLI_VERBOSE);
    int list[2];
    const char *pp = cli_str(&a, CLI_BENCH_N_PROMPT, "128"), *tg = cli_str(&a, CLI_BENCH_N_GEN, "32");
    if (cli_list_values(pp, list, 2) != 1) return bad("-p takes one number here, not a list:", pp);
    o->n_prompt = list[0];
    if (cli_list_values(tg, list, 2) != 1) return bad("-n takes one number here, not a list:", tg);
    o->n_gen = list[0];
    const char *ram = cli_str(&a, CLI_RAM, NULL);
    if (ram && !(o->ram_budget = cli_parse_size(ram))) return bad("--ram needs a size such as 1G or 512M, not", ram);
    if (cli_meter_from_args(&o->meter, &a)) return 2;
    if (!o->model || !o->out_dir) return bad("needs a model (-m) and an output directory (-o)", NULL);
    const char *budgets = cli_str(&a, CLI_SWEEP_TARGET_BPW, NULL);
    const char *types = cli_str(&a, CLI_TYPES, budgets ? NULL : DEFAULT_TYPES);
    if (types && parse_types(types, o)) return 2;
    if (budgets && parse_budgets(budgets, o)) return 2;
    if (o->n_types == 0) return bad("--types needs at least one type", NULL);
    const char *tasks = cli_str(&a, CLI_TASKS, NULL);
    if (tasks && parse_tasks(tasks, o)) return 2;
    if (!tasks && o->text) o->task_ppl = true;
    if ((o->task_ppl || o->task_kld) && !o->text)
        return bad(o->task_ppl ? "the ppl task needs a text (--text FILE)" : "the kld task needs a text (--text FILE)", NULL);
    if ((o->mmlu_n || o->ifeval_n) && !o->eval_data)
        return bad("the mmlu and ifeval tasks need their data (--data PATH, a folder laid out as shared/data/eval)", NULL);
    if (o->text && access(o->text, R_OK)) {
        fprintf(stderr, "mote sweep: cannot read '%s': %s\n", o->text, strerror(errno));
        return 2;
    }
    mote_gguf *g;
    if (mote_gguf_open(o->model, &g) != MOTE_OK) {
        fprintf(stderr, "mote sweep: %s\n", mote_last_error());
        return 2;
    }
    mote_model_summary sum;
    mote_gguf_summarize(g, &sum);
    mote_gguf_close(g);
    if (o->n_ctx == 0) o->n_ctx = sum.context_length > 0 && sum.context_length < 4096 ? (int)sum.context_length : 4096;
    if (o->ifeval_n && !o->chat_template && !sum.has_chat_template) {
        o->chat_template = "none";
        fprintf(stderr, "mote sweep: note: the model has no chat template: ifeval gives it each prompt as plain text "
                        "(--chat-template NAME picks a chat format)\n");
    }
    if (o->task_kld) snprintf(o->kld_base, sizeof o->kld_base, "%s/kld-base.bin", o->out_dir);
    if (cli_flag(&a, CLI_COMPARE) || cli_given(&a, CLI_LLAMA_BENCH)) {
        const char *given = cli_str(&a, CLI_LLAMA_BENCH, NULL);
        static char found[1024];
        if (sweep_find_llama_bench(given, found, sizeof found)) o->llama_bench = found;
        else if (given) return bad("--llama-bench: cannot run", given);
        else
            fprintf(stderr, "mote sweep: note: --compare: llama-bench is not in PATH (give --llama-bench PATH); "
                            "the llama.cpp columns stay empty\n");
    }
    return -1;
}

/* Run fn(arg) in a child process; true if it exited with status 0. */
static bool in_child(int (*fn)(void *), void *arg) {
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
#ifdef __linux__
        /* if the sweep is killed, its child goes too (a half-measured cell is never written) */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
#endif
        _exit(fn(arg) ? 1 : 0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

typedef struct {
    const sweep_opts *o;
    const char *type, *variant, *cell_path;
    double bpw; /* > 0: a --target-bpw variant */
} job;

static int quantize_job(void *arg) {
    const job *j = arg;
    mote_quantize_params p = {.n_threads = j->o->threads, .log = NULL};
    if (j->bpw > 0) { /* budget mode, as `mote quantize IN OUT --target-bpw X` */
        p.preset = mote_quant_preset_find("Q8_0");
        p.pure = true;
        p.target_bpw = j->bpw;
    } else {
        p.preset = mote_quant_preset_find(j->type);
    }
    mote_imatrix *im = NULL;
    if (j->o->imatrix && mote_imatrix_load(j->o->imatrix, &im) != MOTE_OK) {
        fprintf(stderr, "mote sweep: %s: %s\n", j->type, mote_last_error());
        return 1;
    }
    p.imatrix = im;
    p.imatrix_file = j->o->imatrix;
    int rc = mote_quantize_model(j->o->model, j->variant, &p);
    if (rc) fprintf(stderr, "mote sweep: %s: quantizing: %s\n", j->type, mote_last_error());
    mote_imatrix_free(im);
    return rc;
}

static int measure_job(void *arg) {
    const job *j = arg;
    sweep_cell c;
    char err[512];
    if (sweep_measure(j->o, j->type, j->variant, &c, err, sizeof err)) {
        fprintf(stderr, "mote sweep: %s: %s\n", j->type, err);
        return 1;
    }
    if (sweep_cell_save(&c, j->cell_path)) {
        fprintf(stderr, "mote sweep: %s: cannot write %s\n", j->type, j->cell_path);
        return 1;
    }
    return 0;
}

/* The base name of the model without its directory and ".gguf". */
static void model_stem(const char *path, char *buf, size_t size) {
    const char *slash = strrchr(path, '/');
    snprintf(buf, size, "%s", slash ? slash + 1 : path);
    size_t len = strlen(buf);
    if (len > 5 && !strcmp(buf + len - 5, ".gguf")) buf[len - 5] = 0;
}

static bool make_dir(const char *path) { return mkdir(path, 0777) == 0 || errno == EEXIST; }

static int kld_base_job(void *arg) {
    char err[1024];
    if (sweep_make_kld_base(arg, err, sizeof err)) {
        fprintf(stderr, "mote sweep: %s\n", err);
        return 1;
    }
    return 0;
}

int cmd_sweep(int argc, char **argv) {
    sweep_opts o;
    int st = parse_args(argc, argv, &o);
    if (st >= 0) return st;
    char cells_dir[1100];
    snprintf(cells_dir, sizeof cells_dir, "%s/cells", o.out_dir);
    if (!make_dir(o.out_dir) || !make_dir(cells_dir)) {
        fprintf(stderr, "mote sweep: cannot create '%s': %s\n", cells_dir, strerror(errno));
        return 1;
    }
    /* the meter is opened here once to check the options and to name the source */
    mote_meter *meter;
    if (cli_meter_open(&o.meter, "sweep", o.verbose, &meter)) return 2;
    char source[40], notes[2048];
    snprintf(source, sizeof source, "%s", mote_meter_source(meter));
    snprintf(notes, sizeof notes, "%s", mote_meter_notes(meter));
    mote_meter_free(meter);

    if (o.task_kld) {
        fprintf(stderr, "mote sweep: the base's log-probabilities for KLD (%s) ... ", o.kld_base);
        if (!in_child(kld_base_job, &o)) return 1;
        fprintf(stderr, "ready\n");
    }
    char stem[256], key[2048];
    model_stem(o.model, stem, sizeof stem);
    sweep_settings_key(&o, key, sizeof key);
    sweep_cell *cells = calloc(SWEEP_MAX_TYPES, sizeof *cells);
    if (!cells) return 1;
    int n = 0, failed = 0, kept = 0;
    for (int i = 0; i < o.n_types; i++) {
        const char *type = o.types[i];
        char variant[1400], cell_path[1200];
        bool is_base = !strcmp(type, "f32") || !strcmp(type, "base");
        if (is_base) snprintf(variant, sizeof variant, "%s", o.model);
        else snprintf(variant, sizeof variant, "%s/%s-%s%s.gguf", o.out_dir, stem, type, o.imatrix ? "-imat" : "");
        snprintf(cell_path, sizeof cell_path, "%s/%s.json", cells_dir, type);
        job j = {&o, type, variant, cell_path, o.target_bpw[i]};
        fprintf(stderr, "mote sweep: [%d/%d] %s: ", i + 1, o.n_types, type);

        if (sweep_cell_load(cell_path, &cells[n]) == 0 && !strcmp(cells[n].settings, key) &&
            !strcmp(cells[n].type, type) && access(variant, R_OK) == 0) {
            fprintf(stderr, "kept from an earlier run (%s)\n", cells[n].measured_at);
            n++, kept++;
            continue;
        }
        if (!is_base && access(variant, R_OK) != 0) {
            fprintf(stderr, "quantizing ... ");
            int64_t t0 = mote_now_ns();
            if (!in_child(quantize_job, &j)) {
                failed++;
                continue;
            }
            fprintf(stderr, "%.1f s, ", (double)(mote_now_ns() - t0) / 1e9);
        }
        fprintf(stderr, "measuring ... ");
        if (!in_child(measure_job, &j) || sweep_cell_load(cell_path, &cells[n])) {
            fprintf(stderr, "mote sweep: %s: not measured\n", type);
            failed++;
            continue;
        }
        const sweep_cell *c = &cells[n++];
        fprintf(stderr, "%.2f MiB, pp %.1f t/s, tg %.1f t/s", c->size_bytes / 1048576.0, c->pp_tps, c->tg_tps);
        if (c->has_ppl) fprintf(stderr, ", PPL %.4f", c->ppl);
        if (c->has_kld) fprintf(stderr, ", KLD %.5f", c->kld);
        if (c->has_mmlu) fprintf(stderr, ", MMLU %.3f", c->mmlu_acc);
        if (c->has_ifeval) fprintf(stderr, ", IFEval %.3f", c->ifeval_acc);
        if (c->has_llama) fprintf(stderr, ", llama-bench pp %.1f tg %.1f t/s", c->llama_pp_tps, c->llama_tg_tps);
        if (c->has_energy) fprintf(stderr, ", %.3g J/token (tg, %s)", c->tg_j_per_token, c->energy_source);
        fputc('\n', stderr);
    }
    char err[512];
    int rc = sweep_write_reports(&o, cells, n, source, notes, err, sizeof err);
    if (rc) fprintf(stderr, "mote sweep: %s\n", err);
    else
        printf("%d variant%s (%d kept from before)%s: %s/results.csv, results.json, report.md, score_vs_size.svg, "
               "kld_vs_size.svg, accuracy_vs_size.svg, tps_vs_size.svg, joules_vs_size.svg, pareto_memory.svg\n",
               n, n == 1 ? "" : "s", kept, failed ? ", some failed" : "", o.out_dir);
    free(cells);
    return rc || failed ? 1 : 0;
}
