/*
 * cmd_serve.c — `mote serve`: read the options, start the server
 * (src/server), wait for SIGTERM or SIGINT, then drain and exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "server/api_request.h"
#include "server/registry.h"
#include "server/server.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void serve_usage(FILE *out) {
    fprintf(out,
            "usage: mote serve (-m MODEL.gguf ... | --models DIR) [options]\n"
            "\n"
            "Serve models over HTTP with Ollama's API (/api/...), OpenAI's API (/v1/...)\n"
            "and a chat page at /. A model's name is its file name without .gguf; it is\n"
            "loaded on first use and unloaded after --keep-alive without requests.\n"
            "\n"
            "  -m, --model FILE        a model to serve (repeatable)\n"
            "      --models DIR        serve every *.gguf file in DIR\n"
            "      --host ADDR         address to listen on (default 127.0.0.1)\n"
            "      --port N            port (default 11434, Ollama's; 0: any free port)\n"
            "  -np, --parallel N       requests decoded together per model (default 4)\n"
            "  -c, --ctx-size N        context per request in tokens (default: the model's, at most 2048)\n"
            "  -t, --threads N         threads (default: the number of physical cores)\n"
            "  -ctk, -ctv TYPE         KV cache keys / values: f16 (default), q8_0 or q4_0 (less memory)\n"
            "      --queue N           requests that may wait per model beyond --parallel (default 64);\n"
            "                          more get 503 with Retry-After\n"
            "      --keep-alive DUR    unload a model after this long unused (default 5m; -1: never)\n"
            "      --max-loaded N      at most N models in memory: loading another unloads the least\n"
            "                          recently used idle one (default 0: no limit)\n"
            "      --api-key KEY       require 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'\n"
            "                          (/health and the page itself stay open)\n"
            "      --cors ORIGIN       allow browser pages from ORIGIN ('*' for any; default: none)\n"
            "      --max-body BYTES    largest request body (default 8388608)\n"
            "      --max-tokens N      most tokens per answer (default: until the context is full)\n"
            "      --request-timeout S stop a generation after S seconds (default 600; 0: never)\n"
            "      --timeout S         close a connection idle for S seconds (default 30)\n"
            "      --drain S           on SIGTERM, let running requests finish for S seconds (default 10)\n"
            "      --quiet             no request log on stderr\n"
            "  -h, --help              show this help\n");
}

/* A whole number in [min, max] for option `flag`, or -1 after printing why. */
static int parse_int(const char *flag, const char *s, long min, long max, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max) {
        fprintf(stderr, "mote serve: %s needs a whole number from %ld to %ld, not '%s'\n", flag, min, max, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_serve(int argc, char **argv) {
    server_config cfg;
    server_config_default(&cfg);
    const char **models = calloc((size_t)argc, sizeof *models);
    if (!models) return 1;
    cfg.model_paths = models;
    int status = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            serve_usage(stdout);
            status = 0;
            goto out;
        }
        if (!strcmp(a, "--quiet")) {
            cfg.quiet = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "mote serve: %s needs a value (or is unknown: run 'mote serve --help')\n", a);
            goto out;
        }
        const char *v = argv[++i];
        long n;
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) models[cfg.n_model_paths++] = v;
        else if (!strcmp(a, "--models")) cfg.models_dir = v;
        else if (!strcmp(a, "--host")) cfg.host = v;
        else if (!strcmp(a, "-ctk") || !strcmp(a, "--cache-type-k") || !strcmp(a, "-ctv") || !strcmp(a, "--cache-type-v")) *(strchr(a + 1, 'v') ? &cfg.type_v : &cfg.type_k) = mote_type_from_name(v);
        else if (!strcmp(a, "--api-key")) cfg.api_key = *v ? v : NULL;
        else if (!strcmp(a, "--cors")) cfg.cors_origin = *v ? v : NULL;
        else if (!strcmp(a, "--keep-alive")) {
            cJSON *s = cJSON_CreateString(v);
            char err[200];
            int64_t ms = s ? parse_keep_alive(s, err, sizeof err) : -3;
            cJSON_Delete(s);
            if (ms == -3) {
                fprintf(stderr, "mote serve: --keep-alive needs a duration such as 5m, 30s or -1, not '%s'\n", v);
                goto out;
            }
            cfg.keep_alive_ms = ms;
        } else if (!strcmp(a, "--port")) {
            if (parse_int(a, v, 0, 65535, &n)) goto out;
            cfg.port = (int)n;
        } else if (!strcmp(a, "-np") || !strcmp(a, "--parallel")) {
            if (parse_int(a, v, 1, 256, &n)) goto out;
            cfg.parallel = (int)n;
        } else if (!strcmp(a, "-c") || !strcmp(a, "--ctx-size")) {
            if (parse_int(a, v, 8, 1 << 20, &n)) goto out;
            cfg.n_ctx = (int)n;
        } else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) {
            if (parse_int(a, v, 1, 1024, &n)) goto out;
            cfg.n_threads = (int)n;
        } else if (!strcmp(a, "--max-loaded")) {
            if (parse_int(a, v, 0, 1 << 20, &n)) goto out;
            cfg.max_loaded = (int)n;
        } else if (!strcmp(a, "--queue")) {
            if (parse_int(a, v, 0, 100000, &n)) goto out;
            cfg.queue_max = (int)n;
        } else if (!strcmp(a, "--max-body")) {
            if (parse_int(a, v, 1024, 1L << 30, &n)) goto out;
            cfg.max_body = (size_t)n;
        } else if (!strcmp(a, "--max-tokens")) {
            if (parse_int(a, v, 1, 1 << 30, &n)) goto out;
            cfg.max_tokens = (int)n;
        } else if (!strcmp(a, "--request-timeout")) {
            if (parse_int(a, v, 0, 1 << 30, &n)) goto out;
            cfg.request_timeout_s = (int)n;
        } else if (!strcmp(a, "--timeout")) {
            if (parse_int(a, v, 1, 86400, &n)) goto out;
            cfg.conn_timeout_s = (int)n;
        } else if (!strcmp(a, "--drain")) {
            if (parse_int(a, v, 0, 86400, &n)) goto out;
            cfg.drain_s = (int)n;
        } else {
            fprintf(stderr, "mote serve: unknown option '%s' (run 'mote serve --help')\n", a);
            goto out;
        }
    }
    if (cfg.n_model_paths == 0 && !cfg.models_dir) {
        fprintf(stderr, "mote serve: no models: give -m MODEL.gguf (repeatable) or --models DIR\n");
        goto out;
    }

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    static server srv;
    char err[512];
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
    status = 0;
out:
    free(models);
    return status;
}
