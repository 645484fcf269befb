/*
 * bandwidth.c — how fast this machine can stream memory into the CPU.
 *
 * Generating a token reads every weight once, so a generation speed is best
 * judged against the machine's read bandwidth: tokens/s can never exceed
 * bandwidth / (bytes of weights read per token). This probe reads a buffer
 * much larger than the caches, with 1..N threads each summing its own slice,
 * and prints the best of several passes in GB/s (10^9 bytes per second).
 *
 * usage: bandwidth [-t 1,2] [-m MiB] [-r passes] [--csv]
 * Built by bench/compare-llamacpp.sh (cc -O2 -march=native -pthread).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const uint64_t *data;
    size_t n;                   /* words of this thread's slice */
    pthread_barrier_t *start;   /* every thread starts reading together */
    uint64_t sum;               /* kept so the reads cannot be optimized away */
} slice;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Sum a slice with independent accumulators so loads, not additions, limit the speed. */
static void *read_slice(void *arg) {
    slice *s = arg;
    pthread_barrier_wait(s->start);
    uint64_t a = 0, b = 0, c = 0, d = 0;
    const uint64_t *p = s->data;
    size_t i = 0;
    for (; i + 4 <= s->n; i += 4) {
        a += p[i];
        b += p[i + 1];
        c += p[i + 2];
        d += p[i + 3];
    }
    for (; i < s->n; i++) a += p[i];
    s->sum = a + b + c + d;
    return NULL;
}

/* One pass with n_threads threads over the whole buffer; returns GB/s. */
static double one_pass(const uint64_t *buf, size_t words, int n_threads) {
    pthread_t th[64];
    slice sl[64];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)n_threads + 1);
    size_t per = words / (size_t)n_threads;
    for (int t = 0; t < n_threads; t++) {
        sl[t] = (slice){buf + (size_t)t * per, t == n_threads - 1 ? words - (size_t)t * per : per, &start, 0};
        pthread_create(&th[t], NULL, read_slice, &sl[t]);
    }
    pthread_barrier_wait(&start);
    double t0 = now_s();
    uint64_t sum = 0;
    for (int t = 0; t < n_threads; t++) {
        pthread_join(th[t], NULL);
        sum += sl[t].sum;
    }
    double dt = now_s() - t0;
    pthread_barrier_destroy(&start);
    if (sum == 42) fprintf(stderr, " "); /* use the sum */
    return (double)(words * sizeof(uint64_t)) / dt / 1e9;
}

int main(int argc, char **argv) {
    const char *threads = "1,2";
    long mib = 1024, passes = 5;
    int csv = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc) threads = argv[++i];
        else if (!strcmp(argv[i], "-m") && i + 1 < argc) mib = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc) passes = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--csv")) csv = 1;
        else {
            fprintf(stderr, "usage: bandwidth [-t 1,2] [-m MiB] [-r passes] [--csv]\n");
            return 2;
        }
    }
    if (mib < 16 || passes < 1) {
        fprintf(stderr, "bandwidth: need -m >= 16 and -r >= 1\n");
        return 2;
    }
    size_t words = (size_t)mib * 1024 * 1024 / sizeof(uint64_t);
    uint64_t *buf = malloc(words * sizeof *buf);
    if (!buf) {
        fprintf(stderr, "bandwidth: cannot allocate %ld MiB\n", mib);
        return 1;
    }
    for (size_t i = 0; i < words; i++) buf[i] = i * 0x9E3779B97F4A7C15ull; /* touch every page */
    if (csv) printf("threads,gb_per_s\n");
    for (const char *p = threads; *p;) {
        char *end;
        long t = strtol(p, &end, 10);
        if (end == p || t < 1 || t > 64) {
            fprintf(stderr, "bandwidth: bad thread count in '%s'\n", threads);
            return 2;
        }
        double best = 0;
        for (long r = 0; r < passes; r++) {
            double g = one_pass(buf, words, (int)t);
            if (g > best) best = g;
        }
        if (csv) printf("%ld,%.2f\n", t, best);
        else printf("read bandwidth, %ld thread%s: %.2f GB/s (best of %ld passes over %ld MiB)\n", t, t > 1 ? "s" : "",
                    best, passes, mib);
        p = *end == ',' ? end + 1 : end;
    }
    free(buf);
    return 0;
}
