/*
 * dispatch.c — the one place that picks kernels: the table of instruction-
 * set kernel sets (simd.h) and the choice among them, made once.
 *
 * Every type's table entry starts with its portable reference kernels
 * (kernels.h); attention and activations start with their portable loops
 * (engine/). Faster versions for an instruction set (AVX2, AVX-512, NEON,
 * ...) live in their own files and are described by one mote_kernel_set
 * each, below. The sets of an architecture form a ladder, each building on
 * the ones before it (AVX-512 needs AVX2's CPU features, and takes AVX2's
 * kernels for the types it has no kernels of its own for). The choice is
 * the highest set this CPU runs, or the one the environment names:
 *
 *   MOTE_KERNELS=ref       the reference kernels only (to compare speed, or
 *                          rule out a SIMD bug when chasing a wrong answer);
 *   MOTE_KERNELS=<set>     that set and the ones below it (avx2, avxvnni,
 *                          avx512, avx512bf16, neon, neon-dotprod: the names in the
 *                          table).
 *
 * A name this build does not know, or a set this CPU cannot run, is
 * reported in one line on stderr and the best usable set is taken instead.
 * The references stay callable by name, which is how the tests check each
 * faster kernel against them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__arm__) && defined(__linux__)
#include <sys/auxv.h>
#endif

#include "core/cpu.h"
#include "quant/simd.h"
#include "quant/types.h"
#if defined(__x86_64__)
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx512_kernels.h"
#endif

#if defined(__x86_64__)
static bool has_avx2(void) {
    const mote_cpu_features *f = mote_cpu();
    return f->avx2 && f->fma && f->f16c;
}
/* The AVX-VNNI set: AVX2's kernels with the VEX-encoded 256-bit byte dot
 * product (Alder Lake and later, Zen 5; also on the AVX-512 CPUs that have
 * it, where it sits below the avx512 set). */
static bool has_avxvnni(void) { return has_avx2() && mote_cpu()->avxvnni; }
/* The AVX-512 set: foundation, byte/word and 256-bit forms, and the VNNI
 * byte dot product its kernels are built around. */
static bool has_avx512(void) {
    const mote_cpu_features *f = mote_cpu();
    return has_avx2() && f->avx512f && f->avx512bw && f->avx512vl && f->avx512vnni;
}
/* The AVX-512 set plus vdpbf16ps (AVX512_BF16: Cooper Lake, Sapphire Rapids,
 * Zen 4/5): BF16 weights only. */
static bool has_avx512bf16(void) { return has_avx512() && mote_cpu()->avx512bf16; }
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

/* The ladder, lowest first: name, usable, one-row kernels, panel kernels,
 * stored panels, attention, silu GLU, gelu GLU, rope. */
static const mote_kernel_set sets[] = {
#if defined(__x86_64__)
    {"avx2", has_avx2, mote_avx2_kernels, mote_avx2_panel_kernels, mote_avx2_stored_panels, mote_avx2_attend_block,
     mote_avx2_glu_silu, mote_avx2_glu_gelu_table, mote_avx2_rope},
    {"avxvnni", has_avxvnni, mote_avxvnni_kernels, mote_avxvnni_panel_kernels, mote_avxvnni_stored_panels, NULL,
     NULL, NULL, NULL},
    {"avx512", has_avx512, mote_avx512_kernels, mote_avx512_panel_kernels, mote_avx512_stored_panels,
     mote_avx512_attend_block, NULL, NULL, NULL},
    {"avx512bf16", has_avx512bf16, mote_avx512bf16_kernels, mote_avx512bf16_panel_kernels, NULL, NULL, NULL, NULL,
     NULL},
#endif
#if defined(__aarch64__) || defined(__arm__)
#if defined(__aarch64__)
    {"neon", has_neon, mote_neon_kernels, mote_neon_panel_kernels, mote_neon_stored_panels, mote_neon_attend_block,
     mote_neon_glu_silu, NULL, NULL},
#else
    {"neon", has_neon, mote_neon_kernels, mote_neon_panel_kernels, mote_neon_stored_panels, NULL, NULL, NULL, NULL},
#endif
#endif
#if defined(__aarch64__)
    {"neon-dotprod", has_dotprod, mote_neon_dotprod_kernels, mote_neon_dotprod_panel_kernels,
     mote_neon_dotprod_stored_panels, NULL, NULL, NULL, NULL},
#endif
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};
#define N_SETS ((int)(sizeof sets / sizeof sets[0]) - 1)

const mote_kernel_set *mote_kernel_sets(int *count) {
    *count = N_SETS;
    return sets;
}

static pthread_once_t kernels_once = PTHREAD_ONCE_INIT;
static mote_kernel_set active = {"ref", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};

/* The index of the set to use (-1: the references), reporting a request
 * that cannot be honoured. */
static int choose(void) {
    int best = -1;
    for (int i = 0; i < N_SETS; i++)
        if (sets[i].usable()) best = i;
    const char *want = getenv("MOTE_KERNELS");
    if (!want || !*want || strcmp(want, "auto") == 0) return best;
    if (strcmp(want, "ref") == 0) return -1;
    for (int i = 0; i < N_SETS; i++) {
        if (strcmp(want, sets[i].name) != 0) continue;
        if (sets[i].usable()) return i;
        fprintf(stderr, "mote: MOTE_KERNELS=%s: this CPU cannot run that kernel set; using %s\n", want,
                best >= 0 ? sets[best].name : "ref");
        return best;
    }
    char names[128] = "ref";
    for (int i = 0; i < N_SETS; i++) {
        strncat(names, ", ", sizeof names - strlen(names) - 1);
        strncat(names, sets[i].name, sizeof names - strlen(names) - 1);
    }
    fprintf(stderr, "mote: MOTE_KERNELS=%s is not a kernel set of this build (%s); using %s\n", want, names,
            best >= 0 ? sets[best].name : "ref");
    return best;
}

/* Installs the chosen set and every one below it, in order. A stored
 * layout is the way its set multiplies a type. When a higher set has panel
 * kernels for the type (and no stored layout of its own), the lower stored
 * layout stays for generation if it can give its rows back (unpack): it is
 * marked outranked, and long batches are repacked from it into the higher
 * set's panels (engine/matmul.c), so an AVX-512 CPU keeps AVX-512 prompts
 * and the stored layout's generation. Without unpack the higher panels
 * take its place. */
static void select_kernels(void) {
    const int top = choose();
    int panel_from[MOTE_TYPE_COUNT], stored_from[MOTE_TYPE_COUNT];
    for (int t = 0; t < MOTE_TYPE_COUNT; t++) panel_from[t] = stored_from[t] = -1;
    for (int i = 0; i <= top; i++) {
        if (!sets[i].usable()) continue;
        for (const mote_panel_entry *e = sets[i].panels; e && e->type >= 0; e++)
            if (e->type < MOTE_TYPE_COUNT) panel_from[e->type] = i;
        for (const mote_panel_entry *e = sets[i].stored; e && e->type >= 0; e++)
            if (e->type < MOTE_TYPE_COUNT) stored_from[e->type] = i;
    }
    for (int i = 0; i <= top; i++) {
        const mote_kernel_set *s = &sets[i];
        if (!s->usable()) continue;
        for (const mote_kernel_entry *e = s->entries; e && e->type >= 0; e++)
            mote_traits_install(e->type, e->to_float, e->from_float, e->vec_dot);
        for (const mote_panel_entry *e = s->panels; e && e->type >= 0; e++)
            mote_traits_install_panel(e->type, e->kernels);
        for (const mote_panel_entry *e = s->stored; e && e->type >= 0; e++)
            if (e->type < MOTE_TYPE_COUNT && stored_from[e->type] == i &&
                (panel_from[e->type] <= i || e->kernels->unpack)) {
                mote_traits_install_stored_panel(e->type, e->kernels);
                mote_traits_set_stored_outranked(e->type, panel_from[e->type] > i);
            }
        if (s->attend_block) active.attend_block = s->attend_block;
        if (s->glu_silu) active.glu_silu = s->glu_silu;
        if (s->glu_gelu_table) active.glu_gelu_table = s->glu_gelu_table;
        if (s->rope) active.rope = s->rope;
        active.name = s->name;
    }
}

void mote_kernels_init(void) { pthread_once(&kernels_once, select_kernels); }

const mote_kernel_set *mote_kernels_active(void) {
    mote_kernels_init();
    return &active;
}

const char *mote_kernel_set_name(void) { return mote_kernels_active()->name; }
