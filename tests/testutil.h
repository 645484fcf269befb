/*
 * testutil.h — helpers shared by the unit tests: locating fixtures (and
 * skipping cleanly when they are absent), reading whole files, and building
 * temporary files.
 */
#ifndef MOTE_TESTUTIL_H
#define MOTE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* For tests that visit the same tensor in several fixture files: true when
 * (model, tensor, type) was passed before in this process (the first call
 * records it and returns false), so each is checked once. Remembers 512. */
bool fixture_seen_before(const char *model, const char *tensor, int type);

/* Call fn(f32, quantized, arg) with the fixture paths of each tiny model
 * ("models/<arch>-tiny-f32.gguf", "models/<arch>-tiny-<type>.gguf") for
 * every architecture in archs and type in types, archs outermost. */
typedef void (*tiny_pair_fn)(const char *f32_rel, const char *q_rel, void *arg);
void for_each_tiny_pair(const char *const *archs, size_t n_archs, const char *const *types, size_t n_types,
                        tiny_pair_fn fn, void *arg);

#endif
