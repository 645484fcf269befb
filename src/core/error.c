/*
 * error.c — thread-local error messages and status names (see error.h).
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[512];

int mote_fail(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

void mote_clear_error(void) { last_error[0] = '\0'; }

const char *mote_last_error(void) { return last_error; }

const char *mote_status_name(int status) {
    switch (status) {
    case MOTE_OK: return "ok";
    case MOTE_ERR_IO: return "i/o error";
    case MOTE_ERR_NOMEM: return "out of memory";
    case MOTE_ERR_INVALID_ARG: return "invalid argument";
    case MOTE_ERR_NOT_FOUND: return "not found";
    case MOTE_ERR_UNSUPPORTED: return "unsupported";
    case MOTE_ERR_TRUNCATED: return "truncated file";
    case MOTE_ERR_MAGIC: return "bad magic";
    case MOTE_ERR_VERSION: return "unsupported version";
    case MOTE_ERR_COUNT: return "impossible count";
    case MOTE_ERR_TYPE: return "unknown type";
    case MOTE_ERR_DUPLICATE: return "duplicate name";
    case MOTE_ERR_RANGE: return "data out of range";
    case MOTE_ERR_ALIGN: return "misaligned";
    case MOTE_ERR_SHAPE: return "bad shape";
    case MOTE_ERR_FORMAT: return "malformed file";
    default: return "unknown error";
    }
}

const char *mote_version(void) { return MOTE_VERSION; }
