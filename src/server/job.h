/*
 * job.h — one request on its way through a model's engine thread: what it
 * asks for, the bytes it produces for the client, and how the HTTP side and
 * the engine side meet. A job is shared by two threads (the connection's and
 * the engine's) and freed when both have let go (a reference count); its
 * mutex guards the output buffer and the state flags.
 *
 * The engine calls the job's `format` hooks (supplied by the Ollama or OpenAI
 * layer) on its own thread with the mutex held: they turn generated text and
 * the final statistics into the wire format (NDJSON lines, SSE events or one
 * JSON body) and append it to `out`, which the connection drains.
 */
#ifndef MOTE_SERVER_JOB_H
#define MOTE_SERVER_JOB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mote.h"
#include "server/api_request.h"

/* A growable byte buffer. */
typedef struct {
    char *data;
    size_t len, cap;
} sbuf;

bool sbuf_add(sbuf *b, const char *s, size_t n);
bool sbuf_addstr(sbuf *b, const char *s);
void sbuf_free(sbuf *b);

typedef struct job job;
struct engine;

/* Wire-format hooks, called on the engine thread with job->mu held. */
typedef struct {
    void (*on_text)(job *j, const char *text, size_t len);  /* new answer text (whole UTF-8 characters) */
    void (*on_done)(job *j);                                 /* the end: final chunk or whole body */
    void (*on_thinking)(job *j, const char *text, size_t len); /* new reasoning text (NULL: dropped) */
} job_format;

/* Work that needs the loaded model but is not generation (tokenize, ...):
 * runs on the engine thread; it fills j->out (or calls job_fail). */
typedef void (*job_task_fn)(job *j, struct engine *e);

typedef enum { JOB_GENERATE, JOB_TASK, JOB_LOAD } job_kind;

struct job {
    atomic_int refs;
    pthread_mutex_t mu;
    pthread_cond_t cv;

    /* --- the request (read-only once submitted) --- */
    job_kind kind;
    gen_input in;
    job_task_fn task;
    void *task_arg;
    const job_format *format;
    void *api;                  /* the API layer's per-request state, freed with free() */
    char model_name[128];
    int64_t t_created;          /* monotonic ns */
    int64_t deadline;           /* monotonic ns after which generation stops (0: none) */
    int32_t max_predict;        /* the server's cap on n_predict (0: none) */

    /* --- state, under mu --- */
    sbuf out;                   /* bytes for the client */
    sbuf text;                  /* the whole answer (for non-streamed replies) */
    bool started;               /* admitted: the prompt was accepted (streaming may begin) */
    bool finished;              /* nothing more will be added to out */
    int status;                 /* HTTP status of a failure before any output (0: none) */
    char error[300];

    /* --- results, written by the engine before `finished` --- */
    mote_stop_reason reason;
    bool stopped_by_string;
    bool timed_out;
    mote_timings tm;
    int32_t n_prompt_total;     /* prompt tokens, cached ones included */
    int64_t load_ns;
    int64_t t_first_token;      /* monotonic ns of the first generated token (0: none) */
    int64_t t_done;

    atomic_bool cancelled;      /* the client left or the server is shutting down */

    /* --- engine-private --- */
    mote_sampler *sampler;
    mote_detok *detok;
    mote_stopper *stopper;
    int32_t sched_id;
    job *next;                  /* queue link */
    cJSON *task_json;           /* a JOB_TASK's parsed request (deleted with the job) */
    struct answer_split *answer; /* reasoning / content / tool-call split (answer.h; NULL: all content) */
};

/* A new job with one reference (the caller's). NULL when out of memory. */
job *job_new(job_kind kind);
void job_retain(job *j);
void job_release(job *j);

/* Engine side: mark admitted / failed / finished, waking the connection. */
void job_mark_started(job *j);
void job_fail(job *j, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void job_finish(job *j);   /* calls format->on_done (if any) first */

/* Connection side: wait until the job has started or finished, polling
 * `hung_up` (the client's socket) every 100 ms; a hang-up cancels the job.
 * Returns false if the client left. */
bool job_wait_started(job *j, bool (*hung_up)(void *), void *arg);
/* Wait until the job finished (same polling). */
bool job_wait_finished(job *j, bool (*hung_up)(void *), void *arg);

#endif
