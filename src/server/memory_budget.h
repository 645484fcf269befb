/*
 * memory_budget.h — how much of the machine the server's models may use
 * together: --max-memory BYTES (weights + contexts of every loaded model)
 * and --max-loaded N (models in memory at once). Before a model loads, or
 * grows its context for a request's num_ctx, its engine asks here for the
 * bytes it will need; the least recently used idle models are unloaded
 * (each by its own thread) until the request fits. A busy model is never
 * unloaded: the asking engine waits for one to go idle, up to a deadline.
 */
#ifndef MOTE_SERVER_MEMORY_BUDGET_H
#define MOTE_SERVER_MEMORY_BUDGET_H

#include <stddef.h>
#include <stdint.h>

struct server;
struct engine;

typedef enum {
    BUDGET_OK = 0,
    BUDGET_TOO_BIG,   /* more than --max-memory even with every other model unloaded */
    BUDGET_BUSY,      /* other models are busy and hold the memory past the deadline */
    BUDGET_STOPPING,  /* the server is shutting down */
} budget_result;

/* Reserve `need` bytes for `self` (its status shows them from now on,
 * replacing what it held), unloading idle models as needed; waits up to
 * deadline_ns (monotonic) for busy ones. Without --max-memory only
 * --max-loaded is enforced, and that one never waits (as before: the count
 * may be exceeded while every other model is busy). */
budget_result budget_reserve(struct server *s, struct engine *self, size_t need, int64_t deadline_ns);

#endif
