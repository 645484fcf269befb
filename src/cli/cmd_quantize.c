/*
 * cmd_quantize.c — `mote quantize IN.gguf OUT.gguf TYPE`: write a quantized
 * copy of a model. The work is in the library (src/quant/quantize_model.c);
 * this file reads the options and reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "mote.h"
#include "quant/quantize_model.h"

#define MAX_OVERRIDES 64

static void quantize_usage(FILE *out) {
    fprintf(out,
            "usage: mote quantize IN.gguf OUT.gguf TYPE [options]\n"
            "\n"
            "Write a copy of a model (F32, F16 or BF16 weights) with its weights quantized.\n"
            "\n"
            "TYPE: ");
    int col = 6;
    for (const mote_quant_preset *p = mote_quant_presets(); p->name; p++) {
        if (p != mote_quant_presets()) {
            fputc(',', out);
            if (col > 70) {
                fputs("\n     ", out);
                col = 5;
            }
            col += 1 + fprintf(out, " ");
        }
        col += fprintf(out, "%s", p->name);
    }
    fputc('\n', out);
    fprintf(out,
            "      (the _S/_M/_L presets keep sensitive tensors at higher precision, as llama-quantize does)\n"
            "\n"
            "options:\n"
            "  -t, --threads N            threads to quantize with (default 4)\n"
            "  --pure                     one type for every quantizable tensor (no per-tensor mix)\n"
            "  --tensor-type PATTERN=TYPE give tensors whose name matches PATTERN (a regex) TYPE, e.g.\n"
            "                             --tensor-type 'attn_v\\.weight=q8_0'; repeatable, first match wins\n"
            "  --imatrix FILE             weight rounding errors by an importance matrix (llama.cpp format)\n"
            "  --allow-requantize         accept an already-quantized input (quality suffers)\n"
            "  --min-error                keep, block by block, the best of several searches (llama-quantize's\n"
            "                             among them): a lower RMSE than llama-quantize, though not always a\n"
            "                             lower perplexity (bench/QUANT-RESULTS.md). Default: llama-quantize's\n"
            "                             algorithms, byte for byte\n"
            "  -q, --quiet                no per-tensor progress\n");
}

static int fail(const char *msg) {
    fprintf(stderr, "mote quantize: %s\n", msg);
    return 1;
}

int cmd_quantize(int argc, char **argv) {
    const char *pos[3] = {NULL, NULL, NULL};
    int n_pos = 0;
    mote_quantize_params p = {.n_threads = 4, .log = stdout};
    mote_tensor_type_override ov[MAX_OVERRIDES];
    const char *imatrix_path = NULL;
    char msg[512];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            quantize_usage(stdout);
            return 0;
        } else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) {
            char *end;
            if (i + 1 >= argc) return fail("-t needs a number of threads");
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 64) return fail("-t needs a number of threads between 1 and 64");
            p.n_threads = (int)v;
        } else if (!strcmp(a, "--pure")) {
            p.pure = true;
        } else if (!strcmp(a, "--min-error")) {
            p.min_error = true;
        } else if (!strcmp(a, "--allow-requantize")) {
            p.allow_requantize = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            p.log = NULL;
        } else if (!strcmp(a, "--imatrix")) {
            if (i + 1 >= argc) return fail("--imatrix needs a file");
            imatrix_path = argv[++i];
        } else if (!strcmp(a, "--tensor-type")) {
            if (i + 1 >= argc) return fail("--tensor-type needs PATTERN=TYPE");
            char *spec = argv[++i];
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
        } else if (a[0] == '-' && a[1]) {
            snprintf(msg, sizeof msg, "unknown option '%s' (see mote quantize --help)", a);
            return fail(msg);
        } else if (n_pos < 3) {
            pos[n_pos++] = a;
        } else {
            snprintf(msg, sizeof msg, "unexpected argument '%s'", a);
            return fail(msg);
        }
    }
    if (n_pos < 3) {
        quantize_usage(stderr);
        return 2;
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
        if (p.log) fprintf(p.log, "importance matrix: %lld tensors from %s\n", (long long)mote_imatrix_count(im), imatrix_path);
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
    int st = mote_quantize_model(pos[0], pos[1], &p);
    mote_imatrix_free(im);
    if (st != MOTE_OK) return fail(mote_last_error());
    return 0;
}
