/*
 * simd_check.h — compares every kernel of every instruction-set kernel set
 * (src/quant/simd.h) with the portable reference of its type (kernels.h).
 *
 * Plain C with no test framework, so the same checks run in the cmocka unit
 * test on x86 (tests/unit/test_simd_kernels.c) and in the stand-alone program
 * cross-compiled for ARM and run under qemu (tests/cross/).
 *
 *   from_float, to_float   bit-identical output bytes
 *   vec_dot                |simd - ref| <= eps * (4 + blocks) * sum|w_i x_i|,
 *                          the float-reordering bound; an integer error of one
 *                          unit is far above it for short rows, which are
 *                          tested alongside long ones.
 */
#ifndef MOTE_TESTS_SIMD_CHECK_H
#define MOTE_TESTS_SIMD_CHECK_H

#include <stdint.h>

#include "quant/simd.h"

/* Check every entry of one kernel set (the CPU must run it). Failures are
 * printed to stderr, one line each; returns their number. */
int simd_check_set(const mote_kernel_set *set, uint32_t seed);

/* Check one weight row of `type` (n weights) against random activations with
 * the kernels of `set` (if it has a vec_dot for the type). Returns 0 or 1. */
int simd_check_row(const mote_kernel_set *set, int type, const void *row, int64_t n, uint32_t seed,
                   const char *what);

/* Check the vec dots of the 256-weight super-block types of `set` on
 * deliberately extreme rows (largest fp16 scales, huge activations, terms
 * that cancel only in the total) that the reference sums to a finite value:
 * the kernel must too, within the usual tolerance. *checked receives the
 * number of kernels checked. Returns the number of failures. */
int simd_check_extreme_rows(const mote_kernel_set *set, int *checked);

/* The reference vec_dot kernel of a type (NULL if none); for benchmarks. */
mote_vec_dot_fn simd_reference_vec_dot(int type);
mote_from_float_fn simd_reference_from_float(int type);

#endif
