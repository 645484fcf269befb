/*
 * quantize_fit.c — scale searches shared by the quantizers (see quantize_fit.h).
 *
 * The float expressions are written in the order GGML evaluates them: a
 * quantizer that rounds one sum differently picks a different level now and
 * then, and files stop being byte-identical to llama-quantize's.
 */
#include "quant/quantize_fit.h"

#include <string.h>

/* Weight of value v when the caller gave none: its square. */
static inline float weight_or_square(const float *w, const float *x, int i) { return w ? w[i] : x[i] * x[i]; }

/* Sums for the least-squares scale of levels l = round(iscale*x) - nmax... */
static void symmetric_sums(int n, int nmax, float iscale, const float *x, const float *w, float *sumlx, float *suml2) {
    float slx = 0, sl2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = qclamp(qround(iscale * x[i]), -nmax, nmax - 1);
        float wi = weight_or_square(w, x, i);
        slx += wi * x[i] * l;
        sl2 += wi * l * l;
    }
    *sumlx = slx;
    *suml2 = sl2;
}

static void symmetric_levels(int n, int nmax, float iscale, const float *x, uint8_t *L) {
    for (int i = 0; i < n; ++i) L[i] = (uint8_t)(nmax + qclamp(qround(iscale * x[i]), -nmax, nmax - 1));
}

float fit_symmetric(int n, int nmax, const float *x, const float *w, uint8_t *L) {
    float max = signed_absmax(x, n);
    if (fabsf(max) < MOTE_QUANT_EPS) {
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    /* The value of largest magnitude maps to level -nmax: the asymmetric range
     * [-nmax, nmax-1] then has its long side where the extreme value is. */
    float iscale = -nmax / max;
    float sumlx, suml2;
    symmetric_sums(n, nmax, iscale, x, w, &sumlx, &suml2);
    symmetric_levels(n, nmax, iscale, x, L);
    float scale = suml2 ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx; /* the error falls as sumlx^2/suml2 rises */
    for (int k = -9; k <= 9; ++k) {
        if (k == 0) continue;
        iscale = -(nmax + 0.1f * k) / max;
        symmetric_sums(n, nmax, iscale, x, w, &sumlx, &suml2);
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            symmetric_levels(n, nmax, iscale, x, L);
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

float fit_symmetric_iterative(int n, int nmax, const float *x, int8_t *L) {
    float max = signed_absmax(x, n);
    if (fabsf(max) < MOTE_QUANT_EPS) {
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    float iscale = -nmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = qclamp(qround(iscale * x[i]), -nmax, nmax - 1);
        L[i] = (int8_t)l;
        float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    /* Coordinate descent: give each value the level that is optimal for the
     * scale implied by all the others, keep it if the total error drops. */
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * L[i];
            if (slx <= 0) continue;
            float sl2 = suml2 - w * L[i] * L[i];
            int nl = qclamp(qround(x[i] * sl2 / slx), -nmax, nmax - 1);
            if (nl == L[i]) continue;
            slx += w * x[i] * nl;
            sl2 += w * nl * nl;
            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                L[i] = (int8_t)nl;
                sumlx = slx;
                suml2 = sl2;
                ++changed;
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; ++i) L[i] = (int8_t)(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

float fit_affine(int n, int nmax, const float *x, const float *w, uint8_t *L, float *neg_min,
                 float rmin, float rdelta, int nstep, bool use_abs) {
    float min = x[0], max = x[0];
    float sum_w = w[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0; /* the offset only ever lowers the zero point */
    if (max <= min) {
        memset(L, 0, (size_t)n);
        *neg_min = -min;
        return 0.0f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float best_err = 0;
    for (int i = 0; i < n; ++i) {
        L[i] = (uint8_t)qclamp(qround(iscale * (x[i] - min)), 0, nmax);
        float diff = scale * L[i] + min - x[i];
        diff = use_abs ? fabsf(diff) : diff * diff;
        best_err += w[i] * diff;
    }
    if (nstep < 1) {
        *neg_min = -min;
        return scale;
    }
    uint8_t trial[256];
    for (int k = 0; k <= nstep; ++k) {
        iscale = (rmin + rdelta * k + nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            int l = qclamp(qround(iscale * (x[i] - min)), 0, nmax);
            trial[i] = (uint8_t)l;
            sum_l += w[i] * l;
            sum_l2 += w[i] * l * l;
            sum_xl += w[i] * l * x[i];
        }
        /* Weighted least squares for x ~ scale*l + m, levels fixed. */
        float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D <= 0) continue;
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
        if (this_min > 0) {
            this_min = 0;
            this_scale = sum_xl / sum_l2;
        }
        float err = 0;
        for (int i = 0; i < n; ++i) {
            float diff = this_scale * trial[i] + this_min - x[i];
            diff = use_abs ? fabsf(diff) : diff * diff;
            err += w[i] * diff;
        }
        if (err < best_err) {
            memcpy(L, trial, (size_t)n);
            best_err = err;
            scale = this_scale;
            min = this_min;
        }
    }
    *neg_min = -min;
    return scale;
}

float fit_positive(int n, int nmax, const float *x, const float *w, uint8_t *L) {
    float max = 0;
    for (int i = 0; i < n; ++i) max = max > x[i] ? max : x[i];
    if (max < MOTE_QUANT_EPS) {
        memset(L, 0, (size_t)n);
        return 0.0f;
    }
    float iscale = nmax / max;
    for (int i = 0; i < n; ++i) L[i] = (uint8_t)qround(iscale * x[i]);
    float scale = 1 / iscale;
    float best_err = 0;
    for (int i = 0; i < n; ++i) {
        float diff = x[i] - scale * L[i];
        best_err += w[i] * diff * diff;
    }
    for (int k = -4; k <= 4; ++k) {
        if (k == 0) continue;
        float is = (0.1f * k + nmax) / max;
        float s = 1 / is;
        float err = 0;
        for (int i = 0; i < n; ++i) {
            int l = qround(is * x[i]);
            if (l > nmax) l = nmax;
            float diff = x[i] - s * l;
            err += w[i] * diff * diff;
        }
        if (err < best_err) {
            best_err = err;
            iscale = is;
        }
    }
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = qround(iscale * x[i]);
        if (l > nmax) l = nmax;
        L[i] = (uint8_t)l;
        sumlx += w[i] * x[i] * l;
        suml2 += w[i] * l * l;
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            float slx = sumlx - w[i] * x[i] * L[i];
            float sl2 = suml2 - w[i] * L[i] * L[i];
            if (!(slx > 0 && sl2 > 0)) continue;
            int nl = qround(x[i] * sl2 / slx);
            if (nl > nmax) nl = nmax;
            if (nl == L[i]) continue;
            slx += w[i] * x[i] * nl;
            sl2 += w[i] * nl * nl;
            if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                L[i] = (uint8_t)nl;
                sumlx = slx;
                suml2 = sl2;
                ++changed;
            }
        }
        if (!changed) break;
    }
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}
