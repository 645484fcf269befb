/*
 * engine.h — one model behind the server: a thread that owns the model, its
 * context (one KV-cache sequence per slot) and its scheduler, and takes jobs
 * from a bounded queue. The model is loaded when the first job arrives and
 * unloaded after keep_alive without work. Every library call on the context
 * happens on this thread, as the library asks.
 */
#ifndef MOTE_SERVER_ENGINE_H
#define MOTE_SERVER_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "mote.h"
#include "server/job.h"
#include "server/prompt.h"

struct server;
typedef struct engine engine;

/* A snapshot for /api/ps and /metrics. */
typedef struct {
    bool loaded;
    int queued, active, slots;
    int n_ctx_slot;
    size_t bytes;                 /* weights + context */
    int64_t expires_unix_ms;      /* when an idle model unloads (0: never / not loaded) */
} engine_status;

engine *engine_new(struct server *srv, const char *name, const char *path);
/* Stop the thread (see engine_shutdown) and free everything. */
void engine_free(engine *e);

const char *engine_name(const engine *e);
const char *engine_path(const engine *e);

/* Queue a job (the engine takes its own reference). Returns 0, or 503 when
 * the queue is full or the server is shutting down (the job is untouched). */
int engine_submit(engine *e, job *j);
/* Begin shutting down: queued jobs fail with 503, running ones may finish
 * until drain_deadline (monotonic ns), then are cancelled. */
void engine_shutdown(engine *e, int64_t drain_deadline);
/* True once the engine has nothing running or queued. */
bool engine_idle(engine *e);

void engine_get_status(engine *e, engine_status *st);

/* For JOB_TASK functions (engine thread only, model loaded). */
const mote_vocab *engine_vocab(const engine *e);
const prompt_model *engine_prompt_model(const engine *e);
const mote_model *engine_model(const engine *e);
/* The context embeddings are computed in: an embedding model's own, or for
 * a decoder model a separate one-sequence context made on first use (the
 * library empties every sequence of the context it embeds in). NULL with
 * mote_last_error() if it cannot be made. */
mote_context *engine_embed_context(engine *e);

#endif
