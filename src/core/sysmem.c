/*
 * sysmem.c — how much memory this process can still use
 * (mote_memory_available, mote.h): the least of the machine's MemAvailable,
 * its cgroup's limit less what the cgroup already uses (cgroup v2
 * memory.max / memory.current, or v1 memory.limit_in_bytes /
 * memory.usage_in_bytes), and the address-space limit (`ulimit -v`,
 * `prlimit --as`) less what the process has mapped. Going over the first
 * two gets a process killed by the OOM killer; over the third, its
 * allocations fail. Loading and context creation check against it so that
 * a model that cannot fit is refused with the numbers, not killed.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mote.h"

/* The first number in a file, or -1 ("max" and unreadable files alike). */
static double read_number(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    unsigned long long v;
    const int ok = fscanf(f, "%llu", &v) == 1;
    fclose(f);
    return ok ? (double)v : -1;
}

/* Room left in the cgroup this process is in (v2 or v1), or -1 without a limit. */
static double cgroup_room(void) {
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f) return -1;
    char line[1024], path[1100];
    double room = -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        double limit = -1, used = -1;
        if (!strncmp(line, "0::", 3)) { /* v2: mounted at /sys/fs/cgroup (or /sys/fs/cgroup/unified beside v1) */
            static const char *roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
            for (int r = 0; r < 2 && limit < 0; r++) {
                snprintf(path, sizeof path, "%s%s/memory.max", roots[r], line + 3);
                limit = read_number(path);
                snprintf(path, sizeof path, "%s%s/memory.current", roots[r], line + 3);
                used = read_number(path);
            }
        } else {
            const char *c = strstr(line, ":memory:");
            if (!c) continue;
            snprintf(path, sizeof path, "/sys/fs/cgroup/memory%s/memory.limit_in_bytes", c + 8);
            limit = read_number(path);
            snprintf(path, sizeof path, "/sys/fs/cgroup/memory%s/memory.usage_in_bytes", c + 8);
            used = read_number(path);
            if (limit >= 9e18) limit = -1; /* v1's "no limit" is a huge number */
        }
        if (limit >= 0) {
            const double r = used >= 0 && used < limit ? limit - used : 0;
            if (room < 0 || r < room) room = r;
        }
    }
    fclose(f);
    return room;
}

/* MemAvailable, else physical memory. */
static double machine_available(void) {
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        unsigned long long kb;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
                fclose(f);
                return (double)kb * 1024.0;
            }
        fclose(f);
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (double)pages * (double)page : 1e18;
}

/* Address space left under RLIMIT_AS, or -1 without a limit. */
static double address_room(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return -1;
    const double mapped = read_number("/proc/self/statm") * (double)sysconf(_SC_PAGESIZE);
    return mapped >= 0 && mapped < (double)rl.rlim_cur ? (double)rl.rlim_cur - mapped : 0;
}

uint64_t mote_memory_available(const char **source) {
    double best = machine_available();
    const char *why = "MemAvailable";
    const double cg = cgroup_room(), as = address_room();
    if (cg >= 0 && cg < best) {
        best = cg;
        why = "the cgroup's memory limit";
    }
    if (as >= 0 && as < best) {
        best = as;
        why = "the address-space limit (ulimit -v)";
    }
    if (source) *source = why;
    return (uint64_t)best;
}
