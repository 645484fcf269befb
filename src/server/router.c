/*
 * router.c — the route table and the checks before a handler runs (see router.h).
 */
#include "server/router.h"

#include <string.h>
#include <strings.h>

#include "server/api.h"
#include "server/rag_api.h"

typedef struct {
    const char *method;  /* "GET" routes also answer HEAD */
    const char *path;
    enum MHD_Result (*handler)(http_req *r);
    bool open;           /* answered without the API key */
} route;

static const route ROUTES[] = {
    {"GET", "/", api_root, true},
    {"GET", "/health", api_health, true},
    {"GET", "/metrics", api_metrics, false},
    {"POST", "/tokenize", api_tokenize, false},
    {"POST", "/detokenize", api_detokenize, false},
    {"GET", "/api/version", ollama_version, false},
    {"GET", "/api/tags", ollama_tags, false},
    {"GET", "/api/ps", ollama_ps, false},
    {"POST", "/api/show", ollama_show, false},
    {"POST", "/api/generate", ollama_generate, false},
    {"POST", "/api/chat", ollama_chat, false},
    {"POST", "/api/embed", ollama_embed, false},
    {"POST", "/api/embeddings", ollama_embeddings, false},
    {"POST", "/api/pull", ollama_model_admin, false},
    {"POST", "/api/push", ollama_model_admin, false},
    {"POST", "/api/create", ollama_model_admin, false},
    {"POST", "/api/copy", ollama_model_admin, false},
    {"DELETE", "/api/delete", ollama_model_admin, false},
    {"GET", "/v1/models", openai_models, false},
    {"POST", "/v1/chat/completions", openai_chat, false},
    {"POST", "/v1/completions", openai_completions, false},
    {"POST", "/v1/embeddings", openai_embeddings, false},
    {"POST", "/api/rag/search", rag_api_search, false},
};

/* Compare in constant time, so the key cannot be guessed byte by byte from timings. */
static bool same_secret(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < la; i++) diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return diff == 0;
}

/* Bearer token or X-Api-Key equal to --api-key. */
static bool authorized(http_req *r) {
    const char *key = r->srv->cfg.api_key;
    const char *x = http_header(r, "X-Api-Key");
    if (x && same_secret(x, key)) return true;
    const char *auth = http_header(r, "Authorization");
    if (auth && !strncasecmp(auth, "Bearer ", 7)) {
        auth += 7;
        while (*auth == ' ') auth++;
        return same_secret(auth, key);
    }
    return false;
}

enum MHD_Result router_dispatch(http_req *r) {
    if (!strcmp(r->method, "OPTIONS")) {
        if (r->srv->cfg.cors_origin) return http_send(r, 204, NULL, "", 0);
        return http_send_error(r, 405, "OPTIONS is answered only with --cors");
    }
    const char *method = !strcmp(r->method, "HEAD") ? "GET" : r->method;
    bool path_known = false;
    for (size_t i = 0; i < sizeof ROUTES / sizeof *ROUTES; i++) {
        const route *rt = &ROUTES[i];
        if (strcmp(rt->path, r->url)) continue;
        path_known = true;
        if (strcmp(rt->method, method)) continue;
        if (!rt->open && r->srv->cfg.api_key && !authorized(r))
            return http_send_error(r, 401, "a valid API key is needed (Authorization: Bearer KEY, or X-Api-Key: KEY)");
        return rt->handler(r);
    }
    if (path_known) return http_send_error(r, 405, "%s is not allowed on %s", r->method, r->url);
    return http_send_error(r, 404, "no endpoint %s %s", r->method, r->url);
}
