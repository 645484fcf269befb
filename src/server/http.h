/*
 * http.h — the HTTP layer on libmicrohttpd: one thread per connection,
 * request bodies collected up to a limit, and the ways a handler answers
 * (JSON, plain text, an error in the API's own shape, or a job's output
 * streamed as it is produced). Every response carries the CORS headers when
 * --cors is set; nothing is ever read from disk.
 */
#ifndef MOTE_SERVER_HTTP_H
#define MOTE_SERVER_HTTP_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "server/job.h"
#include "server/server.h"

/* Which API's error shape a route uses. */
typedef enum { API_OLLAMA, API_OPENAI } api_style;

typedef struct {
    server *srv;
    struct MHD_Connection *conn;
    const char *method, *url;
    sbuf body;
    bool too_large;
    bool answered;
    api_style style;
    int status;                  /* of the response queued (for the log) */
    int64_t t_start;
} http_req;

/* Start the daemon on cfg->host:cfg->port; non-zero with err on failure. */
int http_start(server *s, char *err, size_t err_size);
/* Stop accepting new connections (in-flight ones go on). */
void http_quiesce(server *s);
void http_stop(server *s);

/* Answers. Each queues the response and returns what the MHD handler must return. */
enum MHD_Result http_send(http_req *r, int status, const char *content_type, const char *body, size_t len);
/* Takes ownership of json. */
enum MHD_Result http_send_json(http_req *r, int status, cJSON *json);
/* {"error": msg} for Ollama routes, {"error": {"message", "type", ...}} for OpenAI ones. */
enum MHD_Result http_send_error(http_req *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The job's output as it grows (chunked), until the job finishes; a client
 * that leaves cancels the job. Takes the caller's reference to j. */
enum MHD_Result http_send_stream(http_req *r, job *j, const char *content_type);

/* A request header's value, or NULL. */
const char *http_header(http_req *r, const char *name);
/* For job waits: true once the client has closed its connection. */
bool http_client_gone(void *conn);

#endif
