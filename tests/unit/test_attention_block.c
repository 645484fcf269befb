/*
 * test_attention_block.c — the attention kernels of every kernel set this
 * CPU runs (quant/simd.h's attend_block: quant/x86/avx2_attention.c, four
 * queries at a time; avx512_attention.c, sixteen) walk up to
 * MOTE_ATTEND_MAX queries over their shared keys at once; each query's
 * result must be exactly what it gets alone, in whatever
 * company and whatever overlap of key ranges (causal neighbours, sliding
 * windows, disjoint runs). "Alone" is written out here step by step in
 * scalar C (tests/kernels/attention_check.c, shared with the ARM cross
 * test): the query and the accumulator rounded to f16, the q.k dot in 8
 * lanes split over two accumulators by alternate blocks of 8 and summed
 * (lo+hi halves, then pairs), the online softmax with libm's expf. That is
 * the arithmetic the single-query kernel had, which prefill = single steps,
 * thread-count independence and the llama.cpp logits rely on; since every
 * set must match it, a query also gets the same bits from any set. The
 * kernels' own exponentials are also checked against libm's expf directly.
 * Sets this CPU cannot run are named as skipped.
 *
 * Skips on CPUs without AVX2/FMA/F16C and on non-x86 builds.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "quant/fp16.h"
#include "quant/simd.h"
#include "testutil.h"
#include "kernels/attention_check.h"
#if defined(__x86_64__)
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx512_kernels.h"
#endif

#if defined(__x86_64__)

static uint32_t rng_state = 12345u;
static float uniform(void) { /* in [-1, 1) */
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}

/* Key ranges of a block of nq queries, by pattern. */
static void ranges(int pattern, int32_t nq, int32_t rows, int32_t *lo, int32_t *hi) {
    for (int32_t j = 0; j < nq; j++) {
        switch (pattern) {
        case 0: lo[j] = 0, hi[j] = rows; break;                               /* heads of one GQA group */
        case 1: lo[j] = 0, hi[j] = rows - nq + 1 + j; break;                  /* causal neighbours */
        case 2: lo[j] = 5 + j, hi[j] = rows - nq + 1 + j; break;              /* a sliding window */
        case 3: lo[j] = j * rows / nq, hi[j] = (j + 1) * rows / nq; break;    /* disjoint runs */
        default: lo[j] = (j * 37) % (rows / 2), hi[j] = rows - (j * 11) % 7; /* odd overlaps */
        }
    }
}

/* Same bits, or both nan. */
static bool same(const float *a, const float *b, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        uint32_t x, y;
        memcpy(&x, a + i, 4);
        memcpy(&y, b + i, 4);
        if (x != y && !(isnan(a[i]) && isnan(b[i]))) return false;
    }
    return true;
}

/* Every block shape of one set's attend_block against the reference; the
 * number of queries that differ. */
static int check_set(const mote_kernel_set *set) {
    const int32_t dims[] = {64, 72, 128, 256};
    /* value magnitudes: ordinary, tiny (f16 subnormal sums), huge (sums past 65504 become inf) */
    const float magnitudes[] = {4.0f, 3e-6f, 20000.0f};
    const int32_t rows = 203, kv_heads = 2;
    int checked = 0, bad = 0;
    for (size_t mi = 0; mi < sizeof magnitudes / sizeof *magnitudes; mi++)
        for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
            const int32_t hd = dims[di];
            const int64_t stride = (int64_t)kv_heads * hd;
            mote_fp16 *key = malloc(rows * stride * sizeof *key), *val = malloc(rows * stride * sizeof *val);
            enum { NQ = MOTE_ATTEND_MAX };
            float q[NQ][256], out[NQ][256], want[256], qh[NQ * 256], acc[NQ * 256];
            assert_non_null(key);
            assert_non_null(val);
            for (int64_t i = 0; i < rows * stride; i++) {
                /* keys with a drift so that new maxima keep coming */
                key[i] = mote_f32_to_fp16(uniform() * 2.0f + (float)(i / stride) * 0.01f);
                val[i] = mote_f32_to_fp16(uniform() * magnitudes[mi]);
            }
            for (int pattern = 0; pattern < 5; pattern++)
                for (int32_t nq = 1; nq <= NQ; nq++) {
                    for (int32_t j = 0; j < nq; j++)
                        for (int32_t i = 0; i < hd; i++) q[j][i] = uniform() * (float)(1 + j);
                    int32_t lo[NQ], hi[NQ];
                    ranges(pattern, nq, rows, lo, hi);
                    const float *qp[NQ];
                    float *op[NQ];
                    for (int32_t j = 0; j < NQ; j++) qp[j] = q[j], op[j] = out[j];
                    const mote_fp16 *kh = key + hd, *vh = val + hd; /* the second kv head */
                    const float scale = 1.0f / sqrtf((float)hd);
                    set->attend_block(hd, scale, nq, qp, op, lo, hi, kh, vh, stride, qh, (mote_fp16 *)acc);
                    for (int32_t j = 0; j < nq; j++) {
                        attention_single_query(hd, scale, q[j], kh, vh, stride, lo[j], hi[j], want);
                        checked++;
                        if (!same(want, out[j], hd)) {
                            if (bad < 5)
                                printf("%s: values ~%g hd %d pattern %d nq %d query %d rows %d..%d differs\n",
                                       set->name, (double)magnitudes[mi], hd, pattern, nq, j, lo[j], hi[j]);
                            bad++;
                        }
                    }
                }
            free(key);
            free(val);
        }
    printf("%s: %d queries checked, %d differ from the single-query arithmetic\n", set->name, checked, bad);
    return bad;
}

static void test_block_equals_reference(void **state) {
    (void)state;
    int n_sets, tested = 0, bad = 0;
    const mote_kernel_set *sets = mote_kernel_sets(&n_sets);
    for (int i = 0; i < n_sets; i++) {
        if (!sets[i].attend_block) continue;
        if (!sets[i].usable()) {
            printf("%s: skipped, this CPU cannot run it\n", sets[i].name);
            continue;
        }
        bad += check_set(&sets[i]);
        tested++;
    }
    if (!tested) skip();
    assert_int_equal(bad, 0);
}

/* The softmax exponential against libm's expf: a spread of the floats <= 0
 * (every 97th bit pattern, all exponents and subnormals) and the edges. The
 * kernel reproduces glibc's expf on FMA CPUs, so elsewhere this is skipped. */
static void expf_matches_libm(const char *name, void (*expf_nonpos)(int64_t, const float *, float *)) {
#if defined(__GLIBC__)
    enum { CHUNK = 4096 };
    static float x[CHUNK], y[CHUNK];
    const float edges[] = {-0.0f, -INFINITY, NAN, -0x1.9fe368p6f, -0x1.9fe36ap6f, -0x1.9fe366p6f, -87.33654f,
                           -1e-45f, -1e-38f, -1.0f, -0.5f, -103.0f};
    long long bad = 0, n = 0;
    int k = 0;
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) x[k++] = edges[i];
    for (uint64_t b = 0x80000000u; b <= 0xff800000u || k > 0; b += 97) {
        if (b <= 0xff800000u) {
            const uint32_t u = (uint32_t)b;
            memcpy(&x[k++], &u, 4);
        }
        if (k == CHUNK || (b > 0xff800000u && k > 0)) {
            expf_nonpos(k, x, y);
            for (int i = 0; i < k; i++) {
                const float want = expf(x[i]);
                n++;
                if (memcmp(&want, &y[i], 4) != 0 && !(isnan(want) && isnan(y[i]))) {
                    if (bad < 5) printf("expf(%a): libm %a, kernel %a\n", (double)x[i], (double)want, (double)y[i]);
                    bad++;
                }
            }
            k = 0;
        }
    }
    printf("%s expf: %lld inputs <= 0, %lld differ from libm\n", name, n, bad);
    assert_int_equal(bad, 0);
#else
    skip();
#endif
}

/* The set named, if this CPU runs it; else says so and returns NULL. */
static const mote_kernel_set *usable_set(const char *name) {
    int n_sets;
    const mote_kernel_set *sets = mote_kernel_sets(&n_sets);
    for (int i = 0; i < n_sets; i++)
        if (strcmp(sets[i].name, name) == 0) {
            if (sets[i].usable()) return &sets[i];
            break;
        }
    printf("%s: skipped, this CPU cannot run it\n", name);
    return NULL;
}

static void test_expf_matches_libm(void **state) {
    (void)state;
    if (!usable_set("avx2")) skip();
    expf_matches_libm("avx2", mote_avx2_expf_nonpos);
}

static void test_avx512_expf_matches_libm(void **state) {
    (void)state;
    if (!usable_set("avx512")) skip();
    expf_matches_libm("avx512", mote_avx512_expf_nonpos);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_equals_reference),
        cmocka_unit_test(test_expf_matches_libm),
        cmocka_unit_test(test_avx512_expf_matches_libm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else
int main(void) {
    printf("SKIP: the AVX2 attention kernel exists on x86-64 only\n");
    return 77;
}
#endif
