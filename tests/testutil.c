/*
 * testutil.c — see testutil.h.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

bool fixture_seen_before(const char *model, const char *tensor, int type) {
    static char seen[512][96];
    static int n_seen;
    char key[96];
    snprintf(key, sizeof key, "%.40s|%.40s|%d", model, tensor, type);
    for (int i = 0; i < n_seen; i++)
        if (!strcmp(seen[i], key)) return true;
    if (n_seen < 512) strcpy(seen[n_seen++], key);
    return false;
}

void for_each_tiny_pair(const char *const *archs, size_t n_archs, const char *const *types, size_t n_types,
                        tiny_pair_fn fn, void *arg) {
    for (size_t a = 0; a < n_archs; a++)
        for (size_t t = 0; t < n_types; t++) {
            char fp[128], qp[128];
            snprintf(fp, sizeof fp, "models/%s-tiny-f32.gguf", archs[a]);
            snprintf(qp, sizeof qp, "models/%s-tiny-%s.gguf", archs[a], types[t]);
            fn(fp, qp, arg);
        }
}
