/*
 * jinja_filters.c — the filters (`x | name(args)`) and tests
 * (`x is name arg`) of jinja2 that chat templates use, with jinja2's
 * argument names and behaviour; `tojson` is transformers' version
 * (json.dumps with ensure_ascii=False by default, indent, separators,
 * sort_keys). A name that is neither is an error naming it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/jinja/jinja.h"

static const jargs no_args = {0};

static jv *arg(jargs a, size_t pos, const char *kw) { return jargs_get(a, pos, kw); }

static bool arg_bool(jargs a, size_t pos, const char *kw, bool dflt) {
    jv *v = arg(a, pos, kw);
    return v ? jv_truthy(*v) : dflt;
}

static jv as_list(jrender *r, int line, jv v, const char *filter) {
    switch (v.t) {
    case JV_LIST: return v;
    case JV_UNDEF: return jv_list(r->h, 0);
    case JV_DICT: {
        jv l = jv_list(r->h, v.u.d->n);
        for (size_t i = 0; i < v.u.d->n; i++) jlist_push(r->h, l.u.l, v.u.d->keys[i]);
        return l;
    }
    case JV_STR: {
        jv l = jv_list(r->h, 0);
        for (size_t i = 0; i < v.u.s.n;) {
            size_t k = i + 1;
            while (k < v.u.s.n && ((unsigned char)v.u.s.p[k] & 0xc0) == 0x80) k++;
            jlist_push(r->h, l.u.l, jv_str(v.u.s.p + i, k - i));
            i = k;
        }
        return l;
    }
    default: jfail(r->h, line, "%s: '%s' object is not iterable", filter, jv_type_name(v));
    }
}

/* An attribute path "a.b.0" of v, as jinja2's make_attrgetter reads it. */
static jv attr_path(jrender *r, int line, jv v, jv path) {
    if (path.t == JV_INT) {
        if (v.t == JV_LIST && path.u.i >= 0 && (size_t)path.u.i < v.u.l->n) return v.u.l->items[path.u.i];
        return jv_undef(NULL);
    }
    if (path.t != JV_STR) jfail(r->h, line, "attribute names must be strings");
    const char *p = path.u.s.p, *end = p + path.u.s.n;
    while (p <= end) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t n = dot ? (size_t)(dot - p) : (size_t)(end - p);
        bool digits = n > 0;
        for (size_t i = 0; i < n; i++) digits = digits && p[i] >= '0' && p[i] <= '9';
        if (v.t == JV_UNDEF) return v;
        if (digits && v.t == JV_LIST) {
            size_t i = (size_t)strtoull(p, NULL, 10);
            v = i < v.u.l->n ? v.u.l->items[i] : jv_undef(NULL);
        } else if (v.t == JV_DICT) {
            jv *x = jdict_get(v.u.d, jv_str(p, n));
            v = x ? *x : jinja_getattr(r, line, v, p, n);
        } else
            v = jinja_getattr(r, line, v, p, n);
        if (!dot) break;
        p = dot + 1;
    }
    return v;
}

/* sort key per jinja2's ignore_case: strings lower-cased unless case_sensitive */
static jv sort_key(jrender *r, jv v, bool case_sensitive) {
    if (!case_sensitive && v.t == JV_STR) return jstr_case(r->h, v, 'l');
    return v;
}

static void sort_values(jrender *r, int line, jv *keys, jv *vals, size_t n, bool reverse) {
    /* stable insertion sort (Python's sort is stable) */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0; k--) {
            int c = jv_compare(r->h, line, keys[k - 1], keys[k]);
            if (reverse ? c >= 0 : c <= 0) break;
            jv t = keys[k];
            keys[k] = keys[k - 1];
            keys[k - 1] = t;
            t = vals[k];
            vals[k] = vals[k - 1];
            vals[k - 1] = t;
        }
}

static void check_steps(jrender *r, int line, size_t n) {
    r->steps += n;
    if (r->steps > r->lim.max_steps) jfail(r->h, line, "the template does more than %llu steps", (unsigned long long)r->lim.max_steps);
}

/* select / reject / selectattr / rejectattr */
static jv generator(jv l) {
    l.u.l->generator = true;
    return l;
}

static jv select_items(jrender *r, int line, jv v, jargs a, bool by_attr, bool keep_if, const char *what) {
    /* jinja2 yields nothing for a false value (None, empty) */
    jv items = jv_truthy(v) ? as_list(r, line, v, what) : jv_list(r->h, 0);
    size_t first = by_attr ? 1 : 0;
    jv *attr = by_attr ? arg(a, 0, NULL) : NULL;
    if (by_attr && !attr) jfail(r->h, line, "%s needs an attribute name", what);
    jv *test = arg(a, first, NULL);
    if (test && test->t != JV_STR) jfail(r->h, line, "%s: the test name must be a string", what);
    jargs rest = {0};
    if (a.n > first + 1) {
        rest.v = a.v + first + 1;
        rest.names = a.names + first + 1;
        rest.n = a.n - first - 1;
    }
    char *test_name = test ? jstrndup(r->h, test->u.s.p, test->u.s.n) : NULL;
    jv out = jv_list(r->h, 0);
    check_steps(r, line, items.u.l->n);
    for (size_t i = 0; i < items.u.l->n; i++) {
        jv x = items.u.l->items[i];
        jv subject = attr ? attr_path(r, line, x, *attr) : x;
        bool ok = test_name ? jinja_test(r, line, test_name, subject, rest) : jv_truthy(subject);
        if (ok == keep_if) jlist_push(r->h, out.u.l, x);
    }
    return generator(out);
}

static jv map_items(jrender *r, int line, jv v, jargs a) {
    jv items = jv_truthy(v) ? as_list(r, line, v, "map") : jv_list(r->h, 0);
    jv *attr = arg(a, (size_t)-1, "attribute");
    jv out = jv_list(r->h, items.u.l->n);
    check_steps(r, line, items.u.l->n);
    if (attr) {
        jv *dflt = arg(a, (size_t)-1, "default");
        for (size_t i = 0; i < items.u.l->n; i++) {
            jv x = attr_path(r, line, items.u.l->items[i], *attr);
            if (x.t == JV_UNDEF && dflt) x = *dflt;
            jlist_push(r->h, out.u.l, x);
        }
        return generator(out);
    }
    jv *f = arg(a, 0, NULL);
    if (!f || f->t != JV_STR) jfail(r->h, line, "map needs a filter name or attribute=");
    char *name = jstrndup(r->h, f->u.s.p, f->u.s.n);
    jargs rest = {0};
    if (a.n > 1) {
        rest.v = a.v + 1;
        rest.names = a.names + 1;
        rest.n = a.n - 1;
    }
    for (size_t i = 0; i < items.u.l->n; i++) jlist_push(r->h, out.u.l, jinja_filter(r, line, name, items.u.l->items[i], rest));
    return generator(out);
}

/* jinja2's indent: every line after the first (and the first if first=True)
 * gets the indent; blank lines only with blank=True. */
static jv indent(jrender *r, int line, jv s, jargs a) {
    jv *w = arg(a, 0, "width");
    jbuf ind;
    jbuf_init(&ind, r->h, 0);
    if (!w) jbuf_addc(&ind, "    ");
    else if (w->t == JV_STR) jbuf_add(&ind, w->u.s.p, w->u.s.n);
    else if (w->t == JV_INT) {
        if (w->u.i > 4096) jfail(r->h, line, "indent: width too large");
        for (int64_t i = 0; i < w->u.i; i++) jbuf_addc(&ind, " ");
    } else
        jfail(r->h, line, "indent: the width must be an integer or a string");
    bool first = arg_bool(a, 1, "first", false), blank = arg_bool(a, 2, "blank", false);
    /* the lines of s + "\n" (jinja2 appends it so a trailing newline keeps an empty last line) */
    jv text = jv_to_str(r->h, s);
    jbuf t;
    jbuf_init(&t, r->h, r->lim.max_output);
    jbuf_add(&t, text.u.s.p, text.u.s.n);
    jbuf_addc(&t, "\n");
    jv lines = jstr_splitlines(r, jbuf_value(&t), false);
    jbuf b;
    jbuf_init(&b, r->h, r->lim.max_output);
    for (size_t i = 0; i < lines.u.l->n; i++) {
        jv l = lines.u.l->items[i];
        if (i > 0) {
            jbuf_addc(&b, "\n");
            if (blank || l.u.s.n > 0) jbuf_add(&b, ind.p, ind.n);
        }
        jbuf_add(&b, l.u.s.p, l.u.s.n);
    }
    jv body = jbuf_value(&b);
    if (!first) return body;
    jbuf f;
    jbuf_init(&f, r->h, r->lim.max_output);
    jbuf_add(&f, ind.p, ind.n);
    jbuf_add(&f, body.u.s.p, body.u.s.n);
    return jbuf_value(&f);
}

static jv tojson(jrender *r, int line, jv v, jargs a) {
    bool ensure_ascii = arg_bool(a, 0, "ensure_ascii", false), sort_keys = arg_bool(a, 3, "sort_keys", false);
    jv *ind = arg(a, 1, "indent");
    int indent = -1;
    if (ind && ind->t != JV_NONE) {
        if (ind->t != JV_INT || ind->u.i < 0 || ind->u.i > 64) jfail(r->h, line, "tojson: indent must be an integer 0-64");
        indent = (int)ind->u.i;
    }
    const char *item_sep = indent >= 0 ? "," : ", ", *key_sep = ": ";
    jv *sep = arg(a, 2, "separators");
    if (sep && sep->t != JV_NONE) {
        if (sep->t != JV_LIST || sep->u.l->n != 2 || sep->u.l->items[0].t != JV_STR || sep->u.l->items[1].t != JV_STR)
            jfail(r->h, line, "tojson: separators must be two strings");
        item_sep = jstrndup(r->h, sep->u.l->items[0].u.s.p, sep->u.l->items[0].u.s.n);
        key_sep = jstrndup(r->h, sep->u.l->items[1].u.s.p, sep->u.l->items[1].u.s.n);
    }
    jbuf b;
    jbuf_init(&b, r->h, r->lim.max_output);
    jv_write_json(&b, line, v, ensure_ascii, indent, item_sep, key_sep, sort_keys);
    return jbuf_value(&b);
}

static jv to_int(jrender *r, jv v, jargs a) {
    jv *d = arg(a, 0, "default");
    jv dflt = d ? *d : jv_int(0);
    (void)r;
    switch (v.t) {
    case JV_INT: return v;
    case JV_BOOL: return jv_int(v.u.b);
    case JV_FLOAT: return isfinite(v.u.f) ? jv_int((int64_t)v.u.f) : dflt;
    case JV_STR: {
        char buf[64];
        jv t = jstr_strip(r->h, v, NULL, 3);
        if (t.u.s.n == 0 || t.u.s.n >= sizeof buf) return dflt;
        size_t k = 0;
        for (size_t i = 0; i < t.u.s.n; i++)
            if (t.u.s.p[i] != '_') buf[k++] = t.u.s.p[i];
        buf[k] = '\0';
        char *end;
        long long i = strtoll(buf, &end, 10);
        if (*end == '\0') return jv_int(i);
        double f = strtod(buf, &end);
        if (*end == '\0' && isfinite(f)) return jv_int((int64_t)f);
        return dflt;
    }
    default: return dflt;
    }
}

static jv to_float(jrender *r, jv v, jargs a) {
    jv *d = arg(a, 0, "default");
    jv dflt = d ? *d : jv_float(0.0);
    if (jv_is_number(v)) return jv_float(jv_as_double(v));
    if (v.t == JV_STR) {
        jv t = jstr_strip(r->h, v, NULL, 3);
        char *s = jstrndup(r->h, t.u.s.p, t.u.s.n), *end;
        double f = strtod(s, &end);
        if (t.u.s.n && *end == '\0') return jv_float(f);
    }
    return dflt;
}

static int64_t length(jrender *r, int line, jv v) {
    switch (v.t) {
    case JV_STR: return (int64_t)utf8_len(v.u.s.p, v.u.s.n);
    case JV_LIST:
        if (v.u.l->generator) break;
        return (int64_t)v.u.l->n;
    case JV_DICT: return (int64_t)v.u.d->n;
    case JV_UNDEF: return 0;
    default: break;
    }
    switch (v.t) {
    default: jfail(r->h, line, "length: object of type '%s' has no len()", jv_type_name(v));
    }
}

static jv minmax(jrender *r, int line, jv v, jargs a, bool want_max) {
    jv items = as_list(r, line, v, want_max ? "max" : "min");
    bool cs = arg_bool(a, 0, "case_sensitive", false);
    jv *attr = arg(a, 1, "attribute");
    if (!items.u.l->n) return jv_undef(NULL);
    size_t best = 0;
    jv best_key = sort_key(r, attr ? attr_path(r, line, items.u.l->items[0], *attr) : items.u.l->items[0], cs);
    for (size_t i = 1; i < items.u.l->n; i++) {
        jv k = sort_key(r, attr ? attr_path(r, line, items.u.l->items[i], *attr) : items.u.l->items[i], cs);
        int c = jv_compare(r->h, line, k, best_key);
        if (want_max ? c > 0 : c < 0) {
            best = i;
            best_key = k;
        }
    }
    return items.u.l->items[best];
}

static const char *const filter_names[] = {
    "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float", "indent",
    "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr",
    "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title", "tojson",
    "trim", "unique", "upper", "wordcount", "center", "truncate", NULL};

bool jinja_filter_known(const char *name) {
    for (size_t i = 0; filter_names[i]; i++)
        if (!strcmp(filter_names[i], name)) return true;
    return false;
}

jv jinja_filter(jrender *r, int line, const char *name, jv v, jargs a) {
#define IS(s) (!strcmp(name, s))
    jinja_charge(r, line, v);
    if (IS("default") || IS("d")) {
        jv *d = arg(a, 0, "default_value");
        jv dflt = d ? *d : jv_str("", 0);
        if (v.t == JV_UNDEF || (arg_bool(a, 1, "boolean", false) && !jv_truthy(v))) return dflt;
        return v;
    }
    if (IS("length") || IS("count")) return jv_int(length(r, line, v));
    if (IS("string")) return jv_to_str(r->h, v);
    if (IS("safe")) {
        jv m = jv_to_str(r->h, v);
        m.markup = true;
        return m;
    }
    if (IS("tojson")) return tojson(r, line, v, a);
    if (IS("list")) {
        jv src = as_list(r, line, v, "list");
        jv l = jv_list(r->h, src.u.l->n);
        for (size_t i = 0; i < src.u.l->n; i++) jlist_push(r->h, l.u.l, src.u.l->items[i]);
        return l;
    }
    if (IS("first") || IS("last")) {
        jv l = as_list(r, line, v, name);
        if (!l.u.l->n) return jv_undef(NULL);
        return l.u.l->items[IS("first") ? 0 : l.u.l->n - 1];
    }
    if (IS("items")) {
        if (v.t == JV_UNDEF) return jv_list(r->h, 0);
        if (v.t != JV_DICT) jfail(r->h, line, "items: can only get item pairs from a mapping, not %s", jv_type_name(v));
        jv out = jv_list(r->h, v.u.d->n);
        for (size_t i = 0; i < v.u.d->n; i++) {
            jv pair = jv_list(r->h, 2);
            pair.u.l->tuple = true;
            jlist_push(r->h, pair.u.l, v.u.d->keys[i]);
            jlist_push(r->h, pair.u.l, v.u.d->vals[i]);
            jlist_push(r->h, out.u.l, pair);
        }
        return out;
    }
    if (IS("dictsort")) {
        if (v.t != JV_DICT) jfail(r->h, line, "dictsort: expected a dict, got %s", jv_type_name(v));
        bool cs = arg_bool(a, 0, "case_sensitive", false), rev = arg_bool(a, 2, "reverse", false);
        jv by = jargs_str(r, line, a, 1, "by", "dictsort", jv_cstr("key"));
        bool by_value = by.u.s.n == 5 && !memcmp(by.u.s.p, "value", 5);
        size_t n = v.u.d->n;
        jv *keys = jalloc(r->h, (n + 1) * sizeof(jv)), *vals = jalloc(r->h, (n + 1) * sizeof(jv));
        for (size_t i = 0; i < n; i++) {
            keys[i] = sort_key(r, by_value ? v.u.d->vals[i] : v.u.d->keys[i], cs);
            jv pair = jv_list(r->h, 2);
            pair.u.l->tuple = true;
            jlist_push(r->h, pair.u.l, v.u.d->keys[i]);
            jlist_push(r->h, pair.u.l, v.u.d->vals[i]);
            vals[i] = pair;
        }
        sort_values(r, line, keys, vals, n, rev);
        jv out = jv_list(r->h, n);
        for (size_t i = 0; i < n; i++) jlist_push(r->h, out.u.l, vals[i]);
        return out;
    }
    if (IS("sort")) {
        jv src = as_list(r, line, v, "sort");
        bool rev = arg_bool(a, 0, "reverse", false), cs = arg_bool(a, 1, "case_sensitive", false);
        jv *attr = arg(a, 2, "attribute");
        size_t n = src.u.l->n;
        jv *keys = jalloc(r->h, (n + 1) * sizeof(jv)), *vals = jalloc(r->h, (n + 1) * sizeof(jv));
        for (size_t i = 0; i < n; i++) {
            vals[i] = src.u.l->items[i];
            keys[i] = sort_key(r, attr ? attr_path(r, line, vals[i], *attr) : vals[i], cs);
        }
        check_steps(r, line, n * n / 16 + n);
        sort_values(r, line, keys, vals, n, rev);
        jv out = jv_list(r->h, n);
        for (size_t i = 0; i < n; i++) jlist_push(r->h, out.u.l, vals[i]);
        return out;
    }
    if (IS("unique")) {
        jv src = as_list(r, line, v, "unique");
        bool cs = arg_bool(a, 0, "case_sensitive", false);
        jv *attr = arg(a, 1, "attribute");
        jv out = jv_list(r->h, 0), seen = jv_list(r->h, 0);
        check_steps(r, line, src.u.l->n * src.u.l->n / 16 + src.u.l->n);
        for (size_t i = 0; i < src.u.l->n; i++) {
            jv k = sort_key(r, attr ? attr_path(r, line, src.u.l->items[i], *attr) : src.u.l->items[i], cs);
            bool dup = false;
            for (size_t j = 0; j < seen.u.l->n && !dup; j++) dup = jv_equal(seen.u.l->items[j], k);
            if (dup) continue;
            jlist_push(r->h, seen.u.l, k);
            jlist_push(r->h, out.u.l, src.u.l->items[i]);
        }
        return out;
    }
    if (IS("join")) {
        jv src = as_list(r, line, v, "join");
        jv sep = jargs_str(r, line, a, 0, "d", "join", jv_str("", 0));
        jv *attr = arg(a, 1, "attribute");
        jbuf b;
        jbuf_init(&b, r->h, r->lim.max_output);
        for (size_t i = 0; i < src.u.l->n; i++) {
            if (i) jbuf_add(&b, sep.u.s.p, sep.u.s.n);
            jv_write_str(&b, attr ? attr_path(r, line, src.u.l->items[i], *attr) : src.u.l->items[i]);
        }
        return jbuf_value(&b);
    }
    if (IS("selectattr") || IS("rejectattr")) return select_items(r, line, v, a, true, name[0] == 's', name);
    if (IS("select") || IS("reject")) return select_items(r, line, v, a, false, name[0] == 's', name);
    if (IS("map")) return map_items(r, line, v, a);
    if (IS("attr")) {
        jv n = jargs_str(r, line, a, 0, "name", "attr", jv_undef(NULL));
        if (n.t != JV_STR) jfail(r->h, line, "attr needs a name");
        return jinja_getattr(r, line, v, n.u.s.p, n.u.s.n);
    }
    if (IS("min") || IS("max")) return minmax(r, line, v, a, IS("max"));
    if (IS("sum")) {
        jv src = as_list(r, line, v, "sum");
        jv *attr = arg(a, 0, "attribute"), *start = arg(a, 1, "start");
        jv total = start ? *start : jv_int(0);
        for (size_t i = 0; i < src.u.l->n; i++) {
            jv x = attr ? attr_path(r, line, src.u.l->items[i], *attr) : src.u.l->items[i];
            if (!jv_is_number(x) || !jv_is_number(total)) jfail(r->h, line, "sum: unsupported operand types");
            if (x.t == JV_FLOAT || total.t == JV_FLOAT) total = jv_float(jv_as_double(total) + jv_as_double(x));
            else total = jv_int((int64_t)jv_as_double(total) + (x.t == JV_BOOL ? x.u.b : x.u.i));
        }
        return total;
    }
    if (IS("reverse")) {
        if (v.t == JV_STR) {
            jv chars = as_list(r, line, v, "reverse");
            jbuf b;
            jbuf_init(&b, r->h, 0);
            for (size_t i = chars.u.l->n; i > 0; i--) jv_write_str(&b, chars.u.l->items[i - 1]);
            return jbuf_value(&b);
        }
        jv src = as_list(r, line, v, "reverse");
        jv out = jv_list(r->h, src.u.l->n);
        for (size_t i = src.u.l->n; i > 0; i--) jlist_push(r->h, out.u.l, src.u.l->items[i - 1]);
        return out;
    }
    if (IS("int")) return to_int(r, v, a);
    if (IS("float")) return to_float(r, v, a);
    if (IS("abs")) {
        if (v.t == JV_INT) return jv_int(v.u.i < 0 ? -v.u.i : v.u.i);
        if (v.t == JV_FLOAT) return jv_float(fabs(v.u.f));
        if (v.t == JV_BOOL) return jv_int(v.u.b);
        jfail(r->h, line, "abs: bad operand type '%s'", jv_type_name(v));
    }
    if (IS("round")) {
        if (!jv_is_number(v)) jfail(r->h, line, "round: expected a number, got %s", jv_type_name(v));
        int64_t prec = 0;
        jv *p = arg(a, 0, "precision");
        if (p && p->t == JV_INT) prec = p->u.i;
        jv m = jargs_str(r, line, a, 1, "method", "round", jv_cstr("common"));
        double x = jv_as_double(v), scale = pow(10.0, (double)prec), y;
        if (m.u.s.n == 6 && !memcmp(m.u.s.p, "common", 6)) y = nearbyint(x * scale); /* Python rounds half to even */
        else if (m.u.s.n == 4 && !memcmp(m.u.s.p, "ceil", 4)) y = ceil(x * scale);
        else if (m.u.s.n == 5 && !memcmp(m.u.s.p, "floor", 5)) y = floor(x * scale);
        else jfail(r->h, line, "round: method must be common, ceil or floor");
        return jv_float(y / scale);
    }
    if (IS("e") || IS("escape")) return jv_html_escape(r->h, v);
    if (IS("indent")) return indent(r, line, v, a);
    if (IS("wordcount")) {
        jv s = jv_to_str(r->h, v);
        int64_t words = 0;
        bool in = false;
        for (size_t i = 0; i < s.u.s.n; i++) {
            unsigned char c = (unsigned char)s.u.s.p[i];
            bool w = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
            if (w && !in) words++;
            in = w;
        }
        return jv_int(words);
    }
    /* the string filters */
    jv s = jv_to_str(r->h, v);
    if (IS("trim")) {
        jv *chars = arg(a, 0, "chars");
        return jstr_strip(r->h, s, chars && chars->t == JV_STR ? chars : NULL, 3);
    }
    if (IS("upper")) return jstr_case(r->h, s, 'u');
    if (IS("lower")) return jstr_case(r->h, s, 'l');
    if (IS("title")) return jstr_case(r->h, s, 't');
    if (IS("capitalize")) return jstr_case(r->h, s, 'c');
    if (IS("replace")) {
        jv old = jargs_str(r, line, a, 0, "old", "replace", jv_undef(NULL));
        jv new_ = jargs_str(r, line, a, 1, "new", "replace", jv_undef(NULL));
        if (old.t != JV_STR || new_.t != JV_STR) jfail(r->h, line, "replace needs two strings");
        jv *c = arg(a, 2, "count");
        return jstr_replace(r, line, s, old, new_, c && c->t == JV_INT ? c->u.i : -1);
    }
    if (IS("center") || IS("truncate"))
        jfail(r->h, line, "the filter '%s' is not supported", name);
    jfail(r->h, line, "unknown filter '%s'", name);
#undef IS
}

/* ---- tests ---- */

static const char *const test_names[] = {
    "defined", "undefined", "none", "boolean", "false", "true", "integer", "float", "number", "string", "mapping",
    "iterable", "sequence", "callable", "sameas", "escaped", "in", "eq", "equalto", "==", "ne", "!=", "lt",
    "lessthan", "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "odd", "even", "divisibleby", "lower",
    "upper", "filter", "test", NULL};

bool jinja_test_known(const char *name) {
    for (size_t i = 0; test_names[i]; i++)
        if (!strcmp(test_names[i], name)) return true;
    return false;
}

bool jinja_test(jrender *r, int line, const char *name, jv v, jargs a) {
#define IS(s) (!strcmp(name, s))
    jv *x = arg(a, 0, NULL);
    if (IS("defined")) return v.t != JV_UNDEF;
    if (IS("undefined")) return v.t == JV_UNDEF;
    if (IS("none")) return v.t == JV_NONE;
    if (IS("boolean")) return v.t == JV_BOOL;
    if (IS("false")) return v.t == JV_BOOL && !v.u.b;
    if (IS("true")) return v.t == JV_BOOL && v.u.b;
    if (IS("integer")) return v.t == JV_INT;
    if (IS("float")) return v.t == JV_FLOAT;
    if (IS("number")) return jv_is_number(v);
    if (IS("string")) return v.t == JV_STR;
    if (IS("mapping")) return v.t == JV_DICT && v.u.d->kind == JD_DICT;
    if (IS("sequence") && v.t == JV_LIST && v.u.l->generator) return false;
    if (IS("iterable")) return v.t == JV_STR || v.t == JV_LIST || v.t == JV_UNDEF || (v.t == JV_DICT && v.u.d->kind == JD_DICT);
    if (IS("sequence")) return v.t == JV_STR || v.t == JV_LIST || v.t == JV_UNDEF || (v.t == JV_DICT && v.u.d->kind == JD_DICT);
    if (IS("callable")) return v.t == JV_MACRO || v.t == JV_FUNC || v.t == JV_METHOD;
    if (IS("escaped")) return false;
    if (IS("lower") || IS("upper")) {
        if (v.t != JV_STR) return false;
        jv m = jinja_getattr(r, line, v, IS("lower") ? "islower" : "isupper", 7);
        return jv_truthy(jinja_call_method(r, line, m.u.mt, no_args));
    }
    if (IS("odd") || IS("even") || IS("divisibleby")) {
        if (v.t != JV_INT && v.t != JV_BOOL) jfail(r->h, line, "the test '%s' needs an integer, got %s", name, jv_type_name(v));
        int64_t i = v.t == JV_BOOL ? v.u.b : v.u.i;
        if (IS("odd")) return i % 2 != 0;
        if (IS("even")) return i % 2 == 0;
        if (!x || x->t != JV_INT || x->u.i == 0) jfail(r->h, line, "divisibleby needs a non-zero integer");
        return i % x->u.i == 0;
    }
    if (IS("filter") || IS("test")) {
        if (v.t != JV_STR) return false;
        char *n = jstrndup(r->h, v.u.s.p, v.u.s.n);
        return IS("filter") ? jinja_filter_known(n) : jinja_test_known(n);
    }
    /* the comparisons need an argument */
    if (!x) {
        bool known = false;
        for (size_t i = 0; test_names[i]; i++) known = known || !strcmp(test_names[i], name);
        if (!known) jfail(r->h, line, "unknown test '%s'", name);
        jfail(r->h, line, "the test '%s' needs an argument", name);
    }
    if (IS("sameas")) {
        if (v.t != x->t) return false;
        if (v.t == JV_NONE || v.t == JV_UNDEF) return true;
        if (v.t == JV_BOOL) return v.u.b == x->u.b;
        if (v.t == JV_INT) return v.u.i == x->u.i && v.u.i >= -5 && v.u.i <= 256; /* CPython's small-int cache */
        if (v.t == JV_LIST) return v.u.l == x->u.l;
        if (v.t == JV_DICT) return v.u.d == x->u.d;
        return false;
    }
    if (IS("eq") || IS("equalto") || IS("==")) return jv_equal(v, *x);
    if (IS("ne") || IS("!=")) return !jv_equal(v, *x);
    if (IS("lt") || IS("lessthan") || IS("<")) return jv_compare(r->h, line, v, *x) < 0;
    if (IS("le") || IS("<=")) return jv_compare(r->h, line, v, *x) <= 0;
    if (IS("gt") || IS("greaterthan") || IS(">")) return jv_compare(r->h, line, v, *x) > 0;
    if (IS("ge") || IS(">=")) return jv_compare(r->h, line, v, *x) >= 0;
    if (IS("in")) {
        if (x->t == JV_STR) {
            if (v.t != JV_STR) jfail(r->h, line, "'in <string>' requires a string as left operand");
            for (size_t i = 0; i + v.u.s.n <= x->u.s.n; i++)
                if (!memcmp(x->u.s.p + i, v.u.s.p, v.u.s.n)) return true;
            return false;
        }
        if (x->t == JV_LIST) {
            for (size_t i = 0; i < x->u.l->n; i++)
                if (jv_equal(x->u.l->items[i], v)) return true;
            return false;
        }
        if (x->t == JV_DICT) return jdict_get(x->u.d, v) != NULL;
        jfail(r->h, line, "the test 'in' needs a container");
    }
    jfail(r->h, line, "unknown test '%s'", name);
#undef IS
}
