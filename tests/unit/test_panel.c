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
#include "kernels/panel_check.h"
#include "testutil.h"

/* One type's kernels against the reference (tests/kernels/panel_check.c,
 * shared with the ARM cross test). */
static void check_type(int type, const mote_panel_kernels *pk, bool stored, const char *set) {
    if (panel_check_kernels(set, type, pk, stored))
        fail_msg("%s %s: %s differ from vec_dot (lines above)", set, mote_type_name(type),
                 stored ? "stored panels" : "panel kernels");
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

/* F16 and BF16 panels must give their set's one-token dot bit for bit (a
 * prompt's logits then equal its tokens' one at a time, which the f16 KV
 * cache would otherwise make visible): every set this CPU runs, against the
 * vec_dot of the same set (or the one it inherits). Odd and even lengths,
 * a full panel, every column count. */
static void test_float_panels_equal_one_token(void **state) {
    (void)state;
    int count, checked = 0;
    const mote_kernel_set *sets = mote_kernel_sets(&count);
    static const int types[] = {MOTE_TYPE_F16, MOTE_TYPE_BF16};
    /* 264 and 8: whole 8-weight chunks after the last 32, nothing after;
     * 7: only the scalar tail */
    static const int64_t lengths[] = {640, 2048 + 40, 643, 31, 264, 8, 7};
    for (int ti = 0; ti < 2; ti++) {
        const int type = types[ti];
        const mote_panel_kernels *pk = NULL;
        mote_vec_dot_fn dot = type == MOTE_TYPE_F16 ? mote_vec_dot_f16_f16 : mote_vec_dot_bf16_bf16; /* until a set has its own */
        for (int i = 0; i < count; i++) {
            if (!sets[i].usable()) break;
            for (const mote_kernel_entry *e = sets[i].entries; e && e->type >= 0; e++)
                if (e->type == type && e->vec_dot) dot = e->vec_dot;
            for (const mote_panel_entry *e = sets[i].panels; e && e->type >= 0; e++)
                if (e->type == type) pk = e->kernels;
            if (!pk) continue;
            const mote_from_float_fn act = mote_traits(type)->from_float;
            for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
                const int64_t n = lengths[li];
                const size_t wrow = mote_row_size(type, n), arow = pk->act_row_bytes(n);
                float *f = malloc(sizeof(float) * (size_t)n);
                uint8_t *w = malloc(wrow * (size_t)pk->rows), *x = malloc(wrow * (size_t)pk->cols);
                uint8_t *a = malloc(arow * (size_t)pk->cols);
                void *panel = aligned_alloc(64, pk->panel_bytes(n));
                for (int r = 0; r < pk->rows + pk->cols; r++) {
                    for (int64_t k = 0; k < n; k++) f[k] = (float)((r * 7919 + k * 104729) % 2001 - 1000) / 377.0f;
                    if (r < pk->rows) act(f, w + (size_t)r * wrow, n);
                    else {
                        act(f, x + (size_t)(r - pk->rows) * wrow, n);
                        pk->act_from_float(f, a + (size_t)(r - pk->rows) * arow, n);
                    }
                }
                pk->pack(n, w, wrow, pk->rows, panel);
                float y[MOTE_PANEL_MAX_COLS * MOTE_PANEL_MAX_ROWS];
                for (int cols = 1; cols <= pk->cols; cols++) {
                    pk->gemm(n, panel, a, arow, cols, y, (size_t)pk->rows);
                    for (int c = 0; c < cols; c++)
                        for (int r = 0; r < pk->rows; r++) {
                            const float want = dot(n, w + (size_t)r * wrow, x + (size_t)c * wrow);
                            if (memcmp(&want, &y[c * pk->rows + r], sizeof want))
                                fail_msg("%s %s n=%lld row %d column %d: panel %.9g, one-token dot %.9g", sets[i].name,
                                         mote_type_name(type), (long long)n, r, c, y[c * pk->rows + r], want);
                        }
                }
                free(f), free(w), free(x), free(a), free(panel);
            }
            printf("  %s %s: panels equal the one-token dot bit for bit\n", sets[i].name, mote_type_name(type));
            checked++;
        }
    }
    assert_true(checked > 0 || count == 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_set),
        cmocka_unit_test(test_installed_match_reference),
        cmocka_unit_test(test_stored_not_below_panels),
        cmocka_unit_test(test_float_panels_equal_one_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
