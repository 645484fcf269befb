/*
 * panel_check.c — see panel_check.h.
 */
#include "panel_check.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/kernels.h"
#include "quant/types.h"

static uint32_t rng = 88172645u;
static float frand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (float)(rng & 0xFFFFFF) / (float)0x800000 - 1.0f;
}

/* Reference vec_dot of each type that may have panels, and the activation quantizers. */
static mote_vec_dot_fn reference(int type) {
    switch (type) {
    case MOTE_TYPE_Q8_0: return mote_vec_dot_q8_0_q8_0;
    case MOTE_TYPE_Q4_0: return mote_vec_dot_q4_0_q8_0;
    case MOTE_TYPE_Q4_1: return mote_vec_dot_q4_1_q8_1;
    case MOTE_TYPE_Q5_0: return mote_vec_dot_q5_0_q8_0;
    case MOTE_TYPE_Q5_1: return mote_vec_dot_q5_1_q8_1;
    case MOTE_TYPE_IQ4_NL: return mote_vec_dot_iq4_nl_q8_0;
    case MOTE_TYPE_Q2_K: return mote_vec_dot_q2_K_q8_K;
    case MOTE_TYPE_Q3_K: return mote_vec_dot_q3_K_q8_K;
    case MOTE_TYPE_Q4_K: return mote_vec_dot_q4_K_q8_K;
    case MOTE_TYPE_Q5_K: return mote_vec_dot_q5_K_q8_K;
    case MOTE_TYPE_Q6_K: return mote_vec_dot_q6_K_q8_K;
    case MOTE_TYPE_IQ4_XS: return mote_vec_dot_iq4_xs_q8_K;
    case MOTE_TYPE_F32: return mote_vec_dot_f32;
    case MOTE_TYPE_F16: return mote_vec_dot_f16_f16;
    case MOTE_TYPE_BF16: return mote_vec_dot_bf16_bf16;
    default: return NULL;
    }
}
static mote_from_float_fn reference_act(int vec_dot_type) {
    switch (vec_dot_type) {
    case MOTE_TYPE_Q8_0: return mote_q8_0_from_float;
    case MOTE_TYPE_Q8_1: return mote_q8_1_from_float;
    case MOTE_TYPE_Q8_K: return mote_q8_K_from_float;
    case MOTE_TYPE_F32: return mote_f32_from_float;
    case MOTE_TYPE_F16: return mote_f16_from_float;
    case MOTE_TYPE_BF16: return mote_bf16_from_float;
    default: return NULL;
    }
}

/* One type's kernels at one row length; returns the number of mismatches. */
static int check_length(const char *set, int type, const mote_panel_kernels *pk, bool stored, int64_t n) {
    const mote_type_traits *tr = mote_traits(type);
    const mote_vec_dot_fn ref = reference(type);
    const mote_from_float_fn ref_act = reference_act(tr->vec_dot_type);
    const int R = pk->rows, C = pk->cols;
    const size_t wrow = mote_row_size(type, n), xrow = mote_row_size(tr->vec_dot_type, n);
    const size_t arow = pk->act_row_bytes(n), pbytes = pk->panel_bytes(n);
    int bad = 0;
    if (!stored && pbytes % 64) {
        fprintf(stderr, "MISMATCH %s %s: panel_bytes(%lld) = %zu, not a multiple of 64\n", set, tr->name,
                (long long)n, pbytes);
        return 1;
    }
    float *wf = malloc(sizeof(float) * (size_t)n * R), *xf = malloc(sizeof(float) * (size_t)n * C);
    uint8_t *w = malloc(wrow * R), *x = malloc(xrow * C), *a = malloc(arow * C);
    void *panel = aligned_alloc(64, (pbytes + 63) & ~(size_t)63);
    for (int64_t i = 0; i < n * R; i++) wf[i] = frand() * (i % 97 == 0 ? 8.0f : 1.0f);
    for (int64_t i = 0; i < n * C; i++) xf[i] = frand() * (i % 13 == 0 ? 30.0f : 1.0f);
    for (int r = 0; r < R; r++) tr->from_float(wf + r * n, w + r * wrow, n);
    for (int c = 0; c < C; c++) {
        ref_act(xf + c * n, x + c * xrow, n);
        pk->act_from_float(xf + c * n, a + c * arow, n);
    }
    const int row_counts[] = {R, R > 3 ? 3 : 1}; /* a full panel and a partial one */
    for (int ri = 0; ri < 2 && !bad; ri++) {
        const int rows = row_counts[ri];
        memset(panel, 0xA5, pbytes); /* stale bytes must not leak into the result */
        pk->pack(n, w, wrow, rows, panel);
        if (stored) { /* unpack gives back every packed row's GGUF bytes (a tied head serves the embedding) */
            uint8_t *back = malloc(wrow);
            for (int r = 0; r < rows && !bad; r++) {
                if (!pk->unpack) {
                    fprintf(stderr, "MISMATCH %s %s: stored panels without unpack\n", set, tr->name);
                    bad = 1;
                    break;
                }
                memset(back, 0x5A, wrow); /* bytes unpack leaves alone must not pass */
                pk->unpack(n, panel, r, back);
                if (memcmp(back, w + r * wrow, wrow)) {
                    fprintf(stderr, "MISMATCH %s %s n=%lld: unpack of row %d differs\n", set, tr->name, (long long)n, r);
                    bad = 1;
                }
            }
            free(back);
        }
        for (int cols = 1; cols <= C && !bad; cols++) {
            float y[MOTE_PANEL_MAX_COLS * (MOTE_PANEL_MAX_ROWS + 3)];
            const size_t ys = R + 3; /* a y stride other than the panel's height */
            pk->gemm(n, panel, a, arow, cols, y, ys);
            for (int c = 0; c < cols && !bad; c++)
                for (int r = 0; r < R && !bad; r++) {
                    const float want = r < rows ? ref(n, w + r * wrow, x + c * xrow) : 0.0f;
                    double mag = 0;
                    for (int64_t i = 0; i < n; i++) mag += fabs((double)wf[r * n + i] * xf[c * n + i]);
                    if (fabs((double)y[c * ys + r] - want) > 1e-5 * mag * 2 + 1e-6) {
                        fprintf(stderr, "MISMATCH %s %s %s n=%lld rows=%d cols=%d: row %d column %d: panel %.9g, "
                                "reference %.9g\n", set, tr->name, stored ? "stored panels" : "panel kernels",
                                (long long)n, rows, cols, r, c, y[c * ys + r], want);
                        bad = 1;
                    }
                }
        }
    }
    free(wf), free(xf), free(w), free(x), free(a), free(panel);
    return bad;
}

int panel_check_kernels(const char *set, int type, const mote_panel_kernels *pk, bool stored) {
    static const int64_t sizes[] = {256, 512, 2048 + 256, 8192};
    const mote_type_traits *tr = mote_traits(type);
    if (!reference(type) || !reference_act(tr->vec_dot_type)) {
        fprintf(stderr, "MISMATCH %s %s: panel kernels but no known reference\n", set, tr->name);
        return 1;
    }
    if (pk->rows < 1 || pk->rows > MOTE_PANEL_MAX_ROWS || pk->cols < 1 || pk->cols > MOTE_PANEL_MAX_COLS) {
        fprintf(stderr, "MISMATCH %s %s: geometry %d x %d out of range\n", set, tr->name, pk->rows, pk->cols);
        return 1;
    }
    int bad = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) bad += check_length(set, type, pk, stored, sizes[s]);
    if (tr->block_size == 1) bad += check_length(set, type, pk, stored, 643); /* float types: odd tails */
    printf("  %s %s: %s (%d x %d) %s\n", set, tr->name, stored ? "stored panels" : "panel kernels", pk->rows,
           pk->cols, bad ? "DIFFER from vec_dot" : "match vec_dot");
    return bad;
}

static int check_list(const char *set, const mote_panel_entry *list, bool stored, int *found) {
    int bad = 0;
    *found = 0;
    for (const mote_panel_entry *e = list; e && e->type >= 0; e++, (*found)++)
        bad += panel_check_kernels(set, e->type, e->kernels, stored);
    return bad;
}

int panel_check_set(const mote_kernel_set *set, uint32_t seed, int *panels, int *stored) {
    rng = seed | 1;
    return check_list(set->name, set->panels, false, panels) + check_list(set->name, set->stored, true, stored);
}
