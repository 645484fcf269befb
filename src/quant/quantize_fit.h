/*
 * quantize_fit.h — the searches every quantizer is built from.
 *
 * Quantizing a group of values x[0..n) means choosing integer levels L[i]
 * and a scale d (and for "affine" types a minimum m) so that d*L[i] (+ m)
 * is close to x[i], where "close" is a weighted squared error
 * sum_i w[i] * (x[i] - d*L[i] - m)^2. The weights come from the importance
 * matrix when there is one, and from the magnitudes of x otherwise (large
 * weights matter more to a matrix product). Each helper below is one search
 * strategy; the per-type files (quantize_legacy.c, quantize_kquants.c,
 * quantize_iq4.c, quantize_ternary.c) combine them with their block layouts.
 *
 * The searches follow GGML's quantizers step for step (same candidate
 * scales, same float arithmetic), so a file mote quantizes without extra
 * options is bit-for-bit the file llama-quantize writes.
 */
#ifndef MOTE_QUANT_QUANTIZE_FIT_H
#define MOTE_QUANT_QUANTIZE_FIT_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* Below this magnitude a group counts as all zeros. */
#define MOTE_QUANT_EPS 1e-15f

/* Round to the nearest integer, ties to even (the rounding GGML's k-quants use). */
static inline int qround(float v) {
    if (!(v > -1e9f)) v = v != v ? 0.0f : -1e9f; /* NaN -> 0; keep lrintf in range */
    if (v > 1e9f) v = 1e9f;
    return (int)lrintf(v);
}

static inline int qclamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The signed value of largest magnitude in x[0..n) (the first of equals;
 * 0 when all are 0 or NaN): the symmetric fits put it on their outermost level. */
static inline float signed_absmax(const float *x, int n) {
    float amax = 0, max = 0;
    for (int j = 0; j < n; ++j) {
        if (amax < fabsf(x[j])) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    return max;
}

/* Symmetric fit: levels L[i] in [0, 2*nmax) standing for L[i]-nmax, and the
 * scale d returned (x ~ d*(L-nmax)). Tries 19 scales around -nmax/max (max =
 * the value of largest magnitude) and keeps the least-squares-optimal one.
 * w = NULL weighs each value by x^2. nmax <= 128. */
float fit_symmetric(int n, int nmax, const float *x, const float *w, uint8_t *L);

/* The 3-bit variant used by Q3_K without importance: start from the plain
 * rounding, then move single levels while that lowers the x^2-weighted error.
 * Levels in [0, 2*nmax). */
float fit_symmetric_iterative(int n, int nmax, const float *x, int8_t *L);

/* Affine fit: levels L[i] in [0, nmax] with x ~ d*L - mn (mn >= 0 written to
 * *neg_min). Scans nstep+1 candidate scales (nmax + rmin + k*rdelta)/(max-min)
 * and solves for the least-squares scale and minimum at each; keeps the best
 * by weighted squared error (or absolute error if use_abs). w is required. */
float fit_affine(int n, int nmax, const float *x, const float *w, uint8_t *L, float *neg_min,
                 float rmin, float rdelta, int nstep, bool use_abs);

/* Fit non-negative values x (sub-block scales) as d*L, L in [0, nmax]:
 * scan a few scales, then improve levels one at a time. Returns d. */
float fit_positive(int n, int nmax, const float *x, const float *w, uint8_t *L);

/* Index of the entry of the sorted table val[0..n) nearest to v. */
static inline int nearest_index(int n, const int8_t *val, float v) {
    if (v <= val[0]) return 0;
    if (v >= val[n - 1]) return n - 1;
    int lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (v < val[mid]) hi = mid;
        else lo = mid;
    }
    return v - val[hi - 1] < val[hi] - v ? hi - 1 : hi;
}

#endif
