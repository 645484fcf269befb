/*
 * progress.c — see progress.h.
 */
#include "cli/progress.h"

#include <stdio.h>
#include <unistd.h>

#include "core/clock.h"
#include "mote.h"

#define QUIET_NS 1000000000LL      /* show nothing during the first second */
#define TTY_EVERY_NS 100000000LL   /* redraw a terminal line at most 10 times a second */
#define LOG_EVERY_NS 5000000000LL  /* a log line every 5 seconds */

void cli_progress_start(cli_progress *p, const char *what, const char *unit) {
    *p = (cli_progress){what, unit, mote_now_ns(), 0, isatty(STDERR_FILENO) == 1, false};
}

/* "1 h 2 min", "3 min 4 s", "5 s". */
static void format_duration(double s, char *buf, size_t size) {
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, size, "%ld h %ld min", t / 3600, t % 3600 / 60);
    else if (t >= 60) snprintf(buf, size, "%ld min %ld s", t / 60, t % 60);
    else snprintf(buf, size, "%ld s", t);
}

void cli_progress_update(cli_progress *p, int64_t done, int64_t total) {
    int64_t now = mote_now_ns(), elapsed = now - p->t0;
    bool last = done >= total;
    if (elapsed < QUIET_NS && !p->shown) return;
    if (!last && now - p->last_ns < (p->tty ? TTY_EVERY_NS : LOG_EVERY_NS)) return;
    char left[48] = "done";
    if (!last && done > 0) {
        char d[32];
        format_duration((double)elapsed / 1e9 * (double)(total - done) / (double)done, d, sizeof d);
        snprintf(left, sizeof left, "%s left", d);
    }
    fprintf(stderr, "%s%s: %lld/%lld %s (%.0f%%), %s%s", p->tty ? "\r" : "", p->what, (long long)done,
            (long long)total, p->unit, total > 0 ? 100.0 * (double)done / (double)total : 100.0, left,
            p->tty ? "\033[K" : "\n");
    if (p->tty && last) fputc('\n', stderr);
    fflush(stderr);
    p->shown = true;
    p->last_ns = now;
}

static cli_progress load_line;
static bool load_started;

static void on_load(int64_t done, int64_t total, void *user) {
    (void)user;
    if (!load_started) {
        cli_progress_start(&load_line, "loading the model", "MiB");
        load_started = true;
    }
    const int64_t mib = 1 << 20;
    cli_progress_update(&load_line, done >= total ? (total + mib - 1) / mib : done / mib, (total + mib - 1) / mib);
    if (done >= total) load_started = false; /* the next load starts its own line */
}

void cli_progress_for_model_loads(void) { mote_set_load_progress(on_load, NULL); }
