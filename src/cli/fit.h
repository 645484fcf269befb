/*
 * fit.h — the memory arithmetic of `mote fit`, shared with `mote info`'s
 * memory line: what a model's weights, KV cache and buffers take, and the
 * largest context that fits a budget. Only the public API (estimates from
 * mote_context_estimate on a model loaded without repacking).
 */
#ifndef MOTE_CLI_FIT_H
#define MOTE_CLI_FIT_H

#include <stdint.h>
#include <stdio.h>

#include "mote.h"

/* Open a model for its sizes only (no repacking, no memory check); NULL
 * after a message "mote CMD: ..." on stderr. */
mote_model *fit_open(const char *cmd, const char *path);

/* Weights + KV cache + buffers of a context of n_ctx tokens with caches
 * type_k / type_v (threads 0: the default); 0 when the estimate fails. */
double fit_total(const mote_model *m, int32_t n_ctx, int type_k, int type_v);

/* The largest context (at most the model's trained length) whose total is
 * within `budget` bytes; 0 if not even one token fits. */
int32_t fit_largest_context(const mote_model *m, double budget, int type_k, int type_v);

/* One line for `mote info`: weights, KV cache per token (f16, q8_0, q4_0),
 * cache and buffers at the default context (the same on every machine:
 * what fits the memory there is `mote fit`'s). */
void fit_info_line(const mote_model *m, FILE *out);

#endif
