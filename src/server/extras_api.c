/*
 * extras_api.c — the endpoints outside the two APIs: the web page (or
 * "mote is running") at /, /health, /metrics, /tokenize and /detokenize
 * (llama-server's shapes).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api.h"
#include "server/json_util.h"
#include "server/web_page.h"

enum MHD_Result api_root(http_req *r) {
    const char *accept = http_header(r, "Accept");
    if (accept && strstr(accept, "text/html"))
        return http_send(r, 200, "text/html; charset=utf-8", web_index_html, web_index_html_len);
    return http_send(r, 200, "text/plain; charset=utf-8", "mote is running", 15);
}

enum MHD_Result api_health(http_req *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    return http_send_json(r, 200, o);
}

enum MHD_Result api_metrics(http_req *r) {
    char *text = metrics_render(r->srv);
    if (!text) return http_send_error(r, 500, "out of memory");
    enum MHD_Result ret = http_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
    free(text);
    return ret;
}

/* --- tokenize / detokenize, run on the model's engine thread ------------------------ */

static void tokenize_task(job *j, engine *e) {
    const cJSON *root = j->task_json;
    const char *text = cJSON_GetObjectItemCaseSensitive(root, "content")->valuestring;
    const cJSON *as = cJSON_GetObjectItemCaseSensitive(root, "add_special");
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(root, "parse_special");
    bool add_special = cJSON_IsTrue(as), parse_special = cJSON_IsTrue(ps);
    int32_t *toks = NULL;
    size_t n = 0;
    if (mote_tokenize_alloc(engine_vocab(e), text, strlen(text), add_special, parse_special, &toks, &n) != MOTE_OK) {
        job_fail(j, 400, "cannot tokenize: %s", mote_last_error());
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "tokens");
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, cJSON_CreateNumber(toks[i]));
    free(toks);
    api_task_answer(j, o);
}

static void detokenize_task(job *j, engine *e) {
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j->task_json, "tokens");
    int n = cJSON_GetArraySize(arr);
    int32_t *toks = malloc(((size_t)n + 1) * sizeof *toks);
    if (!toks) {
        job_fail(j, 500, "out of memory");
        return;
    }
    int32_t n_vocab = mote_vocab_n_tokens(engine_vocab(e));
    for (int i = 0; i < n; i++) {
        double v = cJSON_GetArrayItem(arr, i)->valuedouble;
        if (v < 0 || v >= n_vocab) {
            free(toks);
            job_fail(j, 400, "tokens[%d] = %.0f is not a token of this model (0..%d)", i, v, n_vocab - 1);
            return;
        }
        toks[i] = (int32_t)v;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = mote_detokenize(engine_vocab(e), toks, (size_t)n, MOTE_DETOK_STRIP_SPACE, &text, &len);
    free(toks);
    if (rc != MOTE_OK) {
        job_fail(j, 400, "cannot detokenize: %s", mote_last_error());
        return;
    }
    /* The text may end inside a character or hold invalid bytes: JSON needs valid UTF-8. */
    cJSON *o = cJSON_CreateObject();
    if (!json_utf8_valid(text, len)) {
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)text[i] >= 0x80) text[i] = '?';
    }
    cJSON_AddStringToObject(o, "content", text);
    free(text);
    api_task_answer(j, o);
}

/* Queue a task on the named model's engine and answer with what it produced. */
static enum MHD_Result run_task(http_req *r, cJSON *root, job_task_fn fn) {
    enum MHD_Result ret;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "model");
    if (m && !cJSON_IsNull(m) && !cJSON_IsString(m)) {
        cJSON_Delete(root);
        return http_send_error(r, 400, "'model' must be a string");
    }
    engine *e;
    job *j = api_new_task(r, root, cJSON_IsString(m) ? m->valuestring : NULL, fn, &e, &ret);
    return j ? api_run_task(r, e, j) : ret;
}

job *api_new_task(http_req *r, cJSON *root, const char *model, job_task_fn fn, engine **e, enum MHD_Result *ret) {
    *e = api_find_model(r, model, ret);
    if (!*e) {
        cJSON_Delete(root);
        return NULL;
    }
    job *j = job_new(JOB_TASK);
    if (!j) {
        cJSON_Delete(root);
        *ret = http_send_error(r, 500, "out of memory");
        return NULL;
    }
    j->task = fn;
    j->task_json = root;
    j->in.keep_alive_ms = KEEP_ALIVE_DEFAULT;
    return j;
}

void api_task_answer(job *j, cJSON *o) {
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    pthread_mutex_lock(&j->mu);
    if (s) sbuf_addstr(&j->out, s);
    pthread_mutex_unlock(&j->mu);
    cJSON_free(s);
}

enum MHD_Result api_run_task(http_req *r, engine *e, job *j) {
    enum MHD_Result ret;
    if (engine_submit(e, j)) {
        job_release(j);
        atomic_fetch_add(&r->srv->metrics.rejected_busy, 1);
        return http_send_error(r, 503, "the server is busy (queue full or shutting down): retry later");
    }
    if (!job_wait_finished(j, http_client_gone, r->conn)) {
        job_release(j);
        return MHD_NO;
    }
    if (j->status) ret = http_send_error(r, j->status, "%s", j->error);
    else ret = http_send(r, 200, "application/json; charset=utf-8", j->out.data ? j->out.data : "{}", j->out.len ? j->out.len : 2);
    job_release(j);
    return ret;
}

enum MHD_Result api_tokenize(http_req *r) {
    enum MHD_Result ret;
    cJSON *root = api_parse_body(r, &ret);
    if (!root) return ret;
    char err[256];
    const char *text = NULL;
    bool b;
    if (json_get_string(root, "content", &text, err, sizeof err) < 0 ||
        json_get_bool(root, "add_special", &b, err, sizeof err) < 0 ||
        json_get_bool(root, "parse_special", &b, err, sizeof err) < 0) {
        cJSON_Delete(root);
        return http_send_error(r, 400, "%s", err);
    }
    if (!text) {
        cJSON_Delete(root);
        return http_send_error(r, 400, "'content' (the text to tokenize) is required");
    }
    return run_task(r, root, tokenize_task);
}

enum MHD_Result api_detokenize(http_req *r) {
    enum MHD_Result ret;
    cJSON *root = api_parse_body(r, &ret);
    if (!root) return ret;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "tokens");
    bool ok = cJSON_IsArray(arr);
    const cJSON *t;
    if (ok)
        cJSON_ArrayForEach(t, arr) {
            if (!cJSON_IsNumber(t) || !(fabs(t->valuedouble) < 1e12) || floor(t->valuedouble) != t->valuedouble) ok = false;
        }
    if (!ok) {
        cJSON_Delete(root);
        return http_send_error(r, 400, "'tokens' must be an array of token ids");
    }
    return run_task(r, root, detokenize_task);
}
