/*
 * testutil.c — see testutil.h.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *fixtures_dir(void) {
    const char *d = getenv("MOTE_FIXTURES");
    return d && *d ? d : "../shared/fixtures";
}

const char *fixture_path(const char *rel) {
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", fixtures_dir(), rel);
    return buf[k];
}

void require_fixtures(void) {
    struct stat st;
    if (stat(fixture_path("README.md"), &st) != 0) {
        fprintf(stderr, "SKIP: fixtures not found at %s (set MOTE_FIXTURES)\n", fixtures_dir());
        exit(77);
    }
}

void *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (size) *size = (size_t)n;
    }
    return buf;
}

const char *temp_path(const char *suffix) {
    static char buf[4][256];
    static int k, counter;
    k = (k + 1) % 4;
    const char *dir = getenv("TMPDIR");
    snprintf(buf[k], sizeof buf[k], "%s/mote-test-%d-%d%s", dir && *dir ? dir : "/tmp", (int)getpid(), counter++,
             suffix ? suffix : "");
    return buf[k];
}
