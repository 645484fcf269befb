/*
 * embed_api.c — embeddings: Ollama's /api/embed (and the older
 * /api/embeddings) and OpenAI's /v1/embeddings. The texts are tokenized and
 * pooled by the library (mote_embed_tokens) on the model's engine thread:
 * an embedding model (bert) with its own pooling, a decoder model with the
 * mean of its last hidden states, normalised (as Ollama does; the older
 * /api/embeddings returns them unnormalised, as Ollama's does).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "server/api.h"
#include "server/json_util.h"

#define EMBED_MAX_INPUTS 256

typedef enum { EMBED_OLLAMA, EMBED_OLLAMA_LEGACY, EMBED_OPENAI } embed_api;

/* The texts of a request: "input" (a string or an array of strings) or the legacy "prompt". */
static int read_inputs(const cJSON *root, embed_api api, const cJSON **items, int *n, char *err, size_t err_size) {
    const char *key = api == EMBED_OLLAMA_LEGACY ? "prompt" : "input";
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (cJSON_IsString(v)) {
        items[0] = v;
        *n = 1;
        return 0;
    }
    if (api != EMBED_OLLAMA_LEGACY && cJSON_IsArray(v)) {
        int count = cJSON_GetArraySize(v);
        if (count == 0 || count > EMBED_MAX_INPUTS) {
            snprintf(err, err_size, "'input' must hold 1 to %d strings", EMBED_MAX_INPUTS);
            return 400;
        }
        int i = 0;
        const cJSON *s;
        cJSON_ArrayForEach(s, v) {
            if (!cJSON_IsString(s)) {
                snprintf(err, err_size, "'input' must be a string or an array of strings (token arrays are not supported)");
                return 400;
            }
            items[i++] = s;
        }
        *n = count;
        return 0;
    }
    snprintf(err, err_size, "'%s' must be a string%s", key, api == EMBED_OLLAMA_LEGACY ? "" : " or an array of strings");
    return 400;
}

/* OpenAI's encoding_format "base64": the little-endian float32 bytes, base64-encoded (malloc'd). */
static char *base64_floats(const float *v, int32_t n) {
    static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = (size_t)n * 4;
    unsigned char *b = malloc(len ? len : 1);
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (!b || !out) {
        free(b);
        free(out);
        return NULL;
    }
    for (int32_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        for (int k = 0; k < 4; k++) b[i * 4 + k] = (unsigned char)(u >> (8 * k));
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t w = (uint32_t)b[i] << 16 | (i + 1 < len ? (uint32_t)b[i + 1] << 8 : 0) | (i + 2 < len ? b[i + 2] : 0);
        out[o++] = ALPHABET[w >> 18 & 63];
        out[o++] = ALPHABET[w >> 12 & 63];
        out[o++] = i + 1 < len ? ALPHABET[w >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? ALPHABET[w & 63] : '=';
    }
    out[o] = '\0';
    free(b);
    return out;
}

/* Engine thread: tokenize, embed one text at a time, write the response. */
static void embed_task(job *j, engine *e) {
    embed_api api = (embed_api)(intptr_t)j->task_arg;
    const cJSON *items[EMBED_MAX_INPUTS];
    int n = 0;
    char err[300];
    int st = read_inputs(j->task_json, api, items, &n, err, sizeof err);
    if (st) {
        job_fail(j, st, "%s", err);
        return;
    }
    mote_context *ctx = engine_embed_context(e);
    if (!ctx) {
        job_fail(j, 500, "cannot make a context for embeddings: %s", mote_last_error());
        return;
    }
    int32_t dim = mote_model_n_embd(engine_model(e));
    int32_t limit = mote_context_seq_capacity(ctx);
    mote_context_params defaults = mote_context_default_params();
    if (mote_model_is_embedding(engine_model(e)) && defaults.n_batch > 0 && defaults.n_batch < limit)
        limit = defaults.n_batch; /* an encoder sees a whole text in one batch */
    float *vecs = malloc((size_t)n * (size_t)dim * sizeof *vecs);
    if (!vecs) {
        job_fail(j, 500, "out of memory");
        return;
    }
    mote_embed_params p = mote_embed_default_params();
    p.normalize = api != EMBED_OLLAMA_LEGACY;
    int64_t n_tokens = 0;
    for (int i = 0; i < n; i++) {
        const char *text = items[i]->valuestring;
        int32_t *toks = NULL;
        size_t nt = 0;
        if (mote_tokenize_alloc(engine_vocab(e), text, strlen(text), true, false, &toks, &nt) != MOTE_OK || nt == 0 ||
            (int64_t)nt > limit) {
            free(toks);
            free(vecs);
            if (nt > 0 && (int64_t)nt > limit)
                job_fail(j, 400, "input %d is %zu tokens; at most %d fit (mote serve -c)", i, nt, limit);
            else
                job_fail(j, 400, "input %d cannot be embedded: %s", i, nt == 0 ? "it is empty" : mote_last_error());
            return;
        }
        const int32_t *one = toks;
        int32_t len = (int32_t)nt;
        int rc = mote_embed_tokens(ctx, &one, &len, 1, &p, vecs + (size_t)i * (size_t)dim);
        free(toks);
        if (rc != MOTE_OK) {
            free(vecs);
            job_fail(j, 500, "embedding failed: %s", mote_last_error());
            return;
        }
        n_tokens += len;
    }
    cJSON *o = cJSON_CreateObject();
    if (api == EMBED_OPENAI) {
        cJSON_AddStringToObject(o, "object", "list");
        cJSON *data = cJSON_AddArrayToObject(o, "data");
        for (int i = 0; i < n; i++) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "object", "embedding");
            cJSON_AddNumberToObject(d, "index", i);
            const float *v = vecs + (size_t)i * (size_t)dim;
            const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j->task_json, "encoding_format");
            if (cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "base64")) {
                char *b64 = base64_floats(v, dim);
                cJSON_AddStringToObject(d, "embedding", b64 ? b64 : "");
                free(b64);
            } else {
                cJSON_AddItemToObject(d, "embedding", cJSON_CreateFloatArray(v, dim));
            }
            cJSON_AddItemToArray(data, d);
        }
        cJSON_AddStringToObject(o, "model", j->model_name);
        cJSON *u = cJSON_AddObjectToObject(o, "usage");
        cJSON_AddNumberToObject(u, "prompt_tokens", (double)n_tokens);
        cJSON_AddNumberToObject(u, "total_tokens", (double)n_tokens);
    } else if (api == EMBED_OLLAMA_LEGACY) {
        cJSON_AddItemToObject(o, "embedding", cJSON_CreateFloatArray(vecs, dim));
    } else {
        cJSON_AddStringToObject(o, "model", j->model_name);
        cJSON *arr = cJSON_AddArrayToObject(o, "embeddings");
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateFloatArray(vecs + (size_t)i * (size_t)dim, dim));
        cJSON_AddNumberToObject(o, "total_duration", (double)(mote_now_ns() - j->t_created));
        cJSON_AddNumberToObject(o, "load_duration", (double)j->load_ns);
        cJSON_AddNumberToObject(o, "prompt_eval_count", (double)n_tokens);
    }
    free(vecs);
    api_task_answer(j, o);
}

/* Check the request here (a bad one never reaches the engine), then run it there. */
static enum MHD_Result embed(http_req *r, embed_api api) {
    enum MHD_Result ret;
    cJSON *root = api_parse_body(r, &ret);
    if (!root) return ret;
    const cJSON *items[EMBED_MAX_INPUTS];
    int n;
    char err[300];
    const char *model = NULL, *format = NULL;
    int st = read_inputs(root, api, items, &n, err, sizeof err);
    if (!st && json_get_string(root, "model", &model, err, sizeof err) < 0) st = 400;
    if (!st && json_get_string(root, "encoding_format", &format, err, sizeof err) < 0) st = 400;
    if (!st && format && strcmp(format, "float") && strcmp(format, "base64")) {
        snprintf(err, sizeof err, "'encoding_format' must be \"float\" or \"base64\"");
        st = 400;
    }
    if (st) {
        cJSON_Delete(root);
        return http_send_error(r, st, "%s", err);
    }
    engine *e;
    job *j = api_new_task(r, root, model, embed_task, &e, &ret);
    if (!j) return ret;
    j->task_arg = (void *)(intptr_t)api;
    const cJSON *ka = cJSON_GetObjectItemCaseSensitive(root, "keep_alive");
    if (ka && !cJSON_IsNull(ka)) {
        int64_t ms = parse_keep_alive(ka, err, sizeof err);
        if (ms == -3) {
            job_release(j);
            return http_send_error(r, 400, "%s", err);
        }
        j->in.keep_alive_ms = ms;
    }
    snprintf(j->model_name, sizeof j->model_name, "%s", engine_name(e));
    return api_run_task(r, e, j);
}

enum MHD_Result ollama_embed(http_req *r) { return embed(r, EMBED_OLLAMA); }
enum MHD_Result ollama_embeddings(http_req *r) { return embed(r, EMBED_OLLAMA_LEGACY); }
enum MHD_Result openai_embeddings(http_req *r) { return embed(r, EMBED_OPENAI); }
