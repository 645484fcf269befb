/*
 * forward_parts.h — the steps of the forward pass that depend on an
 * architecture's variation points (model/loader.h): learned positions and
 * token types, biases, pre- or post-norms of either kind, the attention
 * sub-norm, the ungated MLP. forward.c calls them; each is a no-op (or the
 * plain operation) for families that do not declare the variation, so the
 * others compute exactly what they did before.
 */
#ifndef MOTE_ENGINE_FORWARD_PARTS_H
#define MOTE_ENGINE_FORWARD_PARTS_H

#include <stdint.h>

#include "engine/context.h"

/* Add to one token's embedding row what the family adds (token type 0,
 * the learned row of position `pos`), then its embedding norm; tmp holds
 * n_embd floats of scratch. */
void mote_embed_extras(const mote_model *m, float *row, int32_t pos, float *tmp);

/* y = W x (+ W's bias) for n token rows. */
void mote_linear(mote_context *c, const mote_weight *w, const float *x, float *y, int32_t n);
/* The same, right after a mote_linear on the same unchanged x: x converted
 * once serves both (engine/matmul.h, mote_matmul_same_input). */
void mote_linear_same_input(mote_context *c, const mote_weight *w, const float *x, float *y, int32_t n);

/* Token t's row: xb = norm(x) with weight w and bias b, or xb = x when w
 * is NULL (post-norm families have no norm before a block). */
void mote_block_input_row(mote_context *c, const float *w, const float *b, int32_t t);

/* xb = wo(att), with the attention sub-norm first if the layer has one. */
void mote_attention_output(mote_context *c, const mote_layer *l, int32_t n);

/* Token t's row: x = norm(x) when w is set (BERT's norms after each residual add). */
void mote_post_norm_row(mote_context *c, const float *w, const float *b, int32_t t);

/* The ungated MLP's activation: act(ffn_up(in)), n rows of n_ff (n at most
 * the context's ffn_rows); returns where it is (the down projection reads it). */
float *mote_plain_activation(mote_context *c, const mote_layer *l, const float *in, int32_t n);

#endif
