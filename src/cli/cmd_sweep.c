/*
 * cmd_sweep.c — `mote sweep`: the quantization study of one model in one
 * command. For each type: quantize the model (reusing a variant file already
 * in DIR), then measure it in a child process (size, bits per weight, load
 * time, peak RSS, pp/tg tokens/s, CPU %, J/token, perplexity) and keep the
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
#include "cli/sweep.h"
#include "core/clock.h"
#include "mote.h"
#include "quantize/quantize_model.h"

#define DEFAULT_TYPES "f16,q8_0,q6_k,q4_k_m,q3_k_m,q2_k"

static void sweep_usage(FILE *out) {
    fprintf(out,
            "usage: mote sweep -m MODEL.gguf -o DIR [--types LIST] [--text FILE] [options]\n"
            "\n"
            "Quantize MODEL (F32, F16 or BF16) to each type, measure every variant the same\n"
            "way and write DIR/results.csv, results.json, report.md and SVG plots. Finished\n"
            "variants (DIR/cells/TYPE.json) and quantized files are reused: run it again\n"
            "after an interruption to finish the rest.\n"
            "\n"
            "  -m, --model FILE      the base model\n"
            "  -o, --out DIR         where everything goes (created if missing)\n"
            "  --types LIST          quantization types, comma-separated (default " DEFAULT_TYPES ");\n"
            "                        'f32' (or 'base') measures the base file itself\n"
            "  --imatrix FILE        importance matrix for the quantization\n"
            "  --tasks LIST          ppl (the default when --text is given); kld and the eval\n"
            "                        tasks are not available yet\n"
            "  --text FILE           the text perplexity is measured on\n"
            "  -c, --ctx-size N      perplexity chunk length (default 512)\n"
            "  --chunks N            score only the first N chunks (default: all)\n"
            "  -p N                  prompt tokens of the speed test (default 128; 0 skips)\n"
            "  -n N                  generated tokens of the speed test (default 32; 0 skips)\n"
            "  -r N                  repetitions of each speed test (default 3)\n"
            "  -t, --threads N       threads (default: the number of CPUs)\n"
            "  --ram SIZE            memory budget (e.g. 1G, 512M): mark the best variant that fits\n"
            "  -v, --verbose         say which energy source is used and why the others are not\n"
            "  -h, --help            show this help\n");
    cli_meter_help(out);
}

/* "1G", "512M", "300000K", "123456" (bytes); 0 on anything else. */
static uint64_t parse_size(const char *s) {
    char *end;
    double v = strtod(s, &end);
    double unit = 1;
    if (*end == 'K' || *end == 'k') unit = 1024, end++;
    else if (*end == 'M' || *end == 'm') unit = 1048576.0, end++;
    else if (*end == 'G' || *end == 'g') unit = 1073741824.0, end++;
    if (*end == 'B' || *end == 'b') end++;
    if (end == s || *end || !(v > 0) || v * unit > 1e15) return 0;
    return (uint64_t)(v * unit);
}

static int bad(const char *msg, const char *what) {
    fprintf(stderr, "mote sweep: %s%s%s\n", msg, what ? " " : "", what ? what : "");
    return 2;
}

/* Split the type list, lower-case, check each names a preset (or the base). */
static int parse_types(const char *list, sweep_opts *o) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    o->n_types = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->n_types == SWEEP_MAX_TYPES) return bad("too many types (at most 32)", NULL);
        if (strlen(t) >= sizeof o->types[0]) return bad("unknown type", t);
        for (char *p = t; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        if (strcmp(t, "f32") && strcmp(t, "base") && !mote_quant_preset_find(t)) {
            fprintf(stderr, "mote sweep: unknown type '%s' (see mote quantize --help for the list)\n", t);
            return 2;
        }
        for (int i = 0; i < o->n_types; i++)
            if (!strcmp(o->types[i], t)) return bad("type given twice:", t);
        snprintf(o->types[o->n_types++], sizeof o->types[0], "%s", t);
    }
    return o->n_types ? 0 : bad("--types needs at least one type", NULL);
}

/* --tasks: ppl is measured; kld and the evaluation tasks are hooks for now. */
static int parse_tasks(const char *list, sweep_opts *o) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "ppl")) o->task_ppl = true;
        else {
            fprintf(stderr, "mote sweep: task '%s' is not available yet (only ppl; KLD and the eval tasks will follow)\n", t);
            return 2;
        }
    }
    return 0;
}

static int count_arg(const char *flag, const char *v, int lo, int *out) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > 1 << 20) {
        fprintf(stderr, "mote sweep: %s needs a whole number from %d, not '%s'\n", flag, lo, v);
        return 2;
    }
    *out = (int)x;
    return 0;
}

/* Parse the command line; -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, sweep_opts *o) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    memset(o, 0, sizeof *o);
    o->threads = ncpu > 0 ? (int)ncpu : 1;
    o->n_prompt = 128, o->n_gen = 32, o->reps = 3, o->n_ctx = 512;
    const char *types = DEFAULT_TYPES, *tasks = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            sweep_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o->verbose = true;
            continue;
        }
        if (a[0] != '-') return bad("unexpected argument", a);
        if (i + 1 >= argc) return bad("missing value after", a);
        const char *v = argv[++i];
        int st = 0, mr;
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) o->model = v;
        else if (!strcmp(a, "-o") || !strcmp(a, "--out")) o->out_dir = v;
        else if (!strcmp(a, "--types")) types = v;
        else if (!strcmp(a, "--imatrix")) o->imatrix = v;
        else if (!strcmp(a, "--tasks")) tasks = v;
        else if (!strcmp(a, "--text")) o->text = v;
        else if (!strcmp(a, "-c") || !strcmp(a, "--ctx-size")) st = count_arg(a, v, 8, &o->n_ctx);
        else if (!strcmp(a, "--chunks")) st = count_arg(a, v, 1, &o->n_chunks);
        else if (!strcmp(a, "-p")) st = count_arg(a, v, 0, &o->n_prompt);
        else if (!strcmp(a, "-n")) st = count_arg(a, v, 0, &o->n_gen);
        else if (!strcmp(a, "-r")) st = count_arg(a, v, 1, &o->reps);
        else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) st = count_arg(a, v, 1, &o->threads);
        else if (!strcmp(a, "--ram")) {
            if (!(o->ram_budget = parse_size(v))) return bad("--ram needs a size such as 1G or 512M, not", v);
        } else if ((mr = cli_meter_parse(&o->meter, "sweep", a, v)) != 0) {
            if (mr < 0) return 2;
        } else {
            fprintf(stderr, "mote sweep: unknown option '%s' (see mote sweep --help)\n", a);
            return 2;
        }
        if (st) return st;
    }
    if (!o->model || !o->out_dir) return bad("needs a model (-m) and an output directory (-o)", NULL);
    if (parse_types(types, o)) return 2;
    if (tasks && parse_tasks(tasks, o)) return 2;
    if (!tasks && o->text) o->task_ppl = true;
    if (o->task_ppl && !o->text) return bad("the ppl task needs a text (--text FILE)", NULL);
    if (o->text && access(o->text, R_OK)) {
        fprintf(stderr, "mote sweep: cannot read '%s': %s\n", o->text, strerror(errno));
        return 2;
    }
    mote_gguf *g;
    if (mote_gguf_open(o->model, &g) != MOTE_OK) {
        fprintf(stderr, "mote sweep: %s\n", mote_last_error());
        return 2;
    }
    mote_gguf_close(g);
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
} job;

static int quantize_job(void *arg) {
    const job *j = arg;
    mote_quantize_params p = {.n_threads = j->o->threads, .log = NULL};
    p.preset = mote_quant_preset_find(j->type);
    mote_imatrix *im = NULL;
    if (j->o->imatrix && mote_imatrix_load(j->o->imatrix, &im) != MOTE_OK) {
        fprintf(stderr, "mote sweep: %s: %s\n", j->type, mote_last_error());
        return 1;
    }
    p.imatrix = im;
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

    char stem[256], key[1024];
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
        job j = {&o, type, variant, cell_path};
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
        if (c->has_energy) fprintf(stderr, ", %.3g J/token (tg, %s)", c->tg_j_per_token, c->energy_source);
        fputc('\n', stderr);
    }
    char err[512];
    int rc = sweep_write_reports(&o, cells, n, source, notes, err, sizeof err);
    if (rc) fprintf(stderr, "mote sweep: %s\n", err);
    else
        printf("%d variant%s (%d kept from before)%s: %s/results.csv, results.json, report.md, score_vs_size.svg, "
               "tps_vs_size.svg, joules_vs_size.svg, pareto_memory.svg\n",
               n, n == 1 ? "" : "s", kept, failed ? ", some failed" : "", o.out_dir);
    free(cells);
    return rc || failed ? 1 : 0;
}
