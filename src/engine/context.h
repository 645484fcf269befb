/*
 * context.h — the state of up to n_seq sequences: the KV cache and every
 * activation buffer, allocated once by mote_context_new (sizes below are
 * per forward step of at most n_ubatch tokens; "nb" = n_ubatch).
 *
 * The cache's n_ctx cells are split into n_seq regions of seq_cap cells;
 * sequence s keeps position p at cell s * seq_cap + p (see mote.h).
 *
 * The KV cache stores keys and values as f16 by default: half the memory of
 * f32 (on a small machine the cache is often the largest allocation after
 * the weights) and what llama.cpp stores by default, so the fixtures' logits
 * already carry exactly this rounding. Keys and values may each be stored
 * in a 32-element block type instead (q8_0, q4_0 ...: kv_cache.h), read
 * through per-thread f16 scratch.
 */
#ifndef MOTE_ENGINE_CONTEXT_H
#define MOTE_ENGINE_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/threadpool.h"
#include "model/model.h"
#include "quant/fp16.h"

struct mote_context {
    mote_model *model;
    int32_t n_ctx;          /* cells of the cache, all sequences together */
    int32_t n_batch;        /* most tokens per call (mote_decode, mote_decode_batch) */
    int32_t n_ubatch;       /* most tokens per forward step: a call of more runs as several
                               (micro-batches), so the activations are sized for this many */
    int32_t n_seq;          /* sequences */
    int32_t seq_cap;        /* cells per sequence: n_ctx / n_seq */
    int32_t *seq_len;       /* (n_seq) tokens each sequence holds */
    int32_t n_threads;
    mote_threadpool *pool;  /* the process's shared pool of n_threads threads (NULL when 1) */
    bool all_logits;        /* logits has room for n_batch rows */
    int32_t logits_cap;     /* rows of logits: max(n_batch, n_seq) with all_logits, else n_seq */

    /* the step being evaluated (set by the caller of mote_forward) */
    int32_t *tok_seq;       /* (nb) sequence of each token */
    int32_t *tok_pos;       /* (nb) position of each token in its sequence */
    int32_t *tok_out;       /* (nb) its row in logits, or -1 when its logits are not wanted */
    int32_t *step_tokens;   /* (nb) the token ids of the step (mote_decode_batch) */
    int32_t *seq_scratch;   /* (n_seq) mote_decode_batch's checks: lengths the batch would leave */
    bool *seq_seen;         /* (n_seq) and which sequences it has met */
    mote_rope rope;         /* hp.rope with the factors this context length selects */
    mote_rope rope_swa;

    uint8_t *k_cache;       /* (n_layer, n_ctx) rows of n_head_kv * head_dim keys, k_row_bytes each */
    uint8_t *v_cache;       /* (n_layer, n_ctx) rows of values, v_row_bytes each */
    int type_k, type_v;     /* MOTE_TYPE_F16, or a block type (kv_cache.h) */
    size_t k_row_bytes, v_row_bytes;
    size_t kv_bytes;
    mote_fp16 *kv_f16;      /* (n_threads, 2, n_ctx, head_dim) one KV head's keys and values widened
                               to f16 for attention, when either is quantized; else NULL */

    /* activations */
    float *x;               /* (nb, n_embd) residual stream */
    float *xb;              /* (nb, n_embd) normed input of a block / block output */
    float *q;               /* (nb, n_head * head_dim) */
    float *k;               /* (nb, n_head_kv * head_dim) */
    float *v;               /* (nb, n_head_kv * head_dim) */
    float *qkv;             /* (nb, (n_head + 2 n_head_kv) * head_dim) fused projection; empty without one */
    float *att;             /* (nb, n_head * head_dim) attention output */
    int32_t ffn_rows;       /* tokens per feed-forward chunk: ffn_gate and ffn_up hold that many rows */
    float *ffn_gate;        /* (ffn_rows, n_ff) gate, (ffn_rows, 2 n_ff) fused gate|up, empty without a gate;
                             * shares its memory with q, k, v, qkv and att (context.c) */
    float *ffn_up;          /* (ffn_rows, n_ff) */
    float *attn_q;          /* (n_threads, MOTE_ATTN_SCRATCH(head_dim)): per thread, the query heads
                               attention walks together, rounded to f16 precision, then (as f16)
                               their running sums of weighted values */
    float *rope_cs;         /* (nb, n_rot) cos/sin pairs per token, global layers */
    float *rope_cs_swa;     /* (nb, n_rot) same for sliding-window layers */
    float *logits;          /* (logits_cap, n_vocab) */
    void *scratch;          /* activations converted for vec_dot (mote_matmul) */
    void *arena;            /* one allocation holding all the above but the cache */
    size_t mem_bytes;       /* arena + cache */
};

/* Run the model on n <= n_ubatch tokens; token t belongs to sequence
 * tok_seq[t] at position tok_pos[t] (cells of earlier positions of that
 * sequence must hold its keys and values); its keys and values are written
 * to its cell, and its logits to row tok_out[t] when that is >= 0 (the rows
 * wanted must be consecutive, in token order). Does not change seq_len.
 * No checks: mote_decode and mote_decode_batch do them. */
void mote_forward(mote_context *c, const int32_t *tokens, int32_t n);

#endif
