/*
 * sysfs_read.c — reading the one-value files of /sys (or of a fake tree in
 * the tests), with errno left meaningful so callers can say why a sensor
 * is unusable (EACCES: root only).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/energy_source.h"

int sysfs_read_line(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    if (!fgets(buf, (int)size, f)) {
        int e = ferror(f) ? errno : EINVAL;
        fclose(f);
        errno = e ? e : EINVAL;
        return -1;
    }
    fclose(f);
    buf[strcspn(buf, "\r\n")] = 0;
    return 0;
}

int sysfs_read_u64(const char *path, unsigned long long *out) {
    char line[64];
    if (sysfs_read_line(path, line, sizeof line)) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(line, &end, 10);
    if (end == line || *end || errno || line[0] == '-') {
        errno = EINVAL;
        return -1;
    }
    *out = v;
    return 0;
}

bool path_format(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        if (size) buf[0] = 0;
        return false;
    }
    return true;
}
