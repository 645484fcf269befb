/*
 * testutil.h — helpers shared by the unit tests: locating fixtures (and
 * skipping cleanly when they are absent), reading whole files, and building
 * temporary files.
 */
#ifndef MOTE_TESTUTIL_H
#define MOTE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mote.h"

/* Path of a file under the shared fixtures ("models/llama-tiny-f32.gguf"),
 * in a static buffer. */
const char *fixture_path(const char *rel);
/* Exit with status 77 (ctest: skipped) and a message if fixtures are absent. */
void require_fixtures(void);
/* Read a whole file; NULL if it cannot be read. Caller frees. */
void *read_file(const char *path, size_t *size);
/* A fresh temporary file path (unique per call), in a static rotating buffer. */
const char *temp_path(const char *suffix);

#endif
