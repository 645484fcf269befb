/*
 * test_panel.c — the panel kernels (types.h, mote_panel: repack rows, then
 * multiply a group of activation rows with all of them) against the
 * reference vec_dot of their type: every panel and stored-panel kernel of
 * every kernel set this CPU runs (quant/simd.h), naming the sets it skips
 * for lack of CPU support, and then those dispatch installed.
 *
 * Random weight rows of several lengths; full panels and a partial one (the
 * missing rows must read as zero); 1 to `cols` activation rows,
 * converted by the panel's own act_from_float, compared with the reference
 * dot of the same rows converted by vec_dot_type's reference from_float.
 * Tolerance: only the float summation order may differ from vec_dot's,
 * |panel - ref| <= 2e-5 * sum of |w x| + 1e-6. Stored panels must also
 * unpack every row back to exactly its GGUF bytes (the token embedding
 * reads a tied head that way).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/kernels.h"
#include "quant/simd.h"
#include "quant/types.h"
#include "testutil.h"

static uint32_t rng = 88172645u;
static float frand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (float)(rng & 0xFFFFFF) / (float)0x800000 - 1.0f;
}

/* Reference vec_dot and activation quantizer of each type that may have panels. */
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
    default: return NULL;
    }
}
static mote_from_float_fn reference_act(int vec_dot_type) {
    switch (vec_dot_type) {
    case MOTE_TYPE_Q8_0: return mote_q8_0_from_float;
    case MOTE_TYPE_Q8_1: return mote_q8_1_from_float;
    case MOTE_TYPE_Q8_K: return mote_q8_K_from_float;
    default: return NULL;
    }
}

static void check_type(int type, const mote_panel_kernels *pk, bool stored, const char *set) {
    const mote_type_traits *tr = mote_traits(type);
    const mote_vec_dot_fn ref = reference(type);
    const mote_from_float_fn ref_act = reference_act(tr->vec_dot_type);
    if (!ref || !ref_act) fail_msg("%s has panel kernels but the test knows no reference for it", tr->name);
    const int64_t sizes[] = {256, 512, 2048 + 256, 8192};
    const int R = pk->rows, C = pk->cols;
    assert_true(R >= 1 && R <= MOTE_PANEL_MAX_ROWS && C >= 1 && C <= MOTE_PANEL_MAX_COLS);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const int64_t n = sizes[si];
        const size_t wrow = mote_row_size(type, n), xrow = mote_row_size(tr->vec_dot_type, n);
        const size_t arow = pk->act_row_bytes(n), pbytes = pk->panel_bytes(n);
        if (!stored) assert_true(pbytes % 64 == 0);
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
        const int row_counts[] = {R, 3};
        for (int ri = 0; ri < 2; ri++) {
            const int rows = row_counts[ri];
            memset(panel, 0xA5, pbytes); /* stale bytes must not leak into the result */
            pk->pack(n, w, wrow, rows, panel);
            if (stored) { /* unpack gives back every packed row's GGUF bytes */
                if (!pk->unpack) fail_msg("%s: stored panels without unpack", tr->name);
                uint8_t *back = malloc(wrow);
                for (int r = 0; r < rows; r++) {
                    memset(back, 0x5A, wrow);
                    pk->unpack(n, panel, r, back);
                    if (memcmp(back, w + r * wrow, wrow))
                        fail_msg("%s n=%lld: unpacked row %d differs from the packed one", tr->name, (long long)n, r);
                }
                free(back);
            }
            for (int cols = 1; cols <= C; cols++) {
                float y[MOTE_PANEL_MAX_COLS * (MOTE_PANEL_MAX_ROWS + 3)];
                const size_t ys = R + 3; /* a y stride other than the panel's height */
                pk->gemm(n, panel, a, arow, cols, y, ys);
                for (int c = 0; c < cols; c++)
                    for (int r = 0; r < R; r++) {
                        const float want = r < rows ? ref(n, w + r * wrow, x + c * xrow) : 0.0f;
                        double mag = 0;
                        for (int64_t i = 0; i < n; i++) mag += fabs((double)wf[r * n + i] * xf[c * n + i]);
                        if (fabs((double)y[c * ys + r] - want) > 1e-5 * mag * 2 + 1e-6)
                            fail_msg("%s %s n=%lld rows=%d cols=%d: row %d column %d: panel %.9g, reference %.9g",
                                     set, tr->name, (long long)n, rows, cols, r, c, y[c * ys + r], want);
                    }
            }
        }
        free(wf), free(xf), free(w), free(x), free(a), free(panel);
    }
    printf("  %s %s: %s (%d x %d) match vec_dot\n", set, tr->name, stored ? "stored panels" : "panel kernels", R, C);
}

/* Every entry of one list; returns how many. */
static int check_list(const mote_panel_entry *list, bool stored, const char *set) {
    int found = 0;
    for (const mote_panel_entry *e = list; e && e->type >= 0; e++, found++) check_type(e->type, e->kernels, stored, set);
    return found;
}

static void test_every_set(void **state) {
    (void)state;
    int count;
    const mote_kernel_set *sets = mote_kernel_sets(&count);
    for (int i = 0; i < count; i++) {
        if (!sets[i].usable()) {
            printf("  kernel set %s: not supported by this CPU, skipped\n", sets[i].name);
            continue;
        }
        const int p = check_list(sets[i].panels, false, sets[i].name);
        const int s = check_list(sets[i].stored, true, sets[i].name);
        printf("  kernel set %s: %d panel kernels, %d stored layouts\n", sets[i].name, p, s);
    }
}

/* What dispatch installed (the chosen set over those below it). */
static void test_installed_match_reference(void **state) {
    (void)state;
    int found = 0;
    for (int type = 0; type < MOTE_TYPE_COUNT; type++) {
        const mote_panel_kernels *pk = mote_panel(type);
        if (!pk) continue;
        check_type(type, pk, false, mote_kernel_set_name());
        found++;
    }
    printf("  %d types with panel kernels\n", found);
    found = 0;
    for (int type = 0; type < MOTE_TYPE_COUNT; type++) {
        const mote_panel_kernels *pk = mote_stored_panel(type);
        if (!pk) continue;
        check_type(type, pk, true, mote_kernel_set_name());
        found++;
    }
    printf("  %d types with stored panels\n", found);
}

/* The set whose list (panels or stored) holds k; -1 if none. */
static int set_of(const mote_panel_kernels *k, bool stored) {
    int count, found = -1;
    const mote_kernel_set *sets = mote_kernel_sets(&count);
    for (int i = 0; i < count; i++)
        for (const mote_panel_entry *e = stored ? sets[i].stored : sets[i].panels; e && e->type >= 0; e++)
            if (e->kernels == k) found = i;
    return found;
}

/* dispatch.c: a type's installed stored layout comes from a lower set than
 * its installed panel kernels only if it can give its rows back (unpack)
 * and is marked outranked, so prompts are repacked into the higher set's
 * panels (engine/matmul.c) and never run the lower set's arithmetic; from
 * the same or a higher set it is not marked. */
static void test_stored_not_below_panels(void **state) {
    (void)state;
    int outranked = 0;
    for (int type = 0; type < MOTE_TYPE_COUNT; type++) {
        const mote_panel_kernels *sp = mote_stored_panel(type), *pk = mote_panel(type);
        if (!sp || !pk) continue;
        assert_true(set_of(sp, true) >= 0 && set_of(pk, false) >= 0);
        const bool below = set_of(sp, true) < set_of(pk, false);
        assert_int_equal(below, mote_stored_panel_outranked(type));
        if (below) {
            assert_non_null(sp->unpack);
            outranked++;
        }
    }
    printf("  %d stored layouts outranked by a higher set's panels\n", outranked);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_set),
        cmocka_unit_test(test_installed_match_reference),
        cmocka_unit_test(test_stored_not_below_panels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
