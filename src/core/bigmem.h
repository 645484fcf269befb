/*
 * bigmem.h — memory for large buffers that are filled and then read whole
 * (a knowledge base's vectors, big hash tables).
 */
#ifndef MOTE_CORE_BIGMEM_H
#define MOTE_CORE_BIGMEM_H

#include <stddef.h>

/* bytes of memory (not zeroed), released with free(); NULL when there is none.
 * From 2 MiB up the block is 2 MiB aligned and huge pages are asked for (a
 * hint; ignored where absent): filling it then takes one page fault per 2 MiB
 * instead of one per 4 KiB, and reading it misses the TLB less. On virtual
 * machines a page fault can cost tens of microseconds: 77 MB of vectors took
 * 19k faults and most of half a second. */
void *mote_big_alloc(size_t bytes);

/* mote_big_alloc, zeroed (calloc below 2 MiB, where the pages come zeroed). */
void *mote_big_calloc(size_t bytes);

#endif
