/*
 * cmd_info.c — `mote info MODEL.gguf`: describe a model file.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "mote.h"

static void info_usage(FILE *out) {
    fprintf(out, "usage: mote info MODEL.gguf\n");
}

int cmd_info(int argc, char **argv) {
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            info_usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-') {
            fprintf(stderr, "mote info: unknown option '%s'\n", argv[i]);
            return 2;
        }
        path = argv[i];
    }
    if (!path) {
        info_usage(stderr);
        return 2;
    }
    mote_gguf *g;
    if (mote_gguf_open(path, &g) != MOTE_OK) {
        fprintf(stderr, "mote info: %s\n", mote_last_error());
        return 1;
    }
    printf("architecture: %s\n", mote_gguf_get_str(g, "general.architecture", "?"));
    printf("tensors: %lld\n", (long long)mote_gguf_n_tensors(g));
    mote_gguf_close(g);
    return 0;
}
