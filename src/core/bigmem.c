/*
 * bigmem.c — large buffers on huge pages where the system has them (see bigmem.h).
 */
#include "core/bigmem.h"

#include <stdlib.h>
#include <sys/mman.h>

void *mote_big_alloc(size_t bytes) {
    const size_t huge = (size_t)2 << 20;
    if (bytes < huge) return malloc(bytes ? bytes : 1);
    void *p = NULL;
    if (posix_memalign(&p, huge, bytes)) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}
