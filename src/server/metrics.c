/*
 * metrics.c — /metrics in Prometheus' text exposition format (see metrics.h).
 */
#include "server/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "server/job.h"
#include "server/registry.h"
#include "server/server.h"

void metrics_add_generation(server_metrics *m, int32_t n_prompt, int64_t prompt_ns, int32_t n_eval, int64_t eval_ns) {
    atomic_fetch_add(&m->generations, 1);
    atomic_fetch_add(&m->prompt_tokens, n_prompt);
    atomic_fetch_add(&m->prompt_ns, prompt_ns);
    atomic_fetch_add(&m->generated_tokens, n_eval);
    atomic_fetch_add(&m->eval_ns, eval_ns);
}

void metrics_add_ttft(server_metrics *m, int64_t ns) {
    atomic_fetch_add(&m->ttft_ns_sum, ns);
    atomic_fetch_add(&m->ttft_count, 1);
}

/* One metric with its HELP and TYPE lines. */
static void put(sbuf *b, const char *name, const char *type, const char *help, double value) {
    char line[512];
    snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name, type, name, value);
    sbuf_addstr(b, line);
}

void metrics_meter_start(process_meter *pm, struct mote_meter *meter) {
    memset(pm, 0, sizeof *pm);
    pthread_mutex_init(&pm->mu, NULL);
    snprintf(pm->source, sizeof pm->source, "none");
    if (meter && mote_meter_start(meter) == MOTE_OK) pm->started = true;
}

/* Close the meter's interval, add it to the totals, open the next one. */
static void meter_update(process_meter *pm, mote_meter *meter) {
    mote_meter_report r;
    if (mote_meter_stop(meter, &r) != MOTE_OK) return;
    pm->wall_s += r.wall_s;
    pm->cpu_s += r.cpu_s;
    pm->peak_rss_bytes = r.peak_rss_bytes;
    pm->has_energy = r.has_energy;
    snprintf(pm->source, sizeof pm->source, "%s", r.source);
    if (r.has_energy) pm->joules += r.joules;
    if (r.co2_g >= 0) pm->co2_g += r.co2_g;
    else pm->co2_g = -1;
    mote_meter_start(meter);
}

/* A metric whose one sample carries the energy source as a label. */
static void put_sourced(sbuf *b, const char *name, const char *type, const char *help, const char *source,
                        double value) {
    char line[600];
    snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n%s{source=\"%s\"} %.17g\n", name, help, name, type, name,
             source, value);
    sbuf_addstr(b, line);
}

/* The process's CPU, memory and energy (only with a meter). */
static void render_process(server *s, sbuf *b) {
    process_meter *pm = &s->pmeter;
    if (!s->cfg.meter || !pm->started) return;
    pthread_mutex_lock(&pm->mu);
    meter_update(pm, s->cfg.meter);
    process_meter t = *pm;
    pthread_mutex_unlock(&pm->mu);
    put(b, "mote_process_cpu_seconds_total", "counter", "CPU time of all the server's threads (user + system).",
        t.cpu_s);
    put(b, "mote_process_cpu_percent", "gauge",
        "Average CPU use since the server started, in percent of one core (above 100 with several busy).",
        t.wall_s > 0 ? 100.0 * t.cpu_s / t.wall_s : 0);
    put(b, "mote_process_peak_rss_bytes", "gauge", "Peak resident memory of the process.", (double)t.peak_rss_bytes);
    put_sourced(b, "mote_energy_source_info", "gauge",
                "Where the energy figures come from: rapl, hwmon:NAME, pi5-pmic, declared, or none.", t.source, 1);
    if (!t.has_energy) return;
    double tokens = (double)atomic_load(&s->metrics.prompt_tokens) + (double)atomic_load(&s->metrics.generated_tokens);
    put_sourced(b, "mote_energy_joules_total", "counter", "Energy used by the machine since the server started.",
                t.source, t.joules);
    put_sourced(b, "mote_power_watts", "gauge", "Average power since the server started.", t.source,
                t.wall_s > 0 ? t.joules / t.wall_s : 0);
    put_sourced(b, "mote_joules_per_token", "gauge",
                "Energy since the start per token evaluated or generated (idle time included).", t.source,
                tokens > 0 ? t.joules / tokens : 0);
    if (t.co2_g >= 0 && s->cfg.meter)
        put_sourced(b, "mote_co2_grams_total", "counter", "Grams of CO2 for that energy at --grid-intensity.",
                    t.source, t.co2_g);
}

char *metrics_render(server *s) {
    server_metrics *m = &s->metrics;
    sbuf b = {0};
    put(&b, "mote_requests_total", "counter", "HTTP requests received.", (double)atomic_load(&m->requests));
    put(&b, "mote_responses_4xx_total", "counter", "Responses with a client error status.",
        (double)atomic_load(&m->responses_4xx));
    put(&b, "mote_responses_5xx_total", "counter", "Responses with a server error status.",
        (double)atomic_load(&m->responses_5xx));
    put(&b, "mote_rejected_busy_total", "counter", "Requests refused with 503 because the queue was full.",
        (double)atomic_load(&m->rejected_busy));
    put(&b, "mote_generations_total", "counter", "Generation requests finished.", (double)atomic_load(&m->generations));
    put(&b, "mote_prompt_tokens_total", "counter", "Prompt tokens evaluated (cached ones not counted).",
        (double)atomic_load(&m->prompt_tokens));
    put(&b, "mote_generated_tokens_total", "counter", "Tokens generated.", (double)atomic_load(&m->generated_tokens));
    double eval_s = (double)atomic_load(&m->eval_ns) / 1e9, prompt_s = (double)atomic_load(&m->prompt_ns) / 1e9;
    put(&b, "mote_prompt_seconds_total", "counter", "Time spent evaluating prompts, summed over requests.", prompt_s);
    put(&b, "mote_generation_seconds_total", "counter", "Time spent generating, summed over requests.", eval_s);
    put(&b, "mote_tokens_per_second", "gauge", "Generated tokens per second of generation time, per request on average.",
        eval_s > 0 ? (double)atomic_load(&m->generated_tokens) / eval_s : 0);
    put(&b, "mote_time_to_first_token_seconds_sum", "counter", "Time from request to first token, summed.",
        (double)atomic_load(&m->ttft_ns_sum) / 1e9);
    put(&b, "mote_time_to_first_token_seconds_count", "counter", "Requests that produced a first token.",
        (double)atomic_load(&m->ttft_count));
    int queued = 0, busy = 0, slots = 0, loaded = 0;
    for (int i = 0; i < s->reg->n; i++) {
        engine_status st;
        engine_get_status(s->reg->engines[i], &st);
        queued += st.queued;
        busy += st.active;
        if (st.loaded) {
            loaded++;
            slots += st.slots;
        }
    }
    put(&b, "mote_queue_depth", "gauge", "Requests waiting for a free slot.", queued);
    put(&b, "mote_busy_slots", "gauge", "Slots generating now.", busy);
    put(&b, "mote_slots", "gauge", "Slots of the loaded models.", slots);
    put(&b, "mote_models_loaded", "gauge", "Models in memory.", loaded);
    put(&b, "mote_uptime_seconds", "gauge", "Seconds since the server started.",
        (double)(mote_now_ns() - s->t_started) / 1e9);
    render_process(s, &b);
    return b.data;
}
