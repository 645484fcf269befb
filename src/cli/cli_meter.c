/*
 * cli_meter.c — see cli_meter.h.
 */
#include "cli/cli_meter.h"

#include <stdlib.h>
#include <string.h>

bool cli_meter_is_option(const char *opt) {
    return !strcmp(opt, "--watts") || !strcmp(opt, "--grid-intensity") || !strcmp(opt, "--energy-source");
}

int cli_meter_parse(cli_meter_opts *o, const char *cmd, const char *opt, const char *value) {
    if (!cli_meter_is_option(opt)) return 0;
    if (!value) {
        fprintf(stderr, "mote %s: %s needs a value\n", cmd, opt);
        return -1;
    }
    char *end;
    if (!strcmp(opt, "--watts")) {
        double idle = strtod(value, &end), busy;
        if (end == value || *end != ',' || (busy = strtod(end + 1, &end), *end) || !(idle >= 0) || !(busy > 0) ||
            busy < idle || busy > 1e6) {
            fprintf(stderr, "mote %s: --watts needs IDLE,BUSY watts with 0 <= IDLE <= BUSY, e.g. 2.7,6.8 (not '%s')\n",
                    cmd, value);
            return -1;
        }
        o->idle_watts = idle, o->busy_watts = busy;
    } else if (!strcmp(opt, "--grid-intensity")) {
        double g = strtod(value, &end);
        if (end == value || *end || !(g > 0) || g > 1e5) {
            fprintf(stderr, "mote %s: --grid-intensity needs grams of CO2 per kWh, e.g. 350 (not '%s')\n", cmd, value);
            return -1;
        }
        o->grid_g_per_kwh = g;
    } else {
        o->source = value;
    }
    return 1;
}

int cli_meter_open(const cli_meter_opts *o, const char *cmd, bool verbose, mote_meter **out) {
    mote_meter_params p = mote_meter_default_params();
    p.idle_watts = o->idle_watts;
    p.busy_watts = o->busy_watts;
    p.grid_g_per_kwh = o->grid_g_per_kwh;
    p.source = o->source;
    if (mote_meter_new(&p, out) != MOTE_OK) {
        fprintf(stderr, "mote %s: %s\n", cmd, mote_last_error());
        return 1;
    }
    if (verbose) {
        fprintf(stderr, "energy source: %s\n", mote_meter_source(*out));
        const char *notes = mote_meter_notes(*out);
        while (*notes) {
            size_t len = strcspn(notes, "\n");
            fprintf(stderr, "  not used: %.*s\n", (int)len, notes);
            notes += len + (notes[len] == '\n');
        }
    }
    return 0;
}

void cli_meter_help(FILE *out) {
    fprintf(out,
            "energy (measured by RAPL, an ina2xx hwmon sensor or the Raspberry Pi 5 PMIC when readable):\n"
            "  --watts IDLE,BUSY       declared power, scaled by CPU use, when nothing can be measured\n"
            "  --grid-intensity G      grams of CO2 per kWh of the grid, to report CO2\n"
            "  --energy-source NAME    auto (default), rapl, hwmon, pi5-pmic, declared or none\n");
}

int cli_meter_from_args(cli_meter_opts *o, const cli_args *a) {
    for (int k = 0; k < a->n_given; k++) {
        const cli_given_opt *g = &a->given[k];
        if (g->id != CLI_WATTS && g->id != CLI_GRID_INTENSITY && g->id != CLI_ENERGY_SOURCE) continue;
        if (cli_meter_parse(o, a->spec->name, cli_options[g->id].names[0], g->text) < 0) return 1;
    }
    return 0;
}

void cli_answer_cost_start(cli_answer_cost *c, mote_meter *meter) {
    memset(c, 0, sizeof *c);
    c->meter = meter;
    if (meter) mote_meter_start(meter);
}

void cli_answer_cost_first_token(cli_answer_cost *c) {
    if (!c->meter || c->prompt_done) return;
    mote_meter_stop(c->meter, &c->prompt);
    mote_meter_start(c->meter);
    c->prompt_done = true;
}

void cli_answer_cost_print(cli_answer_cost *c, int32_t n_prompt, int32_t n_eval, FILE *out) {
    if (!c->meter) return;
    mote_meter_report gen;
    char line[400];
    mote_meter_stop(c->meter, &gen);
    if (!c->prompt_done) c->prompt = gen; /* nothing was generated: it was all the prompt's */
    mote_meter_format(&c->prompt, line, sizeof line);
    fprintf(out, "%-22s%s\n", "prompt eval cost:", line);
    mote_meter_format(&gen, line, sizeof line);
    fprintf(out, "%-22s%s\n", "eval cost:", line);
    if (gen.has_energy)
        fprintf(out, "%-22s%.6g J/token prompt, %.6g J/token generated (%s)\n", "energy:",
                mote_meter_joules_per_token(&c->prompt, n_prompt),
                c->prompt_done ? mote_meter_joules_per_token(&gen, n_eval) : 0.0, gen.source);
}
