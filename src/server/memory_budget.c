/*
 * memory_budget.c — sharing --max-memory and --max-loaded among the
 * server's models (see memory_budget.h).
 *
 * One server-wide mutex makes "add up what the others hold, then reserve"
 * a single step, so two models loading at once cannot both count the same
 * free bytes. Unloading is asked of the other model's own thread (only it
 * may touch its model), so the asking engine polls until the bytes are
 * really gone.
 */
#include "server/memory_budget.h"

#include <stdbool.h>
#include <unistd.h>

#include "core/clock.h"
#include "server/engine.h"
#include "server/registry.h"
#include "server/server.h"

#define POLL_US 20000

/* What the other models hold, and the idle one used longest ago. */
typedef struct {
    size_t bytes;        /* loaded or reserved by the others */
    int loaded;          /* others holding memory */
    engine *lru_idle;    /* an idle loaded model that may be unloaded, or NULL */
} others_state;

static others_state look_at_others(server *s, engine *self) {
    others_state o = {0, 0, NULL};
    int64_t oldest = INT64_MAX;
    registry *reg = s->reg;
    for (int i = 0; i < reg->n; i++) {
        engine *e = reg->engines[i];
        if (e == self) continue;
        engine_status st;
        engine_get_status(e, &st);
        if (!st.loaded && st.bytes == 0) continue;
        o.bytes += st.bytes;
        o.loaded++;
        if (st.loaded && !st.unloading && st.active == 0 && st.queued == 0 && st.last_used_ns < oldest) {
            oldest = st.last_used_ns;
            o.lru_idle = e;
        }
    }
    return o;
}

budget_result budget_reserve(server *s, engine *self, size_t need, int64_t deadline_ns) {
    const size_t max_memory = s->cfg.max_memory;
    const int max_loaded = s->cfg.max_loaded;
    if (max_memory && need > max_memory) return BUDGET_TOO_BIG;
    for (;;) {
        if (atomic_load(&s->stopping)) return BUDGET_STOPPING;
        pthread_mutex_lock(&s->budget_mu);
        others_state o = look_at_others(s, self);
        bool memory_ok = !max_memory || o.bytes + need <= max_memory;
        bool count_ok = max_loaded <= 0 || o.loaded < max_loaded;
        if (memory_ok && (count_ok || !o.lru_idle)) {
            /* the count alone never waits: with every other model busy it is exceeded */
            engine_set_bytes(self, need);
            pthread_mutex_unlock(&s->budget_mu);
            return BUDGET_OK;
        }
        if (o.lru_idle) engine_request_unload(o.lru_idle);
        pthread_mutex_unlock(&s->budget_mu);
        if (mote_now_ns() > deadline_ns) return BUDGET_BUSY;
        usleep(POLL_US);
    }
}
