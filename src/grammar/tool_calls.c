/*
 * tool_calls.c — reading the function calls a model wrote (mote.h section
 * 7c). Each family writes them its own way:
 *
 *   hermes     Qwen 2.5 / 3, Hermes, SmolLM3: <tool_call>{"name": ..,
 *              "arguments": {..}}</tool_call>, one block per call
 *   llama3     Llama 3.1 / 3.2 / 3.3: the whole answer is {"name": ..,
 *              "parameters": {..}} (several separated by ";"), or
 *              <|python_tag|> followed by such JSON or by a built-in tool
 *              call name.call(key="value", ...)
 *   phi4-mini  <|tool_call|>[{"name": .., "arguments": {..}}, ..]<|/tool_call|>
 *   mistral    [TOOL_CALLS][{"name": .., "arguments": {..}, "id": ..}, ..]
 *              or (v11+) [TOOL_CALLS]name[ARGS]{..} per call
 *
 * Text outside the calls is the answer's content. Arguments are returned
 * as compact JSON text (an "arguments" string holding JSON is unwrapped).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "core/error.h"
#include "grammar/gtext.h"

typedef enum { TF_HERMES, TF_LLAMA3, TF_PHI4, TF_MISTRAL } tool_format;

int mote_tool_format_resolve(const char *name, const char **canonical) {
    static const struct {
        const char *alias, *format;
    } names[] = {
        {"hermes", "hermes"}, {"qwen3", "hermes"}, {"qwen2.5", "hermes"}, {"qwen", "hermes"}, {"chatml", "hermes"},
        {"llama3", "llama3"}, {"llama3.1", "llama3"}, {"llama3.2", "llama3"}, {"llama3.3", "llama3"},
        {"phi4-mini", "phi4-mini"}, {"phi4", "phi4-mini"}, {"mistral", "mistral"},
    };
    for (size_t i = 0; name && i < sizeof names / sizeof *names; i++)
        if (!strcasecmp(name, names[i].alias)) {
            if (canonical) *canonical = names[i].format;
            return MOTE_OK;
        }
    return mote_fail(MOTE_ERR_NOT_FOUND, "tool calls: unknown format '%s' (hermes, qwen3, llama3, phi4-mini, mistral)",
                     name ? name : "(null)");
}

const char *mote_tool_format_detect(const char *jinja) {
    if (!jinja) return NULL;
    if (strstr(jinja, "<tool_call>")) return "hermes";
    if (strstr(jinja, "<|tool_call|>")) return "phi4-mini";
    if (strstr(jinja, "[TOOL_CALLS]")) return "mistral";
    if (strstr(jinja, "<|python_tag|>") || strstr(jinja, "ipython")) return "llama3";
    return NULL;
}

static tool_format format_of(const char *canonical) {
    return !strcmp(canonical, "hermes") ? TF_HERMES : !strcmp(canonical, "llama3") ? TF_LLAMA3
           : !strcmp(canonical, "phi4-mini") ? TF_PHI4 : TF_MISTRAL;
}

void mote_tool_calls_free(mote_tool_calls *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n_calls; i++) {
        free(c->calls[i].name);
        free(c->calls[i].arguments);
        free(c->calls[i].id);
    }
    free(c->calls);
    free(c->content);
    memset(c, 0, sizeof *c);
}

static bool add_call(mote_tool_calls *out, const char *name, size_t name_len, const char *args, const char *id) {
    mote_tool_call *n = realloc(out->calls, (out->n_calls + 1) * sizeof *n);
    if (!n) return false;
    out->calls = n;
    mote_tool_call *c = &n[out->n_calls];
    c->name = malloc(name_len + 1);
    c->arguments = strdup(args ? args : "{}");
    c->id = id ? strdup(id) : NULL;
    if (!c->name || !c->arguments || (id && !c->id)) {
        free(c->name);
        free(c->arguments);
        free(c->id);
        return false;
    }
    memcpy(c->name, name, name_len);
    c->name[name_len] = '\0';
    out->n_calls++;
    return true;
}

/* A call from a JSON object with a name and arguments under one of the
 * given keys; false if it is not one. *nomem is set on allocation failure. */
static bool call_from_object(mote_tool_calls *out, const cJSON *obj, bool *nomem) {
    if (!cJSON_IsObject(obj)) return false;
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(obj, "function");
    if (cJSON_IsObject(fn)) obj = fn; /* {"type": "function", "function": {...}} */
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (!cJSON_IsString(name) || !name->valuestring[0]) return false;
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(obj, "arguments");
    if (!args) args = cJSON_GetObjectItemCaseSensitive(obj, "parameters");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
    char *text = NULL;
    if (cJSON_IsString(args)) {
        /* arguments already encoded as a JSON string: keep it if it is JSON */
        cJSON *inner = cJSON_Parse(args->valuestring);
        text = inner ? cJSON_PrintUnformatted(inner) : NULL;
        cJSON_Delete(inner);
        if (!text) return false;
    } else if (args) {
        if (!(text = cJSON_PrintUnformatted(args))) return *nomem = true, false;
    }
    bool ok = add_call(out, name->valuestring, strlen(name->valuestring), text ? text : "{}",
                       cJSON_IsString(id) ? id->valuestring : NULL);
    free(text);
    if (!ok) *nomem = true;
    return ok;
}

/* One JSON value at the start of s (after blanks); its end in *end. */
static cJSON *json_at(const char *s, size_t len, const char **end) {
    size_t skip = 0;
    while (skip < len && isspace((unsigned char)s[skip])) skip++;
    const char *e = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(s + skip, len - skip, &e, false);
    *end = v ? e : s;
    return v;
}

/* Calls from a JSON value: one object or an array of them. */
static bool calls_from_json(mote_tool_calls *out, const cJSON *v, bool *nomem) {
    if (cJSON_IsArray(v)) {
        bool any = false;
        for (const cJSON *e = v->child; e; e = e->next) any |= call_from_object(out, e, nomem);
        return any;
    }
    return call_from_object(out, v, nomem);
}

static const char *find(const char *s, const char *end, const char *needle) {
    size_t n = strlen(needle);
    for (const char *p = s; p + n <= end; p++)
        if (!memcmp(p, needle, n)) return p;
    return NULL;
}

/* <|python_tag|>name.call(key="value", key2=3): a built-in tool call. */
static bool python_call(mote_tool_calls *out, const char *s, const char *end, bool *nomem) {
    while (s < end && isspace((unsigned char)*s)) s++;
    const char *dot = find(s, end, ".call(");
    if (!dot || dot == s) return false;
    for (const char *p = s; p < dot; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') return false;
    const char *p = dot + 6;
    cJSON *args = cJSON_CreateObject();
    if (!args) return *nomem = true, false;
    bool ok = true;
    while (ok && p < end && *p != ')') {
        while (p < end && (isspace((unsigned char)*p) || *p == ',')) p++;
        const char *k = p;
        while (p < end && (isalnum((unsigned char)*p) || *p == '_')) p++;
        size_t klen = (size_t)(p - k);
        if (!klen || p >= end || *p != '=') {
            ok = false;
            break;
        }
        p++;
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(klen < 127 ? klen : 127), k);
        if (p < end && (*p == '"' || *p == '\'')) {
            char q = *p++;
            gtext val = {0};
            while (p < end && *p != q) {
                if (*p == '\\' && p + 1 < end) p++;
                gt_add(&val, p++, 1);
            }
            if (p >= end) ok = false;
            else p++;
            cJSON_AddStringToObject(args, key, val.s ? val.s : "");
            gt_free(&val);
        } else {
            const char *e = NULL;
            cJSON *v = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &e, false);
            if (!v) ok = false;
            else cJSON_AddItemToObject(args, key, v), p = e;
        }
        while (p < end && isspace((unsigned char)*p)) p++;
    }
    if (ok && p < end) {
        char *text = cJSON_PrintUnformatted(args);
        ok = text && add_call(out, s, (size_t)(dot - s), text, NULL);
        if (!ok) *nomem = true;
        free(text);
    } else {
        ok = false;
    }
    cJSON_Delete(args);
    return ok;
}

/* The text with its blanks trimmed, into out->content. */
static bool set_content(mote_tool_calls *out, const gtext *t) {
    const char *s = t->s ? t->s : "";
    size_t len = t->len;
    while (len && isspace((unsigned char)*s)) s++, len--;
    while (len && isspace((unsigned char)s[len - 1])) len--;
    if (!(out->content = malloc(len + 1))) return false;
    memcpy(out->content, s, len);
    out->content[len] = '\0';
    return true;
}

/* Blocks OPEN json CLOSE anywhere in the text (a missing CLOSE at the end is forgiven). */
static void parse_blocks(mote_tool_calls *out, const char *s, const char *end, const char *open, const char *close,
                         gtext *content, bool *nomem) {
    const char *p = s;
    while (p < end) {
        const char *o = find(p, end, open);
        if (!o) break;
        const char *body = o + strlen(open);
        const char *c = find(body, end, close);
        const char *body_end = c ? c : end;
        const char *jend;
        cJSON *v = json_at(body, (size_t)(body_end - body), &jend);
        if (v && calls_from_json(out, v, nomem)) {
            gt_add(content, p, (size_t)(o - p));
            p = c ? c + strlen(close) : end;
        } else {
            gt_add(content, p, (size_t)(body - p));
            p = body;
        }
        cJSON_Delete(v);
    }
    gt_add(content, p, (size_t)(end - p));
}

int mote_tool_calls_parse(const char *format, const char *text, size_t len, mote_tool_calls *out) {
    if (!out) return mote_fail(MOTE_ERR_INVALID_ARG, "tool calls: no output");
    memset(out, 0, sizeof *out);
    const char *canonical = "hermes";
    int st = mote_tool_format_resolve(format, &canonical);
    if (st) return st;
    if (!text) text = "", len = 0;
    const char *end = text + len;
    gtext content = {0};
    bool nomem = false;
    switch (format_of(canonical)) {
    case TF_HERMES: parse_blocks(out, text, end, "<tool_call>", "</tool_call>", &content, &nomem); break;
    case TF_PHI4: parse_blocks(out, text, end, "<|tool_call|>", "<|/tool_call|>", &content, &nomem); break;
    case TF_LLAMA3: {
        const char *tag = find(text, end, "<|python_tag|>");
        const char *from = tag ? tag + strlen("<|python_tag|>") : text;
        if (tag) gt_add(&content, text, (size_t)(tag - text));
        /* JSON calls separated by ";" */
        const char *p = from;
        bool any = false;
        for (;;) {
            const char *jend;
            cJSON *v = json_at(p, (size_t)(end - p), &jend);
            bool ok = v && calls_from_json(out, v, &nomem);
            cJSON_Delete(v);
            if (!ok) break;
            any = true;
            p = jend;
            while (p < end && isspace((unsigned char)*p)) p++;
            if (p < end && *p == ';') p++;
            else break;
        }
        while (p < end && isspace((unsigned char)*p)) p++;
        if (any && p == end) break;
        if (any) {
            /* JSON followed by text: not a call answer after all */
            mote_tool_calls_free(out);
            memset(out, 0, sizeof *out);
        }
        if (tag && python_call(out, from, end, &nomem)) break;
        gt_add(&content, from, (size_t)(end - from));
        break;
    }
    case TF_MISTRAL: {
        const char *tag = find(text, end, "[TOOL_CALLS]");
        if (!tag) {
            gt_add(&content, text, len);
            break;
        }
        gt_add(&content, text, (size_t)(tag - text));
        const char *p = tag + strlen("[TOOL_CALLS]");
        while (p < end && isspace((unsigned char)*p)) p++;
        if (p < end && *p == '[') {
            const char *jend;
            cJSON *v = json_at(p, (size_t)(end - p), &jend);
            bool ok = v && calls_from_json(out, v, &nomem);
            cJSON_Delete(v);
            if (!ok) gt_add(&content, tag, (size_t)(end - tag));
            break;
        }
        /* name[ARGS]{...} ([TOOL_CALLS] again before each further call) */
        while (p < end) {
            const char *args = find(p, end, "[ARGS]");
            if (!args) break;
            const char *name_end = args;
            const char *id = find(p, args, "[CALL_ID]");
            if (id) name_end = id;
            const char *jend;
            cJSON *v = json_at(args + 6, (size_t)(end - args - 6), &jend);
            char *json = v ? cJSON_PrintUnformatted(v) : NULL;
            cJSON_Delete(v);
            if (!json) break;
            const char *ns = p;
            while (ns < name_end && isspace((unsigned char)*ns)) ns++;
            if (!add_call(out, ns, (size_t)(name_end - ns), json, NULL)) nomem = true;
            free(json);
            p = jend;
            while (p < end && isspace((unsigned char)*p)) p++;
            if ((size_t)(end - p) >= 12 && !memcmp(p, "[TOOL_CALLS]", 12)) p += 12;
        }
        if (!out->n_calls) gt_add(&content, tag, (size_t)(end - tag));
        break;
    }
    }
    if (nomem || content.failed || !set_content(out, &content)) {
        gt_free(&content);
        mote_tool_calls_free(out);
        return mote_fail(MOTE_ERR_NOMEM, "tool calls: out of memory");
    }
    gt_free(&content);
    return MOTE_OK;
}
