/*
 * avx2_f16_from_float.c — floats to f16, 8 at a time with F16C: the F16
 * type's from_float (types.h), which also fills the KV cache at every token
 * (engine/forward.c). The scalar reference (quant/fp16.h) was a visible
 * share of a prompt's time on small models (7% of GPT-2's).
 *
 * F16C's conversion rounds to nearest even like the reference for every
 * number, infinities and subnormals included; only NaNs differ (F16C keeps
 * the top payload bits, the reference gives the plain quiet NaN), so NaN
 * lanes are replaced by sign | 0x7e00. Bit for bit the reference.
 */
#if defined(__x86_64__)

#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

/* Eight floats to eight f16 bit patterns, as mote_f32_to_fp16. */
static inline __m128i to_f16x8(__m256 x) {
    const __m128i h = _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    if (_mm256_testz_ps(nan, nan)) return h;
    /* sign | 0x7e00 in NaN lanes: the sign bit of each float, shifted to 16 bits */
    const __m256i sign = _mm256_srli_epi32(_mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32((int)0x80000000u)), 16);
    const __m256i qnan = _mm256_or_si256(sign, _mm256_set1_epi32(0x7e00));
    const __m128i q = _mm_packus_epi32(_mm256_castsi256_si128(qnan), _mm256_extracti128_si256(qnan, 1));
    const __m128i m = _mm_packs_epi32(_mm256_castsi256_si128(_mm256_castps_si256(nan)),
                                      _mm256_extracti128_si256(_mm256_castps_si256(nan), 1));
    return _mm_blendv_epi8(h, q, m);
}

void mote_avx2_f16_from_float(const float *src, void *dst, int64_t n) {
    uint16_t *d = dst;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm_storeu_si128((__m128i *)(d + i), to_f16x8(_mm256_loadu_ps(src + i)));
    if (i < n) { /* the tail through a padded block */
        float x[8] = {0};
        uint16_t h[8];
        for (int64_t k = i; k < n; k++) x[k - i] = src[k];
        _mm_storeu_si128((__m128i *)h, to_f16x8(_mm256_loadu_ps(x)));
        for (int64_t k = i; k < n; k++) d[k] = h[k - i];
    }
}

#else
typedef int mote_avx2_f16_from_float_unused; /* not an x86-64 build */
#endif
