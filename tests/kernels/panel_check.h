/*
 * panel_check.h — compares the panel kernels and stored panel layouts of a
 * kernel set (src/quant/simd.h, types.h "Panel kernels") with the reference
 * vec_dot of their type, as plain C: the stand-alone cross test program
 * (tests/cross/kernel_check.c, ARM under qemu-user) has no cmocka.
 *
 * Random weight rows of several lengths; full panels and a partial one (the
 * missing rows must read as zero); 1 to `cols` activation rows converted by
 * the panel's own act_from_float, compared with the reference dot of the
 * same rows converted by vec_dot_type's reference from_float. Tolerance:
 * only the float summation order may differ, |panel - ref| <= 2e-5 * sum of
 * |w x| + 1e-6 (the bound of tests/unit/test_panel.c).
 */
#ifndef MOTE_TESTS_PANEL_CHECK_H
#define MOTE_TESTS_PANEL_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "quant/simd.h"
#include "quant/types.h"

/* Check every panel kernel and stored layout of one set (the CPU must run
 * it); failures go to stderr, one line each. Returns their number; the
 * numbers of panel kernels and stored layouts checked go to *panels and
 * *stored. */
int panel_check_set(const mote_kernel_set *set, uint32_t seed, int *panels, int *stored);

/* The same for one type's kernels (set: a name for the messages). */
int panel_check_kernels(const char *set, int type, const mote_panel_kernels *pk, bool stored);

#endif
