/*
 * types.h — the traits table: every weight type described once.
 *
 * For each GGML type id: its name, block geometry and the kernels that read
 * and write it. Code elsewhere never switches on a type; it asks the table.
 * A NULL kernel means mote cannot (yet) compute with that type, and callers
 * report that as MOTE_ERR_UNSUPPORTED naming the type.
 *
 * Kernel contracts (n is always a whole number of blocks):
 *   to_float(src, dst, n)     dequantize n values exactly as GGML reads them.
 *   from_float(src, dst, n)   reference quantizer (no importance weights).
 *   vec_dot(n, w, x)          dot product of n weights of this type with n
 *                             activations already converted to vec_dot_type.
 */
#ifndef MOTE_QUANT_TYPES_H
#define MOTE_QUANT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mote.h"

typedef void (*mote_to_float_fn)(const void *src, float *dst, int64_t n);
typedef void (*mote_from_float_fn)(const float *src, void *dst, int64_t n);
typedef float (*mote_vec_dot_fn)(int64_t n, const void *w, const void *x);

typedef struct {
    const char *name;       /* as llama.cpp prints it */
    int64_t block_size;     /* elements per block */
    size_t block_bytes;     /* bytes per block */
    bool quantized;
    mote_to_float_fn to_float;
    mote_from_float_fn from_float;
    int vec_dot_type;       /* activations are converted to this type for vec_dot */
    mote_vec_dot_fn vec_dot;
} mote_type_traits;

/*
 * Panel kernels (optional, mote_panel(type); NULL: batched products loop
 * over vec_dot). For a prompt, `rows` weight rows are first repacked into a
 * panel (unpacked and interleaved so that one SIMD register holds a few
 * weights of every row), once per product, in scratch memory; then every
 * group of up to `cols` activation rows is multiplied with the whole panel
 * at once: each activation load serves all rows and the rows' sums sit in
 * separate lanes, so no horizontal sums. The geometry belongs to each
 * kernel (AVX2: 8 x 4, AVX-512: 16 x 8), at most MOTE_PANEL_MAX_ROWS x
 * MOTE_PANEL_MAX_COLS.
 *   act_row_bytes(n)          bytes of one activation row in the kernels'
 *                             own format (n values);
 *   act_from_float(x, dst, n) convert one activation row to that format:
 *                             the same quants and scales as vec_dot_type's
 *                             reference from_float, plus whatever per-block
 *                             extras the kernel wants (block sums, float d);
 *   panel_bytes(n)            bytes of one panel of rows of n weights, a
 *                             multiple of 64 (panels are 64-byte aligned);
 *   pack(n, w, w_stride, nrows, panel)   repack nrows (1..rows) weight rows
 *                             at w + r * w_stride (bytes); the rows after
 *                             them read as zero weights;
 *   gemm(n, panel, x, x_stride, ncols, y, y_stride)   for c < ncols (1..
 *                             cols) and r < rows:
 *                             y[c * y_stride + r] = dot(panel row r, the
 *                             activation row at x + c * x_stride (bytes));
 *   rows, cols                the geometry.
 * Same contract as vec_dot: the same integer sums, only the float order of
 * summation may differ.
 */
#define MOTE_PANEL_MAX_ROWS 16
#define MOTE_PANEL_MAX_COLS 8
typedef struct {
    size_t (*act_row_bytes)(int64_t n);
    void (*act_from_float)(const float *x, void *dst, int64_t n);
    size_t (*panel_bytes)(int64_t n);
    void (*pack)(int64_t n, const void *w, size_t w_stride, int rows, void *panel);
    void (*gemm)(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,
                 size_t y_stride);
    int rows, cols;
    /* Stored layouts only (NULL otherwise): write row r (0..rows-1)
     * of a panel back in its GGUF bytes (mote_row_size(type, n)), exactly
     * what pack read; lets a token embedding table be stored once, as panels. */
    void (*unpack)(int64_t n, const void *panel, int r, void *row);
} mote_panel_kernels;

/* A type's panel kernels, or NULL. */
const mote_panel_kernels *mote_panel(int type);

/* Stored panels (optional, mote_stored_panel(type)): the same five kernels,
 * for a panel layout compact enough to keep. The model loader repacks each
 * matrix of such a type once, `rows` rows at a time, into panels of
 * panel_bytes(n) each (the bytes of the rows they replace, no 64-byte rule:
 * panels follow each other), and every product, one token or many, runs
 * gemm on them in place; the GGUF rows are not read again. */
const mote_panel_kernels *mote_stored_panel(int type);

/* True when a type's stored layout comes from a lower kernel set than its
 * panel kernels (dispatch.c): single tokens and short batches use the
 * stored panels, but a long batch (a prompt) is faster in the higher set's
 * panels, which engine/matmul.c fills from the stored rows (unpack). */
bool mote_stored_panel_outranked(int type);

/* Traits of a type id, or NULL for an id mote does not know. The kernels
 * are the fastest this CPU has (see mote_kernels_init); call them through
 * the table, never by name, so SIMD versions are picked up. */
const mote_type_traits *mote_traits(int type);

/* Kernel dispatch (dispatch.c): choose, once, the fastest kernels this CPU
 * supports and install them in the table. Safe to call any number of times
 * from any thread; mote_traits() calls it, so callers need not. */
void mote_kernels_init(void);
/* Replace a type's kernels (a NULL argument keeps the current one). Only for
 * mote_kernels_init: the replacement must compute the same results as the
 * reference kernel it replaces (tested against it). */
void mote_traits_install(int type, mote_to_float_fn to_float, mote_from_float_fn from_float,
                         mote_vec_dot_fn vec_dot);
/* Install a type's panel kernels (same rule as above; k must outlive the
 * process; kernels whose geometry lies outside 1..MOTE_PANEL_MAX_* are ignored). */
void mote_traits_install_panel(int type, const mote_panel_kernels *k);
void mote_traits_install_stored_panel(int type, const mote_panel_kernels *k);
void mote_traits_set_stored_outranked(int type, bool outranked);

#endif
