/*
 * avx2_float.c — AVX2/FMA/F16C kernels of the float types (F32, F16, BF16
 * dot products with F32 activations) and the 8-bit activation quantizers
 * (Q8_0, Q8_1, Q8_K), which run on every activation row of every matrix
 * product.
 *
 * The quantizers must give the reference's bytes exactly (they decide which
 * integers the dot products see), so they keep its float operations: the
 * scale and multiplier are computed exactly as q8.c does, each value is
 * multiplied by the same multiplier (a vector multiply rounds like a scalar
 * one), and rounded half to even (rintf, the vector default) — for all three
 * formats, as GGML's x86 build does (q8.c says why that build).
 */
#if defined(__x86_64__)

#include <float.h>
#include <math.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/kernels.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

/* ---- float dot products: 32 values per step in four accumulators ------------- */

/* dot of the float vectors fn(w, i) and x[i..], n a multiple of nothing. */
#define FLOAT_DOT(load_w, scalar_w)                                                             \
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;                                 \
    int64_t i = 0;                                                                              \
    for (; i + 32 <= n; i += 32) {                                                              \
        s0 = _mm256_fmadd_ps(load_w(i), _mm256_loadu_ps(b + i), s0);                            \
        s1 = _mm256_fmadd_ps(load_w(i + 8), _mm256_loadu_ps(b + i + 8), s1);                    \
        s2 = _mm256_fmadd_ps(load_w(i + 16), _mm256_loadu_ps(b + i + 16), s2);                  \
        s3 = _mm256_fmadd_ps(load_w(i + 24), _mm256_loadu_ps(b + i + 24), s3);                  \
    }                                                                                           \
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(load_w(i), _mm256_loadu_ps(b + i), s0);     \
    float sum = avx2_hsum_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));      \
    for (; i < n; i++) sum += scalar_w(i) * b[i];                                               \
    return sum

float mote_avx2_vec_dot_f32(int64_t n, const void *w, const void *x) {
    const float *a = w, *b = x;
#define LOAD_F32(k) _mm256_loadu_ps(a + (k))
#define SCALAR_F32(k) a[k]
    FLOAT_DOT(LOAD_F32, SCALAR_F32);
}

float mote_avx2_vec_dot_f16_f32(int64_t n, const void *w, const void *x) {
    const mote_fp16 *a = w;
    const float *b = x;
#define LOAD_F16(k) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + (k))))
#define SCALAR_F16(k) avx2_h2f(a[k])
    FLOAT_DOT(LOAD_F16, SCALAR_F16);
}

/* F16 weights with f16 activations (F16's vec_dot_type): both widened by
 * F16C, products summed in f32 lanes (the reference sums in double; the
 * difference is float summation order). */
float mote_avx2_vec_dot_f16_f16(int64_t n, const void *w, const void *x) {
    const mote_fp16 *a = w, *bh = x;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int64_t i = 0;
#define H8(p, k) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((p) + (k))))
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(H8(a, i), H8(bh, i), s0);
        s1 = _mm256_fmadd_ps(H8(a, i + 8), H8(bh, i + 8), s1);
        s2 = _mm256_fmadd_ps(H8(a, i + 16), H8(bh, i + 16), s2);
        s3 = _mm256_fmadd_ps(H8(a, i + 24), H8(bh, i + 24), s3);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(H8(a, i), H8(bh, i), s0);
#undef H8
    float sum = avx2_hsum_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) sum += avx2_h2f(a[i]) * avx2_h2f(bh[i]);
    return sum;
}

float mote_avx2_vec_dot_bf16_f32(int64_t n, const void *w, const void *x) {
    const mote_bf16 *a = w;
    const float *b = x;
    /* bf16 is the top half of a float: widen and shift left 16 */
#define LOAD_BF16(k) \
    _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(a + (k)))), 16))
#define SCALAR_BF16(k) mote_bf16_to_f32(a[k])
    FLOAT_DOT(LOAD_BF16, SCALAR_BF16);
}

void mote_avx2_f16_to_float(const void *src, float *dst, int64_t n) {
    const mote_fp16 *s = src;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(s + i))));
    for (; i < n; i++) dst[i] = avx2_h2f(s[i]);
}

/* ---- activation quantizers ----------------------------------------------------- */

static inline __m256 abs_ps(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

/* Largest of the 8 lanes. */
static inline float hmax_ps(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

/* Largest |x| of 32 values. NaNs are skipped, as the scalar "a > amax" does:
 * max_ps returns its second operand when either is NaN. */
static inline float abs_max32(const float *x) {
    __m256 m = _mm256_setzero_ps();
    for (int k = 0; k < 32; k += 8) m = _mm256_max_ps(abs_ps(_mm256_loadu_ps(x + k)), m);
    return hmax_ps(m);
}

/* rintf per lane (half to even, the default MXCSR mode) and to int32. */
static inline __m256i round_even(__m256 v) { return _mm256_cvtps_epi32(v); }

/* float -> fp16 by F16C, round to nearest even: the same bits as
 * mote_f32_to_fp16 for every non-NaN float (checked exhaustively). */
static inline mote_fp16 to_fp16(float f) { return (mote_fp16)_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT); }

/* 32 int32 (four registers, in order) narrowed to 32 int8 in order. */
static inline __m256i pack32(__m256i i0, __m256i i1, __m256i i2, __m256i i3) {
    const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
    /* the two in-lane packs leave 4-byte groups in the order 0 2 4 6 1 3 5 7 */
    return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* The 32 quants of a Q8_0/Q8_1 block: rintf(x * mul). */
static inline __m256i quantize32(const float *x, float mul) {
    const __m256 s = _mm256_set1_ps(mul);
    return pack32(round_even(_mm256_mul_ps(_mm256_loadu_ps(x), s)),
                  round_even(_mm256_mul_ps(_mm256_loadu_ps(x + 8), s)),
                  round_even(_mm256_mul_ps(_mm256_loadu_ps(x + 16), s)),
                  round_even(_mm256_mul_ps(_mm256_loadu_ps(x + 24), s)));
}

/* Sum of 32 int8. */
static inline int32_t sum_i8(__m256i q) {
    return avx2_hsum_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), _mm256_set1_epi16(1)));
}

/* The 8-lane |x| maximum of one 32-value block. */
static inline __m256 block_max(const float *x) {
    __m256 m = _mm256_setzero_ps();
    for (int k = 0; k < 32; k += 8) m = _mm256_max_ps(abs_ps(_mm256_loadu_ps(x + k)), m);
    return m;
}

/* The largest lane of each of four vectors, as one 4-lane vector. */
static inline __m128 hmax4(__m256 m0, __m256 m1, __m256 m2, __m256 m3) {
    const __m256 m01 = _mm256_max_ps(_mm256_unpacklo_ps(m0, m1), _mm256_unpackhi_ps(m0, m1));
    const __m256 m23 = _mm256_max_ps(_mm256_unpacklo_ps(m2, m3), _mm256_unpackhi_ps(m2, m3));
    const __m256 m = _mm256_max_ps(_mm256_shuffle_ps(m01, m23, _MM_SHUFFLE(1, 0, 1, 0)),
                                   _mm256_shuffle_ps(m01, m23, _MM_SHUFFLE(3, 2, 3, 2)));
    return _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
}

/* Scales of four blocks at once: d = amax / 127 and mul = 127 / amax (0
 * when amax is 0 or the quotient overflows), lane by lane the same IEEE
 * operations as mote_q8_multiplier, so the same bits, with two divisions
 * per four blocks instead of eight. */
static inline void scales4(const float *src, float d[4], float mul[4], mote_fp16 h[4]) {
    const __m128 amax = hmax4(block_max(src), block_max(src + 32), block_max(src + 64), block_max(src + 96));
    const __m128 dv = _mm_div_ps(amax, _mm_set1_ps(127.0f));
    __m128 mv = _mm_and_ps(_mm_div_ps(_mm_set1_ps(127.0f), amax), _mm_cmpneq_ps(amax, _mm_setzero_ps()));
    mv = _mm_and_ps(mv, _mm_cmple_ps(mv, _mm_set1_ps(FLT_MAX)));
    _mm_storeu_ps(d, dv);
    _mm_storeu_ps(mul, mv);
    _mm_storel_epi64((__m128i *)h, _mm_cvtps_ph(dv, _MM_FROUND_TO_NEAREST_INT));
}

void mote_avx2_q8_0_from_float(const float *src, void *dst, int64_t n) {
    block_q8_0 *b = dst;
    const int64_t nb = n / QK8_0;
    int64_t i = 0;
    for (; i + 4 <= nb; i += 4, b += 4, src += 4 * QK8_0) {
        float d[4], mul[4];
        mote_fp16 h[4];
        scales4(src, d, mul, h);
        for (int k = 0; k < 4; k++) {
            b[k].d = h[k];
            _mm256_storeu_si256((__m256i *)b[k].qs, quantize32(src + 32 * k, mul[k]));
        }
    }
    for (; i < nb; i++, b++, src += QK8_0) {
        const float amax = abs_max32(src);
        b->d = to_fp16(amax / 127.0f);
        _mm256_storeu_si256((__m256i *)b->qs, quantize32(src, mote_q8_multiplier(amax)));
    }
}

void mote_avx2_q8_1_from_float(const float *src, void *dst, int64_t n) {
    block_q8_1 *b = dst;
    const int64_t nb = n / QK8_1;
    int64_t i = 0;
    for (; i + 4 <= nb; i += 4, b += 4, src += 4 * QK8_1) {
        float d[4], mul[4];
        mote_fp16 h[4];
        scales4(src, d, mul, h);
        for (int k = 0; k < 4; k++) {
            b[k].d = h[k];
            const __m256i q = quantize32(src + 32 * k, mul[k]);
            _mm256_storeu_si256((__m256i *)b[k].qs, q);
            b[k].s = to_fp16((float)sum_i8(q) * d[k]);
        }
    }
    for (; i < nb; i++, b++, src += QK8_1) {
        const float amax = abs_max32(src), d = amax / 127.0f;
        b->d = to_fp16(d);
        const __m256i q = quantize32(src, mote_q8_multiplier(amax));
        _mm256_storeu_si256((__m256i *)b->qs, q);
        b->s = to_fp16((float)sum_i8(q) * d);
    }
}

void mote_avx2_q8_K_from_float(const float *src, void *dst, int64_t n) {
    block_q8_K *b = dst;
    for (int64_t i = 0; i < n / QK_K; i++, b++, src += QK_K) {
        __m256 m = _mm256_setzero_ps();
        for (int k = 0; k < QK_K; k += 8) m = _mm256_max_ps(abs_ps(_mm256_loadu_ps(src + k)), m);
        const float amax = hmax_ps(m);
        if (amax == 0.0f) {
            memset(b, 0, sizeof *b);
            continue;
        }
        /* the first value whose magnitude is amax, sign included */
        float vmax = 0.0f;
        for (int k = 0; k < QK_K; k += 8) {
            const int hit = _mm256_movemask_ps(_mm256_cmp_ps(abs_ps(_mm256_loadu_ps(src + k)), _mm256_set1_ps(amax), _CMP_EQ_OQ));
            if (hit) {
                vmax = src[k + __builtin_ctz((unsigned)hit)];
                break;
            }
        }
        const float iscale = -127.0f / vmax;
        const __m256 s = _mm256_set1_ps(iscale), top = _mm256_set1_ps(127.0f);
        for (int k = 0; k < QK_K; k += 32) {
            __m256i v[4];
            for (int r = 0; r < 4; r++) {
                const __m256 p = _mm256_mul_ps(_mm256_loadu_ps(src + k + 8 * r), s);
                v[r] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_round_ps(p, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), top));
            }
            const __m256i q = pack32(v[0], v[1], v[2], v[3]);
            _mm256_storeu_si256((__m256i *)(b->qs + k), q);
            /* two 16-value group sums: madd leaves 4 partial sums per 128-bit half */
            const __m256i s16 = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), _mm256_set1_epi16(1));
            __m128i lo = _mm256_castsi256_si128(s16), hi = _mm256_extracti128_si256(s16, 1);
            lo = _mm_hadd_epi32(lo, hi);       /* l0+l1 l2+l3 h0+h1 h2+h3 */
            lo = _mm_hadd_epi32(lo, lo);       /* L H L H */
            b->bsums[k / 16] = (int16_t)_mm_cvtsi128_si32(lo);
            b->bsums[k / 16 + 1] = (int16_t)_mm_extract_epi32(lo, 1);
        }
        b->d = 1.0f / iscale;
    }
}

#else
typedef int mote_avx2_float_unused; /* not an x86-64 build */
#endif
