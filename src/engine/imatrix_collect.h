/*
 * imatrix_collect.h — computing an importance matrix (`mote imatrix`): run a
 * model over a calibration text and, for every weight matrix, sum the
 * squares of each input column's activations, as llama-imatrix does; save
 * the sums in llama.cpp's imatrix GGUF format (which src/quantize/imatrix.c
 * reads back, as does llama-quantize).
 */
#ifndef MOTE_ENGINE_IMATRIX_COLLECT_H
#define MOTE_ENGINE_IMATRIX_COLLECT_H

#include <stdbool.h>
#include <stdint.h>

#include "mote.h"

typedef struct mote_imatrix_stats mote_imatrix_stats;

/* Called after each chunk. */
typedef void (*mote_imatrix_progress_fn)(int32_t chunk, int32_t n_chunks, void *user);

/* Cut `tokens` into chunks of the context's n_ctx tokens (at most max_chunks
 * of them if > 0; a short tail is dropped), evaluate each from an empty
 * cache with its first token replaced by `bos` (unless bos < 0), and add the
 * squared inputs of every product with a "blk.*" matrix (and output.weight
 * when with_output) to the statistics. The context needs n_batch >= n_ctx,
 * and all_logits when with_output. *out is new statistics (caller frees). */
int mote_imatrix_collect(mote_context *c, const int32_t *tokens, int64_t n_tokens, int32_t bos, int32_t max_chunks,
                         bool with_output, mote_imatrix_progress_fn progress, void *user, mote_imatrix_stats **out);

/* Called after each chunk with the statistics so far; return false to stop
 * there (after a Ctrl-C, say): the chunks done are kept. */
typedef bool (*mote_imatrix_chunk_fn)(const mote_imatrix_stats *s, int32_t chunk, int32_t n_chunks, void *user);

/* As mote_imatrix_collect, but adding to *stats: NULL starts new statistics
 * (stored in *stats even on failure, for the caller to free); statistics
 * read back by mote_imatrix_stats_load continue after the chunks they hold
 * (same chunk length required). max_chunks counts all chunks, earlier ones
 * included. */
int mote_imatrix_collect_more(mote_context *c, const int32_t *tokens, int64_t n_tokens, int32_t bos,
                              int32_t max_chunks, bool with_output, mote_imatrix_chunk_fn on_chunk, void *user,
                              mote_imatrix_stats **stats);

/* Read back what mote_imatrix_stats_save wrote (one matrix per tensor), to
 * continue it (`mote imatrix --resume`). */
int mote_imatrix_stats_load(const char *path, mote_imatrix_stats **out);

/* Matrices with statistics, and one of them by name (NULL if absent):
 * sums of squared activations (n_in values) and the number of rows seen. */
int64_t mote_imatrix_stats_count(const mote_imatrix_stats *s);
/* Chunks the statistics were gathered from. */
int32_t mote_imatrix_stats_n_chunks(const mote_imatrix_stats *s);
const double *mote_imatrix_stats_find(const mote_imatrix_stats *s, const char *name, int64_t *n_in, int64_t *count);

/* Write llama.cpp's imatrix GGUF: general.type "imatrix", imatrix.datasets,
 * imatrix.chunk_count, imatrix.chunk_size, and per matrix W (names sorted)
 * F32 tensors "W.in_sum2" [n_in] and "W.counts" [1]. Written to a temporary
 * name and renamed. */
int mote_imatrix_stats_save(const mote_imatrix_stats *s, const char *path, const char *const *datasets, int n_datasets);

void mote_imatrix_stats_free(mote_imatrix_stats *s);

#endif
