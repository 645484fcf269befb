/*
 * engine.h — one model behind the server: a thread that owns the model, its
 * context (one KV-cache sequence per slot) and its scheduler, and takes jobs
 * from a bounded queue. The model is loaded when the first job arrives and
 * unloaded after keep_alive without work (or to make room for another
 * within --max-memory / --max-loaded: memory_budget.h). A request whose
 * options.num_ctx is larger than the context per slot makes the engine
 * re-create its context that large once the running requests are done (the
 * weights stay loaded); smaller requests are limited to their num_ctx. Every library call on the context
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
    size_t bytes;                 /* weights + context (while loading: the bytes reserved) */
    int64_t expires_unix_ms;      /* when an idle model unloads (0: never / not loaded) */
    int64_t last_used_ns;         /* monotonic: when a job was last admitted */
    bool unloading;               /* asked to unload to make room */
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

/* For memory_budget.c: ask an idle model to unload (its thread does it
 * unless a job arrives first), and record the bytes an engine holds or is
 * about to hold. */
void engine_request_unload(engine *e);
void engine_set_bytes(engine *e, size_t bytes);

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
