/*
 * test_simd_kernels.c — every instruction-set kernel this CPU can run
 * (src/quant/simd.h) against the portable reference of its type, on random
 * rows of many sizes with extreme values (tests/kernels/simd_check.c, shared
 * with the ARM cross test), on deliberately extreme super-block rows, and
 * on every weight tensor of the fixture models.
 * Also checks that dispatch really installed them in the traits table.
 *
 * On a CPU that runs none of the sets (or a build with none), the test skips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cpu.h"
#include "testutil.h"

/* The checker is plain C shared with tests/cross; compiled into this test. */
#include "../kernels/simd_check.c"

static int usable_sets(const mote_kernel_set **out) {
    int count;
    const mote_kernel_set *sets = mote_kernel_sets(&count);
    int k = 0;
    for (int i = 0; i < count; i++)
        if (sets[i].usable()) out[k++] = &sets[i];
        else printf("kernel set %s: not supported by this CPU, skipped\n", sets[i].name);
    return k;
}

static void test_random_rows(void **state) {
    (void)state;
    const mote_kernel_set *sets[8];
    const int n = usable_sets(sets);
    for (int i = 0; i < n; i++) {
        int entries = 0;
        for (const mote_kernel_entry *e = sets[i]->entries; e->type >= 0; e++) entries++;
        const int bad = simd_check_set(sets[i], 12345u + (uint32_t)i);
        printf("kernel set %s: %d kernels checked, %d mismatches\n", sets[i]->name, entries, bad);
        assert_int_equal(bad, 0);
    }
}

/* Extreme super-block rows (simd_check_extreme_rows): the AVX2 K-quant
 * dots once scaled lane sums before adding them and returned inf or NaN
 * where the reference's sum is finite. */
static void test_extreme_rows(void **state) {
    (void)state;
    const mote_kernel_set *sets[8];
    const int n = usable_sets(sets);
    for (int i = 0; i < n; i++) {
        int checked;
        const int bad = simd_check_extreme_rows(sets[i], &checked);
        printf("kernel set %s: %d super-block dots on extreme rows, %d mismatches\n", sets[i]->name, checked, bad);
        assert_int_equal(bad, 0);
    }
}

/* The traits table holds, for each type, the kernel of the last installed
 * set that provides one: the chosen set (mote_kernel_set_name) and the
 * usable sets below it. */
static void test_dispatch_installs(void **state) {
    (void)state;
    if (strcmp(mote_kernel_set_name(), "ref") == 0) skip();
    const mote_kernel_set *sets[8];
    int n = usable_sets(sets);
    while (n > 0 && strcmp(sets[n - 1]->name, mote_kernel_set_name()) != 0) n--;
    assert_true(n > 0);
    for (int i = 0; i < n; i++)
        for (const mote_kernel_entry *e = sets[i]->entries; e->type >= 0; e++) {
            const mote_type_traits *t = mote_traits(e->type);
            bool later = false; /* a later set may override this entry */
            for (int j = i + 1; j < n; j++)
                for (const mote_kernel_entry *f = sets[j]->entries; f->type >= 0; f++)
                    if (f->type == e->type) later = true;
            if (later) continue;
            if (e->vec_dot) assert_ptr_equal(t->vec_dot, e->vec_dot);
            if (e->from_float) assert_ptr_equal(t->from_float, e->from_float);
            if (e->to_float) assert_ptr_equal(t->to_float, e->to_float);
        }
}

static void test_fixture_tensors(void **state) {
    (void)state;
    if (access(fixture_path("models/llama-tiny-f32.gguf"), R_OK) != 0) {
        printf("SKIP: fixtures absent (%s)\n", fixture_path(""));
        skip();
    }
    static const char *files[] = {
        "models/llama-tiny-f32.gguf",     "models/llama-tiny-f16.gguf",     "models/llama-tiny-bf16.gguf",
        "models/llama-tiny-q8_0.gguf",    "models/llama-tiny-q4_0.gguf",    "models/llama-tiny-q4_1.gguf",
        "models/llama-tiny-q5_0.gguf",    "models/llama-tiny-q5_1.gguf",    "models/llama-tiny-q2_k.gguf",
        "models/llama-tiny-q3_k_m.gguf",  "models/llama-tiny-q4_k_m.gguf",  "models/llama-tiny-q5_k_m.gguf",
        "models/llama-tiny-q6_k.gguf",    "models/llama-tiny-iq4_nl.gguf",  "models/llama-tiny-iq4_xs.gguf",
        "models/llama-tiny-tq1_0.gguf",   "models/llama-tiny-tq2_0.gguf",   "models/gemma3-tiny-q4_k_m.gguf",
        "real/stories260K-q4_k_m.gguf",
    };
    const mote_kernel_set *sets[8];
    const int nsets = usable_sets(sets);
    int rows = 0, bad = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        mote_gguf *g = NULL;
        if (mote_gguf_open(fixture_path(files[f]), &g) != MOTE_OK) fail_msg("cannot open fixture %s", files[f]);
        for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
            const mote_tensor_info *t = mote_gguf_tensor(g, i);
            const mote_type_traits *tr = mote_traits(t->type);
            if (!tr || !tr->vec_dot || t->ne[0] % tr->block_size) continue;
            const int64_t n = t->ne[0], nrows = mote_tensor_nelements(t) / n;
            const size_t rb = mote_row_size(t->type, n);
            for (int64_t r = 0; r < nrows; r += 5)
                for (int s = 0; s < nsets; s++, rows++) {
                    char what[160];
                    snprintf(what, sizeof what, "%s %s row %lld", files[f], t->name, (long long)r);
                    bad += simd_check_row(sets[s], t->type, (const uint8_t *)t->data + r * rb, n, (uint32_t)(r + 1), what);
                }
        }
        mote_gguf_close(g);
    }
    printf("fixture rows checked: %d, mismatches: %d\n", rows, bad);
    assert_int_equal(bad, 0);
}

int main(void) {
    const mote_kernel_set *sets[8];
    if (usable_sets(sets) == 0) {
        printf("SKIP: no SIMD kernel set for this CPU/build (%s)\n", mote_cpu_describe());
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_rows),
        cmocka_unit_test(test_extreme_rows),
        cmocka_unit_test(test_dispatch_installs),
        cmocka_unit_test(test_fixture_tensors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
