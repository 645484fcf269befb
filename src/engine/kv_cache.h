/*
 * kv_cache.h — how one row of the KV cache is stored: f16 (the default, what
 * llama.cpp keeps and what the fixtures' logits carry) or a 32-element block
 * type (q8_0, q4_0 ... the types llama.cpp's -ctk/-ctv take) for a smaller
 * cache on a small machine. A row is the keys (or values) of all KV heads of
 * one cell of one layer: n_head_kv * head_dim elements.
 *
 * Attention reads f16: a quantized cache is widened, one KV head's rows at a
 * time, into per-thread f16 scratch (kv_head_rows_f16) and the same kernels
 * run on that, so the reference and AVX2 paths read quantized caches alike.
 */
#ifndef MOTE_ENGINE_KV_CACHE_H
#define MOTE_ENGINE_KV_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quant/fp16.h"

/* MOTE_OK if rows of n elements can be cached as `type`, else the error
 * (set with a one-line message naming the type and what it takes). */
int kv_type_check(int type, int64_t n, const char *which);

/* Bytes of one row of n elements stored as `type` (checked by kv_type_check). */
size_t kv_row_bytes(int type, int64_t n);

/* Store n floats into one cached row / read one back as floats. */
void kv_row_store(int type, const float *src, void *dst, int64_t n);
void kv_row_load(int type, const void *src, float *dst, int64_t n);

/* Widen elements [from, from + count) of `rows` cached rows of `type`
 * (row_bytes apart, the first at src) to f16, `count` apart at dst.
 * count <= KV_MAX_HEAD. */
#define KV_MAX_HEAD 1024
void kv_head_rows_f16(int type, const uint8_t *src, size_t row_bytes, int64_t from, int32_t count, int32_t rows,
                      mote_fp16 *dst);

#endif
