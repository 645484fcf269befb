/*
 * default_model.c — where the bundled model is looked for (default_model.h):
 * relative to the executable, not the working directory, so `mote run` works
 * from anywhere once installed, from a package unpacked into any root and
 * from a build tree.
 */
#include "cli/default_model.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

const char *cli_exe_path(void) {
    static char path[PATH_MAX];
    /* Under qemu-user too, /proc/self/exe names the emulated program. */
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return NULL;
    path[n] = '\0';
    return path;
}

const char *cli_exe_dir(void) {
    static char dir[PATH_MAX];
    const char *exe = cli_exe_path();
    if (!exe) return NULL;
    snprintf(dir, sizeof dir, "%s", exe);
    char *slash = strrchr(dir, '/');
    if (!slash) return NULL;
    if (slash == dir) slash[1] = '\0'; /* the root directory */
    else *slash = '\0';
    return dir;
}

const char *cli_default_model(void) {
    static char path[PATH_MAX + 64];
    const char *dir = cli_exe_dir();
    if (dir) {
        static const char *const relative[] = {"../share/mote/models/", "models/"};
        for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
            snprintf(path, sizeof path, "%s/%s%s", dir, relative[i], CLI_BUNDLED_MODEL);
            if (access(path, R_OK) == 0) return path;
        }
    }
    return "models/" CLI_BUNDLED_MODEL;
}
