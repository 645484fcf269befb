/*
 * http.c — libmicrohttpd glue (see http.h): the access handler that collects
 * the body within the limit and hands complete requests to the router, the
 * response helpers, and the streaming reader that drains a job's output.
 *
 * Threading: MHD_USE_THREAD_PER_CONNECTION, so a handler may block while a
 * job waits in the queue or generates; every wait polls the socket so a
 * client that hangs up cancels its job within ~100 ms.
 */
#include "server/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <time.h>

#include "core/clock.h"
#include "server/dynlib.h"
#include "server/router.h"

/* libmicrohttpd's functions, opened by http_start (see dynlib.h: not linked,
 * so that only `mote serve` maps it and GnuTLS). */
static struct {
    __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
    __typeof__(MHD_get_connection_info) *get_connection_info;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
    __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
    __typeof__(MHD_create_response_from_callback) *create_response_from_callback;
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_get_daemon_info) *get_daemon_info;
    __typeof__(MHD_quiesce_daemon) *quiesce_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
} mhd;

/* Debian 12's libmicrohttpd12 ABI, the one libmicrohttpd-dev's header describes. */
#define MHD_SONAME "libmicrohttpd.so.12"

/* Fill `mhd` once; false with a one-line message in err. */
static bool load_microhttpd(char *err, size_t err_size) {
    static bool loaded;
    if (loaded) return true;
#define MHD_SYMBOL(n) {"MHD_" #n, (void (**)(void))&mhd.n}
    const dynlib_symbol symbols[] = {
        MHD_SYMBOL(lookup_connection_value),
        MHD_SYMBOL(get_connection_info),
        MHD_SYMBOL(add_response_header),
        MHD_SYMBOL(queue_response),
        MHD_SYMBOL(destroy_response),
        MHD_SYMBOL(create_response_from_buffer),
        MHD_SYMBOL(create_response_from_callback),
        MHD_SYMBOL(start_daemon),
        MHD_SYMBOL(get_daemon_info),
        MHD_SYMBOL(quiesce_daemon),
        MHD_SYMBOL(stop_daemon),
    };
#undef MHD_SYMBOL
    loaded = dynlib_load(MHD_SONAME, "libmicrohttpd12", symbols, sizeof symbols / sizeof symbols[0], err, err_size);
    return loaded;
}

const char *http_header(http_req *r, const char *name) {
    return mhd.lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

bool http_client_gone(void *conn) {
    const union MHD_ConnectionInfo *ci = mhd.get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return true;
    char c;
    ssize_t n = recv(ci->connect_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;
    return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

/* Headers every response gets. */
static void common_headers(http_req *r, struct MHD_Response *resp) {
    const server_config *cfg = &r->srv->cfg;
    if (cfg->cors_origin) {
        mhd.add_response_header(resp, "Access-Control-Allow-Origin", cfg->cors_origin);
        mhd.add_response_header(resp, "Access-Control-Allow-Methods", "GET, POST, HEAD, OPTIONS");
        mhd.add_response_header(resp, "Access-Control-Allow-Headers", "Authorization, Content-Type, X-Api-Key");
        mhd.add_response_header(resp, "Access-Control-Max-Age", "600");
        if (strcmp(cfg->cors_origin, "*")) mhd.add_response_header(resp, "Vary", "Origin");
    }
    mhd.add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r->status == 503) mhd.add_response_header(resp, "Retry-After", "1");
}

static void count_status(http_req *r, int status) {
    r->status = status;
    if (status >= 500) atomic_fetch_add(&r->srv->metrics.responses_5xx, 1);
    else if (status >= 400) atomic_fetch_add(&r->srv->metrics.responses_4xx, 1);
}

static enum MHD_Result queue(http_req *r, int status, struct MHD_Response *resp) {
    count_status(r, status);
    common_headers(r, resp);
    enum MHD_Result ret = mhd.queue_response(r->conn, (unsigned)status, resp);
    mhd.destroy_response(resp);
    r->answered = true;
    return ret;
}

enum MHD_Result http_send(http_req *r, int status, const char *content_type, const char *body, size_t len) {
    struct MHD_Response *resp = mhd.create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    if (content_type) mhd.add_response_header(resp, "Content-Type", content_type);
    return queue(r, status, resp);
}

enum MHD_Result http_send_json(http_req *r, int status, cJSON *json) {
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (!text) return http_send(r, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
    enum MHD_Result ret = http_send(r, status, "application/json; charset=utf-8", text, strlen(text));
    cJSON_free(text);
    return ret;
}

/* OpenAI's error type for a status. */
static const char *openai_error_type(int status) {
    switch (status) {
    case 401: return "authentication_error";
    case 404: return "not_found_error";
    case 429:
    case 503: return "server_busy";
    case 501: return "not_implemented_error";
    default: return status >= 500 ? "server_error" : "invalid_request_error";
    }
}

enum MHD_Result http_send_error(http_req *r, int status, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *root = cJSON_CreateObject();
    if (r->style == API_OPENAI) {
        cJSON *e = cJSON_AddObjectToObject(root, "error");
        cJSON_AddStringToObject(e, "message", msg);
        cJSON_AddStringToObject(e, "type", openai_error_type(status));
        cJSON_AddNullToObject(e, "param");
        cJSON_AddNullToObject(e, "code");
    } else {
        cJSON_AddStringToObject(root, "error", msg);
    }
    r->status = status; /* so common_headers adds Retry-After to a 503 */
    return http_send_json(r, status, root);
}

/* --- streaming a job ---------------------------------------------------------- */

typedef struct {
    job *j;
    struct MHD_Connection *conn;
    size_t sent;
} stream_ctx;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    stream_ctx *sc = cls;
    job *j = sc->j;
    pthread_mutex_lock(&j->mu);
    while (sc->sent == j->out.len && !j->finished) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        if (pthread_cond_timedwait(&j->cv, &j->mu, &ts) == ETIMEDOUT && http_client_gone(sc->conn)) {
            atomic_store(&j->cancelled, true);
            pthread_mutex_unlock(&j->mu);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    if (sc->sent == j->out.len) {
        pthread_mutex_unlock(&j->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = j->out.len - sc->sent;
    if (n > max) n = max;
    memcpy(buf, j->out.data + sc->sent, n);
    sc->sent += n;
    pthread_mutex_unlock(&j->mu);
    return (ssize_t)n;
}

static void stream_free(void *cls) {
    stream_ctx *sc = cls;
    /* the connection is done with it: if the job still runs, nobody is listening */
    atomic_store(&sc->j->cancelled, true);
    job_release(sc->j);
    free(sc);
}

enum MHD_Result http_send_stream(http_req *r, job *j, const char *content_type) {
    stream_ctx *sc = calloc(1, sizeof *sc);
    if (!sc) {
        job_release(j);
        return MHD_NO;
    }
    sc->j = j;
    sc->conn = r->conn;
    struct MHD_Response *resp = mhd.create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, sc, stream_free);
    if (!resp) {
        stream_free(sc);
        return MHD_NO;
    }
    mhd.add_response_header(resp, "Content-Type", content_type);
    mhd.add_response_header(resp, "Cache-Control", "no-cache");
    mhd.add_response_header(resp, "X-Accel-Buffering", "no"); /* nginx: do not buffer the stream */
    return queue(r, 200, resp);
}

/* --- the access handler ---------------------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls) {
    (void)version;
    server *s = cls;
    http_req *r = *con_cls;
    if (!r) {
        if (!(r = calloc(1, sizeof *r))) return MHD_NO;
        r->srv = s;
        r->conn = conn;
        r->method = method;
        r->url = url;
        r->t_start = mote_now_ns();
        r->style = !strncmp(url, "/v1/", 4) ? API_OPENAI : API_OLLAMA;
        *con_cls = r;
        atomic_fetch_add(&s->metrics.requests, 1);
        const char *cl = http_header(r, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > s->cfg.max_body) {
            r->too_large = true;
            return http_send_error(r, 413, "the request body is larger than %zu bytes", s->cfg.max_body);
        }
        return MHD_YES;
    }
    if (r->answered) { /* an early answer (413): drop whatever still arrives */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->body.len + *upload_size > s->cfg.max_body) {
            r->too_large = true;
            *upload_size = 0;
            return http_send_error(r, 413, "the request body is larger than %zu bytes", s->cfg.max_body);
        }
        if (!sbuf_add(&r->body, upload_data, *upload_size)) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    return router_dispatch(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)conn;
    (void)toe;
    server *s = cls;
    http_req *r = *con_cls;
    if (!r) return;
    if (!s->cfg.quiet)
        fprintf(stderr, "mote serve: %s %s %d %.1f ms\n", r->method, r->url, r->status,
                (double)(mote_now_ns() - r->t_start) / 1e6);
    sbuf_free(&r->body);
    free(r);
    *con_cls = NULL;
}

int http_start(server *s, char *err, size_t err_size) {
    if (!load_microhttpd(err, err_size)) return -1;
    const server_config *cfg = &s->cfg;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
    char port[16];
    snprintf(port, sizeof port, "%d", cfg->port);
    int gai = getaddrinfo(cfg->host, port, &hints, &ai);
    if (gai != 0 || !ai) {
        snprintf(err, err_size, "--host '%s' is not a numeric IPv4 or IPv6 address (%s)", cfg->host, gai_strerror(gai));
        return -1;
    }
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = mhd.start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        snprintf(err, err_size, "cannot listen on %s port %d (in use, or not an address of this machine)", cfg->host,
                 cfg->port);
        return -1;
    }
    s->daemon = d;
    return 0;
}

int server_port(const server *s) {
    const union MHD_DaemonInfo *di = mhd.get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

void http_quiesce(server *s) {
    if (s->daemon) {
        MHD_socket fd = mhd.quiesce_daemon(s->daemon);
        if (fd != MHD_INVALID_SOCKET) close(fd);
    }
}

void http_stop(server *s) {
    if (s->daemon) mhd.stop_daemon(s->daemon);
    s->daemon = NULL;
}
