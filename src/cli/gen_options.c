/*
 * gen_options.c — mapping the generation flags of the option table onto
 * gen_options (see gen_options.h). The command line and /set go through the
 * same check (cli_parse_value) and the same assignment (apply).
 */
#include <string.h>

#include "cli/gen_options.h"
#include "cli/grammar_options.h"

void gen_options_default(gen_options *o) {
    memset(o, 0, sizeof *o);
    chat_gen_params_default(&o->gen);
}

/* Store one checked value; false if the option is not a generation option. */
static bool apply(gen_options *o, const cli_given_opt *g) {
    chat_gen_params *p = &o->gen;
    mote_sampler_params *s = &p->sampling;
    switch (g->id) {
    case CLI_N_PREDICT: p->n_predict = (int32_t)g->i; break;
    case CLI_CTX_SIZE: p->n_ctx = (int32_t)g->i; break;
    case CLI_THREADS: p->n_threads = (int32_t)g->i; break;
    case CLI_SEED: s->seed = g->i == -1 ? MOTE_SEED_RANDOM : (uint64_t)g->i; break;
    case CLI_TEMP: s->temp = (float)g->f; break;
    case CLI_TOP_K: s->top_k = (int32_t)g->i; break;
    case CLI_TOP_P: s->top_p = (float)g->f; break;
    case CLI_MIN_P: s->min_p = (float)g->f; break;
    case CLI_REPEAT_PENALTY: s->repeat_penalty = (float)g->f; break;
    case CLI_REPEAT_LAST_N: s->repeat_last_n = (int32_t)g->i; break;
    case CLI_PRESENCE_PENALTY: s->presence_penalty = (float)g->f; break;
    case CLI_FREQUENCY_PENALTY: s->frequency_penalty = (float)g->f; break;
    case CLI_STOP:
        if (p->n_stops < CHAT_MAX_STOPS) p->stops[p->n_stops++] = g->text;
        break;
    case CLI_COLOR: o->color = true; break;
    case CLI_VERBOSE: o->verbose = true; break;
    case CLI_VERBOSE_PROMPT: p->verbose_prompt = true; break;
    case CLI_JSON: o->json = true; break;
    default: return false;
    }
    return true;
}

/* A grammar flag: build the grammar (grammar_options.c) into the settings. */
static bool apply_grammar(gen_options *o, const cli_given_opt *g, const char *cmd) {
    const cli_option *opt = cli_option_get((cli_opt_id)g->id);
    char *av[2] = {(char *)opt->names[0], (char *)g->text};
    int i = 0;
    return grammar_options_parse(&o->gen, cmd, g->text ? 2 : 1, av, &i) > 0;
}

bool gen_options_from_args(gen_options *o, const cli_args *a) {
    int n_stops = 0;
    for (int k = 0; k < a->n_given; k++) {
        n_stops += a->given[k].id == CLI_STOP;
        const int id = a->given[k].id;
        if (id == CLI_GRAMMAR || id == CLI_GRAMMAR_FILE || id == CLI_JSON_MODE || id == CLI_JSON_SCHEMA ||
            id == CLI_JSON_SCHEMA_FILE) {
            if (!apply_grammar(o, &a->given[k], a->spec->name)) return false;
            continue;
        }
        apply(o, &a->given[k]);
    }
    if (n_stops > CHAT_MAX_STOPS) {
        fprintf(stderr, "mote %s: at most %d --stop strings\n", a->spec->name, CHAT_MAX_STOPS);
        return false;
    }
    if (!mem_options_from_args(&o->mem, a)) return false;
    o->gen.type_k = o->mem.type_k;
    o->gen.type_v = o->mem.type_v;
    return true;
}

bool gen_options_set(gen_options *o, const char *name, const char *value, char *err, size_t err_size) {
    const cli_option *opt = cli_option_by_set_name(name);
    if (opt && (opt->id == CLI_CTX_SIZE || opt->id == CLI_THREADS)) {
        snprintf(err, err_size, "%s is fixed for the session (give it on the command line)", name);
        return false;
    }
    if (!opt) {
        snprintf(err, err_size,
                 "unknown parameter '%s' (temperature, top_k, top_p, min_p, repeat_penalty, repeat_last_n, "
                 "presence_penalty, frequency_penalty, seed, num_predict)",
                 name);
        return false;
    }
    cli_given_opt g;
    if (!cli_parse_value(opt, value, &g, err, err_size)) return false;
    return apply(o, &g);
}

void gen_options_print(const gen_options *o, FILE *out) {
    const mote_sampler_params *p = &o->gen.sampling;
    fprintf(out,
            "temperature %g, top_k %d, top_p %g, min_p %g, repeat_penalty %g, repeat_last_n %d, "
            "presence_penalty %g, frequency_penalty %g, seed ",
            (double)p->temp, p->top_k, (double)p->top_p, (double)p->min_p, (double)p->repeat_penalty,
            p->repeat_last_n, (double)p->presence_penalty, (double)p->frequency_penalty);
    if (p->seed == MOTE_SEED_RANDOM) fprintf(out, "random");
    else fprintf(out, "%llu", (unsigned long long)p->seed);
    fprintf(out, ", num_predict %d\n", o->gen.n_predict);
}
