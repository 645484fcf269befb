/*
 * avxvnni_stored_q8_0.c — avx2_stored_q8_0.c compiled again for the "avxvnni" kernel set:
 * the same kernels with AVX-VNNI byte dot products (avxvnni_names.h).
 */
#define MOTE_AVXVNNI 1
#include "quant/x86/avxvnni_names.h"
#include "quant/x86/avx2_stored_q8_0.c"
