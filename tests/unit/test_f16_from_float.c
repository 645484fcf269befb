/*
 * test_f16_from_float.c — the installed F16 from_float (the KV cache's
 * conversion, vectorized where the CPU allows) gives exactly the reference's
 * bits (quant/float_types.c, mote_f32_to_fp16) for every kind of float:
 * random bit patterns over the whole range (NaNs with payloads, infinities,
 * subnormals), the overflow and underflow edges, and every tail length.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/kernels.h"
#include "quant/types.h"
#include "testutil.h"

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void test_bits_match_reference(void **state) {
    (void)state;
    enum { N = 1 << 20 };
    float *x = malloc(N * sizeof *x);
    uint16_t *want = malloc(N * sizeof *want), *got = malloc(N * sizeof *got);
    assert_non_null(x), assert_non_null(want), assert_non_null(got);
    const float edges[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, from_bits(0x7fc12345u), from_bits(0xff812345u),
                           65504.0f, 65519.99f, 65520.0f, -65520.0f, FLT_MAX, 6.1035156e-05f, 5.9604645e-08f,
                           2.9802322e-08f, 2.9802326e-08f, -2.9802322e-08f, FLT_TRUE_MIN, 1.0f / 3.0f};
    int64_t n = 0;
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) x[n++] = edges[i];
    uint32_t r = 0x12345678u;
    while (n < N) {
        r ^= r << 13, r ^= r >> 17, r ^= r << 5;
        x[n++] = from_bits(r);
    }
    const mote_from_float_fn fast = mote_traits(MOTE_TYPE_F16)->from_float;
    mote_f16_from_float(x, want, N);
    fast(x, got, N);
    int bad = 0;
    for (int64_t i = 0; i < N; i++)
        if (want[i] != got[i] && bad++ < 5) printf("  x %a (bits %08x): ref %04x, installed %04x\n", (double)x[i],
                                                  (unsigned)*(uint32_t *)&x[i], want[i], got[i]);
    for (int64_t len = 1; len <= 17; len++) { /* tails */
        memset(got, 0, 32 * sizeof *got);
        fast(x + 1, got, len);
        for (int64_t i = 0; i < len; i++) bad += want[1 + i] != got[i];
        bad += got[len] != 0; /* nothing written past n */
    }
    printf("  %d differences in %d values\n", bad, N);
    assert_int_equal(bad, 0);
    free(x), free(want), free(got);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bits_match_reference)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
