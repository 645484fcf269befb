/*
 * threadpool.h — a persistent pool of worker threads for data-parallel work.
 *
 * Generation runs a few hundred small parallel sections per token (one per
 * matrix product), so creating threads per section, or even sleeping on a
 * condition variable between them, costs more than the work. Workers here
 * spin briefly on an atomic generation counter after each section and only
 * then fall back to sleeping, so back-to-back sections start in well under a
 * microsecond while an idle pool costs no CPU.
 *
 * The calling thread takes part as thread 0; a pool of n threads starts
 * n - 1 workers.
 */
#ifndef MOTE_CORE_THREADPOOL_H
#define MOTE_CORE_THREADPOOL_H

typedef struct mote_threadpool mote_threadpool;

/* fn(ctx, ith, nth) is called once on each of the nth threads, ith in [0, nth). */
typedef void (*mote_parallel_fn)(void *ctx, int ith, int nth);

/* A pool of n_threads (>= 1) threads; NULL (with mote_last_error) on failure. */
mote_threadpool *mote_threadpool_new(int n_threads);
void mote_threadpool_free(mote_threadpool *tp);
int mote_threadpool_size(const mote_threadpool *tp);
/* Run fn on every thread of the pool and return when all have finished.
 * A NULL pool runs fn(ctx, 0, 1) on the caller. Not reentrant. */
void mote_threadpool_run(mote_threadpool *tp, mote_parallel_fn fn, void *ctx);

/* Split [0, n) into nth nearly equal parts; part ith is [*begin, *end). */
void mote_split_range(long n, int ith, int nth, long *begin, long *end);

/* Number of physical cores (hyper-threads counted once), at least 1;
 * counted once per process. */
int mote_physical_cores(void);

/* The process's shared pool of n_threads threads (made on first use,
 * stopped when the last user releases it), so that N contexts on one
 * machine share one set of workers instead of starting N sets. Users of a
 * shared pool bracket each run of several sections (a forward pass) with
 * lock/unlock: one pool runs one caller's sections at a time. NULL (with
 * mote_last_error) on failure. lock/unlock do nothing on a NULL pool. */
mote_threadpool *mote_threadpool_acquire(int n_threads);
void mote_threadpool_release(mote_threadpool *tp);
void mote_threadpool_lock(mote_threadpool *tp);
void mote_threadpool_unlock(mote_threadpool *tp);

#endif
