/*
 * attention_check.h — a kernel set's attend_block (quant/simd.h) against the
 * single-query arithmetic written out in scalar C, for targets without
 * cmocka (tests/cross/kernel_check.c under qemu).
 */
#ifndef MOTE_TESTS_ATTENTION_CHECK_H
#define MOTE_TESTS_ATTENTION_CHECK_H

#include "quant/simd.h"

/* One query over rows lo..hi-1 of key/val (rows `stride` elements apart),
 * alone, written out in scalar C (hd <= 256, a multiple of 8): the
 * arithmetic every set's attend_block must give bit for bit. */
void attention_single_query(int32_t hd, float scale, const float *q, const mote_fp16 *key, const mote_fp16 *val,
                            int64_t stride, int32_t lo, int32_t hi, float *out);

/* Runs set->attend_block (if any) over blocks of 1..MOTE_ATTEND_MAX queries
 * with several key-range patterns, head sizes and value magnitudes; returns
 * the number of queries whose result differs in any bit from the reference,
 * and sets *checked to the number compared (0: the set has none). */
int attention_check_set(const mote_kernel_set *set, int *checked);

#endif
