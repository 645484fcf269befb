/*
 * cpu.c — run-time CPU feature detection (see cpu.h).
 * x86: CPUID leaves 1 and 7 plus XGETBV (the OS must save the AVX/AVX-512
 * state, or the instructions fault). ARM: the kernel's hardware capability
 * bits (getauxval), since user space cannot read the ID registers on armv7.
 */
#include "core/cpu.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__linux__) && (defined(__aarch64__) || defined(__arm__))
#include <sys/auxv.h>
#endif

static mote_cpu_features features;
static char description[128];
/* Detected once, before any reader sees the result: contexts on several
 * threads may ask at the same moment. */
static pthread_once_t detected = PTHREAD_ONCE_INIT;

#if defined(__x86_64__) || defined(__i386__)
static unsigned long long read_xcr0(void) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static void detect_x86(mote_cpu_features *f) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    bool osxsave = c & (1u << 27);
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    bool ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
    f->avx = ymm && (c & (1u << 28));
    f->fma = f->avx && (c & (1u << 12));
    f->f16c = f->avx && (c & (1u << 29));
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f->avx2 = f->avx && (b & (1u << 5));
        f->avx512f = zmm && (b & (1u << 16));
        f->avx512bw = f->avx512f && (b & (1u << 30));
        f->avx512vl = f->avx512f && (b & (1u << 31));
        f->avx512vnni = f->avx512f && (c & (1u << 11));
        __cpuid_count(7, 1, a, b, c, d);
        f->avx512bf16 = f->avx512f && (a & (1u << 5));
        f->avxvnni = f->avx2 && (a & (1u << 4));
    }
}
#endif

static void detect(void) {
#if defined(__x86_64__) || defined(__i386__)
    detect_x86(&features);
#elif defined(__aarch64__)
    features.neon = true; /* mandatory in AArch64 */
#if defined(__linux__)
    unsigned long hw = getauxval(AT_HWCAP);
    features.neon_dotprod = hw & (1ul << 20); /* HWCAP_ASIMDDP */
    features.neon_fp16 = hw & (1ul << 10);    /* HWCAP_ASIMDHP */
#endif
#elif defined(__arm__) && defined(__linux__)
    unsigned long hw = getauxval(AT_HWCAP);
    features.neon = hw & (1ul << 12); /* HWCAP_NEON */
#endif
    const mote_cpu_features *f = &features;
    snprintf(description, sizeof description, "%s%s%s%s%s%s%s%s%s%s",
#if defined(__x86_64__)
             "x86-64",
#elif defined(__aarch64__)
             "aarch64",
#elif defined(__arm__)
             "armv7",
#else
             "cpu",
#endif
             f->avx2 ? " AVX2" : "", f->fma ? " FMA" : "", f->f16c ? " F16C" : "", f->avx512f ? " AVX512" : "",
             f->avx512vnni ? " VNNI" : "", f->avxvnni ? " AVX-VNNI" : "", f->neon ? " NEON" : "", f->neon_dotprod ? " DOTPROD" : "",
             f->neon_fp16 ? " FP16" : "");
}

const mote_cpu_features *mote_cpu(void) {
    pthread_once(&detected, detect);
    return &features;
}

const char *mote_cpu_describe(void) {
    pthread_once(&detected, detect);
    return description;
}
