/*
 * glu_check.c — see glu_check.h. Inputs: random bit patterns over the whole
 * float range, a sweep through the exponential's cut-offs (|x| near 87 and
 * 133), and the edge cases (zeros, subnormals, the largest floats, inf,
 * nan); an odd length leaves a partial vector; gated and ungated.
 */
#include "glu_check.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/ops.h"

static uint32_t rng_state = 0x2545f491u;
static uint32_t next_bits(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static int differ(const float *a, const float *b, int n) {
    int bad = 0;
    for (int i = 0; i < n; i++)
        if (memcmp(a + i, b + i, 4) != 0 && !(isnan(a[i]) && isnan(b[i]))) bad++;
    return bad;
}

int glu_check_set(const mote_kernel_set *set, int *checked) {
    *checked = 0;
    if (!set->glu_silu) return 0;
    enum { N = 4099 };
    static float gate[N], up[N], want[N], got[N];
    const float edges[] = {0.0f, -0.0f, FLT_MIN, -FLT_MIN, 1e-40f, -1e-40f, FLT_MAX, -FLT_MAX,
                           INFINITY, -INFINITY, NAN, 1.0f, -1.0f, 88.0f, -88.0f, 104.0f, -104.0f};
    int bad = 0;
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < N; i++) {
            uint32_t b = next_bits();
            float x;
            memcpy(&x, &b, 4);
            if (round == 1) x = (i % 2 ? -1.0f : 1.0f) * (80.0f + 60.0f * (float)i / N); /* the cut-offs */
            if (round == 2) x = edges[i % (sizeof edges / sizeof *edges)];
            if (round == 3) x = (float)(next_bits() % 20000) / 1000.0f - 10.0f;           /* ordinary values */
            gate[i] = x;
            up[i] = (float)(next_bits() % 2001) / 1000.0f - 1.0f;
        }
        mote_glu_portable(want, gate, up, N, MOTE_ACT_SILU);
        set->glu_silu(got, gate, up, N);
        bad += differ(want, got, N);
        mote_activate_portable(want, gate, N, MOTE_ACT_SILU);
        set->glu_silu(got, gate, NULL, N);
        bad += differ(want, got, N);
        *checked += 2 * N;
    }
    if (bad) printf("%s glu_silu: %d elements differ from the portable form\n", set->name, bad);
    return bad;
}
