/*
 * sweep_compare.c — `mote sweep --compare`: llama.cpp's llama-bench run on
 * the same variant file with the same test sizes, repetitions and threads,
 * so the report puts mote's and llama.cpp's speed side by side. Its peak
 * RSS comes from the kernel (wait4's rusage), as mote's own does.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/sweep.h"

static bool runnable(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool sweep_find_llama_bench(const char *given, char *buf, size_t size) {
    if (given) {
        snprintf(buf, size, "%s", given);
        return runnable(given);
    }
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(buf, size, "%.*s/llama-bench", (int)len, path);
        if (len && runnable(buf)) return true;
        path += len + (path[len] == ':');
    }
    return false;
}

/* Run argv with stdout into a malloc'd string (*out); stderr is dropped.
 * The exit status in *status and the child's peak RSS in *rss (bytes). */
static int run_capture(char *const argv[], char **out, int *status, uint64_t *rss) {
    int fds[2];
    if (pipe(fds)) return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    cli_text text = {0};
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) cli_text_add(&text, buf, (size_t)n);
    close(fds[0]);
    struct rusage ru;
    while (wait4(pid, status, 0, &ru) < 0)
        if (errno != EINTR) {
            free(text.p);
            return -1;
        }
    *rss = (uint64_t)ru.ru_maxrss * 1024;
    *out = text.p;
    return text.failed ? -1 : 0;
}

int sweep_llama_bench(const sweep_opts *o, const char *path, sweep_cell *out, char *err, size_t err_size) {
    char p[16], n[16], r[16], t[16];
    snprintf(p, sizeof p, "%d", o->n_prompt);
    snprintf(n, sizeof n, "%d", o->n_gen);
    snprintf(r, sizeof r, "%d", o->reps);
    snprintf(t, sizeof t, "%d", o->threads);
    char *argv[] = {(char *)o->llama_bench, "-m", (char *)path, "-p", p, "-n", n, "-r", r, "-t", t, "-o", "json", NULL};
    char *text = NULL;
    int status;
    uint64_t rss = 0;
    if (run_capture(argv, &text, &status, &rss)) {
        snprintf(err, err_size, "cannot run %s: %s", o->llama_bench, strerror(errno));
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        snprintf(err, err_size, "%s failed on %s (exit status %d)", o->llama_bench, path,
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        free(text);
        return 1;
    }
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    bool pp = o->n_prompt <= 0, tg = o->n_gen <= 0;
    const cJSON *test;
    cJSON_ArrayForEach(test, j) {
        const cJSON *np = cJSON_GetObjectItemCaseSensitive(test, "n_prompt");
        const cJSON *ng = cJSON_GetObjectItemCaseSensitive(test, "n_gen");
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(test, "avg_ts");
        if (!cJSON_IsNumber(np) || !cJSON_IsNumber(ng) || !cJSON_IsNumber(ts)) continue;
        if (np->valueint == o->n_prompt && ng->valueint == 0 && o->n_prompt > 0) out->llama_pp_tps = ts->valuedouble, pp = true;
        if (ng->valueint == o->n_gen && np->valueint == 0 && o->n_gen > 0) out->llama_tg_tps = ts->valuedouble, tg = true;
    }
    cJSON_Delete(j);
    if (!pp || !tg) {
        snprintf(err, err_size, "%s printed no pp%d/tg%d results for %s", o->llama_bench, o->n_prompt, o->n_gen, path);
        return 1;
    }
    out->has_llama = true;
    out->llama_peak_rss_bytes = rss;
    return 0;
}
