/*
 * cmd_quantize.c — `mote quantize IN.gguf OUT.gguf TYPE`: write a quantized
 * copy of a model. The work is in the library (src/quantize/quantize_model.c);
 * this file reads the options and reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "core/threadpool.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "mote.h"
#include "quantize/quantize_model.h"

#define MAX_OVERRIDES 64

static const cli_use quantize_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, "the input model (also: the first argument)"},
    {CLI_OUTPUT, "the output file (also: the argument after the input)"}, {CLI_THREADS, NULL}, {CLI_PURE, NULL},
    {CLI_TENSOR_TYPE, NULL}, {CLI_IMATRIX, NULL}, {CLI_ALLOW_REQUANTIZE, NULL}, {CLI_MIN_ERROR, NULL},
    {CLI_TARGET_BPW, NULL}, {CLI_TARGET_SIZE, NULL}, {CLI_QUIET, "no per-tensor progress"}, {CLI_END, NULL},
};

const cli_command_spec quantize_spec = {
    "quantize",
    "mote quantize IN.gguf OUT.gguf TYPE [options]\n"
    "       mote quantize IN.gguf OUT.gguf [TYPE] --target-bpw X | --target-size N [options]",
    "Write a copy of a model (F32, F16 or BF16 weights) with its weights quantized.\n"
    "TYPE: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K_S/M/L, Q4_K_S/M, Q5_K_S/M, Q6_K,\n"
    "IQ4_NL, IQ4_XS, TQ1_0, TQ2_0, F16, BF16, F32 ... (mote quantize --help lists them all;\n"
    "the _S/_M/_L presets keep sensitive tensors at higher precision, as llama-quantize does).\n"
    "The output must not be the input.",
    quantize_options,
    2,
    true,
};

/* The preset names, wrapped, for --help. */
static void print_types(FILE *out) {
    fprintf(out, "\nTYPE, all of them: ");
    int col = 19;
    for (const mote_quant_preset *p = mote_quant_presets(); p->name; p++) {
        if (col > 70) {
            fputs("\n     ", out);
            col = 5;
        }
        col += fprintf(out, "%s%s", p->name, p[1].name ? ", " : "\n");
    }
}

static void on_progress(int64_t done, int64_t total, void *user) { cli_progress_update(user, done, total); }

static int fail(const char *msg) {
    fprintf(stderr, "mote quantize: %s\n", msg);
    return 1;
}

int cmd_quantize(int argc, char **argv) {
    char msg[640];
    cli_args a;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            cli_print_help(&quantize_spec, stdout);
            print_types(stdout);
            return 0;
        }
    int st0 = cli_parse(&quantize_spec, argc, argv, &a);
    if (st0 >= 0) return st0;
    /* IN OUT TYPE, with IN possibly given as -m and OUT as -o. */
    const char *pos[3] = {a.model, NULL, NULL};
    int k = 0;
    pos[1] = cli_str(&a, CLI_OUTPUT, NULL);
    if (!pos[1] && k < a.n_positional) pos[1] = a.positional[k++];
    if (k < a.n_positional) pos[2] = a.positional[k++];
    if (k < a.n_positional) {
        snprintf(msg, sizeof msg, "unexpected argument '%s'", a.positional[k]);
        return fail(msg);
    }
    int n_pos = !!pos[0] + !!pos[1] + !!pos[2];
    mote_quantize_params p = {.n_threads = (int)cli_int(&a, CLI_THREADS, 0), .log = stdout};
    if (p.n_threads == 0) p.n_threads = mote_physical_cores(); /* what 0 means everywhere */
    mote_tensor_type_override ov[MAX_OVERRIDES];
    const char *imatrix_path = cli_str(&a, CLI_IMATRIX, NULL);
    p.pure = cli_flag(&a, CLI_PURE);
    p.min_error = cli_flag(&a, CLI_MIN_ERROR);
    p.allow_requantize = cli_flag(&a, CLI_ALLOW_REQUANTIZE);
    if (cli_flag(&a, CLI_QUIET)) p.log = NULL;
    p.target_bpw = cli_num(&a, CLI_TARGET_BPW, 0);
    const char *size_text = cli_str(&a, CLI_TARGET_SIZE, NULL);
    if (size_text) {
        p.target_size = cli_parse_size(size_text);
        if (!p.target_size) {
            snprintf(msg, sizeof msg, "--target-size '%s': expected a size such as 250M or 1.5G", size_text);
            return fail(msg);
        }
    }
    int it = 0;
    for (const cli_given_opt *g; (g = cli_next(&a, CLI_TENSOR_TYPE, &it));) {
        char *spec = (char *)g->text;
        char *eq = strrchr(spec, '=');
        if (!eq || eq == spec) {
            snprintf(msg, sizeof msg, "--tensor-type '%s': expected PATTERN=TYPE", spec);
            return fail(msg);
        }
        int type = mote_type_from_name(eq + 1);
        if (type < 0) {
            snprintf(msg, sizeof msg, "--tensor-type '%s': unknown type '%s'", spec, eq + 1);
            return fail(msg);
        }
        if (p.n_overrides == MAX_OVERRIDES) return fail("too many --tensor-type options");
        *eq = 0;
        ov[p.n_overrides++] = (mote_tensor_type_override){spec, type};
    }
    const bool budget = p.target_bpw > 0 || p.target_size > 0;
    if (n_pos < (budget ? 2 : 3)) {
        cli_print_help(&quantize_spec, stderr);
        return 2;
    }
    if (cli_same_file(pos[0], pos[1])) {
        snprintf(msg, sizeof msg, "the output '%s' is the input file: give another name (the input is read while the output is written)", pos[1]);
        return fail(msg);
    }
    if (budget && p.target_bpw > 0 && p.target_size > 0) return fail("give --target-bpw or --target-size, not both");
    if (budget && !pos[2]) {
        /* the base plan only decides which tensors are quantized at all */
        pos[2] = "Q8_0";
        p.pure = true;
    }
    p.preset = mote_quant_preset_find(pos[2]);
    if (!p.preset) {
        snprintf(msg, sizeof msg, "unknown type '%s' (see mote quantize --help for the list)", pos[2]);
        return fail(msg);
    }
    p.overrides = ov;

    mote_imatrix *im = NULL;
    if (imatrix_path) {
        if (mote_imatrix_load(imatrix_path, &im) != MOTE_OK) return fail(mote_last_error());
        p.imatrix = im;
        p.imatrix_file = imatrix_path;
        long long n_im = (long long)mote_imatrix_count(im);
        if (p.log) fprintf(p.log, "importance matrix: %lld tensor%s from %s\n", n_im, n_im == 1 ? "" : "s", imatrix_path);
    }
    if (p.allow_requantize) {
        mote_gguf *g = NULL;
        if (mote_gguf_open(pos[0], &g) == MOTE_OK) {
            for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
                int t = mote_gguf_tensor(g, i)->type;
                if (t != MOTE_TYPE_F32 && t != MOTE_TYPE_F16 && t != MOTE_TYPE_BF16) {
                    fprintf(stderr, "mote quantize: warning: %s is already quantized; requantizing loses more precision\n",
                            pos[0]);
                    break;
                }
            }
            mote_gguf_close(g);
        }
    }
    cli_progress progress;
    cli_progress_start(&progress, "quantize", "weights");
    if (p.log) {
        p.progress = on_progress;
        p.progress_user = &progress;
    }
    int st = mote_quantize_model(pos[0], pos[1], &p);
    mote_imatrix_free(im);
    if (st != MOTE_OK) return fail(mote_last_error());
    return 0;
}
