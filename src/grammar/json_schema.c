/*
 * json_schema.c — JSON Schema to GBNF (mote.h section 4b), and JSON mode.
 *
 * Each schema becomes a rule; objects list their properties in the
 * schema's order, required ones always, optional ones possibly left out;
 * extra properties (additionalProperties true or a schema) come after them
 * under names that cannot repeat a declared one. Strings, numbers and
 * whitespace have bounded lengths where JSON allows any (a number of at most
 * 16 digits, at most 8 blanks of indentation), so that even a model that
 * writes noise reaches the end. Keywords the grammar cannot honour are
 * refused by name, so whatever the grammar allows validates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "grammar/grammar_internal.h"
#include "grammar/json_schema_internal.h"

#define MAX_DEPTH 64

typedef struct {
    char *name;
    char *body; /* NULL while a $ref's target is being converted */
} js_rule;

typedef struct {
    const cJSON *node;
    const char *rule;
} js_ref;

struct js_conv {
    js_rule *rules;
    size_t n, cap;
    js_ref *refs;
    size_t n_refs, cap_refs;
    const cJSON *doc; /* the schema $refs resolve in */
    int depth;
    int status;
};

/* Helper rules, added when first used (names without '-', unlike the
 * rules derived from schemas, so they never collide). */
static const struct {
    const char *name, *body;
} PRIMITIVES[] = {
    {"ws", "( \" \" | \"\\n\" [ \\t]{0,8} )?"},
    {"hex", "[0-9a-fA-F]"},
    {"char", "[^\"\\\\\\x00-\\x1F\\x7F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-CefEF] hex hex hex | [dD] [0-7] hex hex ) )"},
    {"string", "\"\\\"\" char* \"\\\"\""},
    {"integer", "\"-\"? ( \"0\" | [1-9] [0-9]{0,15} )"},
    {"number", "integer ( \".\" [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,2} )?"},
    {"boolean", "\"true\" | \"false\""},
    {"null", "\"null\""},
    {"value", "object | array | string | number | boolean | null"},
    {"member", "string ws \":\" ws value"},
    {"object", "\"{\" ws ( member ( ws \",\" ws member )* )? ws \"}\""},
    {"array", "\"[\" ws ( value ( ws \",\" ws value )* )? ws \"]\""},
    {"date", "[0-9]{4} \"-\" ( \"0\" [1-9] | \"1\" [0-2] ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )"},
    {"time", "( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{3} )? ( \"Z\" | [+-] ( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] )"},
    {"datetime", "date \"T\" time"},
    {"uuid", "hex{8} \"-\" hex{4} \"-\" hex{4} \"-\" hex{4} \"-\" hex{12}"},
};

static int conv_fail(js_conv *c, int status, const char *msg) {
    char shown[400];
    if (!c->status) c->status = mote_fail(status, "json schema: %s", gt_printable(shown, sizeof shown, msg, strlen(msg)));
    return c->status;
}

static js_rule *find_rule(const js_conv *c, const char *name) {
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->rules[i].name, name)) return &c->rules[i];
    return NULL;
}

/* A new rule named after hint (made unique); body may be NULL (set later). */
static js_rule *new_rule(js_conv *c, const char *hint, const char *body) {
    char name[80];
    size_t k = 0;
    for (const char *p = hint; *p && k < 48; p++)
        name[k++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) ? *p : '-';
    if (!k) name[k++] = 'x';
    name[k] = '\0';
    for (int n = 2; find_rule(c, name); n++) snprintf(name + k, sizeof name - k, "-%d", n);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        js_rule *r = realloc(c->rules, cap * sizeof *r);
        if (!r) return conv_fail(c, MOTE_ERR_NOMEM, "out of memory"), NULL;
        c->rules = r, c->cap = cap;
    }
    js_rule *r = &c->rules[c->n];
    r->name = strdup(name);
    r->body = body ? strdup(body) : NULL;
    if (!r->name || (body && !r->body)) {
        free(r->name);
        free(r->body);
        return conv_fail(c, MOTE_ERR_NOMEM, "out of memory"), NULL;
    }
    c->n++;
    return r;
}

const char *js_conv_rule(js_conv *c, const char *hint, const char *body) {
    js_rule *r = new_rule(c, hint, body);
    return r ? r->name : NULL;
}

/* The name of a helper rule, adding it (and the helpers it uses) if new. */
static const char *primitive(js_conv *c, const char *name) {
    static const char *const uses[][4] = {
        {"char", "hex", NULL}, {"string", "char", NULL}, {"number", "integer", NULL},
        {"value", "object", "array", "string"}, {"member", "string", "ws", "value"},
        {"object", "member", "ws", NULL}, {"array", "value", "ws", NULL}, {"uuid", "hex", NULL},
        {"datetime", "date", "time", NULL},
    };
    js_rule *have = find_rule(c, name);
    if (have) return have->name;
    for (size_t i = 0; i < sizeof PRIMITIVES / sizeof *PRIMITIVES; i++) {
        if (strcmp(PRIMITIVES[i].name, name)) continue;
        js_rule *r = new_rule(c, name, PRIMITIVES[i].body);
        if (!r) return NULL;
        const char *rname = r->name; /* r may move as dependencies are added */
        for (size_t u = 0; u < sizeof uses / sizeof *uses; u++)
            if (!strcmp(uses[u][0], name))
                for (int k = 1; k < 4 && uses[u][k]; k++) primitive(c, uses[u][k]);
        if (!strcmp(name, "value")) primitive(c, "number"), primitive(c, "boolean"), primitive(c, "null");
        return rname;
    }
    return NULL;
}

static const char *visit(js_conv *c, const cJSON *s, const char *hint);

/* A GBNF literal of a JSON value as JSON writes it. */
static bool value_literal(js_conv *c, const cJSON *v, gtext *out) {
    char *json = cJSON_PrintUnformatted(v);
    if (!json) return conv_fail(c, MOTE_ERR_NOMEM, "out of memory"), false;
    gt_literal(out, json, strlen(json));
    free(json);
    return true;
}

static const char *KEYWORDS_REFUSED[] = {
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minProperties", "maxProperties",
    "not", "if", "contains", "patternProperties", "dependentRequired", "dependentSchemas", "propertyNames",
    "unevaluatedProperties", "unevaluatedItems", "minContains", "maxContains", "dependencies",
};

/* The rule a "$ref" names (converting its target the first time). */
static const char *ref_rule(js_conv *c, const char *ref) {
    if (ref[0] != '#') return conv_fail(c, MOTE_ERR_UNSUPPORTED, "only $ref within the schema (\"#...\") is supported"), NULL;
    const cJSON *node = c->doc;
    const char *p = ref + 1;
    if (*p && *p != '/') return conv_fail(c, MOTE_ERR_UNSUPPORTED, "$ref must be \"#\" or a JSON pointer \"#/...\""), NULL;
    char seg[256], last[256] = "root";
    while (*p == '/' && node) {
        p++;
        size_t k = 0;
        while (*p && *p != '/' && k + 1 < sizeof seg) {
            if (p[0] == '~' && p[1] == '1') seg[k++] = '/', p += 2;
            else if (p[0] == '~' && p[1] == '0') seg[k++] = '~', p += 2;
            else seg[k++] = *p++;
        }
        seg[k] = '\0';
        memcpy(last, seg, k + 1);
        if (cJSON_IsArray(node)) {
            char *end;
            long idx = strtol(seg, &end, 10);
            node = *end || idx < 0 ? NULL : cJSON_GetArrayItem(node, (int)idx);
        } else {
            node = cJSON_GetObjectItemCaseSensitive(node, seg);
        }
    }
    if (!node) {
        char msg[300];
        snprintf(msg, sizeof msg, "$ref \"%.200s\" points to nothing in the schema", ref);
        return conv_fail(c, MOTE_ERR_FORMAT, msg), NULL;
    }
    for (size_t i = 0; i < c->n_refs; i++)
        if (c->refs[i].node == node) return c->refs[i].rule;
    char hint[300], def_hint[300];
    snprintf(hint, sizeof hint, "ref-%s", last);
    snprintf(def_hint, sizeof def_hint, "def-%s", last);
    js_rule *r = new_rule(c, hint, NULL);
    if (!r) return NULL;
    const char *name = r->name;
    size_t index = (size_t)(r - c->rules);
    if (c->n_refs == c->cap_refs) {
        size_t cap = c->cap_refs ? c->cap_refs * 2 : 8;
        js_ref *nr = realloc(c->refs, cap * sizeof *nr);
        if (!nr) return conv_fail(c, MOTE_ERR_NOMEM, "out of memory"), NULL;
        c->refs = nr, c->cap_refs = cap;
    }
    c->refs[c->n_refs++] = (js_ref){node, name};
    const char *target = visit(c, node, def_hint);
    if (!target) return NULL;
    if (!(c->rules[index].body = strdup(target))) return conv_fail(c, MOTE_ERR_NOMEM, "out of memory"), NULL;
    return name;
}

static int get_count(js_conv *c, const cJSON *s, const char *key, int def) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);
    if (!v) return def;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 10000 || v->valuedouble != (int)v->valuedouble) {
        char msg[120];
        snprintf(msg, sizeof msg, "\"%s\" must be a whole number from 0 to 10000", key);
        conv_fail(c, MOTE_ERR_UNSUPPORTED, msg);
        return def;
    }
    return (int)v->valuedouble;
}

/* {m,n} for the GBNF repetition of m..n items (n < 0: unbounded). */
static void repeat_suffix(gtext *out, int m, int n) {
    if (n < 0) {
        if (m == 0) gt_str(out, "*");
        else if (m == 1) gt_str(out, "+");
        else gt_fmt(out, "{%d,}", m);
    } else if (m == n) {
        gt_fmt(out, "{%d}", m);
    } else {
        gt_fmt(out, "{%d,%d}", m, n);
    }
}

static void string_body(js_conv *c, const cJSON *s, gtext *out) {
    const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(s, "pattern");
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(s, "format");
    int min = get_count(c, s, "minLength", 0), max = get_count(c, s, "maxLength", -1);
    if (max >= 0 && max < min) conv_fail(c, MOTE_ERR_FORMAT, "maxLength is below minLength");
    if (cJSON_IsString(pattern)) {
        if (cJSON_GetObjectItemCaseSensitive(s, "minLength") || cJSON_GetObjectItemCaseSensitive(s, "maxLength"))
            conv_fail(c, MOTE_ERR_UNSUPPORTED, "pattern together with minLength/maxLength is not supported");
        gt_str(out, "\"\\\"\" ");
        int st = js_pattern_to_gbnf(pattern->valuestring, strlen(pattern->valuestring), out);
        if (st && !c->status) c->status = st;
        gt_str(out, " \"\\\"\"");
        return;
    }
    const char *fmt = cJSON_IsString(format) ? format->valuestring : "";
    const char *prim = !strcmp(fmt, "date") ? "date" : !strcmp(fmt, "time") ? "time"
                       : !strcmp(fmt, "date-time") ? "datetime" : !strcmp(fmt, "uuid") ? "uuid" : NULL;
    if (prim) {
        gt_fmt(out, "\"\\\"\" %s \"\\\"\"", primitive(c, prim));
        return;
    }
    if (min == 0 && max < 0) {
        gt_str(out, primitive(c, "string"));
        return;
    }
    gt_fmt(out, "\"\\\"\" %s", primitive(c, "char"));
    repeat_suffix(out, min, max);
    gt_str(out, " \"\\\"\"");
}

static void number_body(js_conv *c, const cJSON *s, bool integer, gtext *out) {
    /* The one bound a grammar can honour without arithmetic: not negative. */
    const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minimum");
    if (mn && cJSON_IsNumber(mn) && mn->valuedouble == 0) {
        gt_str(out, integer ? "( \"0\" | [1-9] [0-9]{0,15} )" : "( \"0\" | [1-9] [0-9]{0,15} ) ( \".\" [0-9]{1,16} )?");
        return;
    }
    if (mn && cJSON_IsNumber(mn) && mn->valuedouble == 1 && integer) {
        gt_str(out, "[1-9] [0-9]{0,15}");
        return;
    }
    if (mn) {
        conv_fail(c, MOTE_ERR_UNSUPPORTED, "keyword \"minimum\" is supported only as 0 (or 1 for integers)");
        return;
    }
    gt_str(out, primitive(c, integer ? "integer" : "number"));
}

/* True for a name an extra key could spell: printable ASCII without quotes
 * or backslashes (extra keys are made of these alone). */
static bool plain_ascii(const char *s) {
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7E || *s == '"' || *s == '\\') return false;
    return true;
}

/* The inside of a key that is none of `names` (n plain ASCII names): a run
 * of keychar that differs from each name somewhere. Built as a trie: at each
 * node, either stop (if the prefix is not itself a name), follow a name's
 * next character, or take any other character and be free. */
static const char *other_key_rule(js_conv *c, const char *const *names, size_t n, size_t depth, const char *hint) {
    gtext body = {0}, except = {0};
    bool is_name = false, first_alt = true;
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == depth) is_name = true;
    if (!is_name) {
        gt_str(&body, "\"\"");
        first_alt = false;
    }
    for (size_t i = 0; i < n && !c->status; i++) {
        if (strlen(names[i]) <= depth) continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strlen(names[j]) > depth && !memcmp(names[j], names[i], depth + 1);
        if (seen) continue;
        const char **sub = malloc(n * sizeof *sub);
        if (!sub) {
            conv_fail(c, MOTE_ERR_NOMEM, "out of memory");
            break;
        }
        size_t m = 0;
        for (size_t j = 0; j < n; j++)
            if (strlen(names[j]) > depth && !memcmp(names[j], names[i], depth + 1)) sub[m++] = names[j];
        const char *child = other_key_rule(c, sub, m, depth + 1, hint);
        free(sub);
        if (!child) break;
        if (!first_alt) gt_str(&body, " | ");
        first_alt = false;
        gt_literal(&body, names[i] + depth, 1);
        gt_fmt(&body, " %s", child);
        gt_fmt(&except, "\\x%02X", (unsigned char)names[i][depth]);
    }
    if (!first_alt) gt_str(&body, " | ");
    /* any other key character: printable ASCII but the quote, the backslash
     * and the names' next characters */
    gt_fmt(&body, "[^\"\\\\\\x00-\\x1F\\x7F-\\U0010FFFF%s] keychar*", except.s ? except.s : "");
    gt_free(&except);
    if (body.failed) conv_fail(c, MOTE_ERR_NOMEM, "out of memory");
    const char *name = c->status ? NULL : js_conv_rule(c, hint, body.s);
    gt_free(&body);
    return name;
}

static const char *object_rule(js_conv *c, const cJSON *s, const char *hint) {
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    const cJSON *required = cJSON_GetObjectItemCaseSensitive(s, "required");
    const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
    if (props && !cJSON_IsObject(props)) return conv_fail(c, MOTE_ERR_FORMAT, "\"properties\" must be an object"), NULL;
    if (required && !cJSON_IsArray(required)) return conv_fail(c, MOTE_ERR_FORMAT, "\"required\" must be an array"), NULL;
    int n_props = props ? cJSON_GetArraySize(props) : 0;
    int n_req = required ? cJSON_GetArraySize(required) : 0;
    /* declared properties, then required names without a schema */
    int n = 0;
    const char **names = malloc(((size_t)(n_props + n_req) + 1) * sizeof *names);
    const char **kv = malloc(((size_t)(n_props + n_req) + 1) * sizeof *kv);
    bool *req = calloc((size_t)(n_props + n_req) + 1, sizeof *req);
    const char *result = NULL;
    gtext t = {0};
    primitive(c, "ws");
    if (!names || !kv || !req) {
        conv_fail(c, MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (const cJSON *p = props ? props->child : NULL; p; p = p->next) names[n++] = p->string;
    for (const cJSON *r = required ? required->child : NULL; r; r = r->next) {
        if (!cJSON_IsString(r)) {
            conv_fail(c, MOTE_ERR_FORMAT, "\"required\" must list strings");
            goto done;
        }
        int k = 0;
        while (k < n && strcmp(names[k], r->valuestring)) k++;
        if (k == n) names[n++] = r->valuestring;
        req[k] = true;
    }
    for (int i = 0; i < n && !c->status; i++) {
        const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, names[i]) : NULL;
        char sub[128];
        snprintf(sub, sizeof sub, "%s-%s", hint, names[i]);
        /* a required name without a schema of its own is an additional property */
        if (!ps && addl && cJSON_IsFalse(addl)) {
            snprintf(sub, sizeof sub, "required property \"%.60s\" is forbidden by additionalProperties false", names[i]);
            conv_fail(c, MOTE_ERR_FORMAT, sub);
            goto done;
        }
        if (!ps && addl && !cJSON_IsTrue(addl)) ps = addl;
        const char *value = ps ? visit(c, ps, sub) : primitive(c, "value");
        if (!value) goto done;
        gtext body = {0};
        cJSON *key = cJSON_CreateString(names[i]);
        if (key) value_literal(c, key, &body);
        cJSON_Delete(key);
        gt_fmt(&body, " ws \":\" ws %s", value);
        snprintf(sub, sizeof sub, "%s-%s-kv", hint, names[i]);
        primitive(c, "ws");
        kv[i] = body.failed || !key ? NULL : js_conv_rule(c, sub, body.s);
        gt_free(&body);
        if (!kv[i]) {
            conv_fail(c, MOTE_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    /* extra properties */
    const char *extra = NULL;
    bool extra_ok = addl ? !cJSON_IsFalse(addl) : n == 0;
    if (extra_ok && !c->status) {
        char sub[128];
        snprintf(sub, sizeof sub, "%s-extra-value", hint);
        const char *value = (!addl || cJSON_IsTrue(addl)) ? primitive(c, "value") : visit(c, addl, sub);
        if (!value) goto done;
        /* with no declared names any key will do; else one that repeats none */
        const char *key_inside = NULL;
        if (n == 0) {
            key_inside = primitive(c, "char");
        } else {
            if (!find_rule(c, "keychar")) js_conv_rule(c, "keychar", "[ !#-\\[\\]-~]");
            snprintf(sub, sizeof sub, "%s-extra-key", hint);
            const char **plain = malloc(((size_t)n + 1) * sizeof *plain);
            size_t n_plain = 0;
            for (int i = 0; plain && i < n; i++)
                if (plain_ascii(names[i])) plain[n_plain++] = names[i];
            key_inside = plain ? other_key_rule(c, plain, n_plain, 0, sub) : NULL;
            free(plain);
        }
        if (!key_inside) goto done;
        gtext body = {0};
        gt_fmt(&body, n == 0 ? "\"\\\"\" %s* \"\\\"\" ws \":\" ws %s" : "\"\\\"\" %s \"\\\"\" ws \":\" ws %s",
               key_inside, value);
        snprintf(sub, sizeof sub, "%s-extra-kv", hint);
        extra = js_conv_rule(c, sub, body.s);
        gt_free(&body);
        if (!extra) goto done;
    }
    /* first(i): the members from property i on when none has been written yet */
    const char *next_first = NULL;
    for (int i = n; i >= 0 && !c->status; i--) {
        gtext body = {0};
        if (i == n) {
            if (extra) gt_fmt(&body, "( %s ( ws \",\" ws %s )* )?", extra, extra);
        } else {
            gt_str(&body, kv[i]);
            for (int j = i + 1; j < n; j++) gt_fmt(&body, req[j] ? " ws \",\" ws %s" : " ( ws \",\" ws %s )?", kv[j]);
            if (extra) gt_fmt(&body, " ( ws \",\" ws %s )*", extra);
            if (!req[i]) gt_fmt(&body, " | %s", next_first);
        }
        char sub[128];
        snprintf(sub, sizeof sub, "%s-from-%d", hint, i);
        /* a required property i makes first(i') for i' < i unreachable past it */
        next_first = js_conv_rule(c, sub, body.s ? body.s : "");
        gt_free(&body);
        if (!next_first) goto done;
    }
    gt_fmt(&t, "\"{\" ws %s ws \"}\"", next_first);
    result = t.failed ? NULL : js_conv_rule(c, hint, t.s);
done:
    gt_free(&t);
    free(names);
    free(kv);
    free(req);
    return c->status ? NULL : result;
}

static const char *array_rule(js_conv *c, const cJSON *s, const char *hint) {
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
    const cJSON *prefix = cJSON_GetObjectItemCaseSensitive(s, "prefixItems");
    if (cJSON_IsArray(items) && !prefix) prefix = items, items = NULL; /* draft 4-7 tuple form */
    int min = get_count(c, s, "minItems", 0), max = get_count(c, s, "maxItems", -1);
    const cJSON *unique = cJSON_GetObjectItemCaseSensitive(s, "uniqueItems");
    if (cJSON_IsTrue(unique)) return conv_fail(c, MOTE_ERR_UNSUPPORTED, "\"uniqueItems\" is not supported"), NULL;
    if (max >= 0 && max < min) return conv_fail(c, MOTE_ERR_FORMAT, "maxItems is below minItems"), NULL;
    primitive(c, "ws");
    gtext t = {0};
    char sub[128];
    if (prefix) {
        if (!cJSON_IsArray(prefix)) return conv_fail(c, MOTE_ERR_FORMAT, "\"prefixItems\" must be an array"), NULL;
        int np = cJSON_GetArraySize(prefix);
        if ((max >= 0 && max < np) || min > np)
            return conv_fail(c, MOTE_ERR_UNSUPPORTED, "minItems/maxItems that cut into prefixItems are not supported"), NULL;
        gt_str(&t, "\"[\" ws");
        int i = 0;
        for (const cJSON *it = prefix->child; it && !c->status; it = it->next, i++) {
            snprintf(sub, sizeof sub, "%s-%d", hint, i);
            const char *r = visit(c, it, sub);
            if (!r) break;
            gt_fmt(&t, i ? " ws \",\" ws %s" : " %s", r);
        }
        if (items && !cJSON_IsFalse(items) && (max < 0 || max > np) && !c->status) {
            snprintf(sub, sizeof sub, "%s-rest", hint);
            const char *r = visit(c, items, sub);
            if (r) {
                gt_fmt(&t, np ? " ( ws \",\" ws %s )" : " ( %s ( ws \",\" ws %s )* )?", r, r);
                if (np) repeat_suffix(&t, 0, max < 0 ? -1 : max - np);
            }
        }
        gt_str(&t, " ws \"]\"");
    } else {
        snprintf(sub, sizeof sub, "%s-item", hint);
        const char *item = items && !cJSON_IsTrue(items) ? visit(c, items, sub) : primitive(c, "value");
        if (!item) return NULL;
        if (max == 0) {
            gt_str(&t, "\"[\" ws \"]\"");
        } else if (min == 0) {
            gt_fmt(&t, "\"[\" ws ( %s ( ws \",\" ws %s )", item, item);
            repeat_suffix(&t, 0, max < 0 ? -1 : max - 1);
            gt_str(&t, " )? ws \"]\"");
        } else {
            gt_fmt(&t, "\"[\" ws %s ( ws \",\" ws %s )", item, item);
            repeat_suffix(&t, min - 1, max < 0 ? -1 : max - 1);
            gt_str(&t, " ws \"]\"");
        }
    }
    const char *r = c->status || t.failed ? NULL : js_conv_rule(c, hint, t.s);
    gt_free(&t);
    return r;
}

/* The GBNF of `s` read as one type. */
static bool type_body(js_conv *c, const cJSON *s, const char *type, const char *hint, gtext *out) {
    const char *r = NULL;
    if (!strcmp(type, "string")) string_body(c, s, out);
    else if (!strcmp(type, "integer")) number_body(c, s, true, out);
    else if (!strcmp(type, "number")) number_body(c, s, false, out);
    else if (!strcmp(type, "boolean")) gt_str(out, primitive(c, "boolean"));
    else if (!strcmp(type, "null")) gt_str(out, primitive(c, "null"));
    else if (!strcmp(type, "object")) {
        if (!(r = object_rule(c, s, hint))) return false;
        gt_str(out, r);
    } else if (!strcmp(type, "array")) {
        if (!(r = array_rule(c, s, hint))) return false;
        gt_str(out, r);
    } else {
        char msg[160];
        snprintf(msg, sizeof msg, "unknown type \"%.100s\"", type);
        conv_fail(c, MOTE_ERR_FORMAT, msg);
        return false;
    }
    return !c->status;
}

static const char *visit(js_conv *c, const cJSON *s, const char *hint) {
    if (c->status) return NULL;
    if (cJSON_IsTrue(s)) return primitive(c, "value");
    if (cJSON_IsFalse(s)) return conv_fail(c, MOTE_ERR_UNSUPPORTED, "the schema false allows nothing"), NULL;
    if (!cJSON_IsObject(s)) return conv_fail(c, MOTE_ERR_FORMAT, "a schema must be an object or a boolean"), NULL;
    if (++c->depth > MAX_DEPTH) return conv_fail(c, MOTE_ERR_UNSUPPORTED, "schema nested too deeply"), NULL;
    for (size_t i = 0; i < sizeof KEYWORDS_REFUSED / sizeof *KEYWORDS_REFUSED; i++) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(s, KEYWORDS_REFUSED[i]);
        if (!k) continue;
        /* minimum 0 (and 1 for integers) is honoured by number_body */
        if (!strcmp(KEYWORDS_REFUSED[i], "minimum") && cJSON_IsNumber(k) && (k->valuedouble == 0 || k->valuedouble == 1)) continue;
        char msg[160];
        snprintf(msg, sizeof msg, "keyword \"%s\" is not supported", KEYWORDS_REFUSED[i]);
        conv_fail(c, MOTE_ERR_UNSUPPORTED, msg);
        return NULL;
    }
    gtext body = {0};
    const char *result = NULL;
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    const cJSON *cnst = cJSON_GetObjectItemCaseSensitive(s, "const");
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
    const cJSON *any = cJSON_GetObjectItemCaseSensitive(s, "anyOf");
    if (!any) any = cJSON_GetObjectItemCaseSensitive(s, "oneOf");
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(s, "allOf");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(s, "type");
    char sub[128];
    if (cJSON_IsString(ref)) {
        const char *r = ref_rule(c, ref->valuestring);
        if (r) gt_str(&body, r);
    } else if (cnst) {
        value_literal(c, cnst, &body);
    } else if (en) {
        if (!cJSON_IsArray(en) || !en->child) conv_fail(c, MOTE_ERR_FORMAT, "\"enum\" must be a non-empty array");
        for (const cJSON *v = en->child; v && !c->status; v = v->next) {
            if (v != en->child) gt_str(&body, " | ");
            value_literal(c, v, &body);
        }
    } else if (any) {
        if (!cJSON_IsArray(any) || !any->child) conv_fail(c, MOTE_ERR_FORMAT, "\"anyOf\"/\"oneOf\" must be a non-empty array");
        int i = 0;
        for (const cJSON *v = any->child; v && !c->status; v = v->next, i++) {
            snprintf(sub, sizeof sub, "%s-%d", hint, i);
            const char *r = visit(c, v, sub);
            if (r) gt_fmt(&body, i ? " | %s" : "%s", r);
        }
    } else if (all) {
        if (!cJSON_IsArray(all) || cJSON_GetArraySize(all) != 1)
            conv_fail(c, MOTE_ERR_UNSUPPORTED, "\"allOf\" is supported with exactly one schema");
        else {
            const char *r = visit(c, all->child, hint);
            if (r) gt_str(&body, r);
        }
    } else if (cJSON_IsArray(type)) {
        int i = 0;
        for (const cJSON *t = type->child; t && !c->status; t = t->next, i++) {
            if (!cJSON_IsString(t)) {
                conv_fail(c, MOTE_ERR_FORMAT, "\"type\" must list strings");
                break;
            }
            if (i) gt_str(&body, " | ");
            snprintf(sub, sizeof sub, "%s-%s", hint, t->valuestring);
            type_body(c, s, t->valuestring, sub, &body);
        }
    } else if (cJSON_IsString(type)) {
        snprintf(sub, sizeof sub, "%s-%s", hint, type->valuestring);
        type_body(c, s, type->valuestring, sub, &body);
    } else if (type) {
        conv_fail(c, MOTE_ERR_FORMAT, "\"type\" must be a string or an array of strings");
    } else if (cJSON_GetObjectItemCaseSensitive(s, "properties") || cJSON_GetObjectItemCaseSensitive(s, "additionalProperties") ||
               cJSON_GetObjectItemCaseSensitive(s, "required")) {
        snprintf(sub, sizeof sub, "%s-object", hint);
        type_body(c, s, "object", sub, &body);
    } else if (cJSON_GetObjectItemCaseSensitive(s, "items") || cJSON_GetObjectItemCaseSensitive(s, "prefixItems")) {
        snprintf(sub, sizeof sub, "%s-array", hint);
        type_body(c, s, "array", sub, &body);
    } else if (cJSON_GetObjectItemCaseSensitive(s, "pattern") || cJSON_GetObjectItemCaseSensitive(s, "minLength") ||
               cJSON_GetObjectItemCaseSensitive(s, "maxLength")) {
        type_body(c, s, "string", hint, &body);
    } else {
        gt_str(&body, primitive(c, "value"));
    }
    if (body.failed) conv_fail(c, MOTE_ERR_NOMEM, "out of memory");
    if (!c->status) result = js_conv_rule(c, hint, body.s ? body.s : "");
    gt_free(&body);
    c->depth--;
    return result;
}

js_conv *js_conv_new(void) { return calloc(1, sizeof(js_conv)); }

void js_conv_free(js_conv *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->rules[i].name);
        free(c->rules[i].body);
    }
    free(c->rules);
    free(c->refs);
    free(c);
}

int js_conv_add(js_conv *c, const cJSON *schema, const char *hint, const char **rule) {
    const cJSON *saved = c->doc;
    size_t saved_refs = c->n_refs;
    c->doc = schema;
    const char *r = visit(c, schema, hint);
    c->doc = saved;
    c->n_refs = saved_refs; /* $refs resolve per document */
    if (rule) *rule = r;
    return r ? MOTE_OK : (c->status ? c->status : mote_fail(MOTE_ERR_FORMAT, "json schema: conversion failed"));
}

int js_conv_emit(const js_conv *c, gtext *out) {
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->n; i++) {
            bool is_root = !strcmp(c->rules[i].name, "root");
            if (is_root != (pass == 0)) continue;
            gt_fmt(out, "%s ::= %s\n", c->rules[i].name, c->rules[i].body ? c->rules[i].body : "");
        }
    return out->failed ? mote_fail(MOTE_ERR_NOMEM, "json schema: out of memory") : MOTE_OK;
}

int mote_json_schema_to_gbnf(const char *schema, size_t len, char **gbnf) {
    if (!gbnf) return mote_fail(MOTE_ERR_INVALID_ARG, "json schema: no output pointer");
    *gbnf = NULL;
    if (!schema) return mote_fail(MOTE_ERR_INVALID_ARG, "json schema: no schema");
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(schema, len, &end, false);
    if (!doc) {
        size_t at = end && end >= schema ? (size_t)(end - schema) : 0;
        return mote_fail(MOTE_ERR_FORMAT, "json schema: not valid JSON (near byte %zu)", at);
    }
    js_conv *c = js_conv_new();
    if (!c) {
        cJSON_Delete(doc);
        return mote_fail(MOTE_ERR_NOMEM, "json schema: out of memory");
    }
    const char *root;
    int st = js_conv_add(c, doc, "root", &root);
    gtext out = {0};
    if (!st && strcmp(root, "root")) {
        /* the start rule got another name (a $ref to "#"): point root at it */
        gt_fmt(&out, "root ::= %s\n", root);
    }
    if (!st) st = js_conv_emit(c, &out);
    js_conv_free(c);
    cJSON_Delete(doc);
    if (st) {
        gt_free(&out);
        return st;
    }
    if (!(*gbnf = gt_take(&out))) return mote_fail(MOTE_ERR_NOMEM, "json schema: out of memory");
    return MOTE_OK;
}

int mote_grammar_from_json_schema(const char *schema, size_t len, mote_grammar **out) {
    if (!out) return mote_fail(MOTE_ERR_INVALID_ARG, "json schema: no output pointer");
    *out = NULL;
    char *gbnf;
    int st = mote_json_schema_to_gbnf(schema, len, &gbnf);
    if (st) return st;
    st = mote_grammar_parse(gbnf, strlen(gbnf), "root", out);
    free(gbnf);
    return st;
}

int mote_grammar_json(mote_grammar **out) {
    static const char schema[] = "{\"type\": \"object\"}";
    return mote_grammar_from_json_schema(schema, sizeof schema - 1, out);
}
