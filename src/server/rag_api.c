/*
 * rag_api.c — knowledge bases served as models, and /api/rag/search (see rag_api.h).
 */
#include "server/rag_api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mote_rag.h"
#include "server/api.h"
#include "server/json_util.h"
#include "server/server.h"

#define RAG_DEFAULT_K 5

typedef struct {
    char *name;
    mote_rag *kb;
    pthread_mutex_t mu;    /* a mote_rag is one-thread-at-a-time */
    const engine *e;       /* the model NAME */
} rag_model;

struct rag_models {
    rag_model *m;
    int n;
};

void rag_models_free(rag_models *ms) {
    if (!ms) return;
    for (int i = 0; i < ms->n; i++) {
        mote_rag_close(ms->m[i].kb);
        pthread_mutex_destroy(&ms->m[i].mu);
        free(ms->m[i].name);
    }
    free(ms->m);
    free(ms);
}

/* Parse "NAME=KB.sqlite[,model=CHAT]" into its parts (malloc'd copies in *buf). */
static int parse_spec(const char *spec, char **buf, const char **name, const char **db, const char **chat, char *err,
                      size_t err_size) {
    *buf = strdup(spec);
    if (!*buf) return snprintf(err, err_size, "out of memory"), -1;
    char *eq = strchr(*buf, '=');
    if (!eq || eq == *buf || !eq[1]) {
        snprintf(err, err_size, "--rag needs NAME=KB.sqlite[,model=CHAT], not '%s'", spec);
        return -1;
    }
    *eq = '\0';
    *name = *buf;
    *db = eq + 1;
    *chat = NULL;
    char *comma = strstr(eq + 1, ",model=");
    if (comma) {
        *comma = '\0';
        *chat = comma + 7;
    } else if (strchr(eq + 1, ',')) {
        snprintf(err, err_size, "--rag '%s': after the database only ',model=CHAT' is understood", spec);
        return -1;
    }
    return 0;
}

int rag_models_build(server *s, registry *r, char *err, size_t err_size) {
    if (s->cfg.n_rag_specs == 0) return 0;
    rag_models *ms = calloc(1, sizeof *ms);
    if (!ms || !(ms->m = calloc((size_t)s->cfg.n_rag_specs, sizeof *ms->m))) {
        free(ms);
        return snprintf(err, err_size, "out of memory"), -1;
    }
    r->rag = ms;
    for (int i = 0; i < s->cfg.n_rag_specs; i++) {
        char *buf = NULL;
        const char *name = NULL, *db = NULL, *chat = NULL;
        if (parse_spec(s->cfg.rag_specs[i], &buf, &name, &db, &chat, err, err_size)) {
            free(buf);
            return -1;
        }
        int rc = 0;
        /* CHAT: a served model's name, or a GGUF file; by default the first model */
        const engine *served = chat ? registry_find(r, chat) : r->n > 0 ? r->engines[0] : NULL;
        const char *chat_path = served ? engine_path(served) : chat;
        struct stat sb;
        if (!rc && !chat_path)
            rc = -1, snprintf(err, err_size, "--rag %s: no chat model to answer with (add ,model=CHAT or -m CHAT.gguf)", name);
        else if (!rc && stat(chat_path, &sb) != 0)
            rc = -1, snprintf(err, err_size, "--rag %s: '%s' is neither a served model nor a file", name, chat_path);
        mote_rag_params p = mote_rag_default_params();
        p.must_exist = true;
        p.n_threads = s->cfg.n_threads;
        rag_model *m = &ms->m[ms->n];
        if (!rc && mote_rag_open(db, &p, &m->kb)) rc = -1, snprintf(err, err_size, "--rag %s: %s", name, mote_last_error());
        if (!rc && registry_add(s, r, name, chat_path, err, err_size)) rc = -1;
        if (!rc) {
            pthread_mutex_init(&m->mu, NULL);
            m->name = strdup(name);
            m->e = r->engines[r->n - 1];
            ms->n++;
        } else mote_rag_close(m->kb);
        free(buf);
        if (rc) return -1;
    }
    return 0;
}

static rag_model *find_rag(server *s, const engine *e, const char *name) {
    rag_models *ms = s->reg ? s->reg->rag : NULL;
    for (int i = 0; ms && i < ms->n; i++)
        if ((e && ms->m[i].e == e) || (name && ms->m[i].e == registry_find(s->reg, name))) return &ms->m[i];
    return NULL;
}

int rag_api_augment(server *s, const engine *e, gen_input *in, char *err, size_t err_size) {
    rag_model *m = find_rag(s, e, NULL);
    if (!m || (in->n_msgs == 0 && !(in->prompt && *in->prompt))) return 0; /* (nothing to ask: Ollama's load request) */
    /* the question: the last user message, or the prompt */
    char **question = NULL;
    for (size_t i = in->n_msgs; i-- > 0 && !question;)
        if (!strcmp(in->msgs[i].role, "user")) question = (char **)&in->msgs[i].content;
    if (!question && in->prompt && *in->prompt) question = &in->prompt;
    if (!question || !**question)
        return snprintf(err, err_size, "'%s' answers from a knowledge base: send a question (a user message)", m->name),
               400;
    mote_rag_results res;
    pthread_mutex_lock(&m->mu);
    int st = mote_rag_search(m->kb, *question, RAG_DEFAULT_K, MOTE_RAG_HYBRID, &res);
    if (st) snprintf(err, err_size, "searching the knowledge base of '%s': %s", m->name, mote_last_error());
    pthread_mutex_unlock(&m->mu);
    if (st) return 500;
    char *prompt = NULL;
    st = mote_rag_prompt(*question, res.hits, res.n, &prompt);
    mote_rag_results_free(&res);
    if (st) return snprintf(err, err_size, "out of memory"), 500;
    free(*question);
    *question = prompt;
    return 0;
}

enum MHD_Result rag_api_search(http_req *r) {
    enum MHD_Result ret = MHD_NO;
    cJSON *body = api_parse_body(r, &ret);
    if (!body) return ret;
    char err[400] = "";
    const char *model = NULL, *query = NULL, *mode_name = "hybrid";
    int64_t k = RAG_DEFAULT_K;
    int bad = json_get_string(body, "model", &model, err, sizeof err) < 0 ||
              json_get_string(body, "query", &query, err, sizeof err) < 0 ||
              json_get_string(body, "mode", &mode_name, err, sizeof err) < 0 ||
              json_get_int(body, "k", 1, 1000, &k, err, sizeof err) < 0;
    int mode = mote_rag_mode_from_name(mode_name);
    rag_models *ms = r->srv->reg->rag;
    rag_model *m = model ? find_rag(r->srv, NULL, model) : ms && ms->n == 1 ? &ms->m[0] : NULL;
    if (bad) ret = http_send_error(r, 400, "%s", err);
    else if (!query || !*query) ret = http_send_error(r, 400, "'query' is required (the question to search for)");
    else if (mode < 0) ret = http_send_error(r, 400, "'mode' is hybrid, vector or keyword, not '%.40s'", mode_name);
    else if (!m && !model) ret = http_send_error(r, 400, "'model' is required: the name of a --rag knowledge base");
    else if (!m) ret = http_send_error(r, 404, "no knowledge base is served as '%.200s' (see mote serve --rag)", model);
    else {
        mote_rag_results res;
        pthread_mutex_lock(&m->mu);
        int st = mote_rag_search(m->kb, query, (int32_t)k, (mote_rag_mode)mode, &res);
        if (st) snprintf(err, sizeof err, "%s", mote_last_error());
        pthread_mutex_unlock(&m->mu);
        char *hits = NULL;
        if (st) ret = http_send_error(r, 500, "%s", err);
        else if (mote_rag_hits_json(&res, NULL, &hits)) ret = http_send_error(r, 500, "out of memory");
        else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "model", m->name);
            cJSON_AddStringToObject(o, "query", query);
            cJSON_AddStringToObject(o, "mode", mote_rag_mode_name((mote_rag_mode)mode));
            cJSON_AddItemToObject(o, "results", cJSON_Parse(hits));
            cJSON *t = cJSON_AddObjectToObject(o, "timings");
            cJSON_AddNumberToObject(t, "load_ms", res.load_s * 1e3);
            cJSON_AddNumberToObject(t, "embed_ms", res.embed_s * 1e3);
            cJSON_AddNumberToObject(t, "search_ms", res.search_s * 1e3);
            ret = http_send_json(r, 200, o);
        }
        free(hits);
        if (!st) mote_rag_results_free(&res);
    }
    cJSON_Delete(body);
    return ret;
}
