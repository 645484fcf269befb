/*
 * error.h — how libmote reports failure.
 *
 * Every fallible function returns a mote_status and, before returning an
 * error, calls mote_fail() with a one-line message that names the problem
 * (the key, tensor or offset concerned). The message lives in a thread-local
 * buffer read back with mote_last_error(), as SQLite and errno do, so
 * threads never see each other's errors.
 */
#ifndef MOTE_CORE_ERROR_H
#define MOTE_CORE_ERROR_H

#include "mote.h"

#if defined(__GNUC__)
#define MOTE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MOTE_PRINTF(a, b)
#endif

/* Record a message and return `status`, so callers write `return mote_fail(...)`. */
int mote_fail(int status, const char *fmt, ...) MOTE_PRINTF(2, 3);
/* Clear the message (successful calls need not). */
void mote_clear_error(void);

#endif
