/*
 * avx2_attention.c — the inner loop of attention (one query head over a run
 * of cached f16 keys and values, engine/attention.c) with F16C and FMA.
 *
 * Same arithmetic as the portable loop in attention.c: the query rounded to
 * f16, an online softmax, values summed into an f16 accumulator rounded
 * after every step (which is what the reference logits carry). Only the
 * order of the additions in each q.k dot product differs (8 lanes). The
 * portable loop converts f32 to f16 in software for every accumulator
 * element of every step, which made attention the larger half of a prompt's
 * time; here that is one instruction per 8 elements.
 */
#if defined(__x86_64__)

#include <math.h>

#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

#define RNE (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

void mote_avx2_attend_head(int32_t hd, float scale, const float *q, const mote_fp16 *key, const mote_fp16 *val,
                           int64_t stride, int32_t len, float *out, float *qh, mote_fp16 *acc) {
    for (int32_t i = 0; i < hd; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(q + i), RNE);
        _mm256_storeu_ps(qh + i, _mm256_cvtph_ps(h));
        _mm_storeu_si128((__m128i *)(acc + i), _mm_setzero_si128());
    }
    float max = -INFINITY, sum = 0.0f;
    for (int32_t s = 0; s < len; s++, key += stride, val += stride) {
        __m256 d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
        int32_t i = 0;
        for (; i + 16 <= hd; i += 16) {
            d0 = _mm256_fmadd_ps(_mm256_loadu_ps(qh + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(key + i))), d0);
            d1 = _mm256_fmadd_ps(_mm256_loadu_ps(qh + i + 8),
                                 _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(key + i + 8))), d1);
        }
        for (; i < hd; i += 8)
            d0 = _mm256_fmadd_ps(_mm256_loadu_ps(qh + i), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(key + i))), d0);
        const float score = avx2_hsum_ps(_mm256_add_ps(d0, d1)) * scale;
        float rescale = 1.0f, weight = 1.0f;
        if (score > max) {
            /* a new maximum: shrink what was summed so far */
            rescale = expf(max - score);
            max = score;
            const __m256 r = _mm256_set1_ps(rescale);
            for (int32_t k = 0; k < hd; k += 8) {
                __m128i *a = (__m128i *)(acc + k);
                _mm_storeu_si128(a, _mm256_cvtps_ph(_mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128(a)), r), RNE));
            }
        } else {
            weight = expf(score - max);
        }
        const __m256 wv = _mm256_set1_ps(weight);
        for (int32_t k = 0; k < hd; k += 8) {
            __m128i *a = (__m128i *)(acc + k);
            const __m256 v = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(val + k)));
            _mm_storeu_si128(a, _mm256_cvtps_ph(_mm256_fmadd_ps(v, wv, _mm256_cvtph_ps(_mm_loadu_si128(a))), RNE));
        }
        sum = sum * rescale + weight;
    }
    const __m256 inv = _mm256_set1_ps(1.0f / sum);
    for (int32_t i = 0; i < hd; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(acc + i))), inv));
}

#else
typedef int mote_avx2_attention_unused; /* not an x86-64 build */
#endif
