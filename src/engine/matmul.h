/*
 * matmul.h — the one matrix product of the engine: y[t] = W x[t] for a
 * batch of token rows, W used in place in its stored type.
 *
 * Contract, so that later work (blocked GEMM, SIMD) can change how without
 * changing what:
 *   - x is n_tokens rows of W->n_in floats, y is n_tokens rows of W->n_out
 *     floats (contiguous, no aliasing);
 *   - each row of x is converted once to the weight type's vec_dot_type
 *     (via that type's from_float) into `scratch`, which holds at least
 *     mote_matmul_scratch_bytes(W, n_tokens, n_threads) bytes, n_threads
 *     the pool's size (1 without a pool), 64-byte aligned;
 *   - y[t][r] = traits->vec_dot(n_in, row r of W, converted x[t]);
 *     output rows are independent, so any split of r across threads gives
 *     the same numbers: results do not depend on the thread count.
 *
 * Threads: with a pool, conversion is split by token row and the product
 * by contiguous ranges of output rows (one range per thread, so each thread
 * streams its own part of W once). A NULL pool runs on the caller.
 */
#ifndef MOTE_ENGINE_MATMUL_H
#define MOTE_ENGINE_MATMUL_H

#include <stddef.h>

#include "core/threadpool.h"
#include "model/model.h"

size_t mote_matmul_scratch_bytes(const mote_weight *w, int32_t n_tokens, int n_threads);
void mote_matmul(mote_threadpool *tp, const mote_weight *w, const float *x, float *y, int32_t n_tokens,
                 void *scratch);

/* mote_matmul for another matrix on the same input: the caller promises
 * that x and scratch are unchanged since the last product on this thread
 * (q, k and v of one normed input; gate and up). When that product
 * converted x the same way (same conversion, row length, token count and
 * scratch), its converted rows are used again instead of converting x
 * once more; otherwise this is mote_matmul. Same numbers either way. */
void mote_matmul_same_input(mote_threadpool *tp, const mote_weight *w, const float *x, float *y, int32_t n_tokens,
                            void *scratch);

/* An observer sees every product's weight and input rows before it runs
 * (`mote imatrix` collects activation statistics this way). It is per
 * thread: set it on the thread that runs the forward pass; NULL removes it. */
typedef void (*mote_matmul_observer)(const mote_weight *w, const float *x, int32_t n_tokens, void *user);
void mote_matmul_set_observer(mote_matmul_observer fn, void *user);

#endif
