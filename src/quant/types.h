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
 *   vec_dot_multi(n, w, x, x_stride, y, y_stride)   (mote_vec_dot_multi(type))
 *                             optional (NULL: callers loop over vec_dot): the
 *                             MOTE_DOT_COLS dot products of one weight row w
 *                             with the activation rows x + c * x_stride (bytes),
 *                             c < MOTE_DOT_COLS, into y[c * y_stride]; each
 *                             weight block is read and unpacked once for all
 *                             of them (batched prefill). Same integer sums as
 *                             vec_dot; only the float summation order may differ.
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
#define MOTE_DOT_COLS 4
typedef void (*mote_vec_dot_multi_fn)(int64_t n, const void *w, const void *x, size_t x_stride, float *y,
                                      size_t y_stride);

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

/* A type's vec_dot_multi (see above), or NULL. Kept beside the table rather
 * than in it so the table's entries stay short. */
mote_vec_dot_multi_fn mote_vec_dot_multi(int type);

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
/* Install a type's vec_dot_multi (same rule as above). */
void mote_traits_install_multi(int type, mote_vec_dot_multi_fn vec_dot_multi);

#endif
