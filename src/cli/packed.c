/*
 * packed.c — the command line of a packed executable (packed.h): the model
 * is the executable itself (mote_gguf_open reads the model embedded in it,
 * in place), so the rewrite only adds "-m SELF" and the default arguments.
 */
#include "cli/packed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/default_model.h"
#include "mote.h"

int cli_command_takes_model(const char *name) {
    if (!strcmp(name, "synth")) return 0; /* writes a model, reads none */
    for (const mote_command *c = mote_commands; c->name; c++)
        if (!strcmp(c->name, name)) return 1;
    return 0;
}

/* Does the user's command line name a model already? */
static int gives_model(int argc, char **argv, int first) {
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) break;
        if (!strcmp(a, "-m") || !strcmp(a, "--model") || !strcmp(a, "--models") || !strncmp(a, "--model=", 8) ||
            !strncmp(a, "--models=", 9))
            return 1;
    }
    return 0;
}

/* The rewritten command line and the default arguments it points into, kept
 * reachable until exit (a leak checker would count them lost otherwise). */
static char **packed_argv, **packed_defaults;

int cli_packed_command_line(int *argc, char ***argv) {
    const char *self = cli_exe_path();
    mote_pack_info info;
    if (!self) return 0;
    int rc = mote_pack_read(self, &info);
    if (rc == MOTE_ERR_NOT_FOUND) return 0;
    char **defaults = NULL;
    int n_defaults = 0;
    if (rc == MOTE_OK) rc = mote_pack_args(self, &info, &defaults, &n_defaults);
    packed_defaults = defaults;
    if (rc) {
        fprintf(stderr, "mote: %s\n", mote_last_error());
        return 1;
    }
    const char *default_cmd = "chat";
    char **flags = defaults;
    int n_flags = n_defaults;
    if (n_defaults > 0 && defaults[0][0] != '-') {
        default_cmd = defaults[0];
        flags++;
        n_flags--;
    }
    const int old_argc = *argc;
    char **old = *argv;
    /* The user's command, and where its arguments start: none or only
     * flags ("./NAME --temp 0") mean the default command. */
    const char *cmd = default_cmd;
    int first = 1;
    if (old_argc >= 2 && (old[1][0] != '-' || !strcmp(old[1], "-h") || !strcmp(old[1], "--help") ||
                          !strcmp(old[1], "--version"))) {
        cmd = old[1];
        first = 2;
    }
    if (!cli_command_takes_model(cmd)) return 0; /* help, --version, synth, typos */
    const int add_defaults = !strcmp(cmd, default_cmd);
    const int add_model = !gives_model(old_argc, old, first);
    char **v = malloc((size_t)(old_argc + n_flags + 4) * sizeof *v);
    if (!v) return 0;
    int n = 0;
    v[n++] = old[0];
    v[n++] = (char *)cmd;
    if (add_model) {
        v[n++] = "-m";
        v[n++] = (char *)self;
    }
    for (int i = 0; add_defaults && i < n_flags; i++) v[n++] = flags[i];
    for (int i = first; i < old_argc; i++) v[n++] = old[i];
    v[n] = NULL;
    packed_argv = v;
    *argc = n;
    *argv = v;
    return 0;
}
