/*
 * test_stored_avx512.c — the AVX-512 products of the stored k-quant layout
 * (quant/x86/avx512_stored_kquants.c) against the AVX2 kernels of the same
 * layout: the stored bytes must be the AVX2 layout's, byte for byte (a model
 * repacked at load serves either set), and every product bit-identical to
 * the AVX2 one for 1..8 tokens (same integer sums, same float steps), so a
 * token gives the same numbers alone or in a batch of sequences. Also: the
 * repack crossover (quant/stored_repack.h) is set for these layouts only
 * when they are installed. And the activation rows of the 32-weight block
 * panels (avx512_panel_q32.c): quants and scale bit for bit the reference
 * Q8_0's, the offset term -K * their sum. Skips when the CPU cannot run the
 * avx512 set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/fp16.h"
#include "quant/kernels.h"
#include "quant/quantize.h"
#include "quant/simd.h"
#include "quant/stored_repack.h"
#include "quant/types.h"
#include "testutil.h"
#if defined(__x86_64__)
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx512_kernels.h"
#endif

#define N_IN 512
#define N_ROWS 24 /* one full 16-row panel, then a partial one of 8 rows */

#if defined(__x86_64__)
static bool avx512_usable(void) {
    int count = 0;
    const mote_kernel_set *sets = mote_kernel_sets(&count);
    for (int i = 0; i < count; i++)
        if (strcmp(sets[i].name, "avx512") == 0) return sets[i].usable();
    return false;
}

static float frand(void) { return (float)rand() / (float)RAND_MAX * 2.0f - 1.0f; }

static void check_type(int type, const mote_panel_kernels *wide, const mote_panel_kernels *avx2) {
    const size_t rb = mote_row_size(type, N_IN);
    float *wf = malloc(sizeof(float) * N_IN * N_ROWS), *xf = malloc(sizeof(float) * N_IN * 8);
    for (int i = 0; i < N_IN * N_ROWS; i++) wf[i] = frand();
    for (int i = 0; i < N_IN * 8; i++) xf[i] = frand();
    uint8_t *w = malloc(rb * N_ROWS);
    assert_true(mote_quantize_rows(type, wf, w, N_ROWS, N_IN, NULL) > 0);

    /* layout: the wide panels are the AVX2 groups one after the other */
    const size_t wpb = wide->panel_bytes(N_IN), apb = avx2->panel_bytes(N_IN);
    assert_int_equal(wide->rows, 2 * avx2->rows);
    assert_int_equal(wpb, 2 * apb);
    uint8_t *wp = calloc(2, wpb), *ap = calloc(4, apb);
    for (int r = 0; r < N_ROWS; r += 16) wide->pack(N_IN, w + r * rb, rb, N_ROWS - r < 16 ? N_ROWS - r : 16, wp + (r / 16) * wpb);
    for (int r = 0; r < N_ROWS; r += 8) avx2->pack(N_IN, w + r * rb, rb, 8, ap + (r / 8) * apb);
    avx2->pack(N_IN, w, rb, 0, ap + 3 * apb); /* the zero group after an odd count of groups */
    assert_memory_equal(wp, ap, 2 * wpb);

    /* products: bit-identical, 1..8 tokens, both panels */
    const size_t ar = wide->act_row_bytes(N_IN);
    uint8_t *act = malloc(ar * 8);
    for (int t = 0; t < 8; t++) wide->act_from_float(xf + t * N_IN, act + t * ar, N_IN);
    for (int panel = 0; panel < 2; panel++)
        for (int cols = 1; cols <= 8; cols++) {
            float yw[8 * 16], ya[8 * 16];
            memset(yw, 0, sizeof yw), memset(ya, 0, sizeof ya);
            wide->gemm(N_IN, wp + panel * wpb, act, ar, cols, yw, 16);
            for (int half = 0; half < 2; half++)
                for (int t = 0; t < cols; t += avx2->cols) {
                    const int c = cols - t < avx2->cols ? cols - t : avx2->cols;
                    avx2->gemm(N_IN, ap + (2 * panel + half) * apb, act + t * ar, ar, c, ya + t * 16 + 8 * half, 16);
                }
            if (memcmp(yw, ya, sizeof yw)) {
                fprintf(stderr, "%s: panel %d, %d tokens: the AVX-512 products differ from the AVX2 ones\n",
                        mote_traits(type)->name, panel, cols);
                fail();
            }
        }
    printf("  %s: layout and products (1..8 tokens) identical to AVX2's\n", mote_traits(type)->name);
    free(wf), free(xf), free(w), free(wp), free(ap), free(act);
}
#endif

/* Skips the test (saying why) unless this CPU runs the avx512 set. */
static void skip_unless_avx512(void) {
#if defined(__x86_64__)
    if (!avx512_usable()) {
        printf("  skipped: this CPU cannot run the avx512 set\n");
        skip();
    }
    mote_kernels_init();
#else
    printf("  skipped: not an x86-64 build\n");
    skip();
#endif
}

static void test_same_as_avx2(void **state) {
    (void)state;
    skip_unless_avx512();
#if defined(__x86_64__)
    check_type(MOTE_TYPE_Q4_K, &mote_avx512_stored_q4_K, &mote_avx2_stored_q4_K);
    check_type(MOTE_TYPE_Q5_K, &mote_avx512_stored_q5_K, &mote_avx2_stored_q5_K);
    check_type(MOTE_TYPE_Q6_K, &mote_avx512_stored_q6_K, &mote_avx2_stored_q6_K);
#endif
}

#if defined(__x86_64__)
/* The activation block of avx512_panel_q32.c (its layout, asserted there). */
typedef struct {
    float d;
    int32_t off;
    int8_t qs[32];
} q32_act;

/* One panel's activation rows against the reference Q8_0 of the same floats. */
static void check_q32_act(const mote_panel_kernels *pk, int k, const char *name) {
    enum { N = 32 * 12 };
    float x[N];
    for (int i = 0; i < N; i++) x[i] = frand() * 3.0f;
    for (int i = 0; i < 32; i++) x[32 + i] = 0.0f;                         /* an all-zero block */
    for (int i = 0; i < 32; i++) x[64 + i] = frand() * 1e-30f;              /* tiny values */
    for (int i = 0; i < 32; i++) x[96 + i] = frand() * 1e30f;               /* huge values */
    for (int i = 0; i < 32; i++) x[128 + i] = (float)(i - 16) * 0.5f;       /* ties at .5 */
    x[160] = -7.0f;                                                          /* the maximum negative */
    assert_int_equal(pk->act_row_bytes(N), (N / 32) * sizeof(q32_act));
    q32_act act[N / 32];
    block_q8_0 ref[N / 32];
    pk->act_from_float(x, act, N);
    mote_q8_0_from_float(x, ref, N);
    for (int b = 0; b < N / 32; b++) {
        int32_t sum = 0;
        for (int i = 0; i < 32; i++) sum += ref[b].qs[i];
        if (memcmp(act[b].qs, ref[b].qs, 32) || act[b].d != mote_fp16_to_f32(ref[b].d) || act[b].off != -k * sum) {
            fprintf(stderr, "%s: activation block %d differs from the reference Q8_0\n", name, b);
            fail();
        }
    }
}
#endif

/* The 32-weight block panels' activation rows are the reference Q8_0's. */
static void test_q32_activations(void **state) {
    (void)state;
    skip_unless_avx512();
#if defined(__x86_64__)
    check_q32_act(&mote_avx512_stored_q4_0, 8, "stored q4_0");
    check_q32_act(&mote_avx512_panel_q5_0, 16, "panel q5_0");
    check_q32_act(&mote_avx512_panel_q8_0, 128, "panel q8_0");
#endif
}

/* The crossover is reported for the installed layout of these types, and
 * for no type whose installed layout is not listed. */
static void test_repack_from(void **state) {
    (void)state;
    mote_kernels_init();
    for (int type = 0; type < MOTE_TYPE_COUNT; type++) {
        const int32_t from = mote_stored_panel_repack_from(type);
        bool listed = false;
#if defined(__x86_64__)
        const mote_panel_kernels *k = mote_stored_panel(type);
        listed = k && (k == &mote_avx512_stored_q4_K || k == &mote_avx512_stored_q5_K || k == &mote_avx512_stored_q6_K);
#endif
        if (listed) assert_true(from > 0);
        else assert_int_equal(from, 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_avx2),
        cmocka_unit_test(test_repack_from),
        cmocka_unit_test(test_q32_activations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
