/*
 * api_request.c — the four generation endpoints' request bodies read into a
 * gen_input (see api_request.h). Ollama and OpenAI spell the same controls
 * differently; the defaults for anything not given are llama.cpp's (the
 * same as `mote run`), so a request and the command line agree.
 */
#include "server/api_request.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/json_util.h"
#include "server/request_structured.h"

#define FAIL(status, ...)                         \
    do {                                          \
        snprintf(err, err_size, __VA_ARGS__);     \
        return (status);                          \
    } while (0)
#define TRY(expr)                                 \
    do {                                          \
        if ((expr) < 0) return 400;               \
    } while (0)

void gen_input_free(gen_input *in) {
    free(in->model);
    free(in->prompt);
    free(in->system);
    for (size_t i = 0; i < in->n_msgs; i++) {
        free((char *)in->msgs[i].role);
        free((char *)in->msgs[i].content);
    }
    free(in->msgs);
    for (int i = 0; i < in->n_stops; i++) free(in->stops[i]);
    mote_grammar_free(in->grammar);
    free(in->tools_json);
    free(in->tool_name);
    free(in->messages_json);
    memset(in, 0, sizeof *in);
}

/* The server's defaults (gen_input_set_defaults); set once before serving. */
static bool server_defaults_set;
static mote_sampler_params server_sampling;
static int32_t server_n_predict = -1;

void gen_input_set_defaults(const mote_sampler_params *sampling, int32_t n_predict) {
    server_sampling = *sampling;
    server_n_predict = n_predict;
    server_defaults_set = true;
}

/* Defaults shared by every endpoint. */
static void defaults(gen_input *in, bool stream) {
    memset(in, 0, sizeof *in);
    if (server_defaults_set) {
        in->sampling = server_sampling;
    } else {
        in->sampling = mote_sampler_default();
        in->sampling.seed = MOTE_SEED_RANDOM;
    }
    in->n_predict = server_n_predict;
    in->think = -1;
    in->stream = stream;
    in->keep_alive_ms = KEEP_ALIVE_DEFAULT;
}


/* The required "model" field. */
static int read_model(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    const char *model = NULL;
    TRY(json_get_string(root, "model", &model, err, err_size));
    if (!model || !*model) FAIL(400, "'model' is required");
    if (!(in->model = strdup(model))) FAIL(500, "out of memory");
    return 0;
}

/* "stop": a string or an array of strings. */
static int read_stops(const cJSON *obj, gen_input *in, char *err, size_t err_size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "stop");
    if (!v || cJSON_IsNull(v)) return 0;
    const cJSON *one = cJSON_IsString(v) ? v : NULL;
    if (!one && !cJSON_IsArray(v)) FAIL(400, "'stop' must be a string or an array of strings");
    int n = one ? 1 : cJSON_GetArraySize(v);
    if (n > GEN_MAX_STOPS) FAIL(400, "'stop' has %d strings; at most %d are allowed", n, GEN_MAX_STOPS);
    for (int i = 0; i < n; i++) {
        const cJSON *s = one ? one : cJSON_GetArrayItem(v, i);
        if (!cJSON_IsString(s)) FAIL(400, "'stop' must be a string or an array of strings");
        size_t len = strlen(s->valuestring);
        if (len == 0) continue; /* an empty stop string would end every answer at once */
        if (len > GEN_MAX_STOP_LEN) FAIL(400, "a stop string is longer than %d bytes", GEN_MAX_STOP_LEN);
        if (!(in->stops[in->n_stops] = strdup(s->valuestring))) FAIL(500, "out of memory");
        in->n_stops++;
    }
    return 0;
}

/* A seed: a whole number; negative means "random". */
static int read_seed(const cJSON *obj, gen_input *in, char *err, size_t err_size) {
    int64_t seed;
    int r = json_get_int(obj, "seed", -9007199254740991LL, 9007199254740991LL, &seed, err, err_size);
    if (r < 0) return 400;
    if (r > 0) in->sampling.seed = seed < 0 ? MOTE_SEED_RANDOM : (uint64_t)seed;
    return 0;
}

/* The sampling controls both APIs name the same way (and llama.cpp's extras). */
static int read_sampling(const cJSON *o, gen_input *in, char *err, size_t err_size) {
    double d;
    int64_t i;
    int r;
    mote_sampler_params *p = &in->sampling;
    TRY(r = json_get_double(o, "temperature", 0, 100, &d, err, err_size));
    if (r) p->temp = (float)d;
    TRY(r = json_get_double(o, "top_p", 0, 1, &d, err, err_size));
    if (r) p->top_p = (float)d;
    TRY(r = json_get_double(o, "min_p", 0, 1, &d, err, err_size));
    if (r) p->min_p = (float)d;
    TRY(r = json_get_int(o, "top_k", -1, 1000000000, &i, err, err_size));
    if (r) p->top_k = (int32_t)i;
    TRY(r = json_get_double(o, "repeat_penalty", 0, 100, &d, err, err_size));
    if (r) p->repeat_penalty = (float)d;
    TRY(r = json_get_int(o, "repeat_last_n", -1, 1000000000, &i, err, err_size));
    if (r) p->repeat_last_n = (int32_t)i;
    TRY(r = json_get_double(o, "presence_penalty", -2, 2, &d, err, err_size));
    if (r) p->presence_penalty = (float)d;
    TRY(r = json_get_double(o, "frequency_penalty", -2, 2, &d, err, err_size));
    if (r) p->frequency_penalty = (float)d;
    if (read_seed(o, in, err, err_size)) return 400;
    return read_stops(o, in, err, err_size);
}

/* A token budget: -1 (and Ollama's -2, "fill the context") mean no limit. */
static int read_budget(const cJSON *o, const char *key, gen_input *in, char *err, size_t err_size) {
    int64_t n;
    int r = json_get_int(o, key, -2, 2147483647, &n, err, err_size);
    if (r < 0) return 400;
    if (r > 0) in->n_predict = n < 0 ? -1 : (int32_t)n;
    return 0;
}

int64_t parse_keep_alive(const cJSON *v, char *err, size_t err_size) {
    if (cJSON_IsNumber(v)) {
        if (!isfinite(v->valuedouble)) goto bad;
        if (v->valuedouble < 0) return KEEP_ALIVE_FOREVER;
        if (v->valuedouble > 1e9) return KEEP_ALIVE_FOREVER;
        return (int64_t)(v->valuedouble * 1000.0);
    }
    if (!cJSON_IsString(v)) goto bad;
    const char *s = v->valuestring;
    if (*s == '-') return KEEP_ALIVE_FOREVER;
    double total = 0;
    bool any = false;
    while (*s) {
        char *end;
        double x = strtod(s, &end);
        if (end == s || !isfinite(x) || x < 0) goto bad;
        s = end;
        double unit = 1000; /* a bare number: seconds */
        if (!strncmp(s, "ms", 2)) unit = 1, s += 2;
        else if (*s == 'h') unit = 3600e3, s++;
        else if (*s == 'm') unit = 60e3, s++;
        else if (*s == 's') unit = 1e3, s++;
        else if (*s) goto bad;
        total += x * unit;
        any = true;
    }
    if (!any) goto bad;
    return total > 1e15 ? KEEP_ALIVE_FOREVER : (int64_t)total;
bad:
    snprintf(err, err_size, "'keep_alive' must be a number of seconds or a duration such as \"5m\"");
    return -3;
}

static int read_keep_alive(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "keep_alive");
    if (!v || cJSON_IsNull(v)) return 0;
    int64_t ms = parse_keep_alive(v, err, err_size);
    if (ms == -3) return 400;
    in->keep_alive_ms = ms;
    return 0;
}

/* Fields whose features are not built yet get a clear refusal. */
static int refuse_unsupported(const cJSON *root, bool openai, char *err, size_t err_size) {
    const cJSON *v;
    if (!openai && (v = cJSON_GetObjectItemCaseSensitive(root, "images")) && !cJSON_IsNull(v) &&
        !(cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0))
        FAIL(400, "'images' are not supported: mote runs text models only");
    if (openai) {
        int64_t n = 1;
        if (json_get_int(root, "n", 1, 1000000, &n, err, err_size) < 0) return 400;
        if (n != 1) FAIL(400, "'n' must be 1: one choice per request is supported");
        bool b = false;
        if (json_get_bool(root, "logprobs", &b, err, err_size) < 0) return 400;
        if (b) FAIL(400, "'logprobs' is not supported");
        if (json_get_bool(root, "echo", &b, err, err_size) < 0) return 400;
        if (b) FAIL(400, "'echo' is not supported");
    }
    return 0;
}

/* Append one message (copies). */
static int add_message(gen_input *in, const char *role, const char *content, char *err, size_t err_size) {
    if (in->n_msgs >= GEN_MAX_MESSAGES) FAIL(400, "too many messages (at most %d)", GEN_MAX_MESSAGES);
    mote_chat_message *m = realloc(in->msgs, (in->n_msgs + 1) * sizeof *m);
    if (!m) FAIL(500, "out of memory");
    in->msgs = m;
    m[in->n_msgs].role = strdup(role);
    m[in->n_msgs].content = strdup(content);
    in->n_msgs++;
    if (!m[in->n_msgs - 1].role || !m[in->n_msgs - 1].content) FAIL(500, "out of memory");
    return 0;
}

/* A message's role: the ones chat templates know ("developer" is OpenAI's newer "system"). */
static const char *message_role(const char *role) {
    static const char *const known[] = {"system", "user", "assistant", "tool"};
    if (!strcmp(role, "developer")) return "system";
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(role, known[i])) return known[i];
    return NULL;
}

/* "messages": [{"role", "content"}], content a string (or, for OpenAI, null or text parts). */
static int read_messages(const cJSON *root, gen_input *in, bool openai, char *err, size_t err_size) {
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(root, "messages");
    if (!msgs || cJSON_IsNull(msgs)) {
        if (openai) FAIL(400, "'messages' is required");
        return 0;
    }
    if (!cJSON_IsArray(msgs)) FAIL(400, "'messages' must be an array of {\"role\", \"content\"} objects");
    if (openai && cJSON_GetArraySize(msgs) == 0) FAIL(400, "'messages' must not be empty");
    int i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs) {
        if (!cJSON_IsObject(m)) FAIL(400, "messages[%d] must be an object", i);
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        if (!cJSON_IsString(role)) FAIL(400, "messages[%d].role must be a string", i);
        const char *r = message_role(role->valuestring);
        if (!r) FAIL(400, "messages[%d].role must be system, user, assistant or tool", i);
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
        const cJSON *images = cJSON_GetObjectItemCaseSensitive(m, "images");
        if (images && !cJSON_IsNull(images) && !(cJSON_IsArray(images) && !cJSON_GetArraySize(images)))
            FAIL(400, "messages[%d].images are not supported: mote runs text models only", i);
        char *text = NULL;
        if (!c || cJSON_IsNull(c)) {
            /* an assistant turn that only calls tools may leave the content out */
            if (!openai && !cJSON_GetObjectItemCaseSensitive(m, "tool_calls"))
                FAIL(400, "messages[%d].content is required", i);
            text = strdup("");
        } else if (cJSON_IsString(c)) {
            text = strdup(c->valuestring);
        } else if (openai && cJSON_IsArray(c)) {
            /* text parts, joined */
            size_t len = 0;
            const cJSON *part;
            cJSON_ArrayForEach(part, c) {
                const cJSON *type = cJSON_GetObjectItemCaseSensitive(part, "type");
                const cJSON *t = cJSON_GetObjectItemCaseSensitive(part, "text");
                if (!cJSON_IsString(type) || strcmp(type->valuestring, "text"))
                    FAIL(400, "messages[%d].content: only parts of type \"text\" are supported", i);
                if (!cJSON_IsString(t)) FAIL(400, "messages[%d].content: a text part needs a 'text' string", i);
                len += strlen(t->valuestring);
            }
            if (!(text = malloc(len + 1))) FAIL(500, "out of memory");
            text[0] = '\0';
            size_t at = 0;
            cJSON_ArrayForEach(part, c) {
                const char *t = cJSON_GetObjectItemCaseSensitive(part, "text")->valuestring;
                size_t n = strlen(t);
                memcpy(text + at, t, n + 1);
                at += n;
            }
        } else {
            FAIL(400, "messages[%d].content must be a string", i);
        }
        if (!text) FAIL(500, "out of memory");
        int rc = add_message(in, r, text, err, err_size);
        free(text);
        if (rc) return rc;
        i++;
    }
    return 0;
}

int parse_ollama_generate(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    defaults(in, true);
    int rc;
    if ((rc = read_model(root, in, err, err_size)) || (rc = refuse_unsupported(root, false, err, err_size)) ||
        (rc = read_ollama_format(root, in, err, err_size)) || (rc = read_raw_grammar(root, in, err, err_size)) ||
        (rc = read_keep_alive(root, in, err, err_size)))
        return rc;
    const char *prompt = NULL, *system = NULL, *suffix = NULL;
    bool raw = false, think = false;
    int r;
    TRY(json_get_string(root, "prompt", &prompt, err, err_size));
    TRY(json_get_string(root, "system", &system, err, err_size));
    TRY(json_get_string(root, "suffix", &suffix, err, err_size));
    if (suffix && *suffix) FAIL(400, "'suffix' (fill-in-the-middle) is not supported");
    TRY(json_get_bool(root, "raw", &raw, err, err_size));
    TRY(json_get_bool(root, "stream", &in->stream, err, err_size));
    TRY(r = json_get_bool(root, "think", &think, err, err_size));
    if (r) in->think = think;
    in->split_reasoning = in->think == 1;
    in->raw = raw;
    if ((prompt && !(in->prompt = strdup(prompt))) || (system && !(in->system = strdup(system))))
        FAIL(500, "out of memory");
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(root, "options");
    if (opts && !cJSON_IsNull(opts)) {
        if (!cJSON_IsObject(opts)) FAIL(400, "'options' must be an object");
        if ((rc = read_sampling(opts, in, err, err_size)) || (rc = read_budget(opts, "num_predict", in, err, err_size)))
            return rc;
        int64_t n;
        TRY(r = json_get_int(opts, "num_ctx", 0, 1 << 30, &n, err, err_size)); /* the engine sizes the context */
        if (r > 0) in->num_ctx = (int32_t)n; /* 0: as if not given */
    }
    return 0;
}

int parse_ollama_chat(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    int rc = parse_ollama_generate(root, in, err, err_size);
    if (rc) return rc;
    if (in->prompt || in->system || in->raw) {
        /* /api/chat has no prompt/system/raw: the messages carry everything */
        free(in->prompt);
        free(in->system);
        in->prompt = in->system = NULL;
        in->raw = false;
    }
    in->chat = true;
    if ((rc = read_tools(root, in, err, err_size)) || (rc = read_messages(root, in, false, err, err_size)))
        return rc;
    return read_message_extras(root, in, err, err_size);
}

/* What both OpenAI endpoints share. */
static int parse_openai_common(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    defaults(in, false);
    int rc;
    if ((rc = read_model(root, in, err, err_size)) || (rc = refuse_unsupported(root, true, err, err_size)) ||
        (rc = read_response_format(root, in, err, err_size)) || (rc = read_raw_grammar(root, in, err, err_size)) ||
        (rc = read_sampling(root, in, err, err_size)) || (rc = read_budget(root, "max_tokens", in, err, err_size)) ||
        (rc = read_budget(root, "max_completion_tokens", in, err, err_size)))
        return rc;
    if (in->n_predict == 0) FAIL(400, "'max_tokens' must be at least 1");
    TRY(json_get_bool(root, "stream", &in->stream, err, err_size));
    const cJSON *so = cJSON_GetObjectItemCaseSensitive(root, "stream_options");
    if (so && !cJSON_IsNull(so)) {
        if (!cJSON_IsObject(so)) FAIL(400, "'stream_options' must be an object");
        TRY(json_get_bool(so, "include_usage", &in->include_usage, err, err_size));
    }
    return 0;
}

int parse_openai_completion(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    int rc = parse_openai_common(root, in, err, err_size);
    if (rc) return rc;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "prompt");
    if (cJSON_IsArray(p) && cJSON_GetArraySize(p) == 1) p = cJSON_GetArrayItem(p, 0);
    if (!cJSON_IsString(p)) FAIL(400, "'prompt' must be a string (or an array of one string)");
    if (!(in->prompt = strdup(p->valuestring))) FAIL(500, "out of memory");
    const char *suffix = NULL;
    TRY(json_get_string(root, "suffix", &suffix, err, err_size));
    if (suffix && *suffix) FAIL(400, "'suffix' is not supported");
    in->raw = true;
    return 0;
}

int parse_openai_chat(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    int rc = parse_openai_common(root, in, err, err_size);
    if (rc) return rc;
    in->chat = true;
    /* llama.cpp's way to turn a Qwen 3's thinking off: chat_template_kwargs.enable_thinking */
    const cJSON *kw = cJSON_GetObjectItemCaseSensitive(root, "chat_template_kwargs");
    if (kw && !cJSON_IsNull(kw)) {
        if (!cJSON_IsObject(kw)) FAIL(400, "'chat_template_kwargs' must be an object");
        bool think = true;
        int r;
        TRY(r = json_get_bool(kw, "enable_thinking", &think, err, err_size));
        if (r) in->think = think;
    }
    in->split_reasoning = in->think != 0;
    if ((rc = read_tools(root, in, err, err_size)) || (rc = read_messages(root, in, true, err, err_size)))
        return rc;
    return read_message_extras(root, in, err, err_size);
}
