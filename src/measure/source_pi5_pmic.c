/*
 * source_pi5_pmic.c — power of a Raspberry Pi 5 from its PMIC's ADCs, as
 * `vcgencmd pmic_read_adc` prints them: one line per rail current
 * ("VDD_CORE_A current(7)=2.34512000A") and per rail voltage
 * ("VDD_CORE_V volt(15)=0.72000000V"). The board's power is the sum over
 * the rails that have both of current x voltage (the PMIC's own losses and
 * the 5 V input are not included, so it reads a little low). Running the
 * program costs milliseconds, so it is sampled at most twice a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "measure/energy_source.h"

#define MAX_RAILS 48

typedef struct {
    char command[600];
} pmic_state;

typedef struct {
    char name[32];
    double amps, volts;
    bool has_a, has_v;
} rail;

/* Add one "NAME_A current(N)=XA" or "NAME_V volt(N)=YV" line to the rails. */
static void parse_line(const char *line, rail *rails, int *n) {
    char name[64], kind[16];
    double value;
    if (sscanf(line, " %63s %15[a-z](%*d)=%lf", name, kind, &value) != 3) return;
    size_t len = strlen(name);
    bool current = !strcmp(kind, "current"), volt = !strcmp(kind, "volt");
    if ((!current && !volt) || len < 3 || name[len - 2] != '_') return;
    name[len - 2] = 0; /* the rail's name without _A / _V */
    int i = 0;
    while (i < *n && strcmp(rails[i].name, name)) i++;
    if (i == *n) {
        if (*n == MAX_RAILS) return;
        memset(&rails[i], 0, sizeof rails[i]);
        snprintf(rails[i].name, sizeof rails[i].name, "%s", name);
        (*n)++;
    }
    if (current) rails[i].amps = value, rails[i].has_a = true;
    else rails[i].volts = value, rails[i].has_v = true;
}

/* Run the command and sum the rails; -1 if it fails or names no rail pair. */
static int pmic_watts(const char *command, double *watts, int *n_pairs) {
    FILE *p = popen(command, "r");
    if (!p) return -1;
    rail rails[MAX_RAILS];
    int n = 0;
    char line[256];
    while (fgets(line, sizeof line, p)) parse_line(line, rails, &n);
    int status = pclose(p);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    double sum = 0;
    int pairs = 0;
    for (int i = 0; i < n; i++)
        if (rails[i].has_a && rails[i].has_v) sum += rails[i].amps * rails[i].volts, pairs++;
    if (!pairs) return -1;
    *watts = sum;
    if (n_pairs) *n_pairs = pairs;
    return 0;
}

static int pmic_read(energy_source *s, double *watts) {
    pmic_state *st = s->state;
    return pmic_watts(st->command, watts, NULL);
}

static void pmic_close(energy_source *s) {
    free(s->state);
    s->state = NULL;
}

int energy_pi5_pmic_open(const energy_probe_env *env, energy_source *out, char *why, size_t why_size) {
    if (strchr(env->vcgencmd, '\'')) {
        snprintf(why, why_size, "pi5-pmic: the vcgencmd path may not contain a quote");
        return -1;
    }
    pmic_state *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(why, why_size, "pi5-pmic: out of memory");
        return -1;
    }
    snprintf(st->command, sizeof st->command, "'%s' pmic_read_adc 2>/dev/null", env->vcgencmd);
    double w;
    int pairs = 0;
    if (pmic_watts(st->command, &w, &pairs)) {
        snprintf(why, why_size,
                 "pi5-pmic: '%s pmic_read_adc' gave no rail currents and voltages (not a Raspberry Pi 5, "
                 "or vcgencmd missing)",
                 env->vcgencmd);
        free(st);
        return -1;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "pi5-pmic");
    out->kind = ENERGY_POWER;
    out->min_period_ms = 500;
    out->read = pmic_read;
    out->close = pmic_close;
    out->state = st;
    return 0;
}
