/*
 * cmd_pack.c — `mote pack -m MODEL.gguf -o NAME [-- DEFAULTS...]`: write a
 * single executable, this mote with the model appended (gguf_pack.c for the
 * layout), which needs no other file: `./NAME` chats, `./NAME serve` serves,
 * and every command's model defaults to the embedded one, mapped in place
 * (packed.c). DEFAULTS are default arguments: a command (run, chat, serve...)
 * and/or its flags, used when NAME runs alone or with that command.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/default_model.h"
#include "cli/options.h"
#include "cli/packed.h"
#include "mote.h"

static const cli_use pack_options[] = {
    {CLI_HELP, NULL},
    {CLI_MODEL, "the GGUF model to put inside (required)"},
    {CLI_OUTPUT, "the executable to write (required)"},
    {CLI_END, NULL},
};

const cli_command_spec pack_spec = {
    "pack",
    "mote pack -m MODEL.gguf -o NAME [-- [COMMAND] [FLAGS...]]",
    "Write NAME: one executable file that is this mote with MODEL appended, page-aligned, and used in "
    "place (mapped, never copied) as the model of every command, so NAME needs no other file. `./NAME` "
    "alone chats, `./NAME serve` serves it, `./NAME run -p TEXT` continues a text. The words after -- are "
    "defaults: a command for `./NAME` alone (chat if none is given) and flags added whenever that "
    "command runs (`-- -sys \"You are terse.\" --temp 0.2`, `-- serve --port 8080`). Another model can "
    "still be given with -m.",
    pack_options,
    CLI_MAX_POSITIONAL,
    false,
};

int cmd_pack(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&pack_spec, argc, argv, &a);
    if (st >= 0) return st;
    int dashdash = argc;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--")) {
            dashdash = i;
            break;
        }
    const int n_defaults = argc - dashdash - (dashdash < argc);
    if (a.n_positional != n_defaults) {
        fprintf(stderr, "mote pack: unexpected argument '%s' (default arguments go after --)\n", a.positional[0]);
        return 2;
    }
    const char *out = cli_str(&a, CLI_OUTPUT, NULL);
    if (!a.model || !out) {
        fprintf(stderr, "mote pack: give the model and the executable to write: mote pack -m MODEL.gguf -o NAME\n");
        return 2;
    }
    if (n_defaults > 0 && a.positional[0][0] != '-' && !cli_command_takes_model(a.positional[0])) {
        fprintf(stderr, "mote pack: '%s' is not a command that uses a model (the defaults after -- are a command and its flags)\n",
                a.positional[0]);
        return 2;
    }
    const char *self = cli_exe_path();
    if (!self) {
        fprintf(stderr, "mote pack: cannot find this program's own file (/proc/self/exe)\n");
        return 1;
    }
    if (mote_pack_write(self, a.model, a.positional, n_defaults, out) != MOTE_OK) {
        fprintf(stderr, "mote pack: %s\n", mote_last_error());
        return 1;
    }
    struct stat sb;
    const double mib = stat(out, &sb) == 0 ? (double)sb.st_size / (1024.0 * 1024.0) : 0.0;
    fprintf(stderr, "mote pack: wrote %s (%.1f MiB): run it alone to chat with %s, or with a command (%s serve, %s run -p TEXT)\n",
            out, mib, a.model, out, out);
    return 0;
}
