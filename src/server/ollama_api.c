/*
 * ollama_api.c — Ollama's API: /api/version, /api/tags, /api/ps, /api/show,
 * /api/generate and /api/chat (NDJSON streaming by default, timings in
 * nanoseconds), with Ollama's field names and shapes so its clients work
 * unchanged. Model management (pull, push, create, copy, delete) is
 * answered with 501: mote serves the GGUF files it was given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "server/answer.h"
#include "server/api.h"
#include "server/json_util.h"

/* --- wire formats of generate and chat ------------------------------------------ */

/* Ollama's done_reason. */
static const char *done_reason(const job *j) {
    if (j->kind == JOB_LOAD) return j->in.keep_alive_ms == 0 ? "unload" : "load";
    switch (j->reason) {
    case MOTE_STOP_LENGTH:
    case MOTE_STOP_CONTEXT: return "length";
    case MOTE_STOP_ERROR: return "error";
    default: return j->timed_out ? "length" : "stop";
    }
}

/* {"model", "created_at", "response"|"message"} with `text`. */
static cJSON *base_object(const job *j, const char *text, size_t len) {
    char now[48];
    api_now_rfc3339(now, sizeof now);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", j->model_name);
    cJSON_AddStringToObject(o, "created_at", now);
    char *t = malloc(len + 1);
    if (t) {
        if (len) memcpy(t, text, len);
        t[len] = '\0';
    }
    if (j->in.chat) {
        cJSON *m = cJSON_AddObjectToObject(o, "message");
        cJSON_AddStringToObject(m, "role", "assistant");
        cJSON_AddStringToObject(m, "content", t ? t : "");
    } else {
        cJSON_AddStringToObject(o, "response", t ? t : "");
    }
    free(t);
    return o;
}

/* Add reasoning text: message.thinking (chat) or thinking (generate). */
static void add_thinking(const job *j, cJSON *o, const char *text, size_t len) {
    char *t = malloc(len + 1);
    if (!t) return;
    memcpy(t, text, len);
    t[len] = '\0';
    cJSON_AddStringToObject(j->in.chat ? cJSON_GetObjectItemCaseSensitive(o, "message") : o, "thinking", t);
    free(t);
}

/* message.tool_calls as Ollama writes them: arguments as an object. */
static void add_tool_calls(const job *j, cJSON *o) {
    const mote_tool_calls *c = answer_calls(j);
    cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "message");
    if (!c || !m) return;
    cJSON *arr = cJSON_AddArrayToObject(m, "tool_calls");
    for (size_t i = 0; i < c->n_calls; i++) {
        cJSON *call = cJSON_CreateObject();
        cJSON *fn = cJSON_AddObjectToObject(call, "function");
        cJSON_AddNumberToObject(fn, "index", (double)i);
        cJSON_AddStringToObject(fn, "name", c->calls[i].name);
        cJSON *args = cJSON_Parse(c->calls[i].arguments);
        cJSON_AddItemToObject(fn, "arguments", args ? args : cJSON_CreateObject());
        cJSON_AddItemToArray(arr, call);
    }
}

/* Append the object as one NDJSON line (or the whole body) and free it. */
static void append_line(job *j, cJSON *o, bool newline) {
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return;
    sbuf_addstr(&j->out, s);
    if (newline) sbuf_add(&j->out, "\n", 1);
    cJSON_free(s);
}

static void add_stats(const job *j, cJSON *o) {
    cJSON_AddBoolToObject(o, "done", true);
    cJSON_AddStringToObject(o, "done_reason", done_reason(j));
    cJSON_AddNumberToObject(o, "total_duration", (double)(j->t_done - j->t_created));
    cJSON_AddNumberToObject(o, "load_duration", (double)j->load_ns);
    if (j->kind != JOB_GENERATE) return;
    /* as Ollama: the prompt tokens evaluated, not those found in the cache (prefix reuse) */
    cJSON_AddNumberToObject(o, "prompt_eval_count", j->tm.n_prompt);
    cJSON_AddNumberToObject(o, "prompt_eval_duration", (double)j->tm.prompt_ns);
    cJSON_AddNumberToObject(o, "eval_count", j->tm.n_eval);
    cJSON_AddNumberToObject(o, "eval_duration", (double)j->tm.eval_ns);
}

static void stream_text(job *j, const char *text, size_t len) {
    cJSON *o = base_object(j, text, len);
    cJSON_AddBoolToObject(o, "done", false);
    append_line(j, o, true);
}

static void stream_thinking(job *j, const char *text, size_t len) {
    cJSON *o = base_object(j, "", 0);
    add_thinking(j, o, text, len);
    cJSON_AddBoolToObject(o, "done", false);
    append_line(j, o, true);
}

static void stream_done(job *j) {
    if (j->reason == MOTE_STOP_ERROR) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "error", "evaluation failed");
        append_line(j, e, true);
        return;
    }
    if (answer_calls(j)) { /* the calls come in a chunk of their own before the last one, as Ollama's */
        cJSON *c = base_object(j, "", 0);
        add_tool_calls(j, c);
        cJSON_AddBoolToObject(c, "done", false);
        append_line(j, c, true);
    }
    cJSON *o = base_object(j, "", 0);
    add_stats(j, o);
    append_line(j, o, true);
}

static void whole_done(job *j) {
    cJSON *o = base_object(j, j->text.data ? j->text.data : "", j->text.len);
    const sbuf *th = answer_thinking(j);
    if (th) add_thinking(j, o, th->data, th->len);
    add_tool_calls(j, o);
    add_stats(j, o);
    append_line(j, o, false);
}

static const job_format STREAMED = {stream_text, stream_done, stream_thinking};
static const job_format WHOLE = {NULL, whole_done, NULL};

enum MHD_Result ollama_generate(http_req *r) {
    return api_run_generation(r, parse_ollama_generate, &STREAMED, &WHOLE, "application/x-ndjson", NULL);
}

enum MHD_Result ollama_chat(http_req *r) {
    return api_run_generation(r, parse_ollama_chat, &STREAMED, &WHOLE, "application/x-ndjson", NULL);
}

/* --- models ------------------------------------------------------------------------- */

enum MHD_Result ollama_version(http_req *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", mote_version());
    return http_send_json(r, 200, o);
}

/* "135.0M", "1.2B": Ollama's parameter_size. */
static void param_size(uint64_t n, char *out, size_t size) {
    if (n >= 1000000000ULL) snprintf(out, size, "%.1fB", (double)n / 1e9);
    else if (n >= 1000000ULL) snprintf(out, size, "%.1fM", (double)n / 1e6);
    else snprintf(out, size, "%.1fK", (double)n / 1e3);
}

/* The weight type most of the bytes are in ("Q4_K"), upper-case as Ollama writes it. */
static void quant_level(const mote_model_summary *sum, char *out, size_t size) {
    int best = -1;
    for (int t = 0; t < MOTE_TYPE_COUNT; t++)
        if (sum->type_bytes[t] && (best < 0 || sum->type_bytes[t] > sum->type_bytes[best])) best = t;
    const char *name = best >= 0 ? mote_type_name(best) : NULL;
    snprintf(out, size, "%s", name ? name : "unknown");
    for (char *p = out; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
}

/* "details" of a model, from its file (NULL if it cannot be read). */
static cJSON *details(const char *path, mote_gguf **keep) {
    mote_gguf *g;
    if (mote_gguf_open(path, &g) != MOTE_OK) return NULL;
    mote_model_summary sum;
    mote_gguf_summarize(g, &sum);
    cJSON *d = cJSON_CreateObject();
    char buf[32];
    cJSON_AddStringToObject(d, "parent_model", "");
    cJSON_AddStringToObject(d, "format", "gguf");
    cJSON_AddStringToObject(d, "family", sum.architecture ? sum.architecture : "");
    cJSON *fams = cJSON_AddArrayToObject(d, "families");
    cJSON_AddItemToArray(fams, cJSON_CreateString(sum.architecture ? sum.architecture : ""));
    param_size(sum.n_params, buf, sizeof buf);
    cJSON_AddStringToObject(d, "parameter_size", buf);
    quant_level(&sum, buf, sizeof buf);
    cJSON_AddStringToObject(d, "quantization_level", buf);
    if (keep) *keep = g;
    else mote_gguf_close(g);
    return d;
}

/* An RFC 3339 UTC time from unix milliseconds. */
static void rfc3339_ms(int64_t ms, char *out, size_t size) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%03dZ", base, (int)(ms % 1000));
}

/* One model entry of /api/tags or /api/ps. */
static cJSON *model_entry(engine *e) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "name", engine_name(e));
    cJSON_AddStringToObject(m, "model", engine_name(e));
    struct stat st = {0};
    char when[48] = "";
    if (stat(engine_path(e), &st) == 0) rfc3339_ms((int64_t)st.st_mtime * 1000, when, sizeof when);
    cJSON_AddStringToObject(m, "modified_at", when);
    cJSON_AddNumberToObject(m, "size", (double)st.st_size);
    cJSON_AddStringToObject(m, "digest", "");
    cJSON *d = details(engine_path(e), NULL);
    cJSON_AddItemToObject(m, "details", d ? d : cJSON_CreateObject());
    return m;
}

enum MHD_Result ollama_tags(http_req *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "models");
    for (int i = 0; i < r->srv->reg->n; i++) cJSON_AddItemToArray(arr, model_entry(r->srv->reg->engines[i]));
    return http_send_json(r, 200, o);
}

enum MHD_Result ollama_ps(http_req *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "models");
    for (int i = 0; i < r->srv->reg->n; i++) {
        engine *e = r->srv->reg->engines[i];
        engine_status st;
        engine_get_status(e, &st);
        if (!st.loaded) continue;
        cJSON *m = model_entry(e);
        cJSON_ReplaceItemInObject(m, "size", cJSON_CreateNumber((double)st.bytes));
        cJSON_AddNumberToObject(m, "size_vram", 0);
        char when[48] = "";
        if (st.expires_unix_ms) rfc3339_ms(st.expires_unix_ms, when, sizeof when);
        else snprintf(when, sizeof when, "9999-12-31T23:59:59.000Z"); /* kept loaded */
        cJSON_AddStringToObject(m, "expires_at", when);
        cJSON_AddNumberToObject(m, "context_length", st.n_ctx_slot);
        cJSON_AddItemToArray(arr, m);
    }
    return http_send_json(r, 200, o);
}

enum MHD_Result ollama_show(http_req *r) {
    enum MHD_Result ret;
    cJSON *root = api_parse_body(r, &ret);
    if (!root) return ret;
    const char *name = NULL;
    char err[256];
    if (json_get_string(root, "model", &name, err, sizeof err) < 0 ||
        (!name && json_get_string(root, "name", &name, err, sizeof err) < 0)) {
        cJSON_Delete(root);
        return http_send_error(r, 400, "%s", err);
    }
    engine *e = api_find_model(r, name, &ret);
    cJSON_Delete(root);
    if (!e) return ret;
    mote_gguf *g = NULL;
    cJSON *d = details(engine_path(e), &g);
    if (!d) return http_send_error(r, 500, "cannot read the model file: %s", mote_last_error());
    mote_model_summary sum;
    mote_gguf_summarize(g, &sum);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "license", mote_gguf_get_str(g, "general.license", ""));
    cJSON_AddStringToObject(o, "modelfile", "");
    cJSON_AddStringToObject(o, "parameters", "");
    cJSON_AddStringToObject(o, "template", mote_gguf_get_str(g, "tokenizer.chat_template", ""));
    cJSON_AddItemToObject(o, "details", d);
    cJSON *info = cJSON_AddObjectToObject(o, "model_info");
    const char *arch = sum.architecture ? sum.architecture : "";
    char key[160];
    cJSON_AddStringToObject(info, "general.architecture", arch);
    cJSON_AddNumberToObject(info, "general.parameter_count", (double)sum.n_params);
    snprintf(key, sizeof key, "%s.context_length", arch);
    cJSON_AddNumberToObject(info, key, (double)sum.context_length);
    snprintf(key, sizeof key, "%s.embedding_length", arch);
    cJSON_AddNumberToObject(info, key, (double)sum.embedding_length);
    snprintf(key, sizeof key, "%s.block_count", arch);
    cJSON_AddNumberToObject(info, key, (double)sum.block_count);
    cJSON_AddNumberToObject(info, "tokenizer.ggml.vocab_size", (double)sum.vocab_size);
    cJSON *caps = cJSON_AddArrayToObject(o, "capabilities");
    cJSON_AddItemToArray(caps, cJSON_CreateString("completion"));
    const char *tmpl_name = NULL;
    if (mote_chat_template_for_model(g, NULL, &tmpl_name) == MOTE_OK && tmpl_name && !strcmp(tmpl_name, "qwen3"))
        cJSON_AddItemToArray(caps, cJSON_CreateString("thinking"));
    if (mote_tool_format_detect(mote_gguf_get_str(g, "tokenizer.chat_template", NULL)))
        cJSON_AddItemToArray(caps, cJSON_CreateString("tools"));
    char mod[48] = "";
    struct stat st;
    if (stat(engine_path(e), &st) == 0) rfc3339_ms((int64_t)st.st_mtime * 1000, mod, sizeof mod);
    cJSON_AddStringToObject(o, "modified_at", mod);
    ret = http_send_json(r, 200, o);
    mote_gguf_close(g);
    return ret;
}

enum MHD_Result ollama_model_admin(http_req *r) {
    return http_send_error(r, 501, "%s is not supported: mote serves the GGUF files given with -m or --models", r->url);
}
