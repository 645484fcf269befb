/*
 * cpu.h — what the processor can do, detected once at run time.
 *
 * Kernels are chosen from these flags (not from compile-time macros alone),
 * so one x86-64 binary uses AVX2 where it exists and stays correct where it
 * does not; on ARM the same holds for NEON's dot-product extension.
 */
#ifndef MOTE_CORE_CPU_H
#define MOTE_CORE_CPU_H

#include <stdbool.h>

typedef struct {
    bool avx, avx2, fma, f16c;
    bool avx512f, avx512bw, avx512vl, avx512vnni, avx512bf16, avxvnni;
    bool neon, neon_dotprod, neon_fp16;
} mote_cpu_features;

/* The features of this machine (detected on first call, then cached). */
const mote_cpu_features *mote_cpu(void);
/* A short description ("x86-64 AVX2 FMA F16C") for logs and `mote bench`. */
const char *mote_cpu_describe(void);

#endif
