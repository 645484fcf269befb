/*
 * avx2_set.c — the AVX2 kernel lists that dispatch.c's "avx2" set installs
 * when the CPU has AVX2, FMA and F16C (see simd.h): one entry per type and
 * list, so adding a kernel is one line here. Compiled without AVX2 flags: it
 * only takes addresses, it never executes an AVX2 instruction.
 */
#if defined(__x86_64__)

#include "quant/simd.h"
#include "quant/x86/avx2_kernels.h"

const mote_kernel_entry mote_avx2_kernels[] = {
    {MOTE_TYPE_F32, NULL, NULL, mote_avx2_vec_dot_f32},
    /* F16/BF16 weights multiply activations rounded to f16/bf16 (their
     * vec_dot_type, as in GGML). */
    {MOTE_TYPE_F16, mote_avx2_f16_to_float, mote_avx2_f16_from_float, mote_avx2_vec_dot_f16_f16},
    {MOTE_TYPE_Q8_0, NULL, mote_avx2_q8_0_from_float, mote_avx2_vec_dot_q8_0_q8_0},
    {MOTE_TYPE_Q8_1, NULL, mote_avx2_q8_1_from_float, NULL},
    {MOTE_TYPE_Q8_K, NULL, mote_avx2_q8_K_from_float, NULL},
    {MOTE_TYPE_Q4_0, NULL, NULL, mote_avx2_vec_dot_q4_0_q8_0},
    {MOTE_TYPE_Q4_1, NULL, NULL, mote_avx2_vec_dot_q4_1_q8_1},
    {MOTE_TYPE_Q5_0, NULL, NULL, mote_avx2_vec_dot_q5_0_q8_0},
    {MOTE_TYPE_Q5_1, NULL, NULL, mote_avx2_vec_dot_q5_1_q8_1},
    {MOTE_TYPE_IQ4_NL, NULL, NULL, mote_avx2_vec_dot_iq4_nl_q8_0},
    {MOTE_TYPE_Q2_K, NULL, NULL, mote_avx2_vec_dot_q2_K_q8_K},
    {MOTE_TYPE_Q3_K, NULL, NULL, mote_avx2_vec_dot_q3_K_q8_K},
    {MOTE_TYPE_Q4_K, NULL, NULL, mote_avx2_vec_dot_q4_K_q8_K},
    {MOTE_TYPE_Q5_K, NULL, NULL, mote_avx2_vec_dot_q5_K_q8_K},
    {MOTE_TYPE_Q6_K, NULL, NULL, mote_avx2_vec_dot_q6_K_q8_K},
    {MOTE_TYPE_IQ4_XS, NULL, NULL, mote_avx2_vec_dot_iq4_xs_q8_K},
    {MOTE_TYPE_TQ1_0, NULL, NULL, mote_avx2_vec_dot_tq1_0_q8_K},
    {MOTE_TYPE_TQ2_0, NULL, NULL, mote_avx2_vec_dot_tq2_0_q8_K},
    /* last, as it has been: test_simd_kernels draws its random rows in list
     * order (the extreme rows that once made the K-quant dots overflow are
     * now tested on purpose, simd_check_extreme_rows) */
    {MOTE_TYPE_BF16, NULL, NULL, mote_avx2_vec_dot_bf16_bf16},
    {-1, NULL, NULL, NULL},
};

/* Stored panels (types.h): matrices repacked once when the model loads. */
const mote_panel_entry mote_avx2_stored_panels[] = {
    {MOTE_TYPE_Q4_0, &mote_avx2_stored_q4_0},
    {MOTE_TYPE_Q8_0, &mote_avx2_stored_q8_0},
    {MOTE_TYPE_Q4_K, &mote_avx2_stored_q4_K},
    {MOTE_TYPE_Q5_K, &mote_avx2_stored_q5_K},
    {MOTE_TYPE_Q6_K, &mote_avx2_stored_q6_K},
    {-1, NULL},
};

/* Panel kernels (types.h), one file per family: avx2_panel_*.c. */
const mote_panel_entry mote_avx2_panel_kernels[] = {
    {MOTE_TYPE_Q4_0, &mote_avx2_panel_q4_0},
    {MOTE_TYPE_Q5_0, &mote_avx2_panel_q5_0},
    {MOTE_TYPE_Q8_0, &mote_avx2_panel_q8_0},
    {MOTE_TYPE_IQ4_NL, &mote_avx2_panel_iq4_nl},
    {MOTE_TYPE_Q4_1, &mote_avx2_panel_q4_1},
    {MOTE_TYPE_Q5_1, &mote_avx2_panel_q5_1},
    /* k-quants: avx2_panel_kquants.c */
    {MOTE_TYPE_Q4_K, &mote_avx2_panel_q4_K},
    {MOTE_TYPE_Q6_K, &mote_avx2_panel_q6_K},
    {MOTE_TYPE_Q5_K, &mote_avx2_panel_q5_K},
    {MOTE_TYPE_Q3_K, &mote_avx2_panel_q3_K},
    {MOTE_TYPE_Q2_K, &mote_avx2_panel_q2_K},
    /* float types: avx2_panel_float.c */
    {MOTE_TYPE_F16, &mote_avx2_panel_f16},
    {MOTE_TYPE_BF16, &mote_avx2_panel_bf16},
    {-1, NULL},
};

#else
typedef int mote_avx2_set_unused; /* not an x86-64 build */
#endif
