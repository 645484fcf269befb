/*
 * cmd_serve.c — `mote serve`: read the options (the shared option table:
 * -t, -c, --temp ... mean what they mean for run and chat), start the
 * server (src/server), wait for SIGTERM or SIGINT, then drain and exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_meter.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/gen_options.h"
#include "cli/options.h"
#include "server/api_request.h"
#include "server/registry.h"
#include "server/server.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static const cli_use serve_options[] = {
    {CLI_HELP, NULL},
    {CLI_MODEL, "a model to serve (repeatable; model files may also be given as arguments)"},
    {CLI_MODELS_DIR, NULL}, {CLI_RAG_SERVE, NULL}, {CLI_HOST, NULL}, {CLI_PORT, NULL}, {CLI_PARALLEL, NULL},
    {CLI_CTX_SIZE, "context per request in tokens (default 0: the model's, at most 2048); a request's "
                   "options.num_ctx may ask for more"},
    {CLI_THREADS, NULL}, {CLI_CACHE_TYPE_K, NULL}, {CLI_CACHE_TYPE_V, NULL}, {CLI_QUEUE, NULL}, {CLI_KEEP_ALIVE, NULL}, {CLI_MAX_LOADED, NULL}, {CLI_MAX_MEMORY, NULL},
    {CLI_N_PREDICT, "default answer length of requests that give none (default -1: until the end of the turn "
                    "or a full context)"},
    {CLI_SEED, "default seed of requests that give none (default -1: a new one each time)"},
    {CLI_TEMP, "default temperature of requests that give none (default 0.8)"},
    {CLI_TOP_K, NULL}, {CLI_TOP_P, NULL}, {CLI_MIN_P, NULL}, {CLI_REPEAT_PENALTY, NULL}, {CLI_REPEAT_LAST_N, NULL},
    {CLI_PRESENCE_PENALTY, NULL}, {CLI_FREQUENCY_PENALTY, NULL},
    {CLI_API_KEY, NULL}, {CLI_CORS, NULL}, {CLI_MAX_BODY, NULL}, {CLI_MAX_TOKENS, "most tokens per answer (default: until the context is full)"}, {CLI_REQUEST_TIMEOUT, NULL},
    {CLI_TIMEOUT, NULL}, {CLI_DRAIN, NULL},
    {CLI_WATTS, "declared power IDLE,BUSY watts for /metrics' energy, scaled by CPU use, when nothing can be "
                "measured"},
    {CLI_GRID_INTENSITY, NULL}, {CLI_ENERGY_SOURCE, NULL},
    {CLI_N_GPU_LAYERS, NULL}, {CLI_QUIET, "no request log on stderr"},
    {CLI_END, NULL},
};

const cli_command_spec serve_spec = {
    "serve",
    "mote serve (-m MODEL.gguf ... | MODEL.gguf ... | --models DIR) [options]",
    "Serve models over HTTP with Ollama's API (/api/...), OpenAI's API (/v1/...),\n"
    "/metrics (Prometheus) and a chat page at /. A model's name is its file name\n"
    "without .gguf; it is loaded on first use and unloaded after --keep-alive\n"
    "without requests (or to make room within --max-memory / --max-loaded).\n"
    "The sampling flags set the defaults of requests that do not give their own.",
    serve_options,
    CLI_MAX_POSITIONAL,
    false,
};

int cmd_serve(int argc, char **argv) {
    cli_args a;
    int rc = cli_parse(&serve_spec, argc, argv, &a);
    if (rc >= 0) return rc;
    server_config cfg;
    server_config_default(&cfg);
    const char *models[CLI_MAX_GIVEN + CLI_MAX_POSITIONAL];
    int k = 0;
    for (const cli_given_opt *g; (g = cli_next(&a, CLI_MODEL, &k));) models[cfg.n_model_paths++] = g->text;
    for (int i = 0; i < a.n_positional; i++) models[cfg.n_model_paths++] = a.positional[i];
    cfg.model_paths = models;
    const char *rags[CLI_MAX_GIVEN];
    k = 0;
    for (const cli_given_opt *g; (g = cli_next(&a, CLI_RAG_SERVE, &k));) rags[cfg.n_rag_specs++] = g->text;
    cfg.rag_specs = rags;
    cfg.models_dir = cli_str(&a, CLI_MODELS_DIR, NULL);
    cfg.host = cli_str(&a, CLI_HOST, cfg.host);
    cfg.port = (int)cli_int(&a, CLI_PORT, cfg.port);
    cfg.parallel = (int)cli_int(&a, CLI_PARALLEL, cfg.parallel);
    cfg.n_threads = (int)cli_int(&a, CLI_THREADS, 0);
    cfg.queue_max = (int)cli_int(&a, CLI_QUEUE, cfg.queue_max);
    cfg.max_loaded = (int)cli_int(&a, CLI_MAX_LOADED, 0);
    const char *ctk = cli_str(&a, CLI_CACHE_TYPE_K, NULL), *ctv = cli_str(&a, CLI_CACHE_TYPE_V, NULL);
    if (ctk) cfg.type_k = mote_type_from_name(ctk); /* an unknown name is -1: server_start says so */
    if (ctv) cfg.type_v = mote_type_from_name(ctv);
    cfg.max_body = (size_t)cli_int(&a, CLI_MAX_BODY, (long long)cfg.max_body);
    cfg.max_tokens = (int)cli_int(&a, CLI_MAX_TOKENS, 0);
    cfg.request_timeout_s = (int)cli_int(&a, CLI_REQUEST_TIMEOUT, cfg.request_timeout_s);
    cfg.conn_timeout_s = (int)cli_int(&a, CLI_TIMEOUT, cfg.conn_timeout_s);
    cfg.drain_s = (int)cli_int(&a, CLI_DRAIN, cfg.drain_s);
    cfg.quiet = cli_flag(&a, CLI_QUIET);
    const char *key = cli_str(&a, CLI_API_KEY, NULL), *cors = cli_str(&a, CLI_CORS, NULL);
    cfg.api_key = key && *key ? key : NULL;
    cfg.cors_origin = cors && *cors ? cors : NULL;
    long long n_ctx = cli_int(&a, CLI_CTX_SIZE, 0);
    if (n_ctx > 0 && n_ctx < 16) {
        fprintf(stderr, "mote serve: -c %lld: a request needs a context of at least 16 tokens (0: the model's)\n",
                n_ctx);
        return 2;
    }
    cfg.n_ctx = (int)n_ctx;
    const char *ka = cli_str(&a, CLI_KEEP_ALIVE, NULL);
    if (ka) {
        cJSON *js = cJSON_CreateString(ka);
        char err[200];
        int64_t ms = js ? parse_keep_alive(js, err, sizeof err) : -3;
        cJSON_Delete(js);
        if (ms == -3) {
            fprintf(stderr, "mote serve: --keep-alive needs a duration such as 5m, 30s or -1, not '%s'\n", ka);
            return 2;
        }
        cfg.keep_alive_ms = ms;
    }
    const char *mem = cli_str(&a, CLI_MAX_MEMORY, NULL);
    if (mem && !(cfg.max_memory = (size_t)cli_parse_size(mem))) {
        fprintf(stderr, "mote serve: --max-memory needs a size such as 512M or 2G, not '%s'\n", mem);
        return 2;
    }
    /* the sampling flags: the defaults of requests that give none */
    gen_options go;
    gen_options_default(&go);
    go.gen.sampling.seed = MOTE_SEED_RANDOM;
    if (!gen_options_from_args(&go, &a)) return 2;
    if (go.gen.n_predict == 0) {
        fprintf(stderr, "mote serve: -n 0 would answer nothing: give -1 (no limit) or a positive number\n");
        return 2;
    }
    gen_input_set_defaults(&go.gen.sampling, go.gen.n_predict);
    if (cfg.n_model_paths == 0 && !cfg.models_dir && cfg.n_rag_specs == 0) {
        fprintf(stderr, "mote serve: no models: give -m MODEL.gguf (repeatable), --models DIR or --rag NAME=KB.sqlite\n");
        return 2;
    }
    cli_meter_opts mo;
    if (cli_meter_from_args(&mo, &a)) return 2;
    mote_meter *meter = NULL;
    if (cli_meter_open(&mo, "serve", false, &meter)) return 2;
    cfg.meter = meter;

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    static server srv;
    char err[512];
    int status = 0;
    if (server_start(&srv, &cfg, err, sizeof err)) {
        fprintf(stderr, "mote serve: %s\n", err);
        status = 1;
        goto out;
    }
    fprintf(stderr, "mote serve: listening on http://%s%s%s:%d with %d model(s):", strchr(cfg.host, ':') ? "[" : "",
            cfg.host, strchr(cfg.host, ':') ? "]" : "", server_port(&srv), srv.reg->n);
    for (int i = 0; i < srv.reg->n; i++) fprintf(stderr, " %s", engine_name(srv.reg->engines[i]));
    fputc('\n', stderr);
    while (!stop_requested) usleep(50000);
    fprintf(stderr, "mote serve: stopping (letting running requests finish for up to %d s)\n", cfg.drain_s);
    server_stop(&srv);
    fprintf(stderr, "mote serve: stopped\n");
out:
    mote_meter_free(meter);
    return status;
}
