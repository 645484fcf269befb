/*
 * attention.h — causal self-attention of a step's tokens over the KV cache.
 */
#ifndef MOTE_ENGINE_ATTENTION_H
#define MOTE_ENGINE_ATTENTION_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/context.h"

/* Query heads (of one GQA group and/or consecutive tokens) that attention
 * walks over their shared keys and values together: as many as the kernel
 * sets take (the AVX-512 kernel fills its 16 lanes with them; each key and
 * value row is widened once per block). */
#define MOTE_ATTN_QUERIES 16
/* Per-thread scratch (floats) for heads of head_dim hd: the block's queries
 * rounded to f16 precision and their f16 accumulators. */
#define MOTE_ATTN_SCRATCH(hd) ((size_t)MOTE_ATTN_QUERIES * 2 * (size_t)(hd))

/* Build the tables attention uses (once per process; thread-safe). */
void mote_attention_init(void);

/* att[t] = softmax(q[t] . K^T * attn_scale) V for the n tokens of the step
 * (token t at position tok_pos[t] of sequence tok_seq[t]), over that
 * sequence's positions 0..pos in layer il, or only the n_swa most recent
 * ones when `swa`; for a model that is not causal (hp.causal false: BERT)
 * over all of that sequence's positions, the step's included. K and V must
 * already hold the step's own keys and values. */
void mote_attention(mote_context *c, bool swa, int32_t il, int32_t n);

#endif
