/*
 * progress.h — progress of long commands (quantize, imatrix, perplexity) on
 * stderr: nothing for work that ends within a second; then, on a terminal,
 * one line rewritten in place ("\r") with the time left, and in a log (stderr
 * not a terminal) a plain line every few seconds, so logs stay readable.
 */
#ifndef MOTE_CLI_PROGRESS_H
#define MOTE_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *what, *unit;   /* "imatrix", "chunks" */
    int64_t t0, last_ns;       /* start, last line written */
    bool tty, shown;
} cli_progress;

void cli_progress_start(cli_progress *p, const char *what, const char *unit);
/* done of total units finished; ends the line when done == total. */
void cli_progress_update(cli_progress *p, int64_t done, int64_t total);

/* Show model loading (mote_set_load_progress) the same way, in MiB, for
 * every command: loads that take over a second get a progress line. */
void cli_progress_for_model_loads(void);

#endif
