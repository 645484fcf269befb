/*
 * avx512_set.c — the AVX-512 kernel lists that dispatch.c's "avx512" set
 * installs over the AVX2 ones when the CPU has AVX-512 F, BW, VL and VNNI
 * (see simd.h): one entry per type and list. Types without an entry here
 * keep their AVX2 kernels. Compiled without AVX-512 flags: it only takes
 * addresses.
 */
#if defined(__x86_64__)

#include "quant/simd.h"
#include "quant/x86/avx512_kernels.h"

const mote_kernel_entry mote_avx512_kernels[] = {
    {-1, NULL, NULL, NULL},
};

/* Panel kernels (types.h), 16 rows x 8 tokens: avx512_panel_*.c. */
const mote_panel_entry mote_avx512_panel_kernels[] = {
    {MOTE_TYPE_Q4_0, &mote_avx512_panel_q4_0},
    {MOTE_TYPE_Q5_0, &mote_avx512_panel_q5_0},
    {MOTE_TYPE_Q8_0, &mote_avx512_panel_q8_0},
    {MOTE_TYPE_IQ4_NL, &mote_avx512_panel_iq4_nl},
    /* k-quants: avx512_panel_kquants.c */
    {MOTE_TYPE_Q4_K, &mote_avx512_panel_q4_K},
    {MOTE_TYPE_Q6_K, &mote_avx512_panel_q6_K},
    {MOTE_TYPE_Q5_K, &mote_avx512_panel_q5_K},
    {MOTE_TYPE_Q3_K, &mote_avx512_panel_q3_K},
    {MOTE_TYPE_Q2_K, &mote_avx512_panel_q2_K},
    /* float types: avx512_panel_float.c (BF16: where the CPU lacks
     * AVX512_BF16; the avx512bf16 set overrides it) */
    {MOTE_TYPE_F16, &mote_avx512_panel_f16},
    {MOTE_TYPE_BF16, &mote_avx512_panel_bf16},
    {-1, NULL},
};

/* Stored panels (types.h): matrices repacked once when the model loads. */
const mote_panel_entry mote_avx512_stored_panels[] = {
    {MOTE_TYPE_Q4_0, &mote_avx512_stored_q4_0},
    {MOTE_TYPE_Q5_0, &mote_avx512_stored_q5_0}, /* few tokens at a time: no repacking per step */
    /* the AVX2 layout, VNNI products: avx512_stored_kquants.c */
    {MOTE_TYPE_Q4_K, &mote_avx512_stored_q4_K},
    {MOTE_TYPE_Q5_K, &mote_avx512_stored_q5_K},
    {MOTE_TYPE_Q6_K, &mote_avx512_stored_q6_K},
    {-1, NULL},
};

/* The "avx512bf16" set, above avx512 when the CPU also has AVX512_BF16:
 * BF16 weights through vdpbf16ps (avx512bf16_float.c). */
const mote_kernel_entry mote_avx512bf16_kernels[] = {
    {MOTE_TYPE_BF16, NULL, NULL, mote_avx512bf16_vec_dot_bf16_bf16},
    {-1, NULL, NULL, NULL},
};
const mote_panel_entry mote_avx512bf16_panel_kernels[] = {
    {MOTE_TYPE_BF16, &mote_avx512bf16_panel_bf16},
    {-1, NULL},
};

#else
typedef int mote_avx512_set_unused; /* not an x86-64 build */
#endif
