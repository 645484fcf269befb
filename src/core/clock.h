/*
 * clock.h — the one clock mote times things with: monotonic nanoseconds
 * (never jumps with the wall clock, so durations and rates stay honest).
 */
#ifndef MOTE_CORE_CLOCK_H
#define MOTE_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t mote_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
