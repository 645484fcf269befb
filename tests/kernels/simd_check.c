/*
 * simd_check.c — see simd_check.h. Builds random but valid inputs for each
 * type (random bytes for the packed quants, sane random fp16 scales, then
 * some deliberately extreme blocks), runs the reference and the candidate on
 * the same bytes, and reports any difference beyond the contract.
 */
#include "simd_check.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/kernels.h"

typedef struct {
    int type;
    mote_to_float_fn to_float;
    mote_from_float_fn from_float;
    mote_vec_dot_fn vec_dot;
    int scale_off[2]; /* where the block keeps fp16 scales (-1: none) */
} reference;

static const reference references[] = {
    {MOTE_TYPE_F32, mote_f32_to_float, mote_f32_from_float, mote_vec_dot_f32, {-1, -1}},
    /* float types: the dot with activations of their vec_dot_type (types.c) */
    {MOTE_TYPE_F16, mote_f16_to_float, mote_f16_from_float, mote_vec_dot_f16_f16, {-1, -1}},
    {MOTE_TYPE_BF16, mote_bf16_to_float, mote_bf16_from_float, mote_vec_dot_bf16_bf16, {-1, -1}},
    {MOTE_TYPE_Q8_0, mote_q8_0_to_float, mote_q8_0_from_float, mote_vec_dot_q8_0_q8_0, {offsetof(block_q8_0, d), -1}},
    {MOTE_TYPE_Q8_1, mote_q8_1_to_float, mote_q8_1_from_float, NULL, {-1, -1}},
    {MOTE_TYPE_Q8_K, mote_q8_K_to_float, mote_q8_K_from_float, NULL, {-1, -1}},
    {MOTE_TYPE_Q4_0, mote_q4_0_to_float, NULL, mote_vec_dot_q4_0_q8_0, {offsetof(block_q4_0, d), -1}},
    {MOTE_TYPE_Q4_1, mote_q4_1_to_float, NULL, mote_vec_dot_q4_1_q8_1, {offsetof(block_q4_1, d), offsetof(block_q4_1, m)}},
    {MOTE_TYPE_Q5_0, mote_q5_0_to_float, NULL, mote_vec_dot_q5_0_q8_0, {offsetof(block_q5_0, d), -1}},
    {MOTE_TYPE_Q5_1, mote_q5_1_to_float, NULL, mote_vec_dot_q5_1_q8_1, {offsetof(block_q5_1, d), offsetof(block_q5_1, m)}},
    {MOTE_TYPE_Q2_K, mote_q2_K_to_float, NULL, mote_vec_dot_q2_K_q8_K, {offsetof(block_q2_K, d), offsetof(block_q2_K, dmin)}},
    {MOTE_TYPE_Q3_K, mote_q3_K_to_float, NULL, mote_vec_dot_q3_K_q8_K, {offsetof(block_q3_K, d), -1}},
    {MOTE_TYPE_Q4_K, mote_q4_K_to_float, NULL, mote_vec_dot_q4_K_q8_K, {offsetof(block_q4_K, d), offsetof(block_q4_K, dmin)}},
    {MOTE_TYPE_Q5_K, mote_q5_K_to_float, NULL, mote_vec_dot_q5_K_q8_K, {offsetof(block_q5_K, d), offsetof(block_q5_K, dmin)}},
    {MOTE_TYPE_Q6_K, mote_q6_K_to_float, NULL, mote_vec_dot_q6_K_q8_K, {offsetof(block_q6_K, d), -1}},
    {MOTE_TYPE_IQ4_NL, mote_iq4_nl_to_float, NULL, mote_vec_dot_iq4_nl_q8_0, {offsetof(block_iq4_nl, d), -1}},
    {MOTE_TYPE_IQ4_XS, mote_iq4_xs_to_float, NULL, mote_vec_dot_iq4_xs_q8_K, {offsetof(block_iq4_xs, d), -1}},
    {MOTE_TYPE_TQ1_0, mote_tq1_0_to_float, NULL, mote_vec_dot_tq1_0_q8_K, {offsetof(block_tq1_0, d), -1}},
    {MOTE_TYPE_TQ2_0, mote_tq2_0_to_float, NULL, mote_vec_dot_tq2_0_q8_K, {offsetof(block_tq2_0, d), -1}},
};
#define N_REFERENCES (sizeof references / sizeof references[0])

static const reference *find_reference(int type) {
    for (size_t k = 0; k < N_REFERENCES; k++)
        if (references[k].type == type) return &references[k];
    return NULL;
}

mote_vec_dot_fn simd_reference_vec_dot(int type) {
    const reference *r = find_reference(type);
    return r ? r->vec_dot : NULL;
}

mote_from_float_fn simd_reference_from_float(int type) {
    const reference *r = find_reference(type);
    return r ? r->from_float : NULL;
}

/* ---- random numbers (xorshift, reproducible from the seed) ---------------- */

static uint32_t rng_state;
static uint32_t rnd(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}
static float rnd_unit(void) { return (float)(rnd() >> 8) / 8388608.0f * 2.0f - 1.0f; } /* [-1, 1) */

/* ---- inputs ----------------------------------------------------------------------- */

/* Activation rows of several characters: kind 0 plain, 1 wide dynamic range,
 * 2 exact rounding ties (halves after scaling), 3 mostly zero blocks,
 * 4 huge, 5 tiny (fp16 scales go subnormal). */
static void fill_activations(float *x, int64_t n, int kind) {
    for (int64_t i = 0; i < n; i++) {
        float v = rnd_unit();
        switch (kind) {
        case 1: v *= ldexpf(1.0f, (int)(rnd() % 40) - 20); break;
        case 2: v = (float)((int)(rnd() % 253) - 126) + 0.5f * (float)(rnd() & 1); break; /* below 127 */
        case 3: v = (i / 32) % 3 == 0 ? v : 0.0f; break;
        case 4: v *= 1e30f; break;
        case 5: v *= 1e-6f; break;
        default: break;
        }
        x[i] = v;
    }
    if (kind == 2) {
        /* pin each block's largest magnitude to 127 (and for Q8_K's sign rule
         * to -127 in some), so the scale is 1 and the halves are real ties */
        for (int64_t b = 0; b < n / 32; b++) x[b * 32 + (b % 32)] = (b & 1) ? -127.0f : 127.0f;
    }
}

/* A random row of `type`: random bytes, then every fp16 scale field set to a
 * finite random value of a size the kind asks for. */
static void fill_weights(const reference *r, const mote_type_traits *tr, uint8_t *w, int64_t n, int kind) {
    const size_t bytes = (size_t)(n / tr->block_size) * tr->block_bytes;
    for (size_t i = 0; i < bytes; i++) w[i] = (uint8_t)(kind == 2 ? 0xFF : kind == 3 ? 0x00 : rnd());
    if (r->type == MOTE_TYPE_F32) {
        float *f = (float *)w;
        for (int64_t i = 0; i < n; i++) f[i] = rnd_unit() * (kind == 1 ? 1e20f : 1.0f);
        return;
    }
    if (r->type == MOTE_TYPE_F16 || r->type == MOTE_TYPE_BF16) {
        mote_fp16 *h = (mote_fp16 *)w;
        for (int64_t i = 0; i < n; i++) {
            const float v = rnd_unit() * (kind == 1 ? 60000.0f : 1.0f);
            h[i] = r->type == MOTE_TYPE_F16 ? mote_f32_to_fp16(v) : mote_f32_to_bf16(v);
        }
        return;
    }
    for (int64_t b = 0; b < n / tr->block_size; b++) {
        uint8_t *blk = w + (size_t)b * tr->block_bytes;
        for (int s = 0; s < 2; s++) {
            if (r->scale_off[s] < 0) continue;
            float v = rnd_unit() * (kind == 1 ? 60000.0f : 0.01f);
            if (kind == 2) v = s == 0 ? 65504.0f : -65504.0f; /* largest fp16 */
            if (kind == 4) v = 1.0f;                           /* integer sums exactly */
            const mote_fp16 h = mote_f32_to_fp16(v);
            memcpy(blk + r->scale_off[s], &h, sizeof h);
        }
    }
}

/* sum |w_i * x_i| over the dequantized row and activations: the scale of the
 * rounding error any summation order can make. */
static double magnitude(const reference *r, const void *w, int act_type, const void *xq, int64_t n) {
    float *wf = malloc((size_t)n * sizeof(float)), *xf = malloc((size_t)n * sizeof(float));
    r->to_float(w, wf, n);
    find_reference(act_type)->to_float(xq, xf, n);
    double m = 0;
    for (int64_t i = 0; i < n; i++) m += fabs((double)wf[i] * (double)xf[i]);
    if (act_type == MOTE_TYPE_Q8_1 && r->scale_off[1] >= 0) {
        /* the offset terms m * s use s = d * sum(q) with the unrounded d,
         * which the dequantized activations above do not see (it differs
         * most when d is an fp16 subnormal): add them in on their own */
        const mote_type_traits *tr = mote_traits(r->type);
        const block_q8_1 *xb = xq;
        for (int64_t b = 0; b < n / 32; b++) {
            mote_fp16 mh;
            memcpy(&mh, (const uint8_t *)w + (size_t)b * tr->block_bytes + r->scale_off[1], sizeof mh);
            m += fabs((double)mote_fp16_to_f32(mh) * (double)mote_fp16_to_f32(xb[b].s));
        }
    }
    free(wf);
    free(xf);
    return m;
}

static int report(const char *set, int type, const char *what, const char *fmt, double a, double b) {
    fprintf(stderr, "MISMATCH %s %s %s: ", set, mote_type_name(type), what);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 1;
}

/* Compare vec_dot on a row already filled in w with activations x (floats). */
static int compare_dot(const char *set, const reference *r, mote_vec_dot_fn fast, const void *w, const float *x,
                       int64_t n, const char *what, int exact_ok) {
    const mote_type_traits *tr = mote_traits(r->type);
    const int act = tr->vec_dot_type;
    const mote_type_traits *ta = mote_traits(act);
    void *xq = malloc((size_t)(n / ta->block_size) * ta->block_bytes + 64);
    find_reference(act)->from_float(x, xq, n);
    const float want = r->vec_dot(n, w, xq), got = fast(n, w, xq);
    int bad = 0;
    if (exact_ok && magnitude(r, w, act, xq, n) < 16777216.0) {
        /* all scales 1: every partial sum is an integer below 2^24, exact in
         * float in any order, so any difference is an integer error */
        if (want != got) bad = report(set, r->type, what, "ref %.9g simd %.9g (must be equal)", want, got);
    } else if (isnan(want) || isinf(want) || isnan(got) || isinf(got)) {
        /* overflowing inputs (fp16 scales of 65504 times activations of
         * 1e30): inf - inf may become NaN in either order of summation, so
         * the contract is only that both overflow */
        if (isfinite(want) || isfinite(got)) bad = report(set, r->type, what, "ref %g simd %g", want, got);
    } else {
        const double blocks = (double)n / (double)tr->block_size;
        const double tol = FLT_EPSILON * (4.0 + blocks) * magnitude(r, w, act, xq, n) + 1e-35;
        if (fabs((double)want - (double)got) > tol) bad = report(set, r->type, what, "ref %.9g simd %.9g", want, got);
    }
    free(xq);
    return bad;
}

int simd_check_row(const mote_kernel_set *set, int type, const void *row, int64_t n, uint32_t seed,
                   const char *what) {
    const reference *r = find_reference(type);
    const mote_kernel_entry *e = set->entries;
    while (e->type >= 0 && e->type != type) e++;
    if (!r || e->type < 0 || !e->vec_dot) return 0;
    rng_state = seed | 1;
    float *x = malloc((size_t)n * sizeof(float));
    fill_activations(x, n, 0);
    const int bad = compare_dot(set->name, r, e->vec_dot, row, x, n, what, 0);
    free(x);
    return bad;
}

static const int64_t blocks_to_try[] = {1, 2, 3, 5, 8, 17, 64};

static int check_vec_dot(const char *set, const reference *r, mote_vec_dot_fn fast) {
    const mote_type_traits *tr = mote_traits(r->type);
    int bad = 0;
    for (size_t s = 0; s < sizeof blocks_to_try / sizeof blocks_to_try[0]; s++) {
        /* float types: odd lengths too, so the scalar tails run */
        const int64_t n = tr->block_size == 1 ? blocks_to_try[s] * 37 : blocks_to_try[s] * tr->block_size;
        const int64_t n_act = tr->block_size == 1 ? n : n; /* activations are whole blocks of their type */
        if (mote_traits(tr->vec_dot_type)->block_size > 1 && n % mote_traits(tr->vec_dot_type)->block_size) continue;
        uint8_t *w = malloc((size_t)(n / tr->block_size) * tr->block_bytes + 64);
        float *x = malloc((size_t)n_act * sizeof(float));
        for (int wk = 0; wk < 5; wk++)
            for (int xk = 0; xk < 6; xk++) {
                fill_weights(r, tr, w, n, wk);
                fill_activations(x, n, xk);
                char what[64];
                snprintf(what, sizeof what, "vec_dot n=%lld weights#%d acts#%d", (long long)n, wk, xk);
                /* weights#4 has unit scales and acts#2 unit activation scales */
                bad += compare_dot(set, r, fast, w, x, n, what, wk == 4 && xk == 2 && tr->quantized);
            }
        free(w);
        free(x);
    }
    return bad;
}

static int check_from_float(const char *set, const reference *r, mote_from_float_fn fast) {
    const mote_type_traits *tr = mote_traits(r->type);
    int bad = 0;
    for (size_t s = 0; s < sizeof blocks_to_try / sizeof blocks_to_try[0]; s++) {
        const int64_t n = blocks_to_try[s] * (tr->block_size == 1 ? 37 : tr->block_size);
        const size_t bytes = (size_t)(n / tr->block_size) * tr->block_bytes;
        float *x = malloc((size_t)n * sizeof(float));
        uint8_t *want = malloc(bytes), *got = malloc(bytes);
        for (int xk = 0; xk < 6; xk++)
            for (int rep = 0; rep < 4; rep++) {
                fill_activations(x, n, xk);
                memset(want, 0xA5, bytes);
                memset(got, 0x5A, bytes);
                r->from_float(x, want, n);
                fast(x, got, n);
                if (memcmp(want, got, bytes)) {
                    size_t at = 0;
                    while (want[at] == got[at]) at++;
                    char what[64];
                    snprintf(what, sizeof what, "from_float n=%lld acts#%d byte %zu", (long long)n, xk, at);
                    bad += report(set, r->type, what, "ref %02x simd %02x", want[at], got[at]);
                    break;
                }
            }
        free(x);
        free(want);
        free(got);
    }
    return bad;
}

static int check_to_float(const char *set, const reference *r, mote_to_float_fn fast) {
    const mote_type_traits *tr = mote_traits(r->type);
    int bad = 0;
    for (size_t s = 0; s < sizeof blocks_to_try / sizeof blocks_to_try[0]; s++) {
        const int64_t n = blocks_to_try[s] * (tr->block_size == 1 ? 37 : tr->block_size);
        uint8_t *w = malloc((size_t)(n / tr->block_size) * tr->block_bytes + 64);
        float *want = malloc((size_t)n * sizeof(float)), *got = malloc((size_t)n * sizeof(float));
        for (int wk = 0; wk < 4; wk++) {
            fill_weights(r, tr, w, n, wk);
            r->to_float(w, want, n);
            fast(w, got, n);
            if (memcmp(want, got, (size_t)n * sizeof(float))) {
                bad += report(set, r->type, "to_float", "n=%g kind=%g", (double)n, (double)wk);
                break;
            }
        }
        free(w);
        free(want);
        free(got);
    }
    return bad;
}

int simd_check_set(const mote_kernel_set *set, uint32_t seed) {
    int bad = 0;
    rng_state = seed | 1;
    for (const mote_kernel_entry *e = set->entries; e->type >= 0; e++) {
        const reference *r = find_reference(e->type);
        if (!r) {
            fprintf(stderr, "MISMATCH %s: no reference known for type %d\n", set->name, e->type);
            bad++;
            continue;
        }
        if (e->vec_dot) bad += check_vec_dot(set->name, r, e->vec_dot);
        if (e->from_float) bad += check_from_float(set->name, r, e->from_float);
        if (e->to_float) bad += check_to_float(set->name, r, e->to_float);
    }
    return bad;
}

/* ---- extreme super-block rows ------------------------------------------------------ */

/* The largest fp16 scale, and 64 super-blocks: enough blocks that a kernel
 * which scales partial sums lane by lane and adds the floats afterwards
 * overflows where the reference (one exact integer sum per super-block,
 * then the float scales) stays finite. */
#define EXTREME_BLOCKS 64
#define FP16_MAX 65504.0f

/* Fill one super-block of `type` with a pattern whose dequantized weights
 * cancel (or nearly) while the kernels' intermediate sums do not:
 *   Q2/Q4/Q5_K  every code at its top value u, scale and min chosen so
 *               d*sc*u == dmin*m: weights exactly 0, but d*isum and
 *               dmin*msum are each huge
 *   Q3/Q6_K     every code at the offset (q = u - 4 / u - 32 = 0), the
 *               sub-block scales alternating between their two extremes, so
 *               the unsigned code sums and the offset sums meet in
 *               different lanes
 *   IQ4_XS      the first 16 weights of each group at level +113, the last
 *               16 at -127: the halves of the vector cancel only in total
 * Returns false for types without a pattern. */
static bool fill_extreme_block(int type, uint8_t *blk) {
    const mote_fp16 dmax = mote_f32_to_fp16(FP16_MAX);
    switch (type) {
    case MOTE_TYPE_Q2_K: {
        block_q2_K *b = (block_q2_K *)blk;
        memset(b->scales, 5 | 15 << 4, sizeof b->scales); /* 5 * 3 == 15 */
        memset(b->qs, 0xFF, sizeof b->qs);
        b->d = b->dmin = dmax;
        return true;
    }
    case MOTE_TYPE_Q4_K:
    case MOTE_TYPE_Q5_K: {
        /* scales 1, mins 15 (Q4_K: u = 15) or 31 (Q5_K: u = 31; the top bit
         * of mins 4..7 sits in bit 6 of bytes 4..7) */
        const bool q5 = type == MOTE_TYPE_Q5_K;
        uint8_t sc[K_SCALE_SIZE];
        memset(sc, 1, 4);
        memset(sc + 4, q5 ? 31 | 1 << 6 : 15, 4);
        memset(sc + 8, 1 | 15 << 4, 4);
        if (q5) {
            block_q5_K *b = (block_q5_K *)blk;
            memcpy(b->scales, sc, sizeof sc);
            memset(b->qh, 0xFF, sizeof b->qh);
            memset(b->qs, 0xFF, sizeof b->qs);
            b->d = b->dmin = dmax;
        } else {
            block_q4_K *b = (block_q4_K *)blk;
            memcpy(b->scales, sc, sizeof sc);
            memset(b->qs, 0xFF, sizeof b->qs);
            b->d = b->dmin = dmax;
        }
        return true;
    }
    case MOTE_TYPE_Q3_K: {
        block_q3_K *b = (block_q3_K *)blk;
        /* stored scale + 32: 0 (-32) for even sub-blocks, 63 (+31) for odd */
        for (int k = 0; k < 12; k++) b->scales[k] = (k & 1) ? 0xFF : 0x00;
        memset(b->hmask, 0xFF, sizeof b->hmask); /* u = 4 */
        memset(b->qs, 0x00, sizeof b->qs);
        b->d = dmax;
        return true;
    }
    case MOTE_TYPE_Q6_K: {
        block_q6_K *b = (block_q6_K *)blk;
        for (int k = 0; k < 16; k++) b->scales[k] = (int8_t)((k & 1) ? 127 : -128);
        memset(b->ql, 0x00, sizeof b->ql);
        memset(b->qh, 0xAA, sizeof b->qh); /* u = 32 */
        b->d = dmax;
        return true;
    }
    case MOTE_TYPE_IQ4_XS: {
        block_iq4_xs *b = (block_iq4_xs *)blk;
        memset(b->scales_l, 0xFF, sizeof b->scales_l); /* scale 63 - 32 = 31 */
        b->scales_h = 0xFFFF;
        memset(b->qs, 0x0F, sizeof b->qs); /* low nibble level 113, high -127 */
        b->d = dmax;
        return true;
    }
    default: return false;
    }
}

/* The reference dot of row w with activations x, converted as compare_dot does. */
static float reference_dot(const reference *r, const void *w, const float *x, int64_t n) {
    const int act = mote_traits(r->type)->vec_dot_type;
    const mote_type_traits *ta = mote_traits(act);
    void *xq = malloc((size_t)(n / ta->block_size) * ta->block_bytes);
    find_reference(act)->from_float(x, xq, n);
    const float dot = r->vec_dot(n, w, xq);
    free(xq);
    return dot;
}

int simd_check_extreme_rows(const mote_kernel_set *set, int *checked) {
    const int64_t n = EXTREME_BLOCKS * QK_K;
    float *x = malloc((size_t)n * sizeof(float));
    int bad = 0;
    *checked = 0;
    for (const mote_kernel_entry *e = set->entries; e->type >= 0; e++) {
        const reference *r = find_reference(e->type);
        const mote_type_traits *tr = mote_traits(e->type);
        if (!r || !e->vec_dot || tr->block_size != QK_K) continue;
        uint8_t *w = malloc((size_t)EXTREME_BLOCKS * tr->block_bytes);
        if (!fill_extreme_block(e->type, w)) {
            free(w);
            continue;
        }
        for (int b = 1; b < EXTREME_BLOCKS; b++) memcpy(w + (size_t)b * tr->block_bytes, w, tr->block_bytes);
        /* equal activations (every Q8_K quant 127); IQ4_XS's total does not
         * cancel, so its size is chosen to land at 3/4 of FLT_MAX */
        float c = 1e29f;
        if (e->type == MOTE_TYPE_IQ4_XS) {
            for (int64_t i = 0; i < n; i++) x[i] = 1.0f;
            c = 0.75f * FLT_MAX / fabsf(reference_dot(r, w, x, n));
        }
        for (int64_t i = 0; i < n; i++) x[i] = c;
        char what[64];
        snprintf(what, sizeof what, "vec_dot extreme row n=%lld", (long long)n);
        /* the row must be one the reference sums finitely, or it tests nothing */
        const float want = reference_dot(r, w, x, n);
        if (!isfinite(want)) bad += report(set->name, e->type, what, "reference %g: the test row is not finite%.0g", want, 0.0);
        bad += compare_dot(set->name, r, e->vec_dot, w, x, n, what, 0);
        (*checked)++;
        free(w);
    }
    free(x);
    return bad;
}
