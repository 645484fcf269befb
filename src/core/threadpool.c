/*
 * threadpool.c — see threadpool.h.
 *
 * Protocol: the caller publishes (fn, ctx) and increments `generation`;
 * each worker, seeing a new generation, runs its share and increments
 * `done`; the caller runs share 0 and then waits until done == nth - 1.
 * Workers spin for SPIN_ROUNDS polls before sleeping on a condition variable,
 * which the caller signals only when some worker has gone to sleep.
 */
#include "core/threadpool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"

#define SPIN_ROUNDS 200000

struct mote_threadpool {
    int n_threads;
    pthread_t *threads;
    mote_parallel_fn fn;
    void *ctx;
    atomic_uint generation;   /* bumped once per parallel section */
    atomic_int done;          /* workers finished with the current section */
    atomic_int sleepers;      /* workers waiting on `wake` */
    atomic_bool stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    void *shared;             /* its shared_pool entry, for pools from mote_threadpool_acquire */
};

typedef struct {
    mote_threadpool *tp;
    int ith;
} worker_arg;

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

/* One round of a spin-wait. Every so often give the core away: when threads
 * outnumber free cores (a busy machine), the thread we wait for may be
 * waiting for our core. */
static void spin_pause(int round) {
    if ((round & 255) == 255) sched_yield();
    else cpu_relax();
}

/* Wait until the generation moves past `seen`; returns the new value. */
static unsigned wait_for_work(mote_threadpool *tp, unsigned seen) {
    for (int i = 0; i < SPIN_ROUNDS; i++) {
        unsigned g = atomic_load_explicit(&tp->generation, memory_order_acquire);
        if (g != seen || atomic_load_explicit(&tp->stop, memory_order_acquire)) return g;
        spin_pause(i);
    }
    pthread_mutex_lock(&tp->lock);
    atomic_fetch_add(&tp->sleepers, 1);
    unsigned g;
    while ((g = atomic_load(&tp->generation)) == seen && !atomic_load(&tp->stop)) pthread_cond_wait(&tp->wake, &tp->lock);
    atomic_fetch_sub(&tp->sleepers, 1);
    pthread_mutex_unlock(&tp->lock);
    return g;
}

static void *worker_main(void *p) {
    worker_arg *arg = p;
    mote_threadpool *tp = arg->tp;
    int ith = arg->ith;
    free(arg);
    /* Not a load of `generation`: the caller may already have published the
     * first section before this thread got to run. The pool starts at 0. */
    unsigned seen = 0;
    for (;;) {
        seen = wait_for_work(tp, seen);
        if (atomic_load_explicit(&tp->stop, memory_order_acquire)) break;
        tp->fn(tp->ctx, ith, tp->n_threads);
        atomic_fetch_add_explicit(&tp->done, 1, memory_order_release);
    }
    return NULL;
}

mote_threadpool *mote_threadpool_new(int n_threads) {
    if (n_threads < 1 || n_threads > 1024) {
        mote_fail(MOTE_ERR_INVALID_ARG, "thread count %d is out of range (1..1024)", n_threads);
        return NULL;
    }
    mote_threadpool *tp = calloc(1, sizeof *tp);
    if (!tp) {
        mote_fail(MOTE_ERR_NOMEM, "out of memory creating a thread pool");
        return NULL;
    }
    tp->n_threads = n_threads;
    pthread_mutex_init(&tp->lock, NULL);
    pthread_cond_init(&tp->wake, NULL);
    tp->threads = calloc((size_t)n_threads, sizeof *tp->threads);
    if (!tp->threads) {
        mote_threadpool_free(tp);
        mote_fail(MOTE_ERR_NOMEM, "out of memory creating a thread pool");
        return NULL;
    }
    for (int i = 1; i < n_threads; i++) {
        worker_arg *arg = malloc(sizeof *arg);
        if (arg) *arg = (worker_arg){tp, i};
        if (!arg || pthread_create(&tp->threads[i], NULL, worker_main, arg) != 0) {
            free(arg);
            tp->n_threads = i; /* only join what was started */
            mote_threadpool_free(tp);
            mote_fail(MOTE_ERR_NOMEM, "cannot start worker thread %d of %d", i, n_threads);
            return NULL;
        }
    }
    return tp;
}

void mote_threadpool_free(mote_threadpool *tp) {
    if (!tp) return;
    pthread_mutex_lock(&tp->lock);
    atomic_store(&tp->stop, true);
    pthread_cond_broadcast(&tp->wake);
    pthread_mutex_unlock(&tp->lock);
    for (int i = 1; i < tp->n_threads && tp->threads; i++) pthread_join(tp->threads[i], NULL);
    pthread_mutex_destroy(&tp->lock);
    pthread_cond_destroy(&tp->wake);
    free(tp->threads);
    free(tp);
}

int mote_threadpool_size(const mote_threadpool *tp) { return tp ? tp->n_threads : 1; }

void mote_threadpool_run(mote_threadpool *tp, mote_parallel_fn fn, void *ctx) {
    if (!tp || tp->n_threads == 1) {
        fn(ctx, 0, 1);
        return;
    }
    tp->fn = fn;
    tp->ctx = ctx;
    atomic_store_explicit(&tp->done, 0, memory_order_relaxed);
    /* Sequentially consistent on purpose: with the worker's increment of
     * `sleepers` before its re-check of `generation`, either we see the
     * sleeper and wake it, or it sees the new generation. */
    atomic_fetch_add(&tp->generation, 1);
    if (atomic_load(&tp->sleepers) > 0) {
        pthread_mutex_lock(&tp->lock);
        pthread_cond_broadcast(&tp->wake);
        pthread_mutex_unlock(&tp->lock);
    }
    fn(ctx, 0, tp->n_threads);
    for (int i = 0; atomic_load_explicit(&tp->done, memory_order_acquire) != tp->n_threads - 1; i++) spin_pause(i);
}

void mote_split_range(long n, int ith, int nth, long *begin, long *end) {
    long per = n / nth, extra = n % nth;
    *begin = ith * per + (ith < extra ? ith : extra);
    *end = *begin + per + (ith < extra ? 1 : 0);
}

/* Count distinct (package, core) pairs from sysfs; fall back to online CPUs. */
static int count_physical_cores(void) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online < 1) online = 1;
    enum { MAX_CORES = 1024 };
    long seen[MAX_CORES];
    int n_seen = 0;
    for (long cpu = 0; cpu < online && cpu < MAX_CORES; cpu++) {
        char path[128];
        long core = -1, pkg = 0;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%ld/topology/core_id", cpu);
        FILE *f = fopen(path, "r");
        if (!f) return (int)online;
        if (fscanf(f, "%ld", &core) != 1) core = -1;
        fclose(f);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%ld/topology/physical_package_id", cpu);
        if ((f = fopen(path, "r"))) {
            if (fscanf(f, "%ld", &pkg) != 1) pkg = 0;
            fclose(f);
        }
        if (core < 0) return (int)online;
        long key = pkg * 65536 + core;
        int dup = 0;
        for (int i = 0; i < n_seen; i++) dup |= seen[i] == key;
        if (!dup) seen[n_seen++] = key;
    }
    return n_seen > 0 ? n_seen : (int)online;
}

static int physical_cores;
static pthread_once_t physical_cores_once = PTHREAD_ONCE_INIT;
static void find_physical_cores(void) { physical_cores = count_physical_cores(); }

int mote_physical_cores(void) {
    pthread_once(&physical_cores_once, find_physical_cores);
    return physical_cores;
}

/* --- the process's shared pools --------------------------------------------
 * One pool per thread count, created by the first context that asks for it
 * and stopped when the last one lets go. `busy` serialises whole forward
 * passes of different contexts: a pool runs one section at a time. */
typedef struct {
    mote_threadpool *pool;
    int refs;
    pthread_mutex_t busy;
} shared_pool;

enum { MAX_SHARED_POOLS = 8 };
static shared_pool shared_pools[MAX_SHARED_POOLS];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

mote_threadpool *mote_threadpool_acquire(int n_threads) {
    pthread_mutex_lock(&shared_lock);
    shared_pool *free_slot = NULL;
    for (int i = 0; i < MAX_SHARED_POOLS; i++) {
        shared_pool *sp = &shared_pools[i];
        if (sp->pool && sp->pool->n_threads == n_threads) {
            sp->refs++;
            pthread_mutex_unlock(&shared_lock);
            return sp->pool;
        }
        if (!sp->pool && !free_slot) free_slot = sp;
    }
    mote_threadpool *tp = NULL;
    if (!free_slot) mote_fail(MOTE_ERR_UNSUPPORTED, "more than %d different thread counts in use at once", MAX_SHARED_POOLS);
    else if ((tp = mote_threadpool_new(n_threads))) {
        free_slot->pool = tp;
        free_slot->refs = 1;
        pthread_mutex_init(&free_slot->busy, NULL);
        tp->shared = free_slot;
    }
    pthread_mutex_unlock(&shared_lock);
    return tp;
}

void mote_threadpool_release(mote_threadpool *tp) {
    if (!tp) return;
    pthread_mutex_lock(&shared_lock);
    shared_pool *sp = tp->shared;
    bool last = --sp->refs == 0;
    if (last) {
        pthread_mutex_destroy(&sp->busy);
        sp->pool = NULL;
    }
    pthread_mutex_unlock(&shared_lock);
    if (last) mote_threadpool_free(tp);
}

void mote_threadpool_lock(mote_threadpool *tp) {
    if (tp && tp->shared) pthread_mutex_lock(&((shared_pool *)tp->shared)->busy);
}

void mote_threadpool_unlock(mote_threadpool *tp) {
    if (tp && tp->shared) pthread_mutex_unlock(&((shared_pool *)tp->shared)->busy);
}
