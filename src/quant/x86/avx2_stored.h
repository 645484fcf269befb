/*
 * avx2_stored.h — what the AVX2 stored-panel files (avx2_stored_*.c) share:
 * the activation row format of the 32-weight block types (Q4_0, Q8_0), made
 * once by avx2_stored_q4_0.c and read by both. Included only by files
 * compiled with the AVX2 flags.
 */
#ifndef MOTE_QUANT_X86_AVX2_STORED_H
#define MOTE_QUANT_X86_AVX2_STORED_H

#include <stddef.h>
#include <stdint.h>

/* One block of 32 activations: the q8_0 reference's quants and scale. */
typedef struct {
    float d;       /* the q8_0 block's fp16 scale, widened */
    int32_t s8;    /* 8 * sum of qs (Q4_0's offset of 8, taken off in integers) */
    int8_t qs[32];
} mote_avx2_stored_act;

/* Bytes of a row of n activations, and its conversion (types.h act_row_bytes, act_from_float). */
size_t mote_avx2_stored_act_row_bytes(int64_t n);
void mote_avx2_stored_act_from_float(const float *x, void *dst, int64_t n);

#endif
