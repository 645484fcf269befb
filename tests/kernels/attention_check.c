/*
 * attention_check.c — see attention_check.h. The reference (also used by
 * tests/unit/test_attention_block.c, the x86 sets' cmocka test): the query
 * and the accumulator rounded to f16, the q.k dot in 8 lanes over two
 * accumulators by alternate blocks of 8, summed (lo+hi halves, then pairs),
 * the online softmax with libm's expf.
 */
#include "attention_check.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/fp16.h"

static uint32_t rng_state = 4711u;
static float uniform(void) { /* in [-1, 1) */
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}

static float round16(float x) { return mote_fp16_to_f32(mote_f32_to_fp16(x)); }

void attention_single_query(int32_t hd, float scale, const float *q, const mote_fp16 *key, const mote_fp16 *val,
                            int64_t stride, int32_t lo, int32_t hi, float *out) {
    float qh[256], acc[256];
    for (int32_t i = 0; i < hd; i++) qh[i] = round16(q[i]), acc[i] = 0.0f;
    const int32_t paired = hd / 16 * 2;
    float max = -INFINITY, sum = 0.0f;
    for (int32_t s = lo; s < hi; s++) {
        const mote_fp16 *k = key + s * stride, *v = val + s * stride;
        float d[2][8] = {{0}}, v8[8], h[4];
        for (int32_t c = 0; c < hd / 8; c++)
            for (int l = 0; l < 8; l++)
                d[c < paired ? c % 2 : 0][l] = fmaf(qh[c * 8 + l], mote_fp16_to_f32(k[c * 8 + l]), d[c < paired ? c % 2 : 0][l]);
        for (int l = 0; l < 8; l++) v8[l] = d[0][l] + d[1][l];
        for (int l = 0; l < 4; l++) h[l] = v8[l] + v8[l + 4];
        const float score = ((h[0] + h[2]) + (h[1] + h[3])) * scale;
        float rescale = 1.0f, weight = 1.0f;
        if (score > max) {
            rescale = expf(max - score);
            max = score;
            for (int32_t i = 0; i < hd; i++) acc[i] = round16(acc[i] * rescale);
        } else {
            weight = expf(score - max);
        }
        for (int32_t i = 0; i < hd; i++) acc[i] = round16(fmaf(mote_fp16_to_f32(v[i]), weight, acc[i]));
        sum = sum * rescale + weight;
    }
    for (int32_t i = 0; i < hd; i++) out[i] = acc[i] * (1.0f / sum);
}

int attention_check_set(const mote_kernel_set *set, int *checked) {
    *checked = 0;
    if (!set->attend_block) return 0;
    const int32_t dims[] = {64, 72, 128};
    const float magnitudes[] = {4.0f, 3e-6f, 20000.0f}; /* ordinary, f16 subnormal sums, sums past 65504 */
    enum { ROWS = 61, KV_HEADS = 2, NQ = MOTE_ATTEND_MAX };
    int bad = 0;
    for (size_t mi = 0; mi < sizeof magnitudes / sizeof *magnitudes; mi++)
        for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
            const int32_t hd = dims[di];
            const int64_t stride = (int64_t)KV_HEADS * hd;
            static mote_fp16 key[ROWS * KV_HEADS * 128], val[ROWS * KV_HEADS * 128];
            static float q[NQ][128], out[NQ][128], want[128], qh[NQ * 128], acc[NQ * 128];
            for (int64_t i = 0; i < ROWS * stride; i++) {
                key[i] = mote_f32_to_fp16(uniform() * 2.0f + (float)(i / stride) * 0.01f); /* new maxima keep coming */
                val[i] = mote_f32_to_fp16(uniform() * magnitudes[mi]);
            }
            for (int pattern = 0; pattern < 3; pattern++)
                for (int32_t nq = 1; nq <= NQ; nq += 3) {
                    int32_t lo[NQ], hi[NQ];
                    const float *qp[NQ];
                    float *op[NQ];
                    for (int32_t j = 0; j < nq; j++) {
                        for (int32_t i = 0; i < hd; i++) q[j][i] = uniform() * (float)(1 + j);
                        qp[j] = q[j], op[j] = out[j];
                        /* every row; causal neighbours; a sliding window */
                        lo[j] = pattern == 2 ? 3 + j : 0;
                        hi[j] = pattern == 0 ? ROWS : ROWS - nq + 1 + j;
                    }
                    const float scale = 1.0f / sqrtf((float)hd);
                    set->attend_block(hd, scale, nq, qp, op, lo, hi, key + hd, val + hd, stride, qh, (mote_fp16 *)acc);
                    for (int32_t j = 0; j < nq; j++) {
                        attention_single_query(hd, scale, q[j], key + hd, val + hd, stride, lo[j], hi[j], want);
                        (*checked)++;
                        if (memcmp(want, out[j], (size_t)hd * sizeof(float)) != 0) {
                            if (bad < 3)
                                printf("%s attention: values ~%g hd %d pattern %d nq %d query %d differs\n", set->name,
                                       (double)magnitudes[mi], hd, pattern, nq, j);
                            bad++;
                        }
                    }
                }
        }
    return bad;
}
