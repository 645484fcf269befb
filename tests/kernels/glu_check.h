/*
 * glu_check.h — a kernel set's glu_silu (quant/simd.h) against engine/ops.c's
 * portable form, bit for bit, for targets without cmocka
 * (tests/cross/kernel_check.c under qemu; tests/unit/test_glu.c is the
 * native test of the set in use).
 */
#ifndef MOTE_TESTS_GLU_CHECK_H
#define MOTE_TESTS_GLU_CHECK_H

#include "quant/simd.h"

/* Elements whose bits differ (nan against nan counts as equal); *checked
 * gets the number compared (0: the set has no glu_silu). */
int glu_check_set(const mote_kernel_set *set, int *checked);

#endif
