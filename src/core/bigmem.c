/*
 * bigmem.c — large buffers on huge pages where the system has them (see bigmem.h).
 */
#include "core/bigmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *mote_big_alloc(size_t bytes) {
    const size_t huge = HUGE_PAGE;
    if (bytes < huge) return malloc(bytes ? bytes : 1);
    void *p = NULL;
    if (posix_memalign(&p, huge, bytes)) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

void *mote_big_calloc(size_t bytes) {
    if (bytes < HUGE_PAGE) return calloc(1, bytes ? bytes : 1);
    void *p = mote_big_alloc(bytes);
    if (p) memset(p, 0, bytes);
    return p;
}
