/*
 * dispatch.c — choosing the kernels of the traits table at run time.
 *
 * Every type's table entry starts with its portable reference kernels
 * (kernels.h). Faster versions for an instruction set (AVX2, NEON, ...)
 * live in their own files (simd.h lists them) and are installed here, once,
 * after checking the CPU's features, so the rest of mote only ever calls
 * through the table. The references stay callable by name, which is how the
 * tests check each faster kernel against them.
 *
 * MOTE_KERNELS=ref in the environment keeps the reference kernels (for
 * comparing speed, or ruling out a SIMD bug when chasing a wrong answer).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#if defined(__arm__) && defined(__linux__)
#include <sys/auxv.h>
#endif

#include "core/cpu.h"
#include "quant/simd.h"
#include "quant/types.h"

#if defined(__x86_64__)
static bool has_avx2(void) {
    const mote_cpu_features *f = mote_cpu();
    return f->avx2 && f->fma && f->f16c;
}
#endif
#if defined(__aarch64__)
static bool has_neon(void) { return mote_cpu()->neon; }
#elif defined(__arm__)
/* 32-bit ARM: neon.c is built for NEON with VFPv4 (fused multiply-add and
 * half-precision conversion, as on the Cortex-A7 of a Raspberry Pi 2); older
 * NEON cores without VFPv4 (Cortex-A8/A9) keep the reference kernels. */
static bool has_neon(void) {
#if defined(__linux__)
    return mote_cpu()->neon && (getauxval(AT_HWCAP) & (1ul << 16)); /* HWCAP_VFPv4 */
#else
    return false;
#endif
}
#endif
#if defined(__aarch64__)
static bool has_dotprod(void) { return mote_cpu()->neon_dotprod; }
#endif

/* Installation order: a later set overrides an earlier one for its types. */
static const mote_kernel_set sets[] = {
#if defined(__x86_64__)
    {"avx2", has_avx2, mote_avx2_kernels},
#endif
#if defined(__aarch64__) || defined(__arm__)
    {"neon", has_neon, mote_neon_kernels},
#endif
#if defined(__aarch64__)
    {"neon-dotprod", has_dotprod, mote_neon_dotprod_kernels},
#endif
    {NULL, NULL, NULL},
};

const mote_kernel_set *mote_kernel_sets(int *count) {
    *count = (int)(sizeof sets / sizeof sets[0]) - 1;
    return sets;
}

static pthread_once_t kernels_once = PTHREAD_ONCE_INIT;

/* Installs the best kernels for this CPU. */
static void select_kernels(void) {
    const char *want = getenv("MOTE_KERNELS");
    if (want && strcmp(want, "ref") == 0) return;
    for (const mote_kernel_set *s = sets; s->name; s++) {
        if (!s->usable()) continue;
        for (const mote_kernel_entry *e = s->entries; e->type >= 0; e++)
            mote_traits_install(e->type, e->to_float, e->from_float, e->vec_dot);
    }
#if defined(__x86_64__)
    if (has_avx2())
        for (const mote_panel_entry *e = mote_avx2_panel_kernels; e->type >= 0; e++)
            mote_traits_install_panel(e->type, e->kernels);
    if (has_avx2())
        for (const mote_panel_entry *e = mote_avx2_stored_panels; e->type >= 0; e++)
            mote_traits_install_stored_panel(e->type, e->kernels);
#endif
}

void mote_kernels_init(void) { pthread_once(&kernels_once, select_kernels); }
