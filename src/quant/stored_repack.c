/*
 * stored_repack.c — see stored_repack.h: the stored layouts that a long
 * batch repacks, each with the token count from which that pays, measured
 * beside its kernels.
 */
#include "quant/stored_repack.h"

#include <stddef.h>

#include "quant/types.h"
#if defined(__x86_64__)
#include "quant/x86/avx512_kernels.h"
#endif

typedef struct {
    const mote_panel_kernels *stored;
    int32_t from_tokens;
} crossover;

/* AVX-512 products of the AVX2 k-quant layout (avx512_stored_kquants.c)
 * against the unpacked AVX-512 panels (avx512_panel_kquants.c) repacked
 * from the stored rows at every product. Measured 2026-12-04 on one core of
 * an AVX-512 Zen (busy machine), 2048 x 512 matrices in cache, 8 tokens per
 * call: stored Q4_K ~250 GMAC/s against the panels' ~260-290 plus a repack
 * costing about 16 tokens of their products (break-even past 140 tokens);
 * stored Q6_K ~180 against ~280 plus about 9 tokens' repack (break-even ~21).
 * The repack from stored rows also unpacks them first, so the counts are set
 * above those. Q5_K (not measured) unpacks more than Q4_K per code vector:
 * set between the two. */
static const crossover crossovers[] = {
#if defined(__x86_64__)
    {&mote_avx512_stored_q4_K, 160},
    {&mote_avx512_stored_q5_K, 64},
    {&mote_avx512_stored_q6_K, 32},
#endif
    {NULL, 0},
};

int32_t mote_stored_panel_repack_from(int type) {
    const mote_panel_kernels *k = mote_stored_panel(type);
    if (!k || mote_stored_panel_outranked(type)) return 0;
    const mote_panel_kernels *panels = mote_panel(type);
    if (!panels || panels == k) return 0;
    for (const crossover *c = crossovers; c->stored; c++)
        if (c->stored == k) return c->from_tokens;
    return 0;
}
