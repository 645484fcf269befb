/*
 * test_glu.c — the gated activations (engine/ops.c, mote_glu) give exactly
 * the bits of their portable form (mote_glu_portable) on every kind of
 * input: random bit patterns over the whole float range, a fine sweep
 * through the exponential's cut-offs (|x| near 87 and 133) and GELU's
 * (+-10), and the edge cases (zeros, subnormals, the largest floats, inf,
 * nan), with lengths that leave a partial vector at the end and with out
 * aliasing gate; the same for the ungated mote_activate against
 * mote_activate_portable. The logits tests only see the values a model
 * produces; this sees the rest. The kernel set in use (quant/simd.h)
 * supplies the vector version; a set without one (or MOTE_KERNELS=ref)
 * leaves both sides the portable code, and the test checks nothing new.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant/simd.h"
#include "engine/ops.h"
#include "testutil.h"

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t rng_state = 0x9e3779b9u;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Fill gate with the test inputs; returns how many. */
static int64_t inputs(float *gate, int64_t cap) {
    int64_t n = 0;
    const float special[] = {0.0f, -0.0f, FLT_MIN, -FLT_MIN, FLT_TRUE_MIN, -FLT_TRUE_MIN, from_bits(0x007fffffu),
                             from_bits(0x807fffffu), FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN, -NAN, 1.0f,
                             -1.0f, 10.0f, -10.0f, nextafterf(10.0f, 0.0f), nextafterf(-10.0f, 0.0f),
                             nextafterf(10.0f, 20.0f), nextafterf(-10.0f, -20.0f), 87.33654f, -87.33654f,
                             88.72284f, -88.72284f, 103.97208f, -103.97208f, 133.08f, -133.08f, 65504.0f, 65520.0f,
                             -65520.0f, 6.1035156e-05f, 2.9802322e-08f, -2.9802322e-08f, 5.9604645e-08f};
    for (size_t i = 0; i < sizeof special / sizeof *special; i++) gate[n++] = special[i];
    /* a sweep through the cut-offs, 1/4096 apart */
    for (float x = -140.0f; x <= 140.0f && n < cap; x += 1.0f / 4096.0f) gate[n++] = x;
    /* random bit patterns: every exponent, subnormals, nans */
    while (n < cap) gate[n++] = from_bits(rng());
    return n;
}

static int compare(const float *a, const float *b, const float *gate, int64_t n, const char *what) {
    int bad = 0;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(a[i]) && isnan(b[i])) continue;
        if (bits(a[i]) != bits(b[i])) {
            if (bad < 5)
                printf("%s: gate %a: vector %a, portable %a\n", what, (double)gate[i], (double)a[i], (double)b[i]);
            bad++;
        }
    }
    return bad;
}

static void check(mote_activation act, const char *what) {
    const int64_t cap = 3 * 1000 * 1000 + 5; /* not a multiple of 8: a partial last vector */
    float *gate = malloc(cap * sizeof(float)), *up = malloc(cap * sizeof(float));
    float *got = malloc(cap * sizeof(float)), *want = malloc(cap * sizeof(float));
    assert_non_null(gate);
    assert_non_null(up);
    assert_non_null(got);
    assert_non_null(want);
    const int64_t n = inputs(gate, cap);
    /* up mostly ordinary numbers, sometimes an edge case of its own */
    for (int64_t i = 0; i < n; i++) up[i] = i % 97 == 0 ? gate[(i * 7919) % n] : (float)(rng() % 2001) / 1000.0f - 1.0f;

    mote_glu_portable(want, gate, up, n, act);
    mote_glu(got, gate, up, n, act);
    int bad = compare(got, want, gate, n, what);
    /* short rows: every tail length */
    for (int64_t len = 1; len <= 17; len++) {
        mote_glu(got, gate + 3, up + 3, len, act);
        bad += compare(got, want + 3, gate + 3, len, what);
    }
    /* in place: out is gate */
    memcpy(got, gate, n * sizeof(float));
    mote_glu(got, got, up, n, act);
    bad += compare(got, want, gate, n, what);
    /* no gate (mote_activate), in place too */
    mote_activate_portable(want, gate, n, act);
    mote_activate(got, gate, n, act);
    bad += compare(got, want, gate, n, what);
    for (int64_t len = 1; len <= 17; len++) {
        mote_activate(got, gate + 3, len, act);
        bad += compare(got, want + 3, gate + 3, len, what);
    }
    memcpy(got, gate, n * sizeof(float));
    mote_activate(got, got, n, act);
    bad += compare(got, want, gate, n, what);
    printf("%s: %lld inputs, %d differences\n", what, (long long)n, bad);
    assert_int_equal(bad, 0);
    free(gate);
    free(up);
    free(got);
    free(want);
}

static void test_silu_bits(void **state) {
    (void)state;
    check(MOTE_ACT_SILU, "silu");
}

static void test_gelu_bits(void **state) {
    (void)state;
    check(MOTE_ACT_GELU_TANH, "gelu");
}

int main(void) {
    const mote_kernel_set *k = mote_kernels_active();
    printf("kernel set %s: vector version %s\n", k->name,
           k->glu_silu && k->glu_gelu_table ? "in use" : "not in use (portable against itself)");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_silu_bits),
        cmocka_unit_test(test_gelu_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
