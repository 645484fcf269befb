/*
 * server.h — `mote serve`: its configuration and the running server as a
 * whole (the HTTP daemon, the models and the counters). cmd_serve.c fills
 * the configuration from the command line and calls server_start /
 * server_stop; everything else in src/server hangs off this struct.
 */
#ifndef MOTE_SERVER_SERVER_H
#define MOTE_SERVER_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/metrics.h"

typedef struct {
    const char *host;            /* address to bind (default 127.0.0.1) */
    int port;                    /* default 11434 (Ollama's) */
    const char **model_paths;    /* -m, repeatable */
    int n_model_paths;
    const char *models_dir;      /* --models DIR: every *.gguf in it */
    int parallel;                /* slots per model, decoded together */
    int n_ctx;                   /* context (KV cells) per slot; 0: min(model's, 2048) */
    int n_threads;               /* 0: the library's default */
    int queue_max;               /* requests waiting per model beyond the slots; then 503 */
    int64_t keep_alive_ms;       /* idle time before a model is unloaded (-1: never) */
    int max_loaded;              /* models in memory at once (0: no limit); the least recently used idle one goes */
    size_t max_memory;           /* bytes of weights + contexts of all loaded models (0: no limit) */
    const char *api_key;         /* NULL: no authentication */
    const char *cors_origin;     /* NULL: no CORS headers */
    size_t max_body;             /* bytes of a request body */
    int max_depth;               /* JSON nesting */
    int conn_timeout_s;          /* an idle connection is closed after this */
    int request_timeout_s;       /* a generation stops after this (0: no limit) */
    int max_tokens;              /* cap on tokens per answer (0: only the context limits it) */
    int max_connections;
    int drain_s;                 /* on SIGTERM: time in-flight requests get to finish */
    bool quiet;                  /* no access log */
    struct mote_meter *meter;    /* the process's CPU, memory and energy for /metrics (the caller's; NULL: none) */
    const char **rag_specs;      /* --rag NAME=KB.sqlite[,model=CHAT], repeatable (rag_api.h) */
    int n_rag_specs;
    int type_k, type_v;          /* -ctk / -ctv: how the KV cache stores keys and values (0: f16; -1: an unknown name) */
} server_config;

void server_config_default(server_config *c);

typedef struct server server;
struct registry;

struct server {
    server_config cfg;
    struct registry *reg;
    server_metrics metrics;
    void *daemon;                /* struct MHD_Daemon */
    int64_t t_started;
    pthread_mutex_t budget_mu;   /* memory_budget.c: one model at a time decides what to unload */
    atomic_bool stopping;        /* server_stop began: waits for memory give up */
    process_meter pmeter;        /* metrics.c: cfg.meter's running totals */
};

/* Find the models, bind and start serving (threads of its own). On failure
 * prints nothing and returns non-zero with a one-line message in err. */
int server_start(server *s, const server_config *cfg, char *err, size_t err_size);
/* The port actually bound (useful with --port 0). */
int server_port(const server *s);
/* Stop accepting, let in-flight requests finish (up to drain_s), cancel the
 * rest, stop every engine and free everything. */
void server_stop(server *s);

#endif
