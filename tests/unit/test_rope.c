/*
 * test_rope.c — rotary position embedding (engine/ops.c, mote_rope_apply)
 * gives exactly the bits of its portable form (mote_rope_apply_portable)
 * in both pairings (neighbours, halves), for rotation widths that fill the
 * vectors and ones that leave a scalar tail, partial rotation (n_rot <
 * head_dim: the rest untouched), several heads, and values from random bit
 * patterns (every exponent, subnormals, inf, nan) as well as ordinary
 * ones. The kernel set in use (quant/simd.h) supplies the vector version;
 * a set without one (or MOTE_KERNELS=ref) leaves both sides the portable
 * code, and the test says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ops.h"
#include "quant/simd.h"
#include "testutil.h"

/* 32 random bits from the C library's generator (fixed seed: the default). */
static uint32_t rng(void) { return ((uint32_t)rand() << 16) ^ (uint32_t)rand(); }

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* An ordinary value in [-4, 4), or every 8th one a random bit pattern. */
static float value(int i, bool wild) {
    if (wild && i % 8 == 3) return from_bits(rng());
    return (float)(rng() % 65536) / 8192.0f - 4.0f;
}

static void check(int32_t n_heads, int32_t head_dim, int32_t n_rot, mote_rope_mode mode, bool wild) {
    const int32_t n = n_heads * head_dim;
    float *x = malloc(sizeof(float) * n), *want = malloc(sizeof(float) * n), *cs = malloc(sizeof(float) * n_rot);
    for (int32_t i = 0; i < n; i++) x[i] = value(i, wild);
    for (int32_t i = 0; i < n_rot; i++) cs[i] = value(i, wild) / 4.0f;
    memcpy(want, x, sizeof(float) * n);
    mote_rope_apply_portable(want, n_heads, head_dim, n_rot, cs, mode);
    mote_rope_apply(x, n_heads, head_dim, n_rot, cs, mode);
    if (memcmp(x, want, sizeof(float) * n)) {
        for (int32_t i = 0; i < n; i++)
            if (memcmp(&x[i], &want[i], sizeof(float))) {
                fprintf(stderr, "rope %s heads %d dim %d n_rot %d: value %d is %a, portable %a\n",
                        mode == MOTE_ROPE_NEOX ? "neox" : "normal", n_heads, head_dim, n_rot, i, x[i], want[i]);
                break;
            }
        fail();
    }
    free(x), free(want), free(cs);
}

static void test_same_bits(void **state) {
    (void)state;
    const mote_kernel_set *k = mote_kernels_active();
    printf("  kernel set %s: %s\n", k->name, k->rope ? "vector rope against the portable loop"
                                                      : "no vector rope (both sides portable)");
    const int32_t dims[][2] = {{64, 64}, {128, 128}, {64, 32}, {80, 80}, {96, 40}, {72, 70}, {16, 16}, {8, 6}};
    for (size_t d = 0; d < sizeof dims / sizeof *dims; d++)
        for (int mode = 0; mode < 2; mode++)
            for (int wild = 0; wild < 2; wild++)
                check(3, dims[d][0], dims[d][1], mode ? MOTE_ROPE_NEOX : MOTE_ROPE_NORMAL, wild);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
