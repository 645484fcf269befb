/*
 * mem_options.c — see mem_options.h. Which cache types a model can take
 * (rows a multiple of the block) is the library's check, at
 * mote_context_new; here only the names are read.
 */
#include "cli/mem_options.h"

#include <stdio.h>

/* The type named by flag id, or def; false after a message. */
static bool cache_type(const cli_args *a, cli_opt_id id, int def, int *out) {
    const char *name = cli_str(a, id, NULL);
    *out = def;
    if (!name) return true;
    const int t = mote_type_from_name(name);
    if (t < 0) {
        fprintf(stderr, "mote %s: %s '%s': not a type (f16, q8_0, q4_0, q4_1, q5_0, q5_1 or iq4_nl)\n",
                a->spec->name, cli_option_get(id)->names[0], name);
        return false;
    }
    *out = t;
    return true;
}

bool mem_options_from_args(mem_options *o, const cli_args *a) {
    o->model = mote_model_default_params();
    o->model.mlock = cli_flag(a, CLI_MLOCK);
    o->model.no_mmap = cli_flag(a, CLI_NO_MMAP);
    o->model.no_memory_check = cli_flag(a, CLI_NO_MEMORY_CHECK);
    mote_set_model_params(&o->model);
    return cache_type(a, CLI_CACHE_TYPE_K, MOTE_TYPE_F16, &o->type_k) &&
           cache_type(a, CLI_CACHE_TYPE_V, MOTE_TYPE_F16, &o->type_v);
}

void mem_options_report_load(const char *cmd, const mote_model *m) {
    const char *why;
    if (m && mote_model_locked_bytes(m, &why) == 0 && why)
        fprintf(stderr, "mote %s: warning: --mlock: %s; going on unlocked\n", cmd, why);
    const char *note = m ? mote_model_repack_note(m) : NULL;
    if (note) fprintf(stderr, "mote %s: note: %s\n", cmd, note);
}

void mem_options_to_context(const mem_options *o, mote_context_params *p) {
    p->type_k = o->type_k;
    p->type_v = o->type_v;
}
