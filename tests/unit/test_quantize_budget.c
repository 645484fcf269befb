/*
 * test_quantize_budget.c — the budget planner (quantize_budget.c) on
 * llama-tiny (256-wide rows: k-quants fit) and stories260K (64/172-wide rows:
 * only 32-block types and F16 fit): the mix stays within the budget and
 * within 2% of it, every type fits its tensor's rows, overrides stay as given, general.file_type is llama.cpp's "mostly" type of
 * the mix, and a budget below the smallest mix is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantize/quantize_model.h"
#include "quant/types.h"
#include "testutil.h"

#define MAX_T 128

/* Plan g within `bpw` bits per weight; the status; fills plan, *ftype, *bytes and *params (all tensors). */
static int plan_budget(mote_gguf *g, double bpw, const mote_tensor_type_override *ov, int n_ov,
                       mote_quant_plan_entry *plan, int *ftype, double *bytes, double *params) {
    mote_quantize_params p = {.preset = mote_quant_preset_find("Q8_0"), .pure = true, .target_bpw = bpw,
                              .overrides = ov, .n_overrides = n_ov};
    int st = mote_quantize_plan(g, &p, plan);
    if (st == 0) st = mote_quantize_budget(g, &p, plan, ftype);
    *bytes = *params = 0;
    for (int64_t k = 0; k < mote_gguf_n_tensors(g); k++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, plan[k].index);
        *params += (double)mote_tensor_nelements(t);
        *bytes += (double)(mote_tensor_nelements(t) / t->ne[0]) * (double)mote_row_size(plan[k].type, t->ne[0]);
    }
    return st;
}

static int type_of(const mote_gguf *g, const mote_quant_plan_entry *plan, const char *name) {
    for (int64_t k = 0; k < mote_gguf_n_tensors(g); k++)
        if (!strcmp(mote_gguf_tensor(g, plan[k].index)->name, name)) return plan[k].type;
    return -1;
}

static void check_model(const char *rel, const double *budgets, int n_budgets) {
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(fixture_path(rel), &g), 0);
    const int64_t n = mote_gguf_n_tensors(g);
    assert_true(n <= MAX_T);
    mote_quant_plan_entry plan[MAX_T];
    for (int b = 0; b < n_budgets; b++) {
        int ftype = -1;
        double bytes, params;
        assert_int_equal(plan_budget(g, budgets[b], NULL, 0, plan, &ftype, &bytes, &params), 0);
        const double bpw = bytes * 8 / params;
        if (bpw > budgets[b] + 1e-9 || bpw < 0.98 * budgets[b])
            fail_msg("%s: budget %.3f bpw, mix %.3f", rel, budgets[b], bpw);
        double weights_of[MOTE_TYPE_COUNT] = {0};
        for (int64_t k = 0; k < n; k++) {
            const mote_tensor_info *t = mote_gguf_tensor(g, plan[k].index);
            assert_int_equal(t->ne[0] % mote_type_block_size(plan[k].type), 0);
            if (t->n_dims < 2) assert_int_equal(plan[k].type, t->type); /* norms stay */
            else weights_of[plan[k].type] += (double)mote_tensor_nelements(t);
        }
        int major = 0;
        for (int t = 0; t < MOTE_TYPE_COUNT; t++)
            if (weights_of[t] > weights_of[major]) major = t;
        /* llama.cpp's loader names a mix by its most common type; the k-quants by their _M preset */
        const mote_quant_preset *want = NULL;
        for (const mote_quant_preset *ps = mote_quant_presets(); ps->name && !want; ps++)
            if (ps->default_type == major && !strstr(ps->name, "_S") && !strstr(ps->name, "_L")) want = ps;
        assert_non_null(want);
        assert_int_equal(ftype, want->ftype);
    }
    mote_gguf_close(g);
}

static void test_stories260k(void **state) {
    (void)state;
    static const double budgets[] = {7.0, 7.92, 12.0};
    check_model("real/stories260K-f32.gguf", budgets, 3);
}

static void test_llama_tiny(void **state) {
    (void)state;
    static const double budgets[] = {3.0, 5.5};
    check_model("models/llama-tiny-f32.gguf", budgets, 2);
}

static void test_overrides_and_errors(void **state) {
    (void)state;
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(fixture_path("models/llama-tiny-f32.gguf"), &g), 0);
    mote_quant_plan_entry plan[MAX_T];
    int ftype;
    double bytes, params;
    mote_tensor_type_override ov[] = {{"attn_v\\.weight$", MOTE_TYPE_Q8_0}};
    assert_int_equal(plan_budget(g, 4.0, ov, 1, plan, &ftype, &bytes, &params), 0);
    assert_int_equal(type_of(g, plan, "blk.0.attn_v.weight"), MOTE_TYPE_Q8_0);
    /* Q2_K is the cheapest type: nothing can go below about 2.6 bits */
    assert_int_not_equal(plan_budget(g, 1.0, NULL, 0, plan, &ftype, &bytes, &params), 0);
    assert_non_null(strstr(mote_last_error(), "below the smallest mix"));
    mote_gguf_close(g);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stories260k),
        cmocka_unit_test(test_llama_tiny),
        cmocka_unit_test(test_overrides_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
