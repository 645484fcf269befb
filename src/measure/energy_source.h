/*
 * energy_source.h — the small interface every energy sensor implements, so
 * the meter (meter.c) can take the best one the machine has without knowing
 * how each is read. One file per source: source_rapl.c, source_hwmon.c,
 * source_pi5_pmic.c. (The declared model is not a sensor: the meter computes
 * it from CPU use, see declared_watts in source_declared.c.)
 */
#ifndef MOTE_MEASURE_ENERGY_SOURCE_H
#define MOTE_MEASURE_ENERGY_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    ENERGY_COUNTER, /* read() gives joules accumulated since open (the source handles wrap-around) */
    ENERGY_POWER,   /* read() gives the power now, in watts (the meter integrates it) */
} energy_kind;

typedef struct energy_source energy_source;
struct energy_source {
    char name[40];     /* "rapl", "hwmon:ina260", "pi5-pmic" */
    energy_kind kind;
    int min_period_ms; /* reading more often than this is pointless or costly (0: any) */
    /* One reading; 0 on success, -1 if the sensor could not be read. */
    int (*read)(energy_source *s, double *value);
    void (*close)(energy_source *s);
    void *state;
};

/* Where the sources look. */
typedef struct {
    const char *sysfs_root; /* "/sys" or a fake tree */
    const char *vcgencmd;   /* program path or name */
} energy_probe_env;

/* Each opener fills *out and returns 0 when its sensor is present and
 * readable; otherwise it returns -1 and writes why into why[0..why_size). */
int energy_rapl_open(const energy_probe_env *env, energy_source *out, char *why, size_t why_size);
int energy_hwmon_open(const energy_probe_env *env, energy_source *out, char *why, size_t why_size);
int energy_pi5_pmic_open(const energy_probe_env *env, energy_source *out, char *why, size_t why_size);

/* The declared model's power for an interval: idle + (busy - idle) x the
 * share of the machine's n_cpus that cpu_s of CPU time over wall_s used
 * (clamped to [0, 1]). */
double declared_watts(double idle_w, double busy_w, double cpu_s, double wall_s, int n_cpus);

/* snprintf into a path buffer; false (and an empty buffer) if it did not fit. */
bool path_format(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Read a whole small sysfs file holding one unsigned number. 0 on success;
 * -1 with errno set (EACCES when it is not readable) otherwise. */
int sysfs_read_u64(const char *path, unsigned long long *out);
/* Read a small text file's first line (newline removed); 0 or -1 with errno. */
int sysfs_read_line(const char *path, char *buf, size_t size);

#endif
