/*
 * attention.c — see attention.h.
 *
 * The arithmetic is that of llama.cpp's CPU flash attention, which produced
 * the reference logits: the query head is rounded to f16 (like the cached
 * keys), scores are folded in one pass with a running maximum ("online
 * softmax"), and the weighted values are summed in an f16 accumulator.
 * Plain f32 attention is not more useful here and differs from the
 * references by ~1.5e-3 of the logits' range after 32 tokens, beyond the
 * 1e-3 the tests allow; this way the difference is ~3e-4.
 */
#include "engine/attention.h"

#include <math.h>
#include <pthread.h>

#include <stdlib.h>
#include <string.h>

#include "engine/kv_cache.h"
#include "quant/simd.h"

/* The kernel sets' attend_block takes up to MOTE_ATTEND_MAX queries (simd.h). */
_Static_assert(MOTE_ATTN_QUERIES <= MOTE_ATTEND_MAX, "a block larger than the kernel sets' attention takes");

/* f16 -> f32 by table: every cached key and value element is widened once
 * per query that reads it, so this is the innermost operation. */
static float f16_table[1 << 16];
static pthread_once_t f16_table_once = PTHREAD_ONCE_INIT;

/* The kernel set's attend_block (quant/simd.h; e.g. quant/x86/
 * avx2_attention.c), or NULL for the portable loop. */
static mote_attend_block_fn attend_fast;

static void fill_f16_table(void) {
    for (uint32_t h = 0; h < (1u << 16); h++) f16_table[h] = mote_fp16_to_f32((mote_fp16)h);
    attend_fast = mote_kernels_active()->attend_block;
}

void mote_attention_init(void) { pthread_once(&f16_table_once, fill_f16_table); }

/* Attention of one query head over `len` cache rows starting at key/val:
 * the portable loop, one query at a time. */
static void attend_head(const mote_context *c, float *qh, mote_fp16 *acc, const float *q, const mote_fp16 *key,
                        const mote_fp16 *val, int64_t stride, int32_t len, float *out) {
    const mote_hparams *hp = &c->model->hp;
    const int32_t hd = hp->head_dim;
    for (int32_t i = 0; i < hd; i++) {
        qh[i] = mote_fp16_to_f32(mote_f32_to_fp16(q[i]));
        acc[i] = 0;
    }
    float max = -INFINITY, sum = 0.0f;
    for (int32_t s = 0; s < len; s++, key += stride, val += stride) {
        float dot = 0.0f;
        for (int32_t i = 0; i < hd; i++) dot += qh[i] * f16_table[key[i]];
        /* soft-capped as GGML's flash attention does it: cap * tanh(dot * scale / cap) */
        const float score =
            hp->attn_softcap > 0.0f ? hp->attn_softcap * tanhf(dot * (hp->attn_scale / hp->attn_softcap))
                                    : dot * hp->attn_scale;
        float rescale = 1.0f, weight = 1.0f;
        if (score > max) {
            /* a new maximum: shrink what was summed so far */
            rescale = expf(max - score);
            max = score;
            for (int32_t i = 0; i < hd; i++) acc[i] = mote_f32_to_fp16(f16_table[acc[i]] * rescale);
        } else {
            weight = expf(score - max);
        }
        for (int32_t i = 0; i < hd; i++)
            acc[i] = mote_f32_to_fp16(f16_table[acc[i]] + f16_table[val[i]] * weight);
        sum = sum * rescale + weight;
    }
    const float inv = 1.0f / sum;
    for (int32_t i = 0; i < hd; i++) out[i] = f16_table[acc[i]] * inv;
}

/* nq query heads that share the cached key/value head at key/val (row 0 of
 * the cache): query j over rows lo[j]..hi[j]-1, into out[j]. The AVX2
 * kernel walks them over the rows together; each one's numbers are those of
 * attend_head's order either way. */
static void attend_block(const mote_context *c, float *scratch, int32_t nq, const float *const *q,
                         float *const *out, const int32_t *lo, const int32_t *hi, const mote_fp16 *key,
                         const mote_fp16 *val, int64_t stride) {
    const int32_t hd = c->model->hp.head_dim;
    float *qh = scratch;
    mote_fp16 *acc = (mote_fp16 *)(scratch + (size_t)MOTE_ATTN_QUERIES * hd);
    if (attend_fast && hd % 8 == 0 && c->model->hp.attn_softcap == 0.0f) { /* the kernels do not soft-cap */
        attend_fast(hd, c->model->hp.attn_scale, nq, q, out, lo, hi, key, val, stride, qh, acc);
        return;
    }
    for (int32_t j = 0; j < nq; j++)
        attend_head(c, qh, acc, q[j], key + lo[j] * stride, val + lo[j] * stride, stride, hi[j] - lo[j], out[j]);
}

/* attend_block over a quantized cache (kc, vc: layer il's rows): the rows
 * the block's queries read, of the KV head whose elements start at `off`,
 * are first widened to f16 in this thread's part of c->kv_f16, rebased so
 * that the first row read is row 0. Only rows some query reads are widened
 * (a block may hold tokens of sequences far apart). */
static void attend_widened(const mote_context *c, int ith, float *scratch, int32_t nq, const float *const *q,
                           float *const *out, int32_t *lo, int32_t *hi, const uint8_t *kc, const uint8_t *vc,
                           int64_t off) {
    const int32_t hd = c->model->hp.head_dim;
    mote_fp16 *kw = c->kv_f16 + (size_t)ith * 2 * (size_t)c->n_ctx * (size_t)hd;
    mote_fp16 *vw = kw + (size_t)c->n_ctx * (size_t)hd;
    int32_t s = INT32_MAX, end = INT32_MIN;
    for (int32_t j = 0; j < nq; j++) {
        if (lo[j] < s) s = lo[j];
        if (hi[j] > end) end = hi[j];
    }
    for (int32_t r = s; r < end;) {
        /* the next run of rows: all read, or all unread, by the block */
        int32_t next = end;
        bool read = false;
        for (int32_t j = 0; j < nq; j++) {
            if (lo[j] <= r && r < hi[j]) read = true;
            if (lo[j] > r && lo[j] < next) next = lo[j];
            if (hi[j] > r && hi[j] < next) next = hi[j];
        }
        if (read) {
            const size_t at = (size_t)(r - s) * (size_t)hd;
            kv_head_rows_f16(c->type_k, kc + (size_t)r * c->k_row_bytes, c->k_row_bytes, off, hd, next - r, kw + at);
            kv_head_rows_f16(c->type_v, vc + (size_t)r * c->v_row_bytes, c->v_row_bytes, off, hd, next - r, vw + at);
        }
        r = next;
    }
    for (int32_t j = 0; j < nq; j++) {
        lo[j] -= s;
        hi[j] -= s;
    }
    attend_block(c, scratch, nq, q, out, lo, hi, kw, vw, hd);
}

/* Where token t's sequence ends once the step's keys are in: past the
 * step's last position of that sequence, or its earlier length if that is
 * longer. An encoder's token attends up to there. */
static int32_t sequence_end(const mote_context *c, int32_t t, int32_t n) {
    const int32_t s = c->tok_seq[t];
    int32_t e = c->seq_len[s];
    for (int32_t u = 0; u < n; u++)
        if (c->tok_seq[u] == s && c->tok_pos[u] + 1 > e) e = c->tok_pos[u] + 1;
    return e;
}

typedef struct {
    mote_context *c;
    bool swa;
    int32_t il, n;
    const int32_t *seq_end; /* not causal: per token, its sequence's positions in the cache after the step; else NULL */
} attention_job;

/* How the step's (token, head) queries are grouped into blocks that share a
 * key/value head: `heads` consecutive heads of one GQA group times `tokens`
 * consecutive tokens, at most MOTE_ATTN_QUERIES in all, and enough blocks
 * for nth threads where possible (a one-token step of a model with one
 * KV head would otherwise be a single block). */
typedef struct {
    int32_t heads, tokens, head_chunks, token_blocks;
} attention_blocks;

static attention_blocks blocks_of(const mote_hparams *hp, int32_t n, int nth) {
    const int32_t group = hp->n_head / hp->n_head_kv;
    attention_blocks b;
    b.heads = group < MOTE_ATTN_QUERIES ? group : MOTE_ATTN_QUERIES;
    for (;;) {
        b.tokens = MOTE_ATTN_QUERIES / b.heads;
        b.head_chunks = (group + b.heads - 1) / b.heads;
        b.token_blocks = (n + b.tokens - 1) / b.tokens;
        if (b.heads == 1 || (int64_t)hp->n_head_kv * b.head_chunks * b.token_blocks >= nth) return b;
        b.heads = (b.heads + 1) / 2;
    }
}

/* This thread's blocks: every nth one. Token blocks innermost: one KV
 * head's keys and values (a quarter of a megabyte for 512 positions of 128
 * dimensions) stay in the cache while all its queries pass over them, and
 * the long rows at the end of a causal prompt are shared out evenly. Each
 * query is computed whole by one thread with the same arithmetic whatever
 * its block, so neither the split nor the grouping changes any number. */
static void attention_part(void *p, int ith, int nth) {
    const attention_job *j = p;
    mote_context *c = j->c;
    const mote_hparams *hp = &c->model->hp;
    const int32_t hd = hp->head_dim, group = hp->n_head / hp->n_head_kv;
    const int64_t n_q = (int64_t)hp->n_head * hd, n_kv = (int64_t)hp->n_head_kv * hd;
    const uint8_t *kc = c->k_cache + (size_t)j->il * c->n_ctx * c->k_row_bytes;
    const uint8_t *vc = c->v_cache + (size_t)j->il * c->n_ctx * c->v_row_bytes;
    float *scratch = c->attn_q + (size_t)ith * MOTE_ATTN_SCRATCH(hd);
    const attention_blocks b = blocks_of(hp, j->n, nth);
    const int64_t n_items = (int64_t)hp->n_head_kv * b.head_chunks * b.token_blocks;
    for (int64_t item = ith; item < n_items; item += nth) {
        const int64_t chunk = item / b.token_blocks; /* which heads */
        const int32_t t0 = (int32_t)(item % b.token_blocks) * b.tokens;
        const int32_t kvh = (int32_t)(chunk / b.head_chunks);
        const int32_t h0 = kvh * group + (int32_t)(chunk % b.head_chunks) * b.heads;
        const float *q[MOTE_ATTN_QUERIES];
        float *out[MOTE_ATTN_QUERIES];
        int32_t lo[MOTE_ATTN_QUERIES], hi[MOTE_ATTN_QUERIES], nq = 0;
        for (int32_t t = t0; t < t0 + b.tokens && t < j->n; t++) {
            const int32_t pos = c->tok_pos[t];
            /* The token's sequence: its cells start here (lo and hi are cell
             * indices; tokens of different sequences may share a block). */
            const int32_t base = c->tok_seq[t] * c->seq_cap;
            /* A local layer sees the n_swa most recent positions, itself included. */
            const int32_t first = j->swa && hp->n_swa > 0 && pos - hp->n_swa + 1 > 0 ? pos - hp->n_swa + 1 : 0;
            for (int32_t h = h0; h < h0 + b.heads && h < (kvh + 1) * group; h++) {
                q[nq] = c->q + t * n_q + (int64_t)h * hd;
                out[nq] = c->att + t * n_q + (int64_t)h * hd;
                lo[nq] = base + first;
                hi[nq] = base + (hp->causal ? pos + 1 : j->seq_end ? j->seq_end[t] : sequence_end(c, t, j->n));
                nq++;
            }
        }
        const int64_t off = (int64_t)kvh * hd;
        if (c->kv_f16)
            attend_widened(c, ith, scratch, nq, q, out, lo, hi, kc, vc, off);
        else
            attend_block(c, scratch, nq, q, out, lo, hi, (const mote_fp16 *)kc + off, (const mote_fp16 *)vc + off,
                         n_kv);
    }
}


void mote_attention(mote_context *c, bool swa, int32_t il, int32_t n) {
    attention_job j = {c, swa, il, n, NULL};
    int32_t *ends = NULL;
    if (!c->model->hp.causal && (ends = malloc((size_t)n * sizeof *ends))) {
        /* once per step (without the memory, attention_part finds them itself) */
        for (int32_t t = 0; t < n; t++) ends[t] = sequence_end(c, t, n);
        j.seq_end = ends;
    }
    mote_threadpool_run(c->pool, attention_part, &j);
    free(ends);
}
