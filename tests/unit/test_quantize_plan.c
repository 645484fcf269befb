/*
 * test_quantize_plan.c — the per-tensor type choice of each preset against
 * the files llama-quantize made (fixtures): for every quantized fixture, the
 * plan mote makes from the f32 file of the same model must give every tensor
 * the type llama-quantize gave it, in the same order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantize/quantize_model.h"
#include "testutil.h"

static const mote_quant_preset *preset_by_ftype(int ftype) {
    for (const mote_quant_preset *p = mote_quant_presets(); p->name; p++)
        if (p->ftype == ftype) return p;
    return NULL;
}

/* mote's plan for f32_rel is the type of every tensor in llama-quantize's q_rel
 * (a for_each_tiny_pair visitor; arg unused). */
static void check_plan(const char *f32_rel, const char *q_rel, void *unused) {
    (void)unused;
    mote_gguf *f = NULL, *q = NULL;
    assert_int_equal(mote_gguf_open(fixture_path(f32_rel), &f), 0);
    assert_int_equal(mote_gguf_open(fixture_path(q_rel), &q), 0);
    const mote_quant_preset *preset = preset_by_ftype(mote_gguf_get_i32(q, "general.file_type", -1));
    assert_non_null(preset);
    mote_quantize_params p = {.preset = preset};
    int64_t n = mote_gguf_n_tensors(f);
    assert_int_equal(n, mote_gguf_n_tensors(q));
    mote_quant_plan_entry *plan = calloc((size_t)n, sizeof *plan);
    assert_int_equal(mote_quantize_plan(f, &p, plan), 0);
    for (int64_t k = 0; k < n; k++) {
        const mote_tensor_info *tf = mote_gguf_tensor(f, plan[k].index);
        const mote_tensor_info *tq = mote_gguf_tensor(q, k);
        if (strcmp(tf->name, tq->name) != 0) fail_msg("%s: tensor %lld is %s, mote puts %s there", q_rel, (long long)k, tq->name, tf->name);
        if (plan[k].type != tq->type)
            fail_msg("%s: %s is %s in llama-quantize's file, mote chose %s", q_rel, tq->name, mote_type_name(tq->type),
                     mote_type_name(plan[k].type));
    }
    free(plan);
    mote_gguf_close(f);
    mote_gguf_close(q);
}

static void test_llama_tiny_presets(void **state) {
    (void)state;
    static const char *types[] = {"f16",    "bf16",   "q8_0", "q4_0",   "q4_1",   "q5_0",  "q5_1",  "q2_k", "q3_k_m",
                                  "q4_k_m", "q5_k_m", "q6_k", "iq4_nl", "iq4_xs", "tq1_0", "tq2_0"};
    static const char *llama[] = {"llama"};
    for_each_tiny_pair(llama, 1, types, sizeof types / sizeof *types, check_plan, NULL);
}

static void test_other_arch_presets(void **state) {
    (void)state;
    static const char *archs[] = {"qwen3", "gemma3", "phi3"};
    static const char *types[] = {"f16", "q8_0", "q4_0", "q4_k_m", "q6_k"};
    for_each_tiny_pair(archs, 3, types, 5, check_plan, NULL);
}

/* stories260K's rows (64 and 172 values) do not fit the 256 blocks: fallbacks. */
static void test_stories260k_fallbacks(void **state) {
    (void)state;
    check_plan("real/stories260K-f32.gguf", "real/stories260K-q8_0.gguf", NULL);
    check_plan("real/stories260K-f32.gguf", "real/stories260K-q4_0.gguf", NULL);
    check_plan("real/stories260K-f32.gguf", "real/stories260K-q4_k_m.gguf", NULL);
}

static void test_presets_and_errors(void **state) {
    (void)state;
    assert_int_equal(mote_quant_preset_find("q4_k_m")->ftype, 15);
    assert_int_equal(mote_quant_preset_find("Q4_K")->ftype, 15);
    assert_int_equal(mote_quant_preset_find("IQ4_XS")->default_type, MOTE_TYPE_IQ4_XS);
    assert_null(mote_quant_preset_find("Q7_K"));

    /* Requantizing needs permission. */
    mote_gguf *q = NULL;
    assert_int_equal(mote_gguf_open(fixture_path("models/llama-tiny-q8_0.gguf"), &q), 0);
    mote_quantize_params p = {.preset = mote_quant_preset_find("Q4_0")};
    mote_quant_plan_entry plan[64];
    assert_true(mote_gguf_n_tensors(q) <= 64);
    assert_int_not_equal(mote_quantize_plan(q, &p, plan), 0);
    assert_non_null(strstr(mote_last_error(), "already quantized"));
    mote_gguf_close(q);

    /* --pure and --tensor-type. */
    mote_gguf *f = NULL;
    assert_int_equal(mote_gguf_open(fixture_path("models/llama-tiny-f32.gguf"), &f), 0);
    mote_tensor_type_override ov[] = {{"attn_(q|k)\\.weight$", MOTE_TYPE_Q8_0}};
    p = (mote_quantize_params){.preset = mote_quant_preset_find("Q4_K_M"), .pure = true, .overrides = ov, .n_overrides = 1};
    assert_int_equal(mote_quantize_plan(f, &p, plan), 0);
    for (int64_t k = 0; k < mote_gguf_n_tensors(f); k++) {
        const mote_tensor_info *t = mote_gguf_tensor(f, plan[k].index);
        int want = t->n_dims < 2 ? MOTE_TYPE_F32
                   : (strstr(t->name, "attn_q.") || strstr(t->name, "attn_k.")) ? MOTE_TYPE_Q8_0
                                                                                : MOTE_TYPE_Q4_K;
        if (plan[k].type != want) fail_msg("%s: %s", t->name, mote_type_name(plan[k].type));
    }
    ov[0].pattern = "attn_(q";
    assert_int_not_equal(mote_quantize_plan(f, &p, plan), 0);
    mote_gguf_close(f);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llama_tiny_presets),
        cmocka_unit_test(test_other_arch_presets),
        cmocka_unit_test(test_stories260k_fallbacks),
        cmocka_unit_test(test_presets_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
