/*
 * metrics.h — the server's counters, exported at /metrics in Prometheus'
 * text format: requests and responses, tokens in and out, generation time
 * (for tokens/s), time to first token, and (read from the engines when
 * rendering) queue depth, busy slots and loaded models; and, with a meter
 * (`mote serve` opens one with --energy-source / --watts / --grid-intensity),
 * the process's CPU time and CPU %, peak RSS and energy since the start,
 * naming the energy source as every metered command does.
 */
#ifndef MOTE_SERVER_METRICS_H
#define MOTE_SERVER_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    atomic_llong requests;          /* every HTTP request */
    atomic_llong responses_4xx, responses_5xx;
    atomic_llong rejected_busy;     /* 503: queue full */
    atomic_llong generations;       /* finished generation requests */
    atomic_llong prompt_tokens;     /* prompt tokens evaluated */
    atomic_llong generated_tokens;
    atomic_llong prompt_ns, eval_ns;
    atomic_llong ttft_ns_sum, ttft_count;
} server_metrics;

/* The meter's totals since the server started: each /metrics ends the
 * meter's interval, adds it here and starts the next one. */
typedef struct {
    pthread_mutex_t mu;
    bool started;
    double wall_s, cpu_s, joules, co2_g;
    uint64_t peak_rss_bytes;
    bool has_energy;
    char source[40];
} process_meter;

struct server;
struct mote_meter;

/* Start metering the process (at server start; nothing without a meter). */
void metrics_meter_start(process_meter *pm, struct mote_meter *meter);

/* Add a finished generation's numbers. */
void metrics_add_generation(server_metrics *m, int32_t n_prompt, int64_t prompt_ns, int32_t n_eval, int64_t eval_ns);
void metrics_add_ttft(server_metrics *m, int64_t ns);

/* The Prometheus text, malloc'd. */
char *metrics_render(struct server *s);

#endif
