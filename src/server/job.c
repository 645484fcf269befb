/*
 * job.c — the life of a request shared by a connection thread and an engine
 * thread (see job.h): reference counting, the output buffer, and waiting
 * with a periodic check that the client is still there.
 */
#include "server/job.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "server/answer.h"

bool sbuf_add(sbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) return false;
        b->data = d;
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool sbuf_addstr(sbuf *b, const char *s) { return sbuf_add(b, s, strlen(s)); }

void sbuf_free(sbuf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

job *job_new(job_kind kind) {
    job *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    atomic_init(&j->refs, 1);
    atomic_init(&j->cancelled, false);
    pthread_mutex_init(&j->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&j->cv, &ca);
    pthread_condattr_destroy(&ca);
    j->kind = kind;
    j->t_created = mote_now_ns();
    j->sched_id = -1;
    return j;
}

void job_retain(job *j) { atomic_fetch_add(&j->refs, 1); }

void job_release(job *j) {
    if (!j || atomic_fetch_sub(&j->refs, 1) != 1) return;
    gen_input_free(&j->in);
    sbuf_free(&j->out);
    sbuf_free(&j->text);
    mote_sampler_free(j->sampler);
    mote_detok_free(j->detok);
    mote_stopper_free(j->stopper);
    free(j->api);
    cJSON_Delete(j->task_json);
    answer_free(j->answer);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}

void job_mark_started(job *j) {
    pthread_mutex_lock(&j->mu);
    j->started = true;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

void job_fail(job *j, int status, const char *fmt, ...) {
    pthread_mutex_lock(&j->mu);
    if (!j->finished) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(j->error, sizeof j->error, fmt, ap);
        va_end(ap);
        j->status = status;
        j->finished = true;
        j->t_done = mote_now_ns();
    }
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

void job_finish(job *j) {
    pthread_mutex_lock(&j->mu);
    if (!j->finished) {
        j->t_done = mote_now_ns();
        answer_end(j);
        if (j->format && j->format->on_done) j->format->on_done(j);
        j->finished = true;
    }
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* Wait (mu held) until pred holds, checking the client every 100 ms. */
static bool wait_until(job *j, bool want_started, bool (*hung_up)(void *), void *arg) {
    pthread_mutex_lock(&j->mu);
    for (;;) {
        if (j->finished || (want_started && j->started)) break;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        int rc = pthread_cond_timedwait(&j->cv, &j->mu, &ts);
        if (rc == ETIMEDOUT && hung_up && hung_up(arg)) {
            atomic_store(&j->cancelled, true);
            pthread_mutex_unlock(&j->mu);
            return false;
        }
    }
    pthread_mutex_unlock(&j->mu);
    return true;
}

bool job_wait_started(job *j, bool (*hung_up)(void *), void *arg) { return wait_until(j, true, hung_up, arg); }
bool job_wait_finished(job *j, bool (*hung_up)(void *), void *arg) { return wait_until(j, false, hung_up, arg); }
