/*
 * quantize_model.h — quantizing a whole GGUF model file (`mote quantize`).
 * src/quantize/ holds this part, the one that reads and writes files; the
 * weight types, their row quantizers and kernels stay in src/quant/.
 *
 * Three steps, each its own file:
 *   quantize_policy.c  which type each tensor gets: the presets users know
 *                      from llama.cpp (Q4_K_M keeps attention V and FFN down
 *                      at higher precision in some layers, the output head at
 *                      Q6_K, norms in F32 ...), overrides, block fallbacks;
 *   imatrix.c          the importance matrix file (llama.cpp's GGUF format);
 *   quantize_model.c   streaming the file through the GGUF writer tensor by
 *                      tensor, rows split across threads.
 */
#ifndef MOTE_QUANTIZE_QUANTIZE_MODEL_H
#define MOTE_QUANTIZE_QUANTIZE_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mote.h"

/* ---- presets ---------------------------------------------------------------- */

/* A quantization preset: its name, llama.cpp's file type number (written as
 * general.file_type) and the type most tensors get. */
typedef struct {
    const char *name;  /* "Q4_K_M" */
    int ftype;         /* LLAMA_FTYPE_* numbering */
    int default_type;  /* mote_type */
} mote_quant_preset;

/* The preset named `name` (case-insensitive, "Q4_K" = "Q4_K_M"), or NULL. */
const mote_quant_preset *mote_quant_preset_find(const char *name);
/* All presets, NULL-name terminated (for help output). */
const mote_quant_preset *mote_quant_presets(void);

/* ---- importance matrix ----------------------------------------------------------- */

/* Per-tensor importance: mean squared activation of each input column
 * (ne[0] values per expert, experts after each other). */
typedef struct mote_imatrix mote_imatrix;

/* Read an imatrix file in llama.cpp's GGUF format (in_sum2 / counts per tensor). */
int mote_imatrix_load(const char *path, mote_imatrix **out);
void mote_imatrix_free(mote_imatrix *im);
/* The importance vector of a tensor (n values written to *n), or NULL. */
const float *mote_imatrix_find(const mote_imatrix *im, const char *tensor, int64_t *n);
int64_t mote_imatrix_count(const mote_imatrix *im);
/* The first dataset it names (GGUF imatrix.datasets), or NULL; the chunks it
 * was computed from (imatrix.chunk_count), 0 if the file does not say. */
const char *mote_imatrix_dataset(const mote_imatrix *im);
int32_t mote_imatrix_chunk_count(const mote_imatrix *im);

/* ---- planning ------------------------------------------------------------------ */

typedef struct {
    const char *pattern;  /* POSIX extended regex, searched in the tensor name */
    int type;
} mote_tensor_type_override;

typedef struct {
    const mote_quant_preset *preset;
    bool pure;                 /* one type for every quantizable tensor */
    bool allow_requantize;     /* accept already-quantized input */
    bool min_error;            /* best-of search: least squared error per block (see quantize.h);
                                * off: exactly llama-quantize's bytes */
    int n_threads;             /* <= 0: 1 */
    const mote_tensor_type_override *overrides;
    int n_overrides;
    const mote_imatrix *imatrix;  /* NULL: none */
    const char *imatrix_file;     /* its path, recorded as quantize.imatrix.file (as llama-quantize does) */
    FILE *log;                 /* progress and notes, NULL for quiet */
    /* Called after each tensor with the weights done so far (NULL: none). */
    void (*progress)(int64_t done, int64_t total, void *user);
    void *progress_user;
    /* Budget mode (quantize_budget.c), on when either is > 0: each tensor's
     * type is chosen for the least predicted error within the budget. */
    double target_bpw;         /* bits per weight over all tensors (as `mote info` counts) */
    uint64_t target_size;      /* bytes of the output file */
} mote_quantize_params;

/* The plan for one tensor. */
typedef struct {
    int64_t index;     /* in the input file */
    int type;          /* output type */
    int wanted;        /* the type the preset chose, before the block fallback */
    bool fallback;     /* wanted != type: the rows did not fit wanted's blocks */
    bool manual;       /* the type came from a --tensor-type override */
} mote_quant_plan_entry;

/* Decide the output type of every tensor of `in`, in output order (llama.cpp's:
 * tensors outside blocks first, then block by block, names sorted). `plan`
 * must hold mote_gguf_n_tensors(in) entries. Fails if a tensor would need
 * requantizing without permission or a type cannot be produced. */
int mote_quantize_plan(const mote_gguf *in, const mote_quantize_params *p, mote_quant_plan_entry *plan);

/* ---- budget mode (quantize_budget.c) ------------------------------------------------ */

/* Re-choose the type of every tensor the plan quantizes (overrides stay) to
 * minimise the predicted error, sum over tensors of the importance-weighted
 * squared rounding error, within p->target_bpw or p->target_size. Writes
 * llama.cpp's "mostly" file type of the resulting mix to *ftype. Fails,
 * naming the reachable range, if the budget is below the smallest mix. */
int mote_quantize_budget(const mote_gguf *in, const mote_quantize_params *p, mote_quant_plan_entry *plan, int *ftype);

/* Quantize the model at in_path into out_path (written under a temporary name
 * and renamed: a failure leaves no output file). */
int mote_quantize_model(const char *in_path, const char *out_path, const mote_quantize_params *p);

#endif
