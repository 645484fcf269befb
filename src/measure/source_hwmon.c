/*
 * source_hwmon.c — energy from a hardware power monitor on an I2C bus, seen
 * through Linux hwmon: the ina2xx family (INA219, INA226, INA260, ...)
 * that people wire between a board and its supply to measure it. The
 * driver gives power1_input in microwatts (integrated over time by the
 * meter) and, on newer kernels, energy1_input in microjoules (a counter,
 * preferred: no sampling error). Attributes are looked for in hwmonN/ and,
 * for older kernels, in hwmonN/device/.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/energy_source.h"

typedef struct {
    char path[1024];           /* energy1_input or power1_input */
    unsigned long long first;  /* energy: the counter at open */
} hwmon_state;

static int hwmon_read_energy(energy_source *s, double *joules) {
    hwmon_state *st = s->state;
    unsigned long long v;
    if (sysfs_read_u64(st->path, &v)) return -1;
    *joules = v >= st->first ? (double)(v - st->first) * 1e-6 : 0.0;
    return 0;
}

static int hwmon_read_power(energy_source *s, double *watts) {
    hwmon_state *st = s->state;
    unsigned long long v;
    if (sysfs_read_u64(st->path, &v)) return -1;
    *watts = (double)v * 1e-6;
    return 0;
}

static void hwmon_close(energy_source *s) {
    free(s->state);
    s->state = NULL;
}

/* The ina2xx driver (and its ina238/ina3221 cousins) name their devices "ina<digits>". */
static bool is_ina(const char *name) {
    return !strncmp(name, "ina", 3) && name[3] >= '0' && name[3] <= '9';
}

/* Try one attribute of one device: in dir/ then dir/device/. */
static int find_attr(const char *dir, const char *attr, char *path, size_t size, unsigned long long *v, int *err) {
    const char *subs[] = {"", "/device"};
    for (int k = 0; k < 2; k++) {
        if (!path_format(path, size, "%s%s/%s", dir, subs[k], attr)) continue;
        if (sysfs_read_u64(path, v) == 0) return 0;
        if (errno == EACCES || errno == EPERM) *err = errno;
    }
    return -1;
}

int energy_hwmon_open(const energy_probe_env *env, energy_source *out, char *why, size_t why_size) {
    char root[768];
    path_format(root, sizeof root, "%s/class/hwmon", env->sysfs_root);
    DIR *d = opendir(root);
    if (!d) {
        snprintf(why, why_size, "hwmon: %s does not exist", root);
        return -1;
    }
    char seen[200] = "", denied[1024] = "";
    struct dirent *e;
    int found = 0;
    hwmon_state *st = calloc(1, sizeof *st);
    char name[64] = "";
    bool energy = false;
    while (st && !found && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char dir[700], path[800];
        if (!path_format(dir, sizeof dir, "%s/%s", root, e->d_name) || !path_format(path, sizeof path, "%s/name", dir))
            continue;
        if (sysfs_read_line(path, name, sizeof name)) continue;
        size_t len = strlen(seen);
        if (len + strlen(name) + 3 < sizeof seen) snprintf(seen + len, sizeof seen - len, "%s%s", len ? ", " : "", name);
        if (!is_ina(name)) continue;
        unsigned long long v;
        int err = 0;
        if (find_attr(dir, "energy1_input", st->path, sizeof st->path, &v, &err) == 0) {
            energy = true;
            st->first = v;
            found = 1;
        } else if (find_attr(dir, "power1_input", st->path, sizeof st->path, &v, &err) == 0) {
            found = 1;
        } else if (err) {
            path_format(denied, sizeof denied, "%s", dir);
        }
    }
    closedir(d);
    if (!found) {
        free(st);
        if (denied[0]) snprintf(why, why_size, "hwmon: the power readings of %s are not readable (permission)", denied);
        else
            snprintf(why, why_size, "hwmon: no ina2xx power monitor (devices: %s)", seen[0] ? seen : "none");
        return -1;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "hwmon:%s", name);
    out->kind = energy ? ENERGY_COUNTER : ENERGY_POWER;
    out->read = energy ? hwmon_read_energy : hwmon_read_power;
    out->close = hwmon_close;
    out->state = st;
    return 0;
}
