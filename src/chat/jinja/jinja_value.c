/*
 * jinja_value.c — the interpreter's values (see jinja.h) with Python's
 * meaning: str() and repr() as Python prints them (what a template shows
 * when it prints a list or a number), truth, equality (1 == 1.0 == True),
 * ordering, and the UTF-8 code-point arithmetic string indexing needs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/jinja/jinja.h"

jv jv_undef(const char *name) {
    jv v = {.t = JV_UNDEF};
    v.u.s.p = name;
    v.u.s.n = name ? strlen(name) : 0;
    return v;
}
jv jv_none(void) { return (jv){.t = JV_NONE}; }
jv jv_bool(bool b) { return (jv){.t = JV_BOOL, .u.b = b}; }
jv jv_int(int64_t i) { return (jv){.t = JV_INT, .u.i = i}; }
jv jv_float(double f) { return (jv){.t = JV_FLOAT, .u.f = f}; }
jv jv_str(const char *p, size_t n) {
    jv v = {.t = JV_STR};
    v.u.s.p = p ? p : "";
    v.u.s.n = n;
    return v;
}
jv jv_cstr(const char *s) { return jv_str(s, strlen(s)); }

jv jv_list(jheap *h, size_t cap) {
    jv v = {.t = JV_LIST};
    v.u.l = jalloc(h, sizeof *v.u.l);
    if (cap) {
        v.u.l->items = jalloc(h, cap * sizeof(jv));
        v.u.l->cap = cap;
    }
    return v;
}

jv jv_dict(jheap *h, int kind) {
    jv v = {.t = JV_DICT};
    v.u.d = jalloc(h, sizeof *v.u.d);
    v.u.d->kind = kind;
    return v;
}

void jlist_push(jheap *h, jlist *l, jv v) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        jv *items = jalloc(h, cap * sizeof(jv));
        if (l->n) memcpy(items, l->items, l->n * sizeof(jv));
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = v;
}

jv *jdict_get(const jdict *d, jv k) {
    for (size_t i = 0; i < d->n; i++)
        if (jv_equal(d->keys[i], k)) return &d->vals[i];
    return NULL;
}

jv *jdict_get_str(const jdict *d, const char *k) {
    size_t n = strlen(k);
    for (size_t i = 0; i < d->n; i++)
        if (d->keys[i].t == JV_STR && d->keys[i].u.s.n == n && !memcmp(d->keys[i].u.s.p, k, n))
            return &d->vals[i];
    return NULL;
}

void jdict_set(jheap *h, jdict *d, jv k, jv v) {
    jv *slot = jdict_get(d, k);
    if (slot) {
        *slot = v;
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 4;
        jv *keys = jalloc(h, cap * sizeof(jv)), *vals = jalloc(h, cap * sizeof(jv));
        if (d->n) {
            memcpy(keys, d->keys, d->n * sizeof(jv));
            memcpy(vals, d->vals, d->n * sizeof(jv));
        }
        d->keys = keys;
        d->vals = vals;
        d->cap = cap;
    }
    d->keys[d->n] = k;
    d->vals[d->n++] = v;
}

bool jv_truthy(jv v) {
    switch (v.t) {
    case JV_UNDEF:
    case JV_NONE: return false;
    case JV_BOOL: return v.u.b;
    case JV_INT: return v.u.i != 0;
    case JV_FLOAT: return v.u.f != 0.0;
    case JV_STR: return v.u.s.n > 0;
    case JV_LIST: return v.u.l->generator || v.u.l->n > 0;
    case JV_DICT: return v.u.d->kind != JD_DICT || v.u.d->n > 0;
    default: return true;
    }
}

bool jv_is_number(jv v) { return v.t == JV_INT || v.t == JV_FLOAT || v.t == JV_BOOL; }

double jv_as_double(jv v) {
    return v.t == JV_FLOAT ? v.u.f : v.t == JV_INT ? (double)v.u.i : v.t == JV_BOOL ? (double)v.u.b : 0.0;
}

static int64_t as_int(jv v) { return v.t == JV_BOOL ? (int64_t)v.u.b : v.u.i; }

/* Values nest at most this deep where they are compared or printed (a
 * template can build deeper lists; comparing or printing those fails or,
 * for ==, is false, instead of overflowing the stack). */
enum { MAX_VALUE_DEPTH = 512 };

static bool equal_at(jv a, jv b, int depth);

bool jv_equal(jv a, jv b) { return equal_at(a, b, 0); }

static bool equal_at(jv a, jv b, int depth) {
    if (depth > MAX_VALUE_DEPTH) return false;
    if (jv_is_number(a) && jv_is_number(b)) {
        if (a.t == JV_FLOAT || b.t == JV_FLOAT) return jv_as_double(a) == jv_as_double(b);
        return as_int(a) == as_int(b);
    }
    if (a.t != b.t) return false;
    switch (a.t) {
    case JV_UNDEF:
    case JV_NONE: return true;
    case JV_STR: return a.u.s.n == b.u.s.n && !memcmp(a.u.s.p, b.u.s.p, a.u.s.n);
    case JV_LIST:
        if (a.u.l == b.u.l) return true;
        if (a.u.l->generator || b.u.l->generator) return false;
        if (a.u.l->n != b.u.l->n) return false;
        for (size_t i = 0; i < a.u.l->n; i++)
            if (!equal_at(a.u.l->items[i], b.u.l->items[i], depth + 1)) return false;
        return true;
    case JV_DICT:
        if (a.u.d == b.u.d) return true;
        if (a.u.d->kind != JD_DICT || b.u.d->kind != JD_DICT) return false;
        if (a.u.d->n != b.u.d->n) return false;
        for (size_t i = 0; i < a.u.d->n; i++) {
            jv *o = jdict_get(b.u.d, a.u.d->keys[i]);
            if (!o || !equal_at(a.u.d->vals[i], *o, depth + 1)) return false;
        }
        return true;
    case JV_MACRO: return a.u.m == b.u.m;
    case JV_FUNC: return a.u.fn == b.u.fn;
    case JV_METHOD: return a.u.mt == b.u.mt;
    default: return false;
    }
}

const char *jv_type_name(jv v) {
    switch (v.t) {
    case JV_UNDEF: return "Undefined";
    case JV_NONE: return "NoneType";
    case JV_BOOL: return "bool";
    case JV_INT: return "int";
    case JV_FLOAT: return "float";
    case JV_STR: return "str";
    case JV_LIST: return v.u.l->generator ? "generator" : v.u.l->tuple ? "tuple" : "list";
    case JV_DICT: return v.u.d->kind == JD_NAMESPACE ? "Namespace" : v.u.d->kind == JD_LOOP ? "LoopContext" : "dict";
    case JV_MACRO: return "Macro";
    default: return "function";
    }
}

static int compare_at(jheap *h, int line, jv a, jv b, int depth);

int jv_compare(jheap *h, int line, jv a, jv b) { return compare_at(h, line, a, b, 0); }

static int compare_at(jheap *h, int line, jv a, jv b, int depth) {
    if (depth > MAX_VALUE_DEPTH) jfail(h, line, "the values compared nest deeper than %d levels", MAX_VALUE_DEPTH);
    if (jv_is_number(a) && jv_is_number(b)) {
        if (a.t != JV_FLOAT && b.t != JV_FLOAT) return (as_int(a) > as_int(b)) - (as_int(a) < as_int(b));
        double x = jv_as_double(a), y = jv_as_double(b);
        return (x > y) - (x < y);
    }
    if (a.t == JV_STR && b.t == JV_STR) {
        size_t n = a.u.s.n < b.u.s.n ? a.u.s.n : b.u.s.n;
        int c = memcmp(a.u.s.p, b.u.s.p, n);
        if (c) return c < 0 ? -1 : 1;
        return (a.u.s.n > b.u.s.n) - (a.u.s.n < b.u.s.n);
    }
    if (a.t == JV_LIST && b.t == JV_LIST) {
        for (size_t i = 0; i < a.u.l->n && i < b.u.l->n; i++) {
            if (jv_equal(a.u.l->items[i], b.u.l->items[i])) continue;
            return compare_at(h, line, a.u.l->items[i], b.u.l->items[i], depth + 1);
        }
        return (a.u.l->n > b.u.l->n) - (a.u.l->n < b.u.l->n);
    }
    jfail(h, line, "cannot compare '%s' with '%s'", jv_type_name(a), jv_type_name(b));
}

/* ---- strings ---- */

void jbuf_init(jbuf *b, jheap *h, size_t limit) {
    memset(b, 0, sizeof *b);
    b->h = h;
    b->limit = limit;
}

void jbuf_add(jbuf *b, const char *s, size_t n) {
    if (!n) return;
    if (b->limit && b->n + n > b->limit)
        jfail(b->h, 0, "the rendered text exceeds the limit of %zu bytes", b->limit);
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->n + n) cap *= 2;
        char *p = jalloc(b->h, cap);
        if (b->n) memcpy(p, b->p, b->n);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

void jbuf_addc(jbuf *b, const char *s) { jbuf_add(b, s, strlen(s)); }

jv jbuf_value(jbuf *b) { return jv_str(b->p ? b->p : "", b->n); }

void jv_format_float(char *out, size_t size, double f) {
    if (isnan(f)) {
        snprintf(out, size, "nan");
        return;
    }
    if (isinf(f)) {
        snprintf(out, size, f < 0 ? "-inf" : "inf");
        return;
    }
    /* The shortest digits that read back as f, laid out as Python's repr:
     * positional for exponents -4..15, scientific otherwise. */
    char tmp[40];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, f);
        if (strtod(tmp, NULL) == f) break;
    }
    char digits[24];
    size_t nd = 0;
    const char *p = tmp;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = '\0';
    char res[64];
    size_t k = 0;
    if (neg) res[k++] = '-';
    if (exp >= -4 && exp < 16) {
        if (exp < 0) {
            res[k++] = '0';
            res[k++] = '.';
            for (int z = 0; z < -exp - 1; z++) res[k++] = '0';
            for (size_t i = 0; i < nd; i++) res[k++] = digits[i];
        } else {
            for (int i = 0; i <= exp; i++) res[k++] = (size_t)i < nd ? digits[i] : '0';
            res[k++] = '.';
            if ((size_t)exp + 1 < nd)
                for (size_t i = (size_t)exp + 1; i < nd; i++) res[k++] = digits[i];
            else
                res[k++] = '0';
        }
        res[k] = '\0';
    } else {
        res[k++] = digits[0];
        if (nd > 1) {
            res[k++] = '.';
            for (size_t i = 1; i < nd; i++) res[k++] = digits[i];
        }
        res[k] = '\0';
        snprintf(res + k, sizeof res - k, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
    snprintf(out, size, "%s", res);
}

static void write_str_repr(jbuf *b, const char *s, size_t n) {
    bool has_single = memchr(s, '\'', n) != NULL, has_double = memchr(s, '"', n) != NULL;
    char q = has_single && !has_double ? '"' : '\'';
    jbuf_add(b, &q, 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '\\') jbuf_addc(b, "\\\\");
        else if (c == (unsigned char)q) {
            esc[0] = '\\';
            esc[1] = (char)c;
            jbuf_add(b, esc, 2);
        } else if (c == '\n') jbuf_addc(b, "\\n");
        else if (c == '\r') jbuf_addc(b, "\\r");
        else if (c == '\t') jbuf_addc(b, "\\t");
        else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", c);
            jbuf_addc(b, esc);
        } else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0xa0) {
            /* C1 controls and U+00A0 are not printable to Python */
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)s[i + 1]);
            jbuf_addc(b, esc);
            i++;
        } else jbuf_add(b, (const char *)&s[i], 1);
    }
    jbuf_add(b, &q, 1);
}

static void write_str_at(jbuf *b, jv v, int depth);

static void write_repr_at(jbuf *b, jv v, int depth) {
    if (v.t == JV_STR) {
        write_str_repr(b, v.u.s.p, v.u.s.n);
        return;
    }
    write_str_at(b, v, depth);
}

void jv_write_repr(jbuf *b, jv v) { write_repr_at(b, v, 0); }
void jv_write_str(jbuf *b, jv v) { write_str_at(b, v, 0); }

static void write_str_at(jbuf *b, jv v, int depth) {
    char num[64];
    if (depth > MAX_VALUE_DEPTH) jfail(b->h, 0, "the value printed nests deeper than %d levels", MAX_VALUE_DEPTH);
    switch (v.t) {
    case JV_UNDEF: return;
    case JV_NONE: jbuf_addc(b, "None"); return;
    case JV_BOOL: jbuf_addc(b, v.u.b ? "True" : "False"); return;
    case JV_INT: snprintf(num, sizeof num, "%lld", (long long)v.u.i); jbuf_addc(b, num); return;
    case JV_FLOAT: jv_format_float(num, sizeof num, v.u.f); jbuf_addc(b, num); return;
    case JV_STR: jbuf_add(b, v.u.s.p, v.u.s.n); return;
    case JV_LIST:
        if (v.u.l->generator) jfail(b->h, 0, "a generator (the result of select, reject or map) cannot be printed; add | list");
        jbuf_addc(b, v.u.l->tuple ? "(" : "[");
        for (size_t i = 0; i < v.u.l->n; i++) {
            if (i) jbuf_addc(b, ", ");
            write_repr_at(b, v.u.l->items[i], depth + 1);
        }
        if (v.u.l->tuple && v.u.l->n == 1) jbuf_addc(b, ",");
        jbuf_addc(b, v.u.l->tuple ? ")" : "]");
        return;
    case JV_DICT:
        if (v.u.d->kind == JD_NAMESPACE) jbuf_addc(b, "<Namespace ");
        jbuf_addc(b, "{");
        for (size_t i = 0; i < v.u.d->n; i++) {
            if (i) jbuf_addc(b, ", ");
            write_repr_at(b, v.u.d->keys[i], depth + 1);
            jbuf_addc(b, ": ");
            write_repr_at(b, v.u.d->vals[i], depth + 1);
        }
        jbuf_addc(b, "}");
        if (v.u.d->kind == JD_NAMESPACE) jbuf_addc(b, ">");
        return;
    case JV_MACRO: jbuf_addc(b, "<Macro>"); return;
    default: jbuf_addc(b, "<function>"); return;
    }
}

jv jv_to_str(jheap *h, jv v) {
    if (v.t == JV_STR) return v;
    if (v.t == JV_UNDEF) return jv_str("", 0);
    jbuf b;
    jbuf_init(&b, h, 0);
    jv_write_str(&b, v);
    return jbuf_value(&b);
}

jv jv_html_escape(jheap *h, jv v) {
    if (v.t == JV_STR && v.markup) return v;
    jv s = jv_to_str(h, v);
    jbuf b;
    jbuf_init(&b, h, 0);
    for (size_t i = 0; i < s.u.s.n; i++) {
        char c = s.u.s.p[i];
        if (c == '&') jbuf_addc(&b, "&amp;");
        else if (c == '<') jbuf_addc(&b, "&lt;");
        else if (c == '>') jbuf_addc(&b, "&gt;");
        else if (c == '"') jbuf_addc(&b, "&#34;");
        else if (c == '\'') jbuf_addc(&b, "&#39;");
        else jbuf_add(&b, &c, 1);
    }
    jv out = jbuf_value(&b);
    out.markup = true;
    return out;
}

size_t utf8_len(const char *p, size_t n) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)p[i] & 0xc0) != 0x80) count++;
    return count;
}

size_t utf8_offset(const char *p, size_t n, size_t cp) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)p[i] & 0xc0) != 0x80) {
            if (count == cp) return i;
            count++;
        }
    return n;
}
