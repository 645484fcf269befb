/*
 * cli_meter.h — the metering options every measuring command shares
 * (--watts, --grid-intensity, --energy-source) and how they open a meter.
 * Kept apart from each command's option parsing so that adding metering to
 * a command is two or three lines.
 */
#ifndef MOTE_CLI_METER_H
#define MOTE_CLI_METER_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/options.h"
#include "mote.h"

typedef struct {
    double idle_watts, busy_watts; /* --watts IDLE,BUSY (0, 0: none) */
    double grid_g_per_kwh;         /* --grid-intensity G_PER_KWH (0: none) */
    const char *source;            /* --energy-source NAME (NULL: auto) */
} cli_meter_opts;

/* True if `opt` is one of the metering options (each takes one value). */
bool cli_meter_is_option(const char *opt);

/* If `opt` is a metering option, read `value` (NULL: missing) into o and
 * return 1; return 0 if it is not one; on a bad or missing value print
 * "mote <cmd>: ..." and return -1. */
int cli_meter_parse(cli_meter_opts *o, const char *cmd, const char *opt, const char *value);

/* The metering options of a command line parsed with the option table
 * (CLI_WATTS, CLI_GRID_INTENSITY, CLI_ENERGY_SOURCE), checked as
 * cli_meter_parse checks them; non-zero after a one-line message. */
int cli_meter_from_args(cli_meter_opts *o, const cli_args *a);

/* Open a meter with these options. With verbose, say on stderr which energy
 * source is used and why each better one was not. On failure print
 * "mote <cmd>: ..." and return non-zero. */
int cli_meter_open(const cli_meter_opts *o, const char *cmd, bool verbose, mote_meter **out);

/* One answer's cost with the prompt and the generation metered apart (run
 * --verbose, chat --verbose). Start it before the prompt is evaluated, call
 * first_token when the first generated token arrives (the prompt's part ends
 * there), and print it after the last: the prompt's and the generation's
 * cost lines and the joules per token of each. With a NULL meter every call
 * does nothing. */
typedef struct {
    mote_meter *meter;
    mote_meter_report prompt;
    bool prompt_done;
} cli_answer_cost;
void cli_answer_cost_start(cli_answer_cost *c, mote_meter *meter);
void cli_answer_cost_first_token(cli_answer_cost *c);
void cli_answer_cost_print(cli_answer_cost *c, int32_t n_prompt, int32_t n_eval, FILE *out);

/* The option lines for a command's --help. */
void cli_meter_help(FILE *out);

#endif
