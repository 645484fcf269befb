/*
 * stored_repack.h — when a stored panel layout that is not outranked
 * (types.h) is still better repacked into its set's panel kernels: some
 * stored layouts are made for generation (a few tokens per product) and
 * run a long batch slower per token than the unpacked panels, whose
 * per-product repacking a prompt pays back.
 */
#ifndef MOTE_QUANT_STORED_REPACK_H
#define MOTE_QUANT_STORED_REPACK_H

#include <stdint.h>

/* From how many tokens a product with type's installed stored layout is
 * faster repacked into mote_panel(type); 0: never (the stored layout serves
 * every batch, or it is outranked, which engine/matmul.c handles). */
int32_t mote_stored_panel_repack_from(int type);

#endif
