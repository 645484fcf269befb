/*
 * simd.h — the instruction-set kernel sets, and how dispatch finds them.
 *
 * Each instruction set (AVX2, NEON, NEON with dot product, ...) contributes a
 * list of faster kernels, one entry per type, in its own directory
 * (src/quant/x86, src/quant/arm). dispatch.c installs, in order, every set
 * this CPU can run, so a later (more specialised) set overrides an earlier
 * one. The tests walk the same lists and compare every entry with the
 * portable reference kernel of its type (kernels.h).
 *
 * Contract of every entry: the same result as the reference kernel it
 * replaces — from_float bit for bit, to_float bit for bit, vec_dot the same
 * integer sums with only the float summation order changed. Kernels may
 * assume what the reference quantizers guarantee of activations: Q8_0/Q8_1
 * and Q8_K quants lie in [-127, 127].
 */
#ifndef MOTE_QUANT_SIMD_H
#define MOTE_QUANT_SIMD_H

#include <stdbool.h>

#include "quant/types.h"

typedef struct {
    int type; /* MOTE_TYPE_*; -1 ends a list */
    mote_to_float_fn to_float;
    mote_from_float_fn from_float;
    mote_vec_dot_fn vec_dot;
} mote_kernel_entry;

typedef struct {
    const char *name;               /* "avx2", "neon", "neon-dotprod" */
    bool (*usable)(void);           /* does this CPU run it? */
    const mote_kernel_entry *entries;
} mote_kernel_set;

/* The kernel sets compiled into this build, in installation order; *count
 * receives their number (possibly 0). Sets the CPU cannot run are listed too:
 * check usable(). */
const mote_kernel_set *mote_kernel_sets(int *count);

/* A type's panel kernels (types.h, mote_panel). */
typedef struct {
    int type; /* -1 ends a list */
    const mote_panel_kernels *kernels;
} mote_panel_entry;

/* The lists themselves, defined by the instruction-set files. */
#if defined(__x86_64__)
extern const mote_kernel_entry mote_avx2_kernels[];
extern const mote_panel_entry mote_avx2_panel_kernels[];  /* installed with the avx2 set */
extern const mote_panel_entry mote_avx2_stored_panels[];  /* installed with the avx2 set */
#endif
#if defined(__aarch64__) || defined(__arm__)
extern const mote_kernel_entry mote_neon_kernels[];
#endif
#if defined(__aarch64__)
extern const mote_kernel_entry mote_neon_dotprod_kernels[];
#endif

#endif
