/*
 * openai_api.c — OpenAI's API: /v1/models, /v1/chat/completions and
 * /v1/completions, whole or streamed as server-sent events ending with
 * "data: [DONE]", with usage (and stream_options.include_usage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "server/answer.h"
#include "server/api.h"

/* Per-request state of the OpenAI formats. */
typedef struct {
    char id[48];
    long created;
    bool role_sent;
} openai_state;

static openai_state *new_state(const char *prefix) {
    static atomic_ullong counter;
    openai_state *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->created = (long)time(NULL);
    unsigned long long n = atomic_fetch_add(&counter, 1) + 1;
    snprintf(s->id, sizeof s->id, "%s-%lx%llx", prefix, (unsigned long)s->created, n);
    return s;
}

static const char *finish_reason(const job *j) {
    if (answer_calls(j)) return "tool_calls";
    switch (j->reason) {
    case MOTE_STOP_LENGTH:
    case MOTE_STOP_CONTEXT: return "length";
    default: return j->timed_out ? "length" : "stop";
    }
}

static cJSON *usage(const job *j) {
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "prompt_tokens", j->n_prompt_total);
    cJSON_AddNumberToObject(u, "completion_tokens", j->tm.n_eval);
    cJSON_AddNumberToObject(u, "total_tokens", j->n_prompt_total + j->tm.n_eval);
    return u;
}

/* The envelope shared by every response and chunk. */
static cJSON *envelope(const job *j, const char *object) {
    const openai_state *s = j->api;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", s->id);
    cJSON_AddStringToObject(o, "object", object);
    cJSON_AddNumberToObject(o, "created", (double)s->created);
    cJSON_AddStringToObject(o, "model", j->model_name);
    cJSON_AddStringToObject(o, "system_fingerprint", "mote");
    return o;
}

static char *copy_text(const char *text, size_t len) {
    char *t = malloc(len + 1);
    if (!t) return NULL;
    if (len) memcpy(t, text, len);
    t[len] = '\0';
    return t;
}

/* One choice: chat chunks carry a delta, whole chats a message, completions text. */
static cJSON *choice(const job *j, const char *text, size_t len, bool chunk, const char *role, const char *finish) {
    cJSON *c = cJSON_CreateObject();
    cJSON_AddNumberToObject(c, "index", 0);
    char *t = copy_text(text, len);
    if (j->in.chat) {
        cJSON *m = cJSON_AddObjectToObject(c, chunk ? "delta" : "message");
        if (role) cJSON_AddStringToObject(m, "role", role);
        if (text) cJSON_AddStringToObject(m, "content", t ? t : "");
    } else {
        cJSON_AddStringToObject(c, "text", t ? t : "");
    }
    free(t);
    cJSON_AddNullToObject(c, "logprobs");
    if (finish) cJSON_AddStringToObject(c, "finish_reason", finish);
    else cJSON_AddNullToObject(c, "finish_reason");
    return c;
}

/* A string item from len bytes. */
static cJSON *string_of(const char *text, size_t len) {
    char *t = copy_text(text, len);
    cJSON *v = cJSON_CreateString(t ? t : "");
    free(t);
    return v;
}

/* tool_calls as OpenAI writes them: an id, type "function", arguments as
 * JSON text; stream chunks number them with "index". */
static cJSON *tool_calls_json(const job *j, bool chunk) {
    const mote_tool_calls *c = answer_calls(j);
    const openai_state *s = j->api;
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; c && i < c->n_calls; i++) {
        cJSON *call = cJSON_CreateObject();
        if (chunk) cJSON_AddNumberToObject(call, "index", (double)i);
        char id[80];
        if (c->calls[i].id) snprintf(id, sizeof id, "%s", c->calls[i].id);
        else snprintf(id, sizeof id, "call_%s_%zu", strchr(s->id, '-') ? strchr(s->id, '-') + 1 : s->id, i);
        cJSON_AddStringToObject(call, "id", id);
        cJSON_AddStringToObject(call, "type", "function");
        cJSON *fn = cJSON_AddObjectToObject(call, "function");
        cJSON_AddStringToObject(fn, "name", c->calls[i].name);
        cJSON_AddStringToObject(fn, "arguments", c->calls[i].arguments);
        cJSON_AddItemToArray(arr, call);
    }
    return arr;
}

/* Append "data: {json}\n\n" and free the object. */
static void sse(job *j, cJSON *o) {
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return;
    sbuf_addstr(&j->out, "data: ");
    sbuf_addstr(&j->out, s);
    sbuf_add(&j->out, "\n\n", 2);
    cJSON_free(s);
}

static const char *chunk_object(const job *j) { return j->in.chat ? "chat.completion.chunk" : "text_completion"; }

/* The chunk with the role that opens a streamed chat. */
static void send_role(job *j) {
    openai_state *s = j->api;
    if (s->role_sent || !j->in.chat) return;
    s->role_sent = true;
    cJSON *o = envelope(j, chunk_object(j));
    cJSON *arr = cJSON_AddArrayToObject(o, "choices");
    cJSON_AddItemToArray(arr, choice(j, "", 0, true, "assistant", NULL));
    sse(j, o);
}

static void stream_text(job *j, const char *text, size_t len) {
    send_role(j);
    cJSON *o = envelope(j, chunk_object(j));
    cJSON *arr = cJSON_AddArrayToObject(o, "choices");
    cJSON_AddItemToArray(arr, choice(j, text, len, true, NULL, NULL));
    sse(j, o);
}

/* A delta with one field (reasoning_content or tool_calls) in a chunk of its own. */
static void send_delta(job *j, const char *key, cJSON *value) {
    send_role(j);
    cJSON *o = envelope(j, chunk_object(j));
    cJSON *arr = cJSON_AddArrayToObject(o, "choices");
    cJSON *c = choice(j, NULL, 0, true, NULL, NULL);
    cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(c, "delta"), key, value);
    cJSON_AddItemToArray(arr, c);
    sse(j, o);
}

static void stream_thinking(job *j, const char *text, size_t len) {
    if (j->in.chat) send_delta(j, "reasoning_content", string_of(text, len));
}

static void stream_done(job *j) {
    if (j->reason == MOTE_STOP_ERROR) {
        sbuf_addstr(&j->out, "data: {\"error\":{\"message\":\"evaluation failed\",\"type\":\"server_error\"}}\n\n");
    } else {
        if (answer_calls(j)) send_delta(j, "tool_calls", tool_calls_json(j, true));
        send_role(j);
        cJSON *o = envelope(j, chunk_object(j));
        cJSON *arr = cJSON_AddArrayToObject(o, "choices");
        cJSON_AddItemToArray(arr, choice(j, NULL, 0, true, NULL, finish_reason(j)));
        sse(j, o);
        if (j->in.include_usage) {
            cJSON *u = envelope(j, chunk_object(j));
            cJSON_AddArrayToObject(u, "choices");
            cJSON_AddItemToObject(u, "usage", usage(j));
            sse(j, u);
        }
    }
    sbuf_addstr(&j->out, "data: [DONE]\n\n");
}

static void whole_done(job *j) {
    cJSON *o = envelope(j, j->in.chat ? "chat.completion" : "text_completion");
    cJSON *arr = cJSON_AddArrayToObject(o, "choices");
    const char *text = j->text.data ? j->text.data : "";
    cJSON *c = choice(j, text, j->text.len, false, "assistant", finish_reason(j));
    cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "message");
    const sbuf *th = answer_thinking(j);
    if (m && th) cJSON_AddItemToObject(m, "reasoning_content", string_of(th->data, th->len));
    if (m && answer_calls(j)) {
        if (!j->text.len) cJSON_ReplaceItemInObject(m, "content", cJSON_CreateNull());
        cJSON_AddItemToObject(m, "tool_calls", tool_calls_json(j, false));
    }
    cJSON_AddItemToArray(arr, c);
    cJSON_AddItemToObject(o, "usage", usage(j));
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (s) sbuf_addstr(&j->out, s);
    cJSON_free(s);
}

static const job_format STREAMED = {stream_text, stream_done, stream_thinking};
static const job_format WHOLE = {NULL, whole_done, NULL};

enum MHD_Result openai_chat(http_req *r) {
    openai_state *s = new_state("chatcmpl");
    if (!s) return http_send_error(r, 500, "out of memory");
    return api_run_generation(r, parse_openai_chat, &STREAMED, &WHOLE, "text/event-stream", s);
}

enum MHD_Result openai_completions(http_req *r) {
    openai_state *s = new_state("cmpl");
    if (!s) return http_send_error(r, 500, "out of memory");
    return api_run_generation(r, parse_openai_completion, &STREAMED, &WHOLE, "text/event-stream", s);
}

enum MHD_Result openai_models(http_req *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "list");
    cJSON *arr = cJSON_AddArrayToObject(o, "data");
    for (int i = 0; i < r->srv->reg->n; i++) {
        engine *e = r->srv->reg->engines[i];
        struct stat st = {0};
        stat(engine_path(e), &st);
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "id", engine_name(e));
        cJSON_AddStringToObject(m, "object", "model");
        cJSON_AddNumberToObject(m, "created", (double)st.st_mtime);
        cJSON_AddStringToObject(m, "owned_by", "mote");
        cJSON_AddItemToArray(arr, m);
    }
    return http_send_json(r, 200, o);
}
