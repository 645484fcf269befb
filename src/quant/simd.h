/*
 * simd.h — the instruction-set kernel sets, and how dispatch finds them.
 *
 * Each instruction set (AVX2, AVX-512, NEON, NEON with dot product, ...)
 * contributes a kernel set (mote_kernel_set below): lists of faster kernels,
 * one entry per type, in its own directory (src/quant/x86, src/quant/arm),
 * plus its attention and activation functions. dispatch.c holds the table of
 * sets and picks one, once: the best this CPU runs, or the one MOTE_KERNELS
 * names; it installs every set up to that one in order, so a later (more
 * specialised) set overrides an earlier one type by type. The tests walk the
 * same lists and compare every entry with the portable reference kernel of
 * its type (kernels.h).
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

#include "quant/fp16.h"
#include "quant/types.h"

typedef struct {
    int type; /* MOTE_TYPE_*; -1 ends a list */
    mote_to_float_fn to_float;
    mote_from_float_fn from_float;
    mote_vec_dot_fn vec_dot;
} mote_kernel_entry;

/* A type's panel kernels (types.h, mote_panel), or its stored panel layout. */
typedef struct {
    int type; /* -1 ends a list */
    const mote_panel_kernels *kernels;
} mote_panel_entry;

/* Attention of nq <= MOTE_ATTEND_MAX query heads that read the same cached
 * key/value head (engine/attention.c, attend_block; the contract is beside
 * mote_avx2_attend_block in x86/avx2_kernels.h). Every set gives each
 * query the same numbers whatever block it is in. */
#define MOTE_ATTEND_MAX 16
typedef void (*mote_attend_block_fn)(int32_t hd, float scale, int32_t nq, const float *const *q, float *const *out,
                                     const int32_t *lo, const int32_t *hi, const mote_fp16 *key,
                                     const mote_fp16 *val, int64_t stride, float *qh, mote_fp16 *acc);
/* engine/ops.c's mote_glu, bit for bit: silu(gate) * up, and gelu by ops.c's
 * table of f16 results. */
typedef void (*mote_glu_fn)(float *out, const float *gate, const float *up, int64_t n);
typedef void (*mote_glu_table_fn)(float *out, const float *gate, const float *up, int64_t n, const float *table);
/* engine/ops.c's mote_rope_apply, bit for bit: rotate the first n_rot
 * dimensions of each of n_heads heads (head_dim apart) by the cos/sin pairs
 * cs, pairing neighbours, or dimension i with i + n_rot/2 when neox. */
typedef void (*mote_rope_fn)(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cs, bool neox);

/* Everything one instruction set contributes. Lists end with type -1; a
 * NULL list or function contributes nothing (the earlier set's, or the
 * portable code, stays). */
typedef struct {
    const char *name;                   /* "avx2", "avxvnni", "avx512", "neon", "neon-dotprod" */
    bool (*usable)(void);               /* does this CPU run it? */
    const mote_kernel_entry *entries;   /* one-row kernels: converters and vec dots */
    const mote_panel_entry *panels;     /* panel kernels for prompts; geometry in each */
    const mote_panel_entry *stored;     /* stored panel layouts, repacked at load */
    mote_attend_block_fn attend_block;  /* attention over f16 keys/values (no soft-cap, head_dim % 8 == 0) */
    mote_glu_fn glu_silu;
    mote_glu_table_fn glu_gelu_table;
    mote_rope_fn rope;                  /* rotary position embedding of q and k */
} mote_kernel_set;

/* The kernel sets compiled into this build, in installation order (a
 * ladder: each set builds on the ones before it); *count receives their
 * number (possibly 0). Sets the CPU cannot run are listed too: check
 * usable(). */
const mote_kernel_set *mote_kernel_sets(int *count);

/* The kernels in use, chosen once (mote_kernels_init): name is the chosen
 * set's ("ref" for none), each function the last non-NULL one of the sets
 * installed; the lists are not filled in (use mote_traits, mote_panel). */
const mote_kernel_set *mote_kernels_active(void);

/* The lists themselves, defined by the instruction-set files. */
#if defined(__x86_64__)
extern const mote_kernel_entry mote_avx2_kernels[];
extern const mote_panel_entry mote_avx2_panel_kernels[];
extern const mote_panel_entry mote_avx2_stored_panels[];
extern const mote_kernel_entry mote_avxvnni_kernels[];
extern const mote_panel_entry mote_avxvnni_panel_kernels[];
extern const mote_panel_entry mote_avxvnni_stored_panels[];
extern const mote_kernel_entry mote_avx512_kernels[];
extern const mote_panel_entry mote_avx512_panel_kernels[];
extern const mote_panel_entry mote_avx512_stored_panels[];
extern const mote_kernel_entry mote_avx512bf16_kernels[];
extern const mote_panel_entry mote_avx512bf16_panel_kernels[];
#endif
#if defined(__aarch64__) || defined(__arm__)
extern const mote_kernel_entry mote_neon_kernels[];
extern const mote_panel_entry mote_neon_panel_kernels[];
extern const mote_panel_entry mote_neon_stored_panels[];
#if defined(__aarch64__)
/* quant/arm/neon_attention.c and neon_activation.c (AArch64 only; ARMv7
 * keeps the portable loops). */
void mote_neon_attend_block(int32_t hd, float scale, int32_t nq, const float *const *q, float *const *out,
                            const int32_t *lo, const int32_t *hi, const mote_fp16 *key, const mote_fp16 *val,
                            int64_t stride, float *qh, mote_fp16 *acc);
void mote_neon_glu_silu(float *out, const float *gate, const float *up, int64_t n);
#endif
#endif
#if defined(__aarch64__)
extern const mote_kernel_entry mote_neon_dotprod_kernels[];
extern const mote_panel_entry mote_neon_dotprod_panel_kernels[];
extern const mote_panel_entry mote_neon_dotprod_stored_panels[];
#endif

#endif
