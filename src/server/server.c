/*
 * server.c — starting and stopping the whole server (see server.h).
 */
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "server/http.h"
#include "server/registry.h"

void server_config_default(server_config *c) {
    memset(c, 0, sizeof *c);
    c->host = "127.0.0.1";
    c->port = 11434;
    c->parallel = 4;
    c->queue_max = 64;
    c->keep_alive_ms = 5 * 60 * 1000;
    c->max_body = 8u << 20;
    c->max_depth = 64;
    c->conn_timeout_s = 30;
    c->request_timeout_s = 600;
    c->max_connections = 512;
    c->drain_s = 10;
}

int server_start(server *s, const server_config *cfg, char *err, size_t err_size) {
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->t_started = mote_now_ns();
    if (cfg->type_k < 0 || cfg->type_v < 0) {
        snprintf(err, err_size, "-ctk / -ctv: not a cache type (f16, q8_0, q4_0, q4_1, q5_0, q5_1 or iq4_nl)");
        return -1;
    }
    pthread_mutex_init(&s->budget_mu, NULL);
    atomic_store(&s->stopping, false);
    metrics_meter_start(&s->pmeter, cfg->meter);
    if (registry_build(s, &s->reg, err, err_size)) return -1;
    if (http_start(s, err, err_size)) {
        registry_free(s->reg);
        s->reg = NULL;
        return -1;
    }
    return 0;
}

void server_stop(server *s) {
    atomic_store(&s->stopping, true);
    http_quiesce(s);
    int64_t deadline = mote_now_ns() + (int64_t)s->cfg.drain_s * 1000000000LL;
    for (int i = 0; i < s->reg->n; i++) engine_shutdown(s->reg->engines[i], deadline);
    /* wait for the engines to finish (they cancel what runs past the deadline) */
    for (;;) {
        bool idle = true;
        for (int i = 0; i < s->reg->n; i++) idle &= engine_idle(s->reg->engines[i]);
        if (idle || mote_now_ns() > deadline + 2000000000LL) break;
        usleep(20000);
    }
    http_stop(s);
    registry_free(s->reg);
    s->reg = NULL;
}
