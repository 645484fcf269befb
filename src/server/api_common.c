/*
 * api_common.c — what the generation endpoints share (see api.h): read and
 * check the request, find the model, queue the job (503 with Retry-After
 * when the queue is full), wait for the prompt to be accepted, then answer
 * with an error, a stream or a whole body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/api.h"
#include "server/json_util.h"
#include "server/rag_api.h"

cJSON *api_parse_body(http_req *r, enum MHD_Result *ret) {
    char err[256];
    cJSON *root = json_parse_body(r->body.data, r->body.len, r->srv->cfg.max_depth, true, err, sizeof err);
    if (!root) *ret = http_send_error(r, 400, "%s", err);
    return root;
}

engine *api_find_model(http_req *r, const char *name, enum MHD_Result *ret) {
    registry *reg = r->srv->reg;
    if (!name || !*name) {
        if (reg->n == 1) return reg->engines[0];
        *ret = http_send_error(r, 400, "'model' is required (this server has %d models: see /api/tags)", reg->n);
        return NULL;
    }
    engine *e = registry_find(reg, name);
    if (!e) *ret = http_send_error(r, 404, "model '%.200s' not found (see /api/tags for the models served)", name);
    return e;
}

void api_now_rfc3339(char *out, size_t size) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%09ldZ", base, (long)ts.tv_nsec);
}

enum MHD_Result api_run_generation(http_req *r, gen_parse_fn parse, const job_format *streamed,
                                   const job_format *whole, const char *stream_type, void *api_state) {
    enum MHD_Result ret = MHD_NO;
    job *j = job_new(JOB_GENERATE);
    if (!j) {
        free(api_state);
        return http_send_error(r, 500, "out of memory");
    }
    j->api = api_state;
    cJSON *root = api_parse_body(r, &ret);
    if (!root) {
        job_release(j);
        return ret;
    }
    char err[300];
    int st = parse(root, &j->in, err, sizeof err);
    cJSON_Delete(root);
    if (st) {
        job_release(j);
        return http_send_error(r, st, "%s", err);
    }
    engine *e = api_find_model(r, j->in.model, &ret);
    if (!e) {
        job_release(j);
        return ret;
    }
    /* a knowledge base's model: the passages go into the question first */
    if ((st = rag_api_augment(r->srv, e, &j->in, err, sizeof err))) {
        job_release(j);
        return http_send_error(r, st, "%s", err);
    }
    snprintf(j->model_name, sizeof j->model_name, "%s", engine_name(e));
    /* Ollama: no prompt and no messages only loads (or, with keep_alive 0, unloads) the model */
    if (r->style == API_OLLAMA && !(j->in.prompt && *j->in.prompt) && j->in.n_msgs == 0) j->kind = JOB_LOAD;
    j->format = j->in.stream && j->kind == JOB_GENERATE ? streamed : whole;
    j->max_predict = r->srv->cfg.max_tokens;
    st = engine_submit(e, j);
    if (st) {
        job_release(j);
        atomic_fetch_add(&r->srv->metrics.rejected_busy, 1);
        return http_send_error(r, st, "the server is busy (queue full or shutting down): retry later");
    }
    if (!job_wait_started(j, http_client_gone, r->conn)) {
        job_release(j); /* the client left; the engine drops the job */
        return MHD_NO;
    }
    pthread_mutex_lock(&j->mu);
    bool failed = j->finished && j->status;
    pthread_mutex_unlock(&j->mu);
    if (failed) {
        ret = http_send_error(r, j->status, "%s", j->error);
        job_release(j);
        return ret;
    }
    if (j->format == streamed) return http_send_stream(r, j, stream_type);
    if (!job_wait_finished(j, http_client_gone, r->conn)) {
        job_release(j);
        return MHD_NO;
    }
    if (j->status) ret = http_send_error(r, j->status, "%s", j->error);
    else ret = http_send(r, 200, "application/json; charset=utf-8", j->out.data ? j->out.data : "", j->out.len);
    job_release(j);
    return ret;
}
