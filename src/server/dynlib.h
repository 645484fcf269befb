/*
 * dynlib.h — the front ends' optional shared libraries, opened on first use.
 *
 * libmicrohttpd (+ GnuTLS) for `mote serve` and libespeak-ng (+ PulseAudio,
 * ALSA, X11 ...) for --speak are not linked into the mote command: linked,
 * the dynamic loader maps and relocates them, and their dependencies, in
 * every process, ~5 MiB resident that `mote run` and `mote bench` never use
 * (issue #11's memory target, measured in bench/RESULTS.md). The command
 * that needs one opens it here, and a machine without it gets a one-line
 * error naming the Debian package, never a crash.
 */
#ifndef MOTE_SERVER_DYNLIB_H
#define MOTE_SERVER_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

/* One library's symbols: each name with the address of the function
 * pointer that receives it. */
typedef struct {
    const char *name;
    void (**slot)(void);
} dynlib_symbol;

/* Open `soname` (RTLD_NOW | RTLD_LOCAL) and fill every slot of `symbols`.
 * True when all were found. Otherwise writes a one-line message to `err`
 * ("libfoo.so.1 is not installed (apt-get install PACKAGE)" or the missing
 * symbol) and returns false; the library is closed again. The handle is
 * never closed on success: the function pointers stay valid for the
 * process's life. Not thread-safe: callers load from one thread, once. */
bool dynlib_load(const char *soname, const char *package, const dynlib_symbol *symbols, size_t n_symbols,
                 char *err, size_t err_len);

#endif
