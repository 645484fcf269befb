/*
 * kernel_bench.c — how fast each weight type's vec_dot streams weights:
 * GB/s of weight bytes read, single-threaded, reference kernel vs the one
 * dispatch installed for this CPU, plus the activation quantizers.
 *
 * The matrix has rows of `cols` weights (default 8192) and as many rows as
 * make `MB` megabytes of weights (default 128, four times this machine's
 * 32 MB L3 cache), so the numbers are those of token generation: one
 * activation row against every weight row, weights coming from memory. With
 * a small MB (say 1) the weights stay in cache and the numbers show the
 * kernels' arithmetic speed instead. Not a test: nothing fails; it prints
 * Markdown tables for bench/RESULTS-kernels.md.
 *
 * usage: kernel_bench [MB] [cols] [seconds-per-measurement]
 * (built with the other bench/ programs; measure with a Release build).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/cpu.h"
#include "quant/types.h"
/* the reference kernel of each type, from the SIMD checker of the tests */
#include "../tests/kernels/simd_check.c"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static volatile float sink;

/* Best time of `reps` passes of fn over all rows (seconds per pass). */
static double time_matvec(mote_vec_dot_fn fn, const uint8_t *w, size_t row_bytes, int64_t rows, int64_t cols,
                          const void *x, double budget) {
    double best = 1e30, start = now();
    int reps = 0;
    do {
        const double t0 = now();
        float acc = 0.0f;
        for (int64_t r = 0; r < rows; r++) acc += fn(cols, w + (size_t)r * row_bytes, x);
        sink = acc;
        const double t = now() - t0;
        if (t < best) best = t;
        reps++;
    } while (reps < 3 || (now() - start < budget && reps < 50));
    return best;
}

/* Best time of a pass of a stored panel's gemm (one activation row) over
 * the matrix w repacked into its panels; seconds per pass. */
static double time_stored(const mote_panel_kernels *k, const uint8_t *w, size_t row_bytes, int64_t rows,
                          int64_t cols, const float *xf, double budget) {
    const int R = k->rows;
    const int64_t groups = rows / R;
    const size_t pb = k->panel_bytes(cols);
    uint8_t *p = malloc(pb * (size_t)groups);
    void *x = malloc(k->act_row_bytes(cols));
    for (int64_t g = 0; g < groups; g++)
        k->pack(cols, w + (size_t)g * R * row_bytes, row_bytes, R, p + (size_t)g * pb);
    k->act_from_float(xf, x, cols);
    float y[MOTE_PANEL_MAX_ROWS];
    double best = 1e30, start = now();
    int reps = 0;
    do {
        const double t0 = now();
        float acc = 0.0f;
        for (int64_t g = 0; g < groups; g++) {
            k->gemm(cols, p + (size_t)g * pb, x, 0, 1, y, (size_t)R);
            acc += y[0];
        }
        sink = acc;
        const double t = now() - t0;
        if (t < best) best = t;
        reps++;
    } while (reps < 3 || (now() - start < budget && reps < 50));
    free(p);
    free(x);
    return best * (double)rows / (double)(groups * R);
}

static double time_quantize(mote_from_float_fn fn, const float *x, void *out, int64_t n, double budget) {
    double best = 1e30, start = now();
    int reps = 0;
    do {
        const double t0 = now();
        for (int k = 0; k < 64; k++) fn(x, out, n);
        const double t = (now() - t0) / 64;
        if (t < best) best = t;
        reps++;
    } while (reps < 3 || (now() - start < budget && reps < 200));
    return best;
}

/* Plain read bandwidth, one thread: summing a buffer as 64-bit words, the
 * ceiling any vec_dot streaming the same bytes can reach. */
static double read_bandwidth(size_t bytes, double budget) {
    uint64_t *buf = malloc(bytes);
    const size_t words = bytes / 8;
    for (size_t i = 0; i < words; i++) buf[i] = i;
    double best = 1e30, start = now();
    int reps = 0;
    do {
        const double t0 = now();
#if defined(__SSE2__)
        /* 16-byte loads into four independent sums (SSE2 is baseline x86-64) */
        __m128i s0 = _mm_setzero_si128(), s1 = s0, s2 = s0, s3 = s0;
        const __m128i *v = (const __m128i *)buf;
        for (size_t i = 0; i + 8 <= words / 2; i += 8) {
            s0 = _mm_add_epi64(s0, _mm_add_epi64(_mm_load_si128(v + i), _mm_load_si128(v + i + 1)));
            s1 = _mm_add_epi64(s1, _mm_add_epi64(_mm_load_si128(v + i + 2), _mm_load_si128(v + i + 3)));
            s2 = _mm_add_epi64(s2, _mm_add_epi64(_mm_load_si128(v + i + 4), _mm_load_si128(v + i + 5)));
            s3 = _mm_add_epi64(s3, _mm_add_epi64(_mm_load_si128(v + i + 6), _mm_load_si128(v + i + 7)));
        }
        sink = (float)_mm_cvtsi128_si64(_mm_add_epi64(_mm_add_epi64(s0, s1), _mm_add_epi64(s2, s3)));
#else
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t i = 0; i + 4 <= words; i += 4) {
            s0 += buf[i];
            s1 += buf[i + 1];
            s2 += buf[i + 2];
            s3 += buf[i + 3];
        }
        sink = (float)(s0 + s1 + s2 + s3);
#endif
        const double t = now() - t0;
        if (t < best) best = t;
        reps++;
    } while (reps < 3 || (now() - start < budget && reps < 50));
    free(buf);
    return (double)bytes / best / 1e9;
}

int main(int argc, char **argv) {
    const double mb = argc > 1 ? atof(argv[1]) : 128.0;
    const int64_t cols = argc > 2 ? atoll(argv[2]) : 8192;
    const double budget = argc > 3 ? atof(argv[3]) : 0.5;
    static const int types[] = {MOTE_TYPE_Q4_0, MOTE_TYPE_Q8_0, MOTE_TYPE_Q4_K, MOTE_TYPE_Q6_K, MOTE_TYPE_Q4_1,
                                MOTE_TYPE_Q5_0, MOTE_TYPE_Q5_1, MOTE_TYPE_IQ4_NL, MOTE_TYPE_Q2_K, MOTE_TYPE_Q3_K,
                                MOTE_TYPE_Q5_K, MOTE_TYPE_IQ4_XS, MOTE_TYPE_TQ1_0, MOTE_TYPE_TQ2_0, MOTE_TYPE_F16,
                                MOTE_TYPE_BF16, MOTE_TYPE_F32};
    printf("cpu: %s; %g MB of weights per type in rows of %lld, one thread, best of repeated passes\n\n",
           mote_cpu_describe(), mb, (long long)cols);
    printf("kernel set: %s\n", mote_kernel_set_name());
    printf("read bandwidth, one thread, same size: %.2f GB/s\n\n", read_bandwidth((size_t)(mb * 1e6), budget));
    printf("| type | reference GB/s | SIMD GB/s | speed-up |\n|---|---:|---:|---:|\n");
    rng_state = 2463534242u; /* the checker's generator (xorshift) */
    float *xf = malloc((size_t)cols * sizeof(float));
    for (int64_t i = 0; i < cols; i++) xf[i] = rnd_unit();
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        const int type = types[k];
        const mote_type_traits *t = mote_traits(type), *ta = mote_traits(t->vec_dot_type);
        const size_t rb = mote_row_size(type, cols);
        const int64_t rows = (int64_t)(mb * 1e6 / (double)rb) + 1;
        const size_t total = rb * (size_t)rows;
        uint8_t *w = malloc(total);
        if (type == MOTE_TYPE_F32 || type == MOTE_TYPE_F16 || type == MOTE_TYPE_BF16) {
            float *tmp = malloc((size_t)cols * sizeof(float));
            for (int64_t i = 0; i < cols; i++) tmp[i] = rnd_unit();
            for (int64_t r = 0; r < rows; r++) t->from_float(tmp, w + (size_t)r * rb, cols);
            free(tmp);
        } else {
            for (size_t i = 0; i < total; i++) w[i] = (uint8_t)rnd();
        }
        void *xq = malloc(mote_row_size(t->vec_dot_type, cols));
        ta->from_float(xf, xq, cols);
        const double tr = time_matvec(simd_reference_vec_dot(type), w, rb, rows, cols, xq, budget);
        const double ts = time_matvec(t->vec_dot, w, rb, rows, cols, xq, budget);
        printf("| %s | %.2f | %.2f | %.1fx |\n", t->name, (double)total / tr / 1e9,
               (double)total / ts / 1e9, tr / ts);
        fflush(stdout);
        free(xq);
        free(w);
    }
    printf("\nstored panels (matrices repacked at load, one activation row):\n\n");
    printf("| type | vec_dot GB/s | stored panel GB/s |\n|---|---:|---:|\n");
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        const mote_panel_kernels *sp = mote_stored_panel(types[k]);
        if (!sp) continue;
        const mote_type_traits *t = mote_traits(types[k]), *ta = mote_traits(t->vec_dot_type);
        const size_t rb = mote_row_size(types[k], cols);
        const int64_t rows = ((int64_t)(mb * 1e6 / (double)rb) / sp->rows + 1) * sp->rows;
        const size_t total = rb * (size_t)rows;
        uint8_t *w = malloc(total);
        for (size_t i = 0; i < total; i++) w[i] = (uint8_t)rnd();
        void *xq = malloc(mote_row_size(t->vec_dot_type, cols));
        ta->from_float(xf, xq, cols);
        const double tv = time_matvec(t->vec_dot, w, rb, rows, cols, xq, budget);
        const double tp = time_stored(sp, w, rb, rows, cols, xf, budget);
        printf("| %s | %.2f | %.2f |\n", t->name, (double)total / tv / 1e9, (double)total / tp / 1e9);
        free(xq);
        free(w);
    }
    printf("\nactivation quantizers (one row of %lld floats):\n\n", (long long)cols);
    printf("| format | reference ns/row | SIMD ns/row | speed-up |\n|---|---:|---:|---:|\n");
    static const int acts[] = {MOTE_TYPE_Q8_0, MOTE_TYPE_Q8_1, MOTE_TYPE_Q8_K};
    for (size_t k = 0; k < 3; k++) {
        const mote_type_traits *t = mote_traits(acts[k]);
        void *out = malloc(mote_row_size(acts[k], cols));
        const double tr = time_quantize(simd_reference_from_float(acts[k]), xf, out, cols, budget / 4);
        const double ts = time_quantize(t->from_float, xf, out, cols, budget / 4);
        printf("| %s | %.0f | %.0f | %.1fx |\n", t->name, tr * 1e9, ts * 1e9, tr / ts);
        free(out);
    }
    free(xf);
    return 0;
}
