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

#include "core/cpu.h"
#if defined(__x86_64__)
#include "quant/x86/avx2_kernels.h"
#endif

/* f16 -> f32 by table: every cached key and value element is widened once
 * per query that reads it, so this is the innermost operation. */
static float f16_table[1 << 16];
static pthread_once_t f16_table_once = PTHREAD_ONCE_INIT;

/* The F16C/FMA version of attend_head (quant/x86/avx2_attention.c) when the
 * CPU has it and MOTE_KERNELS=ref does not ask for the portable code. */
static bool use_avx2;

static void fill_f16_table(void) {
    for (uint32_t h = 0; h < (1u << 16); h++) f16_table[h] = mote_fp16_to_f32((mote_fp16)h);
#if defined(__x86_64__)
    const mote_cpu_features *f = mote_cpu();
    const char *want = getenv("MOTE_KERNELS");
    use_avx2 = f->avx2 && f->fma && f->f16c && !(want && strcmp(want, "ref") == 0);
#endif
}

void mote_attention_init(void) { pthread_once(&f16_table_once, fill_f16_table); }

/* Attention of one query head over `len` cache rows starting at key/val. */
static void attend_head(const mote_context *c, float *qh, mote_fp16 *acc, const float *q, const mote_fp16 *key,
                        const mote_fp16 *val, int64_t stride, int32_t len, float *out) {
    const mote_hparams *hp = &c->model->hp;
    const int32_t hd = hp->head_dim;
#if defined(__x86_64__)
    if (use_avx2 && hd % 8 == 0) {
        mote_avx2_attend_head(hd, hp->attn_scale, q, key, val, stride, len, out, qh, acc);
        return;
    }
#endif
    for (int32_t i = 0; i < hd; i++) {
        qh[i] = mote_fp16_to_f32(mote_f32_to_fp16(q[i]));
        acc[i] = 0;
    }
    float max = -INFINITY, sum = 0.0f;
    for (int32_t s = 0; s < len; s++, key += stride, val += stride) {
        float dot = 0.0f;
        for (int32_t i = 0; i < hd; i++) dot += qh[i] * f16_table[key[i]];
        const float score = dot * hp->attn_scale;
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

typedef struct {
    mote_context *c;
    bool swa;
    int32_t il, n;
} attention_job;

/* This thread's (token, head) pairs: every nth one, so the long rows at the
 * end of a causal prompt are shared out evenly. Each pair is computed
 * whole by one thread, so the split does not change any number. */
static void attention_part(void *p, int ith, int nth) {
    const attention_job *j = p;
    mote_context *c = j->c;
    const mote_hparams *hp = &c->model->hp;
    const int32_t hd = hp->head_dim, group = hp->n_head / hp->n_head_kv;
    const int64_t n_q = (int64_t)hp->n_head * hd, n_kv = (int64_t)hp->n_head_kv * hd;
    const mote_fp16 *kc = c->k_cache + (size_t)j->il * c->n_ctx * n_kv;
    const mote_fp16 *vc = c->v_cache + (size_t)j->il * c->n_ctx * n_kv;
    float *qh = c->attn_q + (size_t)ith * 2 * hd;
    mote_fp16 *acc = (mote_fp16 *)(qh + hd);
    for (int64_t item = ith; item < (int64_t)j->n * hp->n_head; item += nth) {
        const int32_t t = (int32_t)(item / hp->n_head), h = (int32_t)(item % hp->n_head);
        const int32_t pos = c->n_past + t;
        /* A local layer sees the n_swa most recent positions, itself included. */
        const int32_t first = j->swa && hp->n_swa > 0 && pos - hp->n_swa + 1 > 0 ? pos - hp->n_swa + 1 : 0;
        const int64_t off = (size_t)first * n_kv + (int64_t)(h / group) * hd;
        attend_head(c, qh, acc, c->q + t * n_q + (int64_t)h * hd, kc + off, vc + off, n_kv, pos - first + 1,
                    c->att + t * n_q + (int64_t)h * hd);
    }
}

void mote_attention(mote_context *c, bool swa, int32_t il, int32_t n) {
    attention_job j = {c, swa, il, n};
    mote_threadpool_run(c->pool, attention_part, &j);
}
