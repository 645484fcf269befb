/*
 * source_rapl.c — energy from Linux powercap/RAPL: the cumulative
 * microjoule counters of each CPU package (intel-rapl:N/energy_uj; AMD CPUs
 * appear under the same name). Only top-level zones are summed: their
 * subzones (intel-rapl:N:M, cores, uncore, dram) are parts of the package
 * and would be counted twice. A counter wraps to 0 after
 * max_energy_range_uj; the meter reads often enough that at most one wrap
 * happens between two readings. Since Linux 5.10 energy_uj is readable only
 * by root (a side channel, CVE-2020-8694), which is the usual reason this
 * source is missing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/energy_source.h"

#define MAX_ZONES 16

typedef struct {
    int n;
    char path[MAX_ZONES][1024];          /* .../energy_uj */
    unsigned long long range[MAX_ZONES]; /* max_energy_range_uj (0: unknown, no wrap correction) */
    unsigned long long last[MAX_ZONES];
    double total_j;                      /* accumulated since open */
} rapl_state;

/* True for "intel-rapl:<digits>" exactly (a package zone, not a subzone). */
static bool is_package_zone(const char *name) {
    const char *p = "intel-rapl:";
    if (strncmp(name, p, strlen(p))) return false;
    const char *d = name + strlen(p);
    if (!*d) return false;
    for (; *d; d++)
        if (*d < '0' || *d > '9') return false;
    return true;
}

/* Counter increase from `last` to `now`, across at most one wrap at `range`. */
static unsigned long long wrapped_delta(unsigned long long last, unsigned long long now, unsigned long long range) {
    if (now >= last) return now - last;
    return range > last ? range - last + now : now;
}

static int rapl_read(energy_source *s, double *joules) {
    rapl_state *st = s->state;
    for (int i = 0; i < st->n; i++) {
        unsigned long long now;
        if (sysfs_read_u64(st->path[i], &now)) return -1;
        st->total_j += (double)wrapped_delta(st->last[i], now, st->range[i]) * 1e-6;
        st->last[i] = now;
    }
    *joules = st->total_j;
    return 0;
}

static void rapl_close(energy_source *s) {
    free(s->state);
    s->state = NULL;
}

int energy_rapl_open(const energy_probe_env *env, energy_source *out, char *why, size_t why_size) {
    char dir[768];
    path_format(dir, sizeof dir, "%s/class/powercap", env->sysfs_root);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(why, why_size, "rapl: %s does not exist (no powercap/RAPL on this machine)", dir);
        return -1;
    }
    rapl_state *st = calloc(1, sizeof *st);
    if (!st) {
        closedir(d);
        snprintf(why, why_size, "rapl: out of memory");
        return -1;
    }
    char denied[1024] = "";
    struct dirent *e;
    while ((e = readdir(d)) && st->n < MAX_ZONES) {
        if (!is_package_zone(e->d_name)) continue;
        char path[1024];
        if (!path_format(path, sizeof path, "%s/%s/energy_uj", dir, e->d_name)) continue;
        unsigned long long v;
        if (sysfs_read_u64(path, &v)) {
            if (errno == EACCES || errno == EPERM) path_format(denied, sizeof denied, "%s", path);
            continue;
        }
        int i = st->n++;
        path_format(st->path[i], sizeof st->path[i], "%s", path);
        st->last[i] = v;
        if (!path_format(path, sizeof path, "%s/%s/max_energy_range_uj", dir, e->d_name) ||
            sysfs_read_u64(path, &st->range[i]))
            st->range[i] = 0; /* unknown range: no wrap correction */
    }
    closedir(d);
    if (st->n == 0) {
        free(st);
        if (denied[0])
            snprintf(why, why_size,
                     "rapl: %s is readable only by root (Linux 5.10 and later): run as root or "
                     "'chmod a+r' the energy_uj files",
                     denied);
        else snprintf(why, why_size, "rapl: no readable intel-rapl:N zone in %s", dir);
        return -1;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "rapl");
    out->kind = ENERGY_COUNTER;
    out->read = rapl_read;
    out->close = rapl_close;
    out->state = st;
    return 0;
}
