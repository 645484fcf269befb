/*
 * engine.c — a model's thread: load on first use, admit queued jobs into
 * free slots, run the scheduler one batched step at a time, cancel jobs
 * whose client left or whose time is up, unload after keep_alive (see
 * engine.h).
 *
 * Locking: e->mu guards the queue, the flags and the status fields others
 * read; the model, context, scheduler and the list of running jobs belong to
 * the engine thread alone. Job output goes through each job's own mutex.
 */
#include "server/engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/clock.h"
#include "server/answer.h"
#include "server/json_util.h"
#include "server/memory_budget.h"
#include "server/registry.h"
#include "server/server.h"

#define MAX_SLOTS 256
#define MAX_JOB_STOPS (GEN_MAX_STOPS + 8)
#define DEFAULT_SLOT_CTX 2048   /* cells per slot without -c: the model's context up to this */
#define MEMORY_WAIT_S 60        /* how long a load waits for busy models to free memory */

struct engine {
    server *srv;
    char *name, *path;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool thread_running;
    job *q_head, *q_tail;
    int q_len;
    bool shutting_down;
    int64_t drain_deadline;
    /* status, written by the engine thread under mu */
    bool loaded;
    int n_active;
    size_t bytes;
    int n_ctx_slot;
    int64_t expires_ns;            /* monotonic; INT64_MAX: never */
    int64_t keep_alive_ms;         /* of the last request */
    int64_t last_used_ns;          /* when the last job was admitted */
    bool unload_requested;         /* another model needs the room (memory_budget.c) */
    job *deferred;                 /* a job whose num_ctx needs a larger context: admitted once
                                    * the running jobs are done (none is admitted meanwhile) */

    /* engine thread only */
    mote_model *model;
    mote_vocab *vocab;
    mote_context *ctx;
    mote_sched *sched;             /* NULL for an embedding model */
    mote_context *embed_ctx;       /* a decoder model's embeddings: its own context, so the
                                    * scheduler's sequences (and their cached prompts) stay intact */
    prompt_model pm;
    mote_grammar_vocab *gvocab;    /* the vocabulary prepared for grammars (built on the first one) */
    job *active[MAX_SLOTS];
};

engine *engine_new(server *srv, const char *name, const char *path) {
    engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->srv = srv;
    e->name = strdup(name);
    e->path = strdup(path);
    if (!e->name || !e->path) {
        free(e->name);
        free(e->path);
        free(e);
        return NULL;
    }
    pthread_mutex_init(&e->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->cv, &ca);
    pthread_condattr_destroy(&ca);
    e->keep_alive_ms = srv->cfg.keep_alive_ms;
    return e;
}

const char *engine_name(const engine *e) { return e->name; }
const char *engine_path(const engine *e) { return e->path; }
const mote_vocab *engine_vocab(const engine *e) { return e->vocab; }
const prompt_model *engine_prompt_model(const engine *e) { return &e->pm; }
const mote_model *engine_model(const engine *e) { return e->model; }

mote_context *engine_embed_context(engine *e) {
    if (!e->sched) return e->ctx; /* an embedding model: nothing else uses the context */
    if (!e->embed_ctx) {
        mote_context_params cp = mote_context_default_params();
        cp.n_ctx = mote_context_seq_capacity(e->ctx);
        cp.n_seq = 1;
        cp.n_threads = e->srv->cfg.n_threads;
        cp.type_k = e->srv->cfg.type_k;
        cp.type_v = e->srv->cfg.type_v;
        if (mote_context_new(e->model, &cp, &e->embed_ctx) != MOTE_OK) e->embed_ctx = NULL;
    }
    return e->embed_ctx;
}

/* --- loading ------------------------------------------------------------- */

/* Free the context, its scheduler and the embedding context (the model stays). */
static void drop_context(engine *e) {
    mote_context_free(e->embed_ctx);
    e->embed_ctx = NULL;
    mote_sched_free(e->sched);
    mote_context_free(e->ctx);
    e->sched = NULL;
    e->ctx = NULL;
    pthread_mutex_lock(&e->mu);
    e->n_ctx_slot = 0;
    e->bytes = e->model ? mote_model_weight_bytes(e->model) : 0;
    pthread_mutex_unlock(&e->mu);
}

/* Free everything made from the model: its context, the prompt
 * formatter and grammar vocabulary, then the model itself. */
static void unload(engine *e) {
    drop_context(e);
    mote_grammar_vocab_free(e->gvocab);
    e->gvocab = NULL;
    prompt_model_free(&e->pm);
    mote_vocab_free(e->vocab);
    mote_model_free(e->model);
    e->vocab = NULL;
    e->model = NULL;
    pthread_mutex_lock(&e->mu);
    e->loaded = false;
    e->bytes = 0;
    pthread_mutex_unlock(&e->mu);
}

static double mib(size_t bytes) { return (double)bytes / 1048576.0; }

/* Cells per slot without a num_ctx: -c, else the model's trained context up to DEFAULT_SLOT_CTX. */
static int32_t default_slot_ctx(const engine *e) {
    int32_t per_slot = e->srv->cfg.n_ctx;
    if (per_slot <= 0) {
        per_slot = mote_model_n_ctx_train(e->model);
        if (per_slot <= 0 || per_slot > DEFAULT_SLOT_CTX) per_slot = DEFAULT_SLOT_CTX;
    }
    return per_slot;
}

/* The cells per slot a job asks for with num_ctx, capped at the model's
 * trained context as Ollama caps it; 0 when it asks for nothing. */
static int32_t wanted_slot_ctx(const engine *e, const job *j) {
    if (j->kind != JOB_GENERATE || j->in.num_ctx <= 0) return 0;
    int32_t train = mote_model_n_ctx_train(e->model);
    return train > 0 && j->in.num_ctx > train ? train : j->in.num_ctx;
}

/* A budget refusal as an HTTP status and a message. `asked`: the size came
 * from the request's num_ctx (so the client can fix it: 400). */
static int budget_failure(engine *e, budget_result b, size_t need, bool asked, char *err, size_t err_size) {
    switch (b) {
    case BUDGET_TOO_BIG:
        snprintf(err, err_size, "model '%s' needs %.0f MiB%s, more than --max-memory allows (%.0f MiB)%s", e->name,
                 mib(need), e->model ? " with its context" : " for its weights", mib(e->srv->cfg.max_memory),
                 asked ? ": ask for a smaller num_ctx" : "");
        return asked ? 400 : 500;
    case BUDGET_BUSY:
        snprintf(err, err_size, "not enough memory for model '%s' (%.0f MiB) while other models are busy; try again",
                 e->name, mib(need));
        return 503;
    default:
        snprintf(err, err_size, "the server is shutting down");
        return 503;
    }
}

/* Make the context (one sequence per slot of per_slot cells) and the
 * scheduler, within the memory budget. 0, or an HTTP status with err. The
 * context is made before it is counted: its pages are not touched until
 * used, so a refused one costs nothing. */
static int make_context(engine *e, int32_t per_slot, bool asked, int64_t deadline, char *err, size_t err_size) {
    const server_config *cfg = &e->srv->cfg;
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = (int32_t)((int64_t)per_slot * cfg->parallel > INT32_MAX ? INT32_MAX : per_slot * cfg->parallel);
    cp.n_seq = cfg->parallel;
    cp.n_threads = cfg->n_threads;
    cp.type_k = cfg->type_k;
    cp.type_v = cfg->type_v;
    mote_context *ctx;
    if (mote_context_new(e->model, &cp, &ctx) != MOTE_OK) {
        snprintf(err, err_size, "cannot make a context of %d tokens for each of %d requests: %s", per_slot,
                 cfg->parallel, mote_last_error());
        return asked ? 400 : 500;
    }
    size_t need = mote_model_weight_bytes(e->model) + mote_context_memory(ctx);
    budget_result b = budget_reserve(e->srv, e, need, deadline);
    if (b != BUDGET_OK) {
        mote_context_free(ctx);
        engine_set_bytes(e, mote_model_weight_bytes(e->model));
        return budget_failure(e, b, need, asked, err, err_size);
    }
    e->ctx = ctx;
    if (!mote_model_is_embedding(e->model) && mote_sched_new(e->ctx, e->vocab, &e->sched) != MOTE_OK) {
        snprintf(err, err_size, "cannot start the scheduler: %s", mote_last_error());
        drop_context(e);
        return 500;
    }
    pthread_mutex_lock(&e->mu);
    e->n_ctx_slot = mote_context_seq_capacity(e->ctx);
    e->bytes = need;
    pthread_mutex_unlock(&e->mu);
    return 0;
}

/* Load the model, vocabulary, context and scheduler, first reserving the
 * file's size (about the weights) so nothing is read that cannot stay. 0,
 * or an HTTP status with err. */
static int load(engine *e, int64_t deadline, char *err, size_t err_size) {
    struct stat st;
    size_t file_bytes = stat(e->path, &st) == 0 ? (size_t)st.st_size : 0;
    budget_result b = budget_reserve(e->srv, e, file_bytes, deadline);
    if (b != BUDGET_OK) {
        engine_set_bytes(e, 0);
        return budget_failure(e, b, file_bytes, false, err, err_size);
    }
    if (mote_model_load(e->path, &e->model) != MOTE_OK ||
        mote_vocab_load(mote_model_gguf(e->model), &e->vocab) != MOTE_OK) {
        snprintf(err, err_size, "cannot load model '%s': %s", e->name, mote_last_error());
        unload(e);
        return 500;
    }
    int rc = make_context(e, default_slot_ctx(e), false, deadline, err, err_size);
    if (rc) {
        unload(e);
        return rc;
    }
    prompt_model_init(&e->pm, mote_model_gguf(e->model), e->vocab);
    pthread_mutex_lock(&e->mu);
    e->loaded = true;
    pthread_mutex_unlock(&e->mu);
    return 0;
}

/* Re-create the context with per_slot cells per slot for a job's num_ctx
 * (nothing is running). On failure the old size is restored (or, if even
 * that no longer fits, the model unloads). */
static int resize_context(engine *e, int32_t per_slot, int64_t deadline, char *err, size_t err_size) {
    int32_t old = e->n_ctx_slot;
    drop_context(e);
    int rc = make_context(e, per_slot, true, deadline, err, err_size);
    if (rc) {
        char ignored[300];
        if (make_context(e, old, false, deadline, ignored, sizeof ignored)) unload(e);
    }
    return rc;
}

/* --- running jobs ---------------------------------------------------------- */

static void remove_active(engine *e, job *j) {
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->n_active; i++)
        if (e->active[i] == j) {
            e->active[i] = e->active[--e->n_active];
            break;
        }
    pthread_mutex_unlock(&e->mu);
}

/* Hand text to the client's format, bytes that are not UTF-8 (a cut
 * character, a stray byte token) replaced by U+FFFD: JSON must be UTF-8. */
static void deliver(job *j, const char *text, size_t len) {
    sbuf clean = {0};
    if (!json_utf8_valid(text, len)) {
        for (size_t i = 0; i < len;) {
            size_t n = json_utf8_char_len(text + i, len - i);
            if (n) sbuf_add(&clean, text + i, n), i += n;
            else sbuf_add(&clean, "\xEF\xBF\xBD", 3), i++;
        }
        text = clean.data;
        len = clean.len;
    }
    pthread_mutex_lock(&j->mu);
    answer_feed(j, text, len);
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    sbuf_free(&clean);
}

/* Pass answer text through the stop strings to the client; false once a stop string completed. */
static bool emit(job *j, const char *text, size_t len) {
    const char *out = text;
    size_t n = len;
    bool stop = false;
    if (j->stopper && len) stop = mote_stopper_feed(j->stopper, text, len, &out, &n);
    if (n) deliver(j, out, n);
    if (stop) j->stopped_by_string = true;
    return !stop;
}

/* Each generated token (engine thread, inside the scheduler): stop when the
 * client left or the request's time is up, else pass its text on. */
static bool on_token(int32_t token, void *user) {
    job *j = user;
    if (atomic_load(&j->cancelled)) return false;
    int64_t now = mote_now_ns();
    if (j->deadline && now > j->deadline) {
        j->timed_out = true;
        return false;
    }
    if (!j->t_first_token) j->t_first_token = now;
    size_t len;
    const char *text = mote_detok_feed(j->detok, token, &len);
    if (!len && j->answer) text = answer_control_text(j, ((engine *)j->task_arg)->vocab, token, &len); /* <think>, call tags */
    return emit(j, text, len);
}

/* The end of a generation (engine thread, inside the scheduler): flush what
 * the detokenizer and stop strings held back, record the numbers, finish the
 * job. The engine is in task_arg. */
static void on_done(mote_stop_reason why, const mote_timings *t, void *user) {
    job *j = user;
    engine *e = j->task_arg;
    if (!j->stopped_by_string && why != MOTE_STOP_CANCEL) {
        size_t len;
        const char *rest = mote_detok_flush(j->detok, &len);
        if (len) emit(j, rest, len);
        if (!j->stopped_by_string && j->stopper) {
            rest = mote_stopper_flush(j->stopper, &len);
            if (len) deliver(j, rest, len);
        }
    }
    j->reason = why;
    if (t) j->tm = *t;
    metrics_add_generation(&e->srv->metrics, j->tm.n_prompt, j->tm.prompt_ns, j->tm.n_eval, j->tm.eval_ns);
    if (j->t_first_token) metrics_add_ttft(&e->srv->metrics, j->t_first_token - j->t_created);
    remove_active(e, j);
    if (why == MOTE_STOP_ERROR && j->tm.n_eval == 0)
        job_fail(j, 500, "evaluation failed: %s", mote_last_error());
    else
        job_finish(j);
    job_release(j);
}

/* The keep_alive a job asks for, in ms (-1: forever). */
static int64_t job_keep_alive(const engine *e, const job *j) {
    int64_t ka = j->in.keep_alive_ms;
    return ka == KEEP_ALIVE_DEFAULT ? e->srv->cfg.keep_alive_ms : ka;
}

/* Start a generation job in a free slot, or fail it. */
static void admit_generate(engine *e, job *j) {
    char err[300];
    int32_t *toks = NULL;
    size_t n = 0;
    if (!e->sched) {
        job_fail(j, 400, "'%s' is an embedding model: it answers /api/embed and /v1/embeddings, not generation",
                 e->name);
        job_release(j);
        return;
    }
    bool opens_think = false;
    int st = prompt_tokens_ex(&e->pm, &j->in, &toks, &n, &opens_think, err, sizeof err);
    if (st) {
        job_fail(j, st, "%s", err);
        job_release(j);
        return;
    }
    int32_t cap = mote_context_seq_capacity(e->ctx);
    /* a smaller num_ctx than the slot holds limits this request to it */
    int32_t limit = j->in.num_ctx > 0 && j->in.num_ctx < cap ? j->in.num_ctx : cap;
    if (n == 0) {
        job_fail(j, 400, "the prompt is empty");
        goto out;
    }
    if ((int64_t)n >= limit) {
        if (limit < cap)
            job_fail(j, 400, "the prompt is %zu tokens; options.num_ctx is %d (prompt and answer together)", n,
                     limit);
        else
            job_fail(j, 400,
                     "the prompt is %zu tokens; the context holds %d per request (raise options.num_ctx, at most "
                     "the model's %d, or mote serve -c)",
                     n, cap, mote_model_n_ctx_train(e->model));
        goto out;
    }
    const char *stops[MAX_JOB_STOPS];
    size_t n_stops = prompt_stops(&e->pm, &j->in, stops, MAX_JOB_STOPS);
    if (!(j->sampler = mote_sampler_new(&j->in.sampling, mote_model_n_vocab(e->model)))) {
        job_fail(j, 400, "bad sampling options: %s", mote_last_error());
        goto out;
    }
    if ((st = answer_prepare(j, &e->pm, opens_think, &e->gvocab, err, sizeof err))) {
        job_fail(j, st, "%s", err);
        goto out;
    }
    if (!(j->detok = mote_detok_new(e->vocab, 0)) ||
        (n_stops && mote_stopper_new(stops, n_stops, &j->stopper) != MOTE_OK)) {
        job_fail(j, 500, "out of memory");
        goto out;
    }
    int32_t n_predict = j->in.n_predict;
    if (j->max_predict > 0 && (n_predict < 0 || n_predict > j->max_predict)) n_predict = j->max_predict;
    if (limit < cap && (n_predict < 0 || n_predict > limit - (int32_t)n)) n_predict = limit - (int32_t)n;
    j->n_prompt_total = (int32_t)n;
    j->task_arg = e;
    if (n_predict == 0) { /* nothing to generate: answer at once */
        j->reason = MOTE_STOP_LENGTH;
        job_mark_started(j);
        job_finish(j);
        goto out;
    }
    mote_request r = {
        .prompt = toks,
        .n_prompt = (int32_t)n,
        .n_predict = n_predict,
        .sampler = j->sampler,
        .stop_at_eog = true,
        .context_shift = false,
        .n_keep = 0,
        .on_token = on_token,
        .on_done = on_done,
        .user = j,
    };
    if (mote_sched_submit(e->sched, &r, &j->sched_id) != MOTE_OK) {
        job_fail(j, 500, "cannot start the request: %s", mote_last_error());
        goto out;
    }
    pthread_mutex_lock(&e->mu);
    e->active[e->n_active++] = j; /* the reference moves to the active list; on_done releases it */
    pthread_mutex_unlock(&e->mu);
    job_mark_started(j);
    free(toks);
    return;
out:
    free(toks);
    job_release(j);
}

/* Handle one job taken from the queue (engine thread). */
static void admit(engine *e, job *j) {
    if (atomic_load(&j->cancelled)) {
        job_fail(j, 499, "the client went away");
        job_release(j);
        return;
    }
    int64_t ka = job_keep_alive(e, j);
    pthread_mutex_lock(&e->mu);
    e->keep_alive_ms = ka;
    e->last_used_ns = mote_now_ns();
    e->unload_requested = false;
    pthread_mutex_unlock(&e->mu);
    char err[400];
    int64_t t0 = mote_now_ns();
    int64_t wait_s = e->srv->cfg.request_timeout_s > 0 && e->srv->cfg.request_timeout_s < MEMORY_WAIT_S
                         ? e->srv->cfg.request_timeout_s
                         : MEMORY_WAIT_S;
    int64_t memory_deadline = t0 + wait_s * 1000000000LL;
    int rc = 0;
    if (!e->model) rc = load(e, memory_deadline, err, sizeof err);
    int32_t want = e->model ? wanted_slot_ctx(e, j) : 0;
    if (!rc && want > e->n_ctx_slot) {
        if (e->n_active > 0) { /* wait until the running requests are done (the reference moves) */
            pthread_mutex_lock(&e->mu);
            e->deferred = j;
            pthread_mutex_unlock(&e->mu);
            return;
        }
        rc = resize_context(e, want, memory_deadline, err, sizeof err);
    }
    if (rc) {
        job_fail(j, rc, "%s", err);
        job_release(j);
        return;
    }
    j->load_ns = mote_now_ns() - t0;
    switch (j->kind) {
    case JOB_GENERATE:
        j->deadline = e->srv->cfg.request_timeout_s > 0
                          ? mote_now_ns() + (int64_t)e->srv->cfg.request_timeout_s * 1000000000LL
                          : 0;
        admit_generate(e, j);
        return;
    case JOB_TASK:
        j->task(j, e);
        job_finish(j);
        break;
    case JOB_LOAD:
        job_finish(j);
        break;
    }
    job_release(j);
}

/* Set when an idle model unloads, from its keep_alive. */
static void touch_expiry(engine *e) {
    pthread_mutex_lock(&e->mu);
    if (e->keep_alive_ms < 0) e->expires_ns = INT64_MAX;
    else e->expires_ns = mote_now_ns() + e->keep_alive_ms * 1000000LL;
    pthread_mutex_unlock(&e->mu);
}

static void *engine_main(void *arg) {
    engine *e = arg;
    pthread_mutex_lock(&e->mu);
    for (;;) {
        /* shutting down: refuse what waits */
        while (e->shutting_down && e->q_head) {
            job *j = e->q_head;
            e->q_head = j->next;
            if (!e->q_head) e->q_tail = NULL;
            e->q_len--;
            pthread_mutex_unlock(&e->mu);
            job_fail(j, 503, "the server is shutting down");
            job_release(j);
            pthread_mutex_lock(&e->mu);
        }
        if (e->deferred && (e->shutting_down || e->n_active == 0)) {
            job *j = e->deferred;
            e->deferred = NULL;
            pthread_mutex_unlock(&e->mu);
            if (e->shutting_down) {
                job_fail(j, 503, "the server is shutting down");
                job_release(j);
            } else {
                admit(e, j); /* now it can resize */
            }
            pthread_mutex_lock(&e->mu);
            continue;
        }
        int slots = e->srv->cfg.parallel;
        if (e->shutting_down && e->n_active == 0) break;
        if (!e->q_head && e->n_active == 0) {
            /* idle: unload when keep_alive has passed, else sleep */
            if (e->loaded && (mote_now_ns() >= e->expires_ns || e->unload_requested)) {
                e->unload_requested = false;
                pthread_mutex_unlock(&e->mu);
                unload(e);
                pthread_mutex_lock(&e->mu);
                continue;
            }
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += 200 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&e->cv, &e->mu, &ts);
            continue;
        }
        /* admit what fits */
        while (e->q_head && e->n_active < slots && !e->deferred) {
            job *j = e->q_head;
            e->q_head = j->next;
            if (!e->q_head) e->q_tail = NULL;
            e->q_len--;
            pthread_mutex_unlock(&e->mu);
            admit(e, j);
            pthread_mutex_lock(&e->mu);
            if (!e->model) break;
        }
        bool draining_late = e->shutting_down && mote_now_ns() > e->drain_deadline;
        pthread_mutex_unlock(&e->mu);

        /* cancel whose client left (or the drain time is over) */
        job *gone[MAX_SLOTS];
        int n_gone = 0;
        for (int i = 0; i < e->n_active; i++)
            if (atomic_load(&e->active[i]->cancelled) || draining_late) gone[n_gone++] = e->active[i];
        for (int i = 0; i < n_gone; i++) mote_sched_cancel(e->sched, gone[i]->sched_id);

        if (e->n_active > 0) {
            int rc = mote_sched_step(e->sched);
            if (rc < 0) {
                /* the step failed: end every request (on_done reports the error) */
                job *all[MAX_SLOTS];
                int n = e->n_active;
                memcpy(all, e->active, (size_t)n * sizeof *all);
                for (int i = 0; i < n; i++) mote_sched_cancel(e->sched, all[i]->sched_id);
            }
        }
        pthread_mutex_lock(&e->mu);
        if (e->n_active == 0 && !e->q_head) {
            pthread_mutex_unlock(&e->mu);
            touch_expiry(e);
            pthread_mutex_lock(&e->mu);
        }
    }
    pthread_mutex_unlock(&e->mu);
    unload(e);
    return NULL;
}

int engine_submit(engine *e, job *j) {
    pthread_mutex_lock(&e->mu);
    /* room: the free slots (their jobs are admitted at the next step) plus --queue waiting */
    int room = e->srv->cfg.queue_max + (e->srv->cfg.parallel - e->n_active);
    if (e->shutting_down || e->q_len >= room) {
        pthread_mutex_unlock(&e->mu);
        return 503;
    }
    if (!e->thread_running) {
        if (pthread_create(&e->thread, NULL, engine_main, e) != 0) {
            pthread_mutex_unlock(&e->mu);
            return 503;
        }
        e->thread_running = true;
    }
    job_retain(j);
    j->next = NULL;
    if (e->q_tail) e->q_tail->next = j;
    else e->q_head = j;
    e->q_tail = j;
    e->q_len++;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
    return 0;
}

void engine_shutdown(engine *e, int64_t drain_deadline) {
    pthread_mutex_lock(&e->mu);
    e->shutting_down = true;
    e->drain_deadline = drain_deadline;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

bool engine_idle(engine *e) {
    pthread_mutex_lock(&e->mu);
    bool idle = !e->q_head && e->n_active == 0 && !e->deferred;
    pthread_mutex_unlock(&e->mu);
    return idle;
}

void engine_get_status(engine *e, engine_status *st) {
    pthread_mutex_lock(&e->mu);
    st->loaded = e->loaded;
    st->queued = e->q_len + (e->deferred ? 1 : 0);
    st->active = e->n_active;
    st->slots = e->srv->cfg.parallel;
    st->n_ctx_slot = e->n_ctx_slot;
    st->bytes = e->bytes;
    st->last_used_ns = e->last_used_ns;
    st->unloading = e->unload_requested;
    st->expires_unix_ms = 0;
    if (e->loaded && e->expires_ns != INT64_MAX && e->expires_ns > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now_unix_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        st->expires_unix_ms = now_unix_ms + (e->expires_ns - mote_now_ns()) / 1000000;
    }
    pthread_mutex_unlock(&e->mu);
}

void engine_request_unload(engine *e) {
    pthread_mutex_lock(&e->mu);
    e->unload_requested = true;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

void engine_set_bytes(engine *e, size_t bytes) {
    pthread_mutex_lock(&e->mu);
    e->bytes = bytes;
    pthread_mutex_unlock(&e->mu);
}

void engine_free(engine *e) {
    if (!e) return;
    engine_shutdown(e, mote_now_ns());
    if (e->thread_running) pthread_join(e->thread, NULL);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->cv);
    free(e->name);
    free(e->path);
    free(e);
}
