/*
 * context.h — the state of one sequence: the KV cache and every activation
 * buffer, allocated once by mote_context_new (sizes below are per step of
 * at most n_batch tokens; "nb" = n_batch).
 *
 * The KV cache stores keys and values as f16: half the memory of f32 (on a
 * small machine the cache is often the largest allocation after the
 * weights) and what llama.cpp stores by default, so the fixtures' logits
 * already carry exactly this rounding.
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
    int32_t n_ctx;          /* positions the cache holds */
    int32_t n_batch;        /* most tokens per forward step */
    int32_t n_past;         /* positions filled */
    int32_t n_threads;
    mote_threadpool *pool;  /* n_threads threads (NULL when 1), created once with the context */
    bool all_logits;        /* logits has nb rows, else 1 */
    mote_rope rope;         /* hp.rope with the factors this context length selects */
    mote_rope rope_swa;

    mote_fp16 *k_cache;     /* (n_layer, n_ctx, n_head_kv * head_dim) */
    mote_fp16 *v_cache;     /* (n_layer, n_ctx, n_head_kv * head_dim) */
    size_t kv_bytes;

    /* activations */
    float *x;               /* (nb, n_embd) residual stream */
    float *xb;              /* (nb, n_embd) normed input of a block / block output */
    float *q;               /* (nb, n_head * head_dim) */
    float *k;               /* (nb, n_head_kv * head_dim) */
    float *v;               /* (nb, n_head_kv * head_dim) */
    float *qkv;             /* (nb, (n_head + 2 n_head_kv) * head_dim) fused projection, phi3 only */
    float *att;             /* (nb, n_head * head_dim) attention output */
    float *ffn_gate;        /* (nb, 2 n_ff): gate (or fused gate|up) */
    float *ffn_up;          /* (nb, n_ff) */
    float *attn_q;          /* (n_threads, MOTE_ATTN_SCRATCH(head_dim)): per thread, the query heads
                               attention walks together, rounded to f16 precision, then (as f16)
                               their running sums of weighted values */
    float *rope_cs;         /* (nb, n_rot) cos/sin pairs per token, global layers */
    float *rope_cs_swa;     /* (nb, n_rot) same for sliding-window layers */
    float *logits;          /* (all_logits ? nb : 1, n_vocab) */
    void *scratch;          /* activations converted for vec_dot (mote_matmul) */
    void *arena;            /* one allocation holding all the above but the cache */
    size_t mem_bytes;       /* arena + cache */
};

/* Run the model on n <= n_batch tokens at positions n_past.., writing them
 * to the cache; logits for every token (all) or only the last (!all), or
 * none (want_logits false). Advances n_past. No checks: mote_decode does them. */
void mote_forward(mote_context *c, const int32_t *tokens, int32_t n, bool want_logits, bool all);

#endif
