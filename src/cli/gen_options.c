/*
 * gen_options.c — parsing the generation controls (see gen_options.h).
 * One table maps every option to its field, so the command line and /set
 * accept the same names and check values the same way.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/gen_options.h"
#include "cli/grammar_options.h"

typedef enum { OPT_FLOAT, OPT_INT, OPT_SEED } opt_kind;

typedef struct {
    const char *flag;     /* command-line spelling */
    const char *set_name; /* /set spelling */
    const char *alias;    /* another /set spelling, or NULL */
    opt_kind kind;
    size_t offset;        /* in gen_options */
    const char *help;
} opt_desc;

#define FIELD(f) offsetof(gen_options, gen.f)

static const opt_desc options[] = {
    {"-n", "num_predict", "n_predict", OPT_INT, FIELD(n_predict), "tokens per answer (-1: until the end of the turn)"},
    {"--temp", "temperature", "temp", OPT_FLOAT, FIELD(sampling.temp), "temperature; 0 picks the likeliest token"},
    {"--top-k", "top_k", "top-k", OPT_INT, FIELD(sampling.top_k), "keep the k likeliest tokens (0: off)"},
    {"--top-p", "top_p", "top-p", OPT_FLOAT, FIELD(sampling.top_p), "keep the likeliest tokens up to this mass (1: off)"},
    {"--min-p", "min_p", "min-p", OPT_FLOAT, FIELD(sampling.min_p), "drop tokens below this fraction of the best (0: off)"},
    {"--repeat-penalty", "repeat_penalty", "repeat-penalty", OPT_FLOAT, FIELD(sampling.repeat_penalty),
     "penalise tokens seen recently (1: off)"},
    {"--repeat-last-n", "repeat_last_n", "repeat-last-n", OPT_INT, FIELD(sampling.repeat_last_n),
     "how many recent tokens the penalties see (0: off, -1: all)"},
    {"--presence-penalty", "presence_penalty", "presence-penalty", OPT_FLOAT, FIELD(sampling.presence_penalty),
     "subtract this from seen tokens (0: off)"},
    {"--frequency-penalty", "frequency_penalty", "frequency-penalty", OPT_FLOAT, FIELD(sampling.frequency_penalty),
     "subtract this per occurrence (0: off)"},
    {"--seed", "seed", NULL, OPT_SEED, FIELD(sampling.seed), "random seed (-1: from the clock)"},
    {"-c", "num_ctx", "ctx", OPT_INT, FIELD(n_ctx), "context size in tokens (0: min(model's, 4096))"},
    {"-t", "num_thread", "threads", OPT_INT, FIELD(n_threads), "threads (0: the physical cores)"},
};
enum { N_OPTIONS = sizeof options / sizeof options[0] };

void gen_options_default(gen_options *o) {
    memset(o, 0, sizeof *o);
    chat_gen_params_default(&o->gen);
}

/* Parse `text` into the option's field; false with a message if it is not a
 * number of the right kind. */
static bool store(gen_options *o, const opt_desc *d, const char *text, char *err, size_t err_size) {
    char *end = NULL;
    errno = 0;
    char *field = (char *)o + d->offset;
    if (d->kind == OPT_FLOAT) {
        double v = strtod(text, &end);
        if (end == text || *end || errno || !isfinite(v)) {
            snprintf(err, err_size, "%s expects a number, not '%s'", d->flag, text);
            return false;
        }
        *(float *)field = (float)v;
        return true;
    }
    long long v = strtoll(text, &end, 10);
    if (end == text || *end || errno) {
        snprintf(err, err_size, "%s expects an integer, not '%s'", d->flag, text);
        return false;
    }
    if (d->kind == OPT_SEED) {
        if (v < -1) {
            snprintf(err, err_size, "--seed expects a non-negative integer or -1, not '%s'", text);
            return false;
        }
        *(uint64_t *)field = v == -1 ? MOTE_SEED_RANDOM : (uint64_t)v;
        return true;
    }
    if (v < INT32_MIN || v > INT32_MAX) {
        snprintf(err, err_size, "%s: %s is out of range", d->flag, text);
        return false;
    }
    *(int32_t *)field = (int32_t)v;
    return true;
}

int gen_options_parse(gen_options *o, const char *cmd, int argc, char **argv, int *i) {
    const char *arg = argv[*i];
    int g = grammar_options_parse(&o->gen, cmd, argc, argv, i);
    if (g) return g;
    if (!strcmp(arg, "--color")) o->color = true;
    else if (!strcmp(arg, "--verbose")) o->verbose = true;
    else if (!strcmp(arg, "--verbose-prompt")) o->gen.verbose_prompt = true;
    if (!strcmp(arg, "--color") || !strcmp(arg, "--verbose") || !strcmp(arg, "--verbose-prompt")) {
        (*i)++;
        return 1;
    }
    bool is_stop = !strcmp(arg, "--stop");
    const opt_desc *d = NULL;
    for (int k = 0; k < N_OPTIONS && !is_stop; k++)
        if (!strcmp(arg, options[k].flag)) d = &options[k];
    if (!d && !is_stop) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "mote %s: %s needs a value\n", cmd, arg);
        return -1;
    }
    const char *value = argv[*i + 1];
    if (is_stop) {
        if (o->gen.n_stops == CHAT_MAX_STOPS || !value[0]) {
            fprintf(stderr, "mote %s: --stop: at most %d non-empty stop strings\n", cmd, CHAT_MAX_STOPS);
            return -1;
        }
        o->gen.stops[o->gen.n_stops++] = value;
    } else {
        char err[256];
        if (!store(o, d, value, err, sizeof err)) {
            fprintf(stderr, "mote %s: %s\n", cmd, err);
            return -1;
        }
    }
    *i += 2;
    return 1;
}

bool gen_options_set(gen_options *o, const char *name, const char *value, char *err, size_t err_size) {
    for (int k = 0; k < N_OPTIONS; k++) {
        const opt_desc *d = &options[k];
        const char *bare = d->flag + strspn(d->flag, "-");
        if (d->offset == FIELD(n_ctx) || d->offset == FIELD(n_threads)) continue; /* fixed for a session */
        if (strcmp(name, d->set_name) && (!d->alias || strcmp(name, d->alias)) && strcmp(name, bare)) continue;
        gen_options trial = *o;
        if (!store(&trial, d, value, err, err_size)) return false;
        *o = trial;
        return true;
    }
    snprintf(err, err_size,
             "unknown parameter '%s' (temperature, top_k, top_p, min_p, repeat_penalty, repeat_last_n, "
             "presence_penalty, frequency_penalty, seed, num_predict)",
             name);
    return false;
}

void gen_options_help(FILE *out) {
    for (int k = 0; k < N_OPTIONS; k++) {
        char left[40];
        snprintf(left, sizeof left, "%s %s", options[k].flag, options[k].kind == OPT_FLOAT ? "X" : "N");
        fprintf(out, "  %-24s %s\n", left, options[k].help);
    }
    fprintf(out, "  %-24s %s\n", "--stop TEXT", "also end an answer at TEXT (repeatable)");
    fprintf(out, "  %-24s %s\n", "--color", "show answers in color");
    fprintf(out, "  %-24s %s\n", "--verbose", "print timings after each answer");
    fprintf(out, "  %-24s %s\n", "--verbose-prompt", "print the formatted prompt and its tokens");
    grammar_options_help(out);
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
