/*
 * dispatch.c — choosing the kernels of the traits table at run time.
 *
 * Every type's table entry starts with its portable reference kernels
 * (kernels.h). Faster versions for an instruction set (AVX2, NEON, ...)
 * live in their own files and are installed here, once, after checking
 * the CPU's features, so the rest of mote only ever calls through the
 * table. The references stay callable by name, which is how the tests
 * check each faster kernel against them.
 */
#include <pthread.h>

#include "quant/types.h"

static pthread_once_t kernels_once = PTHREAD_ONCE_INIT;

/* Installs the best kernels for this CPU. There are no SIMD kernels yet
 * (issue #5): the reference kernels already in the table are the choice. */
static void select_kernels(void) {}

void mote_kernels_init(void) { pthread_once(&kernels_once, select_kernels); }
