/*
 * avx2_activation.c — the gated activations of the feed-forward block
 * (engine/ops.c, mote_glu) 8 values at a time with AVX2 and FMA.
 *
 * Bit for bit the portable functions in ops.c: SiLU through the same
 * exponential, step by step (each fmaf there is one vfmadd here, each
 * other operation the same IEEE operation), and GELU through the same
 * table of f16 results, indexed by the F16C conversion of the input
 * (which rounds like mote_f32_to_fp16). ops.c is compiled for any x86-64,
 * where every fmaf is a libm call; that made SiLU's exponential a tenth of
 * a prompt's time.
 */
#if defined(__x86_64__)

#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

/* e^x of ops.c's exp_ggml_x86, lane by lane (see there for the method). */
static inline __m256 exp8(__m256 x) {
    const __m256 shifter = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shifter);
    const __m256 n = _mm256_sub_ps(z, shifter);
    const __m256 neg_n = _mm256_xor_ps(n, _mm256_set1_ps(-0.0f));
    const __m256 b = _mm256_fmadd_ps(neg_n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                     _mm256_fmadd_ps(neg_n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1.0f))));
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    const __m256 abs_n = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), n);
    const __m256 big = _mm256_cmp_ps(abs_n, _mm256_set1_ps(126.0f), _CMP_GT_OQ);
    const __m256 plain = _mm256_fmadd_ps(k, j, k);
    if (_mm256_testz_ps(big, big)) return plain;
    /* |n| > 126: scale by 2^n in two steps so over- and underflow land on inf and 0 */
    const __m256i g = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                       _mm256_set1_epi32((int32_t)0x82000000u));
    const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(g, _mm256_set1_epi32(0x7f000000)));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, g));
    const __m256 huge = _mm256_cmp_ps(abs_n, _mm256_set1_ps(192.0f), _CMP_GT_OQ);
    const __m256 scaled = _mm256_blendv_ps(_mm256_mul_ps(_mm256_fmadd_ps(s2, j, s2), s1), _mm256_mul_ps(s1, s1), huge);
    return _mm256_blendv_ps(plain, scaled, big);
}

/* silu(x) = x / (1 + e^-x), as ops.c's silu. */
static inline __m256 silu8(__m256 x) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/* up[i .. i+7], or ones when there is no up (x * 1 is x, bit for bit:
 * the ungated activation of mote_activate). */
static inline __m256 load_up(const float *up, int64_t i) {
    return up ? _mm256_loadu_ps(up + i) : _mm256_set1_ps(1.0f);
}

void mote_avx2_glu_silu(float *out, const float *gate, const float *up, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(silu8(_mm256_loadu_ps(gate + i)), load_up(up, i)));
    if (i < n) {
        /* the tail through a padded block: lanes are independent */
        float g[8] = {0}, u[8] = {0}, o[8];
        for (int64_t k = i; k < n; k++) {
            g[k - i] = gate[k];
            u[k - i] = up ? up[k] : 1.0f;
        }
        _mm256_storeu_ps(o, _mm256_mul_ps(silu8(_mm256_loadu_ps(g)), _mm256_loadu_ps(u)));
        for (int64_t k = i; k < n; k++) out[k] = o[k - i];
    }
}

/* gelu(x) * up as ops.c's gelu_tanh: 0 at or below -10, x at or above 10,
 * otherwise table[f16 bits of x]. */
static inline __m256 gelu8_mul(__m256 x, __m256 up, const float *table) {
    const __m256i idx = _mm256_cvtepu16_epi32(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256 g = _mm256_i32gather_ps(table, idx, 4);
    g = _mm256_blendv_ps(g, x, _mm256_cmp_ps(x, _mm256_set1_ps(10.0f), _CMP_GE_OQ));
    g = _mm256_andnot_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-10.0f), _CMP_LE_OQ), g);
    return _mm256_mul_ps(g, up);
}

void mote_avx2_glu_gelu_table(float *out, const float *gate, const float *up, int64_t n, const float *table) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, gelu8_mul(_mm256_loadu_ps(gate + i), load_up(up, i), table));
    if (i < n) {
        float g[8] = {0}, u[8] = {0}, o[8];
        for (int64_t k = i; k < n; k++) {
            g[k - i] = gate[k];
            u[k - i] = up ? up[k] : 1.0f;
        }
        _mm256_storeu_ps(o, gelu8_mul(_mm256_loadu_ps(g), _mm256_loadu_ps(u), table));
        for (int64_t k = i; k < n; k++) out[k] = o[k - i];
    }
}

#else
typedef int mote_avx2_activation_unused; /* not an x86-64 build */
#endif
