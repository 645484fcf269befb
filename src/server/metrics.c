/*
 * metrics.c — /metrics in Prometheus' text exposition format (see metrics.h).
 */
#include "server/metrics.h"

#include <stdio.h>
#include <stdlib.h>

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
    return b.data;
}
