/*
 * avxvnni_set.c — the kernel lists of dispatch.c's "avxvnni" set, installed
 * over the AVX2 ones when the CPU has AVX-VNNI (the VEX-encoded, 256-bit
 * vpdpbusd/vpdpwssd) besides AVX2, FMA and F16C: the AVX2 byte-dot kernels
 * compiled a second time (avxvnni_*.c, avxvnni_names.h). Types without an
 * entry keep their AVX2 kernels (the float ones, the activation
 * quantizers). Compiled without AVX-VNNI flags: it only takes addresses.
 */
#if defined(__x86_64__)

#include "quant/simd.h"
#include "quant/x86/avxvnni_names.h"
/* after the names: declares the kernels of the second compilation */
#include "quant/x86/avx2_kernels.h"

const mote_kernel_entry mote_avxvnni_kernels[] = {
    {MOTE_TYPE_Q8_0, NULL, NULL, mote_avxvnni_vec_dot_q8_0_q8_0},
    {MOTE_TYPE_Q4_0, NULL, NULL, mote_avxvnni_vec_dot_q4_0_q8_0},
    {MOTE_TYPE_Q4_1, NULL, NULL, mote_avxvnni_vec_dot_q4_1_q8_1},
    {MOTE_TYPE_Q5_0, NULL, NULL, mote_avxvnni_vec_dot_q5_0_q8_0},
    {MOTE_TYPE_Q5_1, NULL, NULL, mote_avxvnni_vec_dot_q5_1_q8_1},
    {MOTE_TYPE_IQ4_NL, NULL, NULL, mote_avxvnni_vec_dot_iq4_nl_q8_0},
    {MOTE_TYPE_Q2_K, NULL, NULL, mote_avxvnni_vec_dot_q2_K_q8_K},
    {MOTE_TYPE_Q3_K, NULL, NULL, mote_avxvnni_vec_dot_q3_K_q8_K},
    {MOTE_TYPE_Q4_K, NULL, NULL, mote_avxvnni_vec_dot_q4_K_q8_K},
    {MOTE_TYPE_Q5_K, NULL, NULL, mote_avxvnni_vec_dot_q5_K_q8_K},
    {MOTE_TYPE_Q6_K, NULL, NULL, mote_avxvnni_vec_dot_q6_K_q8_K},
    {MOTE_TYPE_IQ4_XS, NULL, NULL, mote_avxvnni_vec_dot_iq4_xs_q8_K},
    {MOTE_TYPE_TQ1_0, NULL, NULL, mote_avxvnni_vec_dot_tq1_0_q8_K},
    {MOTE_TYPE_TQ2_0, NULL, NULL, mote_avxvnni_vec_dot_tq2_0_q8_K},
    {-1, NULL, NULL, NULL},
};

/* Stored panels (types.h): the AVX2 layouts, multiplied with AVX-VNNI. */
const mote_panel_entry mote_avxvnni_stored_panels[] = {
    {MOTE_TYPE_Q4_0, &mote_avxvnni_stored_q4_0},
    {MOTE_TYPE_Q8_0, &mote_avxvnni_stored_q8_0},
    {MOTE_TYPE_Q4_K, &mote_avxvnni_stored_q4_K},
    {MOTE_TYPE_Q5_K, &mote_avxvnni_stored_q5_K},
    {MOTE_TYPE_Q6_K, &mote_avxvnni_stored_q6_K},
    {-1, NULL},
};

/* Panel kernels (types.h), the AVX2 geometry (8 rows x 4 tokens). */
const mote_panel_entry mote_avxvnni_panel_kernels[] = {
    {MOTE_TYPE_Q4_0, &mote_avxvnni_panel_q4_0},
    {MOTE_TYPE_Q5_0, &mote_avxvnni_panel_q5_0},
    {MOTE_TYPE_Q8_0, &mote_avxvnni_panel_q8_0},
    {MOTE_TYPE_IQ4_NL, &mote_avxvnni_panel_iq4_nl},
    {MOTE_TYPE_Q4_1, &mote_avxvnni_panel_q4_1},
    {MOTE_TYPE_Q5_1, &mote_avxvnni_panel_q5_1},
    {MOTE_TYPE_Q4_K, &mote_avxvnni_panel_q4_K},
    {MOTE_TYPE_Q6_K, &mote_avxvnni_panel_q6_K},
    {MOTE_TYPE_Q5_K, &mote_avxvnni_panel_q5_K},
    {MOTE_TYPE_Q3_K, &mote_avxvnni_panel_q3_K},
    {MOTE_TYPE_Q2_K, &mote_avxvnni_panel_q2_K},
    {-1, NULL},
};

#else
typedef int mote_avxvnni_set_unused; /* not an x86-64 build */
#endif
