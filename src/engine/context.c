/*
 * context.c — creating contexts (one allocation for the activations, one
 * for the KV cache (f16 or a block type, kv_cache.h), both sized and checked against the machine's memory
 * before anything is allocated). Decoding is in decode.c, the sequences'
 * cache operations in kv_seq.c.
 */
#include "engine/context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "engine/attention.h"
#include "engine/kv_cache.h"
#include "engine/matmul.h"

#define DEFAULT_MAX_CTX 4096
#define DEFAULT_BATCH 512
#define MOTE_UBATCH 128 /* most tokens per forward step of a causal model (micro_batch) */

mote_context_params mote_context_default_params(void) {
    mote_context_params p = {0, 0, 0, false, 1, MOTE_TYPE_F16, MOTE_TYPE_F16};
    return p;
}


/* Largest scratch any matmul of the model needs for nb tokens, and at
 * least one embedding row when the table is stored as panels (forward.c
 * unpacks a row there). */
static size_t scratch_bytes(const mote_model *m, int32_t nb, int n_threads) {
    size_t best = m->output.data ? mote_matmul_scratch_bytes(&m->output, nb, n_threads) : 0;
    if (m->tok_embd.stored && best < m->tok_embd.row_bytes) best = m->tok_embd.row_bytes;
    for (int32_t il = 0; il < m->hp.n_layer; il++) {
        const mote_layer *l = &m->layers[il];
        const mote_weight *ws[] = {&l->wq, &l->wk, &l->wv, &l->wqkv, &l->wo, &l->ffn_gate, &l->ffn_up, &l->ffn_down};
        for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) {
            if (!ws[i]->data) continue;
            size_t b = mote_matmul_scratch_bytes(ws[i], nb, n_threads);
            if (b > best) best = b;
        }
    }
    return best;
}

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

/* Floats per token of the fused q|k|v output: only a model with a fused
 * projection (phi3, gpt2) has one. Per token, at a prompt step of 512
 * tokens every float here is 2 KiB. */
static int64_t qkv_width(const mote_model *m) {
    for (int32_t il = 0; il < m->hp.n_layer; il++)
        if (m->layers[il].wqkv.data) return (int64_t)(m->hp.n_head + 2 * m->hp.n_head_kv) * m->hp.head_dim;
    return 0;
}

/* Floats per token of ffn_gate: the gate, or gate|up of a fused
 * projection; none without a gate (the plain FFN uses ffn_up alone). */
static int64_t ffn_gate_width(const mote_hparams *hp) {
    return hp->ffn == MOTE_FFN_GATED_FUSED ? 2 * (int64_t)hp->n_ff : hp->ffn == MOTE_FFN_GATED ? hp->n_ff : 0;
}

/* The arena's buffers, in the order of the struct's pointers. */
enum { B_X, B_XB, B_Q, B_K, B_V, B_QKV, B_ATT, B_GATE, B_UP, B_ATTN_Q, B_ROPE, B_ROPE_SWA, B_LOGITS, B_SEQ, B_POS,
       B_OUT, N_BUFS };

/* Where each buffer of a context's arena starts, and the arena's size.
 * The attention block's buffers (q, k, v, qkv, att) and the feed-forward
 * block's (gate, up) are never live at the same time (forward.c: the
 * attention output is added to x before the FFN starts, and the FFN's
 * result goes to xb), so the two groups share one region. The FFN then
 * runs in chunks of ffn_rows tokens, as many as fit the region the
 * attention block needs for all nb tokens (at least FFN_MIN_ROWS): on
 * smollm2-135m (a narrow model with a wide FFN) a 512-token step needs
 * 3 MiB of attention buffers and would need 6 MiB of gate and up, about
 * 5 % of its file + KV cache at 16 sequences; two chunks of 256 read each
 * FFN matrix twice per step, a few hundred KiB that stay in cache. */
typedef struct {
    size_t at[N_BUFS];
    size_t scratch_at, total;
    int32_t ffn_rows;
} arena_layout;

#define FFN_MIN_ROWS 64 /* smaller chunks would start costing the FFN's products their panel width */

static arena_layout layout_arena(const mote_model *m, int64_t nb, int n_threads, int64_t logits_cap) {
    const mote_hparams *hp = &m->hp;
    const int64_t n_q = (int64_t)hp->n_head * hp->head_dim, n_kv = (int64_t)hp->n_head_kv * hp->head_dim;
    const int64_t attn_width = 2 * n_q + 2 * n_kv + qkv_width(m), ffn_width = ffn_gate_width(hp) + hp->n_ff;
    int64_t ffn_rows = ffn_width * nb <= attn_width * nb ? nb : attn_width * nb / ffn_width;
    if (ffn_rows < FFN_MIN_ROWS) ffn_rows = nb < FFN_MIN_ROWS ? nb : FFN_MIN_ROWS;
    const size_t floats[N_BUFS] = {
        (size_t)(nb * hp->n_embd), (size_t)(nb * hp->n_embd), (size_t)(nb * n_q), (size_t)(nb * n_kv),
        (size_t)(nb * n_kv), (size_t)(nb * qkv_width(m)), (size_t)(nb * n_q), (size_t)(ffn_rows * ffn_gate_width(hp)),
        (size_t)(ffn_rows * hp->n_ff), MOTE_ATTN_SCRATCH(hp->head_dim) * (size_t)n_threads, (size_t)(nb * hp->n_rot),
        hp->n_swa > 0 ? (size_t)(nb * hp->n_rot) : 0, (size_t)(logits_cap * hp->n_vocab), (size_t)nb, (size_t)nb,
        (size_t)nb,
    };
    arena_layout o = {.ffn_rows = (int32_t)ffn_rows};
    size_t at = 0, attn_end = 0;
    for (int i = 0; i < N_BUFS; i++) {
        if (i == B_GATE) { /* the FFN's group starts where the attention group started */
            attn_end = at;
            at = o.at[B_Q];
        }
        if (i == B_ATTN_Q && at < attn_end) at = attn_end;
        o.at[i] = at;
        at += align64(floats[i] * sizeof(float));
    }
    o.scratch_at = at;
    o.total = at + align64(scratch_bytes(m, (int32_t)nb, n_threads));
    return o;
}

/* Most tokens per forward step for calls of up to nb: a causal model's
 * longer call runs as several equal steps (decode.c), each writing its keys
 * and values before the next attends to them, so the numbers are those of
 * the same tokens in one step wherever the products take the same road
 * (engine/matmul.c: every road is chosen below 64 tokens but Q4_K's
 * repacking, from 160: on q4_k_m files a prompt of 160+ tokens now keeps
 * the stored panels). An encoder's tokens see each other both ways: its
 * text must be one step. The activations grow with the step: on
 * smollm2-135m a step of 512 tokens needs 9.3 MiB besides the logits, 7.7 %
 * of its file + KV cache at 16 sequences of 97 cells (issue #11's
 * 1.1 x (file + KV) memory line: 1.129 x); steps of 128 need ~2.6 MiB
 * (1.083 x with file_pages.c), 256 would leave 1.097 x. Each weight panel
 * still multiplies 128 tokens per read; pp512 at 128 against 512 was within
 * the noise of a loaded machine (2026-12-04, bench/RESULTS.md). */
static int64_t micro_batch(const mote_model *m, int64_t nb) {
    return m->hp.causal && nb > MOTE_UBATCH ? MOTE_UBATCH : nb;
}

/* What a context of parameters p would be: its dimensions and sizes,
 * checked, before anything is allocated. */
typedef struct {
    int64_t n_ctx, nb, ub, n_seq, logits_cap;
    int n_threads, type_k, type_v;
    size_t k_row_bytes, v_row_bytes; /* one cell of one layer */
    double kv_bytes;                 /* the cache */
    double f16_bytes;                /* attention's f16 scratch for a quantized cache */
    double act_bytes;                /* the arena of activations, matmul scratch included */
} context_plan;

static int plan_context(const mote_model *m, const mote_context_params *p, context_plan *o) {
    const mote_hparams *hp = &m->hp;
    int64_t n_ctx = p->n_ctx > 0 ? p->n_ctx : (hp->n_ctx_train < DEFAULT_MAX_CTX ? hp->n_ctx_train : DEFAULT_MAX_CTX);
    if (p->n_ctx < 0) return mote_fail(MOTE_ERR_INVALID_ARG, "context size %d is negative", p->n_ctx);
    if (p->n_batch < 0) return mote_fail(MOTE_ERR_INVALID_ARG, "batch size %d is negative", p->n_batch);
    int64_t nb = p->n_batch > 0 ? p->n_batch : DEFAULT_BATCH;
    if (p->n_threads < 0) return mote_fail(MOTE_ERR_INVALID_ARG, "thread count %d is negative", p->n_threads);
    if (p->n_seq < 0) return mote_fail(MOTE_ERR_INVALID_ARG, "sequence count %d is negative", p->n_seq);
    const int64_t n_seq = p->n_seq > 0 ? p->n_seq : 1;
    if (n_seq > n_ctx)
        return mote_fail(MOTE_ERR_INVALID_ARG, "%lld sequences do not fit a context of %lld tokens", (long long)n_seq,
                         (long long)n_ctx);
    const int n_threads = p->n_threads > 0 ? p->n_threads : mote_physical_cores();
    if (nb > n_ctx) nb = n_ctx;
    const int64_t logits_cap = p->all_logits ? (nb > n_seq ? nb : n_seq) : n_seq;
    if (m->pos_embd.data && n_ctx / n_seq > m->pos_embd.n_out)
        return mote_fail(MOTE_ERR_INVALID_ARG,
                         "%s has learned positions for %lld tokens only, not sequences of %lld",
                         hp->arch, (long long)m->pos_embd.n_out, (long long)(n_ctx / n_seq));
    const int64_t n_kv = (int64_t)hp->n_head_kv * hp->head_dim;
    const int type_k = p->type_k ? p->type_k : MOTE_TYPE_F16, type_v = p->type_v ? p->type_v : MOTE_TYPE_F16;
    int rc;
    if ((rc = kv_type_check(type_k, n_kv, "key")) || (rc = kv_type_check(type_v, n_kv, "value"))) return rc;
    if (hp->head_dim > KV_MAX_HEAD && (type_k != MOTE_TYPE_F16 || type_v != MOTE_TYPE_F16))
        return mote_fail(MOTE_ERR_UNSUPPORTED, "a quantized KV cache for heads of %d dimensions", hp->head_dim);

    /* Sizes, in double so absurd requests are refused, not wrapped. */
    *o = (context_plan){n_ctx, nb, micro_batch(m, nb), n_seq, logits_cap, n_threads, type_k, type_v,
                        kv_row_bytes(type_k, n_kv), kv_row_bytes(type_v, n_kv), 0, 0, 0};
    o->kv_bytes = (double)hp->n_layer * (double)n_ctx * (double)(o->k_row_bytes + o->v_row_bytes);
    if (type_k != MOTE_TYPE_F16 || type_v != MOTE_TYPE_F16)
        o->f16_bytes = 2.0 * n_threads * (double)n_ctx * hp->head_dim * sizeof(mote_fp16);
    o->act_bytes = (double)layout_arena(m, o->ub, n_threads, logits_cap).total;
    return MOTE_OK;
}

int mote_context_estimate(const mote_model *m, const mote_context_params *p, size_t *kv_bytes, size_t *other_bytes) {
    mote_context_params d = mote_context_default_params();
    context_plan pl = {0};
    const int rc = plan_context(m, p ? p : &d, &pl);
    if (rc) return rc;
    if (kv_bytes) *kv_bytes = (size_t)pl.kv_bytes;
    if (other_bytes) *other_bytes = (size_t)(pl.act_bytes + pl.f16_bytes);
    return MOTE_OK;
}

int mote_context_new(mote_model *m, const mote_context_params *p, mote_context **out) {
    *out = NULL;
    mote_context_params d = mote_context_default_params();
    if (!p) p = &d;
    const mote_hparams *hp = &m->hp;
    context_plan pl = {0};
    int rc = plan_context(m, p, &pl);
    if (rc) return rc;
    const int64_t n_ctx = pl.n_ctx, nb = pl.nb, ub = pl.ub, n_seq = pl.n_seq, logits_cap = pl.logits_cap;
    const int n_threads = pl.n_threads;
    const double kv_need = pl.kv_bytes;
    const double need = kv_need + pl.f16_bytes + pl.act_bytes;
    const char *source;
    const double avail = (double)mote_memory_available(&source);
    if (need > avail)
        return mote_fail(MOTE_ERR_NOMEM,
                         "a context of %lld tokens needs %.0f MiB (KV cache %.0f MiB), more than the %.0f MiB of "
                         "memory available (%s); a smaller -c, or -ctk/-ctv q8_0, needs less (see mote fit)",
                         (long long)n_ctx, need / 1048576.0, kv_need / 1048576.0, avail / 1048576.0, source);

    mote_context *c = calloc(1, sizeof *c);
    if (!c) return mote_fail(MOTE_ERR_NOMEM, "out of memory creating a context");
    mote_attention_init();
    c->model = m;
    c->n_ctx = (int32_t)n_ctx;
    c->n_batch = (int32_t)nb;
    c->n_ubatch = (int32_t)ub;
    c->n_seq = (int32_t)n_seq;
    c->seq_cap = (int32_t)(n_ctx / n_seq);
    c->n_threads = n_threads;
    c->all_logits = p->all_logits;
    c->logits_cap = (int32_t)logits_cap;
    c->rope = hp->rope;
    c->rope_swa = hp->rope_swa;
    if (hp->freq_factors_long && n_ctx > hp->n_ctx_orig) c->rope.freq_factors = hp->freq_factors_long;

    /* One arena (layout_arena); the step's per-token ints (sequence,
     * position, output row) ride in three float-sized slots. */
    const arena_layout al = layout_arena(m, ub, n_threads, logits_cap);
    const size_t total = al.total;
    c->ffn_rows = al.ffn_rows;
    c->arena = aligned_alloc(64, total ? total : 64);
    c->kv_bytes = (size_t)kv_need;
    c->type_k = pl.type_k;
    c->type_v = pl.type_v;
    c->k_row_bytes = pl.k_row_bytes;
    c->v_row_bytes = pl.v_row_bytes;
    c->k_cache = malloc((size_t)hp->n_layer * (size_t)n_ctx * pl.k_row_bytes);
    c->v_cache = malloc((size_t)hp->n_layer * (size_t)n_ctx * pl.v_row_bytes);
    if (pl.f16_bytes > 0 && !(c->kv_f16 = malloc((size_t)pl.f16_bytes))) {
        mote_context_free(c);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory allocating a context of %lld tokens", (long long)n_ctx);
    }
    c->seq_len = calloc((size_t)n_seq, sizeof *c->seq_len);
    c->seq_scratch = calloc((size_t)n_seq, sizeof *c->seq_scratch);
    c->seq_seen = calloc((size_t)n_seq, sizeof *c->seq_seen);
    c->step_tokens = calloc((size_t)nb, sizeof *c->step_tokens);
    if (n_threads > 1 && !(c->pool = mote_threadpool_acquire(n_threads))) {
        mote_context_free(c);
        return mote_fail(MOTE_ERR_NOMEM, "cannot start a pool of %d threads: %s", n_threads, mote_last_error());
    }
    if (!c->arena || !c->k_cache || !c->v_cache || !c->seq_len || !c->seq_scratch || !c->seq_seen ||
        !c->step_tokens) {
        mote_context_free(c);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory allocating a context of %lld tokens", (long long)n_ctx);
    }
    void *slots[N_BUFS] = {&c->x,      &c->xb,      &c->q,          &c->k,           &c->v,      &c->qkv,
                           &c->att,    &c->ffn_gate, &c->ffn_up,    &c->attn_q,      &c->rope_cs, &c->rope_cs_swa,
                           &c->logits, &c->tok_seq, &c->tok_pos,    &c->tok_out};
    for (int i = 0; i < N_BUFS; i++) *(void **)slots[i] = (char *)c->arena + al.at[i];
    c->scratch = (char *)c->arena + al.scratch_at;
    c->mem_bytes = total + c->kv_bytes + (size_t)pl.f16_bytes;
    *out = c;
    return MOTE_OK;
}

void mote_context_free(mote_context *c) {
    if (!c) return;
    mote_threadpool_release(c->pool);
    free(c->arena);
    free(c->k_cache);
    free(c->v_cache);
    free(c->kv_f16);
    free(c->seq_len);
    free(c->seq_scratch);
    free(c->seq_seen);
    free(c->step_tokens);
    free(c);
}

int32_t mote_context_n_ctx(const mote_context *c) { return c->n_ctx; }
int32_t mote_context_n_seq(const mote_context *c) { return c->n_seq; }
int32_t mote_context_n_threads(const mote_context *c) { return c->n_threads; }
int32_t mote_context_n_step(const mote_context *c) { return c->n_ubatch; }
int32_t mote_context_seq_capacity(const mote_context *c) { return c->seq_cap; }
int32_t mote_context_n_past(const mote_context *c) { return c->seq_len[0]; }
size_t mote_context_kv_bytes(const mote_context *c) { return c->kv_bytes; }
int mote_context_type_k(const mote_context *c) { return c->type_k; }
int mote_context_type_v(const mote_context *c) { return c->type_v; }
size_t mote_context_memory(const mote_context *c) { return c->mem_bytes; }
void mote_context_reset(mote_context *c) { memset(c->seq_len, 0, (size_t)c->n_seq * sizeof *c->seq_len); }
