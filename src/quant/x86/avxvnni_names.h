/*
 * avxvnni_names.h — the names the AVX2 byte-dot kernels take when they are
 * compiled a second time as the "avxvnni" kernel set.
 *
 * There is one source for both sets: each avxvnni_*.c file defines
 * MOTE_AVXVNNI, includes this header and then one avx2_*.c file, and is
 * compiled with -mavxvnni (cmake/MoteSimdFlags.cmake). MOTE_AVXVNNI turns
 * avx2_util.h's byte dot products into AVX-VNNI's vpdpbusd/vpdpwssd; the
 * names below keep the second copy's exported kernels apart from the
 * first's. avxvnni_set.c includes this header before avx2_kernels.h, which
 * then declares the kernels under these names. A kernel added to one of the
 * twice-compiled files needs its line here.
 */
#ifndef MOTE_QUANT_X86_AVXVNNI_NAMES_H
#define MOTE_QUANT_X86_AVXVNNI_NAMES_H

/* avx2_q32.c: one-token dot products of the 32-weight block types */
#define mote_avx2_vec_dot_q4_0_q8_0 mote_avxvnni_vec_dot_q4_0_q8_0
#define mote_avx2_vec_dot_q8_0_q8_0 mote_avxvnni_vec_dot_q8_0_q8_0
#define mote_avx2_vec_dot_q4_1_q8_1 mote_avxvnni_vec_dot_q4_1_q8_1
#define mote_avx2_vec_dot_q5_0_q8_0 mote_avxvnni_vec_dot_q5_0_q8_0
#define mote_avx2_vec_dot_q5_1_q8_1 mote_avxvnni_vec_dot_q5_1_q8_1
#define mote_avx2_vec_dot_iq4_nl_q8_0 mote_avxvnni_vec_dot_iq4_nl_q8_0
/* avx2_kquants.c: one-token dot products of the k-quants, IQ4_XS, ternary */
#define mote_avx2_vec_dot_q2_K_q8_K mote_avxvnni_vec_dot_q2_K_q8_K
#define mote_avx2_vec_dot_q3_K_q8_K mote_avxvnni_vec_dot_q3_K_q8_K
#define mote_avx2_vec_dot_q4_K_q8_K mote_avxvnni_vec_dot_q4_K_q8_K
#define mote_avx2_vec_dot_q5_K_q8_K mote_avxvnni_vec_dot_q5_K_q8_K
#define mote_avx2_vec_dot_q6_K_q8_K mote_avxvnni_vec_dot_q6_K_q8_K
#define mote_avx2_vec_dot_iq4_xs_q8_K mote_avxvnni_vec_dot_iq4_xs_q8_K
#define mote_avx2_vec_dot_tq1_0_q8_K mote_avxvnni_vec_dot_tq1_0_q8_K
#define mote_avx2_vec_dot_tq2_0_q8_K mote_avxvnni_vec_dot_tq2_0_q8_K
/* avx2_panel_q32.c, avx2_panel_kquants.c: panel kernels */
#define mote_avx2_panel_q4_0 mote_avxvnni_panel_q4_0
#define mote_avx2_panel_q5_0 mote_avxvnni_panel_q5_0
#define mote_avx2_panel_q8_0 mote_avxvnni_panel_q8_0
#define mote_avx2_panel_iq4_nl mote_avxvnni_panel_iq4_nl
#define mote_avx2_panel_q4_1 mote_avxvnni_panel_q4_1
#define mote_avx2_panel_q5_1 mote_avxvnni_panel_q5_1
#define mote_avx2_panel_q2_K mote_avxvnni_panel_q2_K
#define mote_avx2_panel_q3_K mote_avxvnni_panel_q3_K
#define mote_avx2_panel_q4_K mote_avxvnni_panel_q4_K
#define mote_avx2_panel_q5_K mote_avxvnni_panel_q5_K
#define mote_avx2_panel_q6_K mote_avxvnni_panel_q6_K
/* avx2_stored_*.c: stored panel layouts and their activation rows */
#define mote_avx2_stored_q4_0 mote_avxvnni_stored_q4_0
#define mote_avx2_stored_q8_0 mote_avxvnni_stored_q8_0
#define mote_avx2_stored_q4_K mote_avxvnni_stored_q4_K
#define mote_avx2_stored_q5_K mote_avxvnni_stored_q5_K
#define mote_avx2_stored_q6_K mote_avxvnni_stored_q6_K
#define mote_avx2_stored_act_row_bytes mote_avxvnni_stored_act_row_bytes
#define mote_avx2_stored_act_from_float mote_avxvnni_stored_act_from_float

#endif
