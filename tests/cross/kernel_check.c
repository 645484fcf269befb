/*
 * kernel_check.c — the SIMD kernel test as a plain program, for targets
 * without cmocka (ARM cross builds run under qemu-user). Runs every kernel
 * set the CPU supports through tests/kernels/simd_check.c and exits 1 on any
 * mismatch.
 *
 * usage: kernel_check [--expect SET]...
 *   --expect SET  fail unless kernel set SET ("neon", "neon-dotprod") is
 *                 usable here, so a qemu CPU model that silently lacks a
 *                 feature cannot turn the test into a no-op.
 */
#include <stdio.h>
#include <string.h>

#include "core/cpu.h"
#include "simd_check.h"

int main(int argc, char **argv) {
    int count, bad = 0, ran = 0;
    const mote_kernel_set *sets = mote_kernel_sets(&count);
    printf("cpu: %s\n", mote_cpu_describe());
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--expect") != 0 || a + 1 >= argc) {
            fprintf(stderr, "usage: kernel_check [--expect SET]...\n");
            return 2;
        }
        const char *want = argv[++a];
        int found = 0;
        for (int i = 0; i < count; i++)
            if (strcmp(sets[i].name, want) == 0 && sets[i].usable()) found = 1;
        if (!found) {
            fprintf(stderr, "kernel set %s is not usable on this CPU\n", want);
            bad++;
        }
    }
    for (int i = 0; i < count; i++) {
        if (!sets[i].usable()) {
            printf("kernel set %s: not supported by this CPU, skipped\n", sets[i].name);
            continue;
        }
        int entries = 0;
        for (const mote_kernel_entry *e = sets[i].entries; e->type >= 0; e++) entries++;
        const int b = simd_check_set(&sets[i], 777u + (uint32_t)i);
        printf("kernel set %s: %d kernels, %d mismatches\n", sets[i].name, entries, b);
        bad += b;
        ran++;
    }
    if (ran == 0) printf("no kernel set usable: nothing to compare\n");
    printf("%s\n", bad ? "FAIL" : "OK");
    return bad ? 1 : 0;
}
