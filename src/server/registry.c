/*
 * registry.c — finding the models to serve (see registry.h).
 */
#include "server/registry.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stdarg.h>
#include "server/rag_api.h"
#include "server/server.h"

/* The model name of a path: its file name without ".gguf". */
static void model_name(const char *path, char *out, size_t size) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, size, "%s", base);
    size_t n = strlen(out);
    if (n > 5 && !strcmp(out + n - 5, ".gguf")) out[n - 5] = '\0';
}

/* Record a one-line message in err; returns -1. */
static int fail(char *err, size_t err_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t err_size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return -1;
}

static int add(server *s, registry *r, const char *path, char *err, size_t err_size) {
    char name[256];
    model_name(path, name, sizeof name);
    return registry_add(s, r, name, path, err, err_size);
}

int registry_add(server *s, registry *r, const char *name, const char *path, char *err, size_t err_size) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return fail(err, err_size, "cannot read model file '%s'", path);
    if (!name[0]) return fail(err, err_size, "'%s' gives an empty model name", path);
    for (int i = 0; i < r->n; i++)
        if (!strcmp(engine_name(r->engines[i]), name))
            return fail(err, err_size, "two models are called '%s' ('%s' and '%s')", name,
                             engine_path(r->engines[i]), path);
    engine **e = realloc(r->engines, (size_t)(r->n + 1) * sizeof *e);
    if (!e) return fail(err, err_size, "out of memory");
    r->engines = e;
    if (!(e[r->n] = engine_new(s, name, path))) return fail(err, err_size, "out of memory");
    r->n++;
    return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every *.gguf directly in dir, in name order. */
static int add_dir(server *s, registry *r, const char *dir, char *err, size_t err_size) {
    DIR *d = opendir(dir);
    if (!d) return fail(err, err_size, "cannot read the models directory '%s'", dir);
    char **paths = NULL;
    size_t n = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 5 || strcmp(de->d_name + len - 5, ".gguf") || de->d_name[0] == '.') continue;
        char **p = realloc(paths, (n + 1) * sizeof *p);
        if (!p) {
            rc = fail(err, err_size, "out of memory");
            break;
        }
        paths = p;
        size_t plen = strlen(dir) + len + 2;
        if (!(paths[n] = malloc(plen))) {
            rc = fail(err, err_size, "out of memory");
            break;
        }
        snprintf(paths[n++], plen, "%s/%s", dir, de->d_name);
    }
    closedir(d);
    if (paths) qsort(paths, n, sizeof *paths, by_name);
    for (size_t i = 0; i < n; i++) {
        if (!rc) rc = add(s, r, paths[i], err, err_size);
        free(paths[i]);
    }
    free(paths);
    return rc;
}

int registry_build(server *s, registry **out, char *err, size_t err_size) {
    registry *r = calloc(1, sizeof *r);
    if (!r) return fail(err, err_size, "out of memory");
    int rc = 0;
    for (int i = 0; i < s->cfg.n_model_paths && !rc; i++) rc = add(s, r, s->cfg.model_paths[i], err, err_size);
    if (!rc && s->cfg.models_dir) rc = add_dir(s, r, s->cfg.models_dir, err, err_size);
    if (!rc) rc = rag_models_build(s, r, err, err_size);
    if (!rc && r->n == 0) rc = fail(err, err_size, "no models to serve (give -m FILE or --models DIR)");
    if (rc) {
        registry_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void registry_free(registry *r) {
    if (!r) return;
    for (int i = 0; i < r->n; i++) engine_free(r->engines[i]);
    rag_models_free(r->rag);
    free(r->engines);
    free(r);
}

engine *registry_find(const registry *r, const char *name) {
    if (!name) return NULL;
    size_t len = strlen(name);
    if (len > 7 && !strcmp(name + len - 7, ":latest")) len -= 7;
    for (int i = 0; i < r->n; i++) {
        const char *n = engine_name(r->engines[i]);
        if (strlen(n) == len && !strncmp(n, name, len)) return r->engines[i];
    }
    return NULL;
}
