/*
 * jinja_json.c — JSON into interpreter values (the messages and tools a
 * template reads, via cJSON) and values out as JSON: the `tojson` filter as
 * transformers defines it, which is Python's json.dumps with ensure_ascii,
 * indent, separators and sort_keys (not jinja2's HTML-escaping one).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "chat/jinja/jinja.h"

enum { JSON_MAX_DEPTH = 64 };

static jv from_cjson(jheap *h, const cJSON *j, int depth) {
    if (depth > JSON_MAX_DEPTH) jfail(h, 0, "the JSON input nests deeper than %d levels", JSON_MAX_DEPTH);
    if (cJSON_IsNull(j)) return jv_none();
    if (cJSON_IsBool(j)) return jv_bool(cJSON_IsTrue(j));
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        /* Integers stay integers (Python's json does the same), as long as
         * the text had no fraction or exponent; cJSON keeps no text, so an
         * integral value within 2^53 is taken for an integer. */
        if (d == floor(d) && fabs(d) < 9007199254740992.0) return jv_int((int64_t)d);
        return jv_float(d);
    }
    if (cJSON_IsString(j)) return jv_str(jstrndup(h, j->valuestring, strlen(j->valuestring)), strlen(j->valuestring));
    if (cJSON_IsArray(j)) {
        jv l = jv_list(h, 0);
        const cJSON *e;
        cJSON_ArrayForEach(e, j) jlist_push(h, l.u.l, from_cjson(h, e, depth + 1));
        return l;
    }
    if (cJSON_IsObject(j)) {
        jv d = jv_dict(h, JD_DICT);
        const cJSON *e;
        cJSON_ArrayForEach(e, j) {
            const char *k = e->string ? e->string : "";
            jdict_set(h, d.u.d, jv_str(jstrndup(h, k, strlen(k)), strlen(k)), from_cjson(h, e, depth + 1));
        }
        return d;
    }
    jfail(h, 0, "unsupported JSON value");
}

jv jv_from_json(jheap *h, const char *json, size_t len) {
    cJSON *j = cJSON_ParseWithLength(json, len);
    if (!j) jfail(h, 0, "the template variables are not valid JSON");
    /* from_cjson may jump out; keep the tree reachable to free it after. */
    jmp_buf *outer = h->jump, here;
    jv v = jv_none();
    if (setjmp(here) == 0) {
        h->jump = &here;
        v = from_cjson(h, j, 0);
        h->jump = outer;
        cJSON_Delete(j);
        return v;
    }
    h->jump = outer;
    cJSON_Delete(j);
    longjmp(*outer, 1);
}

/* Decode one UTF-8 code point at p (n bytes left); returns its length (1 for bad bytes). */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp) {
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 1;
    if (len == 1 || len > n) {
        *cp = p[0];
        return 1;
    }
    uint32_t c = p[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *cp = p[0];
            return 1;
        }
        c = (c << 6) | (p[i] & 0x3f);
    }
    *cp = c;
    return len;
}

static void write_json_string(jbuf *b, const char *s, size_t n, bool ensure_ascii) {
    jbuf_addc(b, "\"");
    const unsigned char *p = (const unsigned char *)s;
    char esc[16];
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '"') jbuf_addc(b, "\\\"");
        else if (c == '\\') jbuf_addc(b, "\\\\");
        else if (c == '\n') jbuf_addc(b, "\\n");
        else if (c == '\r') jbuf_addc(b, "\\r");
        else if (c == '\t') jbuf_addc(b, "\\t");
        else if (c == '\b') jbuf_addc(b, "\\b");
        else if (c == '\f') jbuf_addc(b, "\\f");
        else if (c < 0x20 || (ensure_ascii && c == 0x7f)) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            jbuf_addc(b, esc);
        } else if (c >= 0x80 && ensure_ascii) {
            uint32_t cp;
            size_t len = utf8_decode(p + i, n - i, &cp);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                snprintf(esc, sizeof esc, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
            } else
                snprintf(esc, sizeof esc, "\\u%04x", cp);
            jbuf_addc(b, esc);
            i += len;
            continue;
        } else
            jbuf_add(b, (const char *)p + i, 1);
        i++;
    }
    jbuf_addc(b, "\"");
}

static void newline_indent(jbuf *b, int indent, int level) {
    jbuf_addc(b, "\n");
    for (int i = 0; i < indent * level; i++) jbuf_addc(b, " ");
}

typedef struct {
    bool ensure_ascii, sort_keys;
    int indent;
    const char *item_sep, *key_sep;
    int line;
} json_style;

static void write_json(jbuf *b, jv v, const json_style *st, int level) {
    char num[64];
    if (level > JSON_MAX_DEPTH) jfail(b->h, st->line, "tojson: the value nests deeper than %d levels", JSON_MAX_DEPTH);
    switch (v.t) {
    case JV_NONE: jbuf_addc(b, "null"); return;
    case JV_BOOL: jbuf_addc(b, v.u.b ? "true" : "false"); return;
    case JV_INT: snprintf(num, sizeof num, "%lld", (long long)v.u.i); jbuf_addc(b, num); return;
    case JV_FLOAT:
        if (isnan(v.u.f)) jbuf_addc(b, "NaN");
        else if (isinf(v.u.f)) jbuf_addc(b, v.u.f < 0 ? "-Infinity" : "Infinity");
        else {
            jv_format_float(num, sizeof num, v.u.f);
            jbuf_addc(b, num);
        }
        return;
    case JV_STR: write_json_string(b, v.u.s.p, v.u.s.n, st->ensure_ascii); return;
    case JV_LIST:
        if (v.u.l->generator) break;
        if (v.u.l->n == 0) {
            jbuf_addc(b, "[]");
            return;
        }
        jbuf_addc(b, "[");
        for (size_t i = 0; i < v.u.l->n; i++) {
            if (i) jbuf_addc(b, st->item_sep);
            if (st->indent >= 0) newline_indent(b, st->indent, level + 1);
            write_json(b, v.u.l->items[i], st, level + 1);
        }
        if (st->indent >= 0) newline_indent(b, st->indent, level);
        jbuf_addc(b, "]");
        return;
    case JV_DICT: {
        jdict *d = v.u.d;
        if (d->kind != JD_DICT) break;
        if (d->n == 0) {
            jbuf_addc(b, "{}");
            return;
        }
        size_t *order = jalloc(b->h, d->n * sizeof *order);
        for (size_t i = 0; i < d->n; i++) order[i] = i;
        if (st->sort_keys) /* insertion sort keeps equal keys stable; dicts here are small */
            for (size_t i = 1; i < d->n; i++)
                for (size_t k = i; k > 0 && jv_compare(b->h, st->line, d->keys[order[k - 1]], d->keys[order[k]]) > 0; k--) {
                    size_t t = order[k];
                    order[k] = order[k - 1];
                    order[k - 1] = t;
                }
        jbuf_addc(b, "{");
        for (size_t i = 0; i < d->n; i++) {
            jv k = d->keys[order[i]];
            if (i) jbuf_addc(b, st->item_sep);
            if (st->indent >= 0) newline_indent(b, st->indent, level + 1);
            if (k.t == JV_STR) write_json_string(b, k.u.s.p, k.u.s.n, st->ensure_ascii);
            else if (k.t == JV_INT || k.t == JV_FLOAT || k.t == JV_BOOL || k.t == JV_NONE) {
                jbuf tmp;
                jbuf_init(&tmp, b->h, 0);
                write_json(&tmp, k, st, level + 1);
                jbuf_addc(b, "\"");
                jbuf_add(b, tmp.p, tmp.n);
                jbuf_addc(b, "\"");
            } else
                jfail(b->h, st->line, "tojson: keys must be str, int, float, bool or None, not %s", jv_type_name(k));
            jbuf_addc(b, st->key_sep);
            write_json(b, d->vals[order[i]], st, level + 1);
        }
        if (st->indent >= 0) newline_indent(b, st->indent, level);
        jbuf_addc(b, "}");
        return;
    }
    default: break;
    }
    jfail(b->h, st->line, "tojson: object of type %s is not JSON serializable", jv_type_name(v));
}

void jv_write_json(jbuf *b, int line, jv v, bool ensure_ascii, int indent, const char *item_sep,
                   const char *key_sep, bool sort_keys) {
    json_style st = {ensure_ascii, sort_keys, indent, item_sep, key_sep, line};
    write_json(b, v, &st, 0);
}
