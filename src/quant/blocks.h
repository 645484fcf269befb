/*
 * blocks.h — the byte layout of every quantized block mote computes with.
 *
 * These are the GGML on-disk layouts (GGUF stores blocks exactly like this,
 * little-endian, packed with no padding); the static assertions pin the
 * sizes to the traits table. A row of n weights is n / QK consecutive blocks.
 *
 * Notation: d = scale (fp16 unless noted), m/dmin = minimum (offset),
 * qs = low bits of the quants, qh = high bits, scales = per-sub-block scales.
 */
#ifndef MOTE_QUANT_BLOCKS_H
#define MOTE_QUANT_BLOCKS_H

#include <assert.h>
#include <stdint.h>

#include "quant/fp16.h"

#define QK4_0 32
#define QK4_1 32
#define QK5_0 32
#define QK5_1 32
#define QK8_0 32
#define QK8_1 32
#define QK4_NL 32
#define QK_K 256
#define K_SCALE_SIZE 12

/* ---- 32-element blocks: x = d * q (+ m) ---------------------------------- */

typedef struct { mote_fp16 d; uint8_t qs[QK4_0 / 2]; } block_q4_0;             /* q in 0..15, x = d*(q-8) */
typedef struct { mote_fp16 d, m; uint8_t qs[QK4_1 / 2]; } block_q4_1;          /* x = d*q + m */
typedef struct { mote_fp16 d; uint8_t qh[4]; uint8_t qs[QK5_0 / 2]; } block_q5_0; /* 5-bit, x = d*(q-16) */
typedef struct { mote_fp16 d, m; uint8_t qh[4]; uint8_t qs[QK5_1 / 2]; } block_q5_1;
typedef struct { mote_fp16 d; int8_t qs[QK8_0]; } block_q8_0;                  /* x = d*q */
typedef struct { mote_fp16 d, s; int8_t qs[QK8_1]; } block_q8_1;               /* s = d * sum(q) */
typedef struct { mote_fp16 d; uint8_t qs[QK4_NL / 2]; } block_iq4_nl;          /* x = d * mote_iq4_levels[q] */

/* ---- 256-element super-blocks (k-quants, i-quants, ternary) ----------------- */

typedef struct { uint8_t scales[QK_K / 16]; uint8_t qs[QK_K / 4]; mote_fp16 d, dmin; } block_q2_K;
typedef struct { uint8_t hmask[QK_K / 8]; uint8_t qs[QK_K / 4]; uint8_t scales[12]; mote_fp16 d; } block_q3_K;
typedef struct { mote_fp16 d, dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qs[QK_K / 2]; } block_q4_K;
typedef struct { mote_fp16 d, dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qh[QK_K / 8]; uint8_t qs[QK_K / 2]; } block_q5_K;
typedef struct { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; mote_fp16 d; } block_q6_K;
/* Activations for k-quant dot products: float scale, and sums of 16-quant groups. */
typedef struct { float d; int8_t qs[QK_K]; int16_t bsums[QK_K / 16]; } block_q8_K;
typedef struct { mote_fp16 d; uint16_t scales_h; uint8_t scales_l[QK_K / 64]; uint8_t qs[QK_K / 2]; } block_iq4_xs;
/* Ternary: weights in {-1, 0, 1} times d. tq1_0 packs 5 trits per byte (base 3), tq2_0 2 bits each. */
typedef struct { uint8_t qs[(QK_K - 4 * QK_K / 64) / 5]; uint8_t qh[QK_K / 64]; mote_fp16 d; } block_tq1_0;
typedef struct { uint8_t qs[QK_K / 4]; mote_fp16 d; } block_tq2_0;

/* The 16 non-uniform levels of IQ4_NL / IQ4_XS codes (part of the format;
 * denser near zero, where most weights are). Defined once in iq4.c. */
extern const int8_t mote_iq4_levels[16];

static_assert(sizeof(block_q4_0) == 18, "q4_0 layout");
static_assert(sizeof(block_q4_1) == 20, "q4_1 layout");
static_assert(sizeof(block_q5_0) == 22, "q5_0 layout");
static_assert(sizeof(block_q5_1) == 24, "q5_1 layout");
static_assert(sizeof(block_q8_0) == 34, "q8_0 layout");
static_assert(sizeof(block_q8_1) == 36, "q8_1 layout");
static_assert(sizeof(block_iq4_nl) == 18, "iq4_nl layout");
static_assert(sizeof(block_q2_K) == 84, "q2_K layout");
static_assert(sizeof(block_q3_K) == 110, "q3_K layout");
static_assert(sizeof(block_q4_K) == 144, "q4_K layout");
static_assert(sizeof(block_q5_K) == 176, "q5_K layout");
static_assert(sizeof(block_q6_K) == 210, "q6_K layout");
static_assert(sizeof(block_q8_K) == 292, "q8_K layout");
static_assert(sizeof(block_iq4_xs) == 136, "iq4_xs layout");
static_assert(sizeof(block_tq1_0) == 54, "tq1_0 layout");
static_assert(sizeof(block_tq2_0) == 66, "tq2_0 layout");

#endif
