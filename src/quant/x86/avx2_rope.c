/*
 * avx2_rope.c — rotary position embedding of q and k (engine/ops.c,
 * mote_rope_apply) 4 pairs at a time with AVX2 and FMA.
 *
 * Bit for bit ops.c's portable loop: each pair becomes
 *   x0' = fmaf(x0, c, -(x1 * s)),  x1' = fmaf(x0, s, x1 * c),
 * the product rounded first and the other fused, as GGML's x86 build
 * computes it; here vfmadd with p's sign flipped by a xor, as the C
 * negation does (vfmsub would pass a NaN p on with its sign unflipped). ops.c is compiled for any x86-64, where every fmaf is a
 * libm call: rope was about 3% of a small model's prompt.
 */
#if defined(__x86_64__)

#include <immintrin.h>
#include <math.h>

#include "quant/x86/avx2_kernels.h"

/* Pairs i..half-1 of one head, neighbours (x[2i], x[2i+1]) or halves
 * (x[i], x[i + half]), one at a time: the tail the vectors leave. */
static void rope_pairs_scalar(float *v, int32_t i, int32_t half, const float *cs, bool neox) {
    for (; i < half; i++) {
        const int32_t a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
        const float c = cs[2 * i], s = cs[2 * i + 1], x0 = v[a], x1 = v[b];
        v[a] = fmaf(x0, c, -(x1 * s));
        v[b] = fmaf(x0, s, x1 * c);
    }
}

/* -p, lane by lane: the sign bit flipped, NaNs included. */
static inline __m256 negate(__m256 p) { return _mm256_xor_ps(p, _mm256_set1_ps(-0.0f)); }

void mote_avx2_rope(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cs, bool neox) {
    const int32_t half = n_rot / 2;
    for (int32_t h = 0; h < n_heads; h++) {
        float *v = x + (int64_t)h * head_dim;
        int32_t i = 0;
        if (neox) {
            /* x0 = v[i..i+7], x1 = v[half+i..]; cs holds (c, s) pairs: split them */
            for (; i + 8 <= half; i += 8) {
                const __m256 p0 = _mm256_loadu_ps(cs + 2 * i), p1 = _mm256_loadu_ps(cs + 2 * i + 8);
                /* shuffle keeps 128-bit lanes: c0 c1 c4 c5 | c2 c3 c6 c7, restored by the permute */
                const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
                const __m256 c = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(p0, p1, _MM_SHUFFLE(2, 0, 2, 0)), order);
                const __m256 s = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(p0, p1, _MM_SHUFFLE(3, 1, 3, 1)), order);
                const __m256 x0 = _mm256_loadu_ps(v + i), x1 = _mm256_loadu_ps(v + half + i);
                _mm256_storeu_ps(v + i, _mm256_fmadd_ps(x0, c, negate(_mm256_mul_ps(x1, s))));
                _mm256_storeu_ps(v + half + i, _mm256_fmadd_ps(x0, s, _mm256_mul_ps(x1, c)));
            }
        } else {
            /* v and cs interleave alike: (x0, x1) pairs against (c, s) pairs */
            for (; i + 4 <= half; i += 4) {
                const __m256 p = _mm256_loadu_ps(cs + 2 * i), xv = _mm256_loadu_ps(v + 2 * i);
                const __m256 c = _mm256_moveldup_ps(p), s = _mm256_movehdup_ps(p);
                const __m256 x0 = _mm256_moveldup_ps(xv), x1 = _mm256_movehdup_ps(xv);
                const __m256 even = _mm256_fmadd_ps(x0, c, negate(_mm256_mul_ps(x1, s)));
                const __m256 odd = _mm256_fmadd_ps(x0, s, _mm256_mul_ps(x1, c));
                _mm256_storeu_ps(v + 2 * i, _mm256_blend_ps(even, odd, 0xAA));
            }
        }
        rope_pairs_scalar(v, i, half, cs, neox);
    }
}

#else
typedef int mote_avx2_rope_unused; /* not an x86-64 build */
#endif
