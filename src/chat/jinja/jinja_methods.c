/*
 * jinja_methods.c — what a template reaches with a dot or calls by name:
 * the str, dict and list methods chat templates use (split, strip,
 * startswith, replace, format, get, items, ...), the loop object's cycle(),
 * and the global functions transformers provides (range, namespace, dict,
 * raise_exception, strftime_now). As in transformers' immutable sandbox,
 * methods that change a list or dict (append, pop, update, ...) are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <utf8proc.h>

#include "chat/chat_internal.h"
#include "chat/jinja/jinja.h"

/* ---- arguments ---- */

jv *jargs_get(jargs a, size_t pos, const char *kw) {
    size_t npos = 0;
    while (npos < a.n && !a.names[npos]) npos++;
    if (pos < npos) return &a.v[pos];
    if (kw)
        for (size_t i = npos; i < a.n; i++)
            if (!strcmp(a.names[i], kw)) return &a.v[i];
    return NULL;
}

jv jargs_str(jrender *r, int line, jargs a, size_t pos, const char *kw, const char *what, jv dflt) {
    jv *v = jargs_get(a, pos, kw);
    if (!v || v->t == JV_NONE) return dflt;
    if (v->t != JV_STR) jfail(r->h, line, "%s expects a string argument, got %s", what, jv_type_name(*v));
    return *v;
}

static int64_t arg_int(jrender *r, int line, jargs a, size_t pos, const char *kw, const char *what, int64_t dflt) {
    jv *v = jargs_get(a, pos, kw);
    if (!v || v->t == JV_NONE) return dflt;
    if (v->t == JV_BOOL) return v->u.b;
    if (v->t != JV_INT) jfail(r->h, line, "%s expects an integer argument, got %s", what, jv_type_name(*v));
    return v->u.i;
}

static void max_args(jrender *r, int line, jargs a, size_t n, const char *what) {
    if (a.n > n) jfail(r->h, line, "%s takes at most %zu arguments, %zu given", what, n, a.n);
}

/* ---- string helpers ---- */

static size_t cp_len(const char *p, size_t n) {
    size_t k = 1;
    while (k < n && ((unsigned char)p[k] & 0xc0) == 0x80) k++;
    return k;
}

/* whether the code point at p (len bytes) is one of chars */
static bool in_chars(const char *p, size_t len, jv chars) {
    for (size_t i = 0; i < chars.u.s.n;) {
        size_t k = cp_len(chars.u.s.p + i, chars.u.s.n - i);
        if (k == len && !memcmp(chars.u.s.p + i, p, len)) return true;
        i += k;
    }
    return false;
}

jv jstr_strip(jheap *h, jv s, const jv *chars, int mode) {
    (void)h;
    if (!chars || chars->t == JV_NONE) {
        chat_span sp = {s.u.s.p, s.u.s.n};
        sp = mode == 3 ? chat_strip(sp) : mode == 1 ? chat_lstrip(sp) : chat_rstrip(sp);
        return jv_str(sp.p, sp.n);
    }
    const char *p = s.u.s.p;
    size_t start = 0, end = s.u.s.n;
    if (mode & 1)
        while (start < end) {
            size_t k = cp_len(p + start, end - start);
            if (!in_chars(p + start, k, *chars)) break;
            start += k;
        }
    if (mode & 2)
        while (end > start) {
            size_t b = end - 1;
            while (b > start && ((unsigned char)p[b] & 0xc0) == 0x80) b--;
            if (!in_chars(p + b, end - b, *chars)) break;
            end = b;
        }
    return jv_str(p + start, end - start);
}

jv jstr_replace(jrender *r, int line, jv s, jv old, jv new_, int64_t count) {
    jbuf b;
    jbuf_init(&b, r->h, r->lim.max_output);
    (void)line;
    const char *p = s.u.s.p;
    size_t n = s.u.s.n, i = 0;
    int64_t done = 0;
    if (old.u.s.n == 0) { /* Python inserts new between code points and at both ends */
        while (i <= n) {
            if (count >= 0 && done >= count) {
                jbuf_add(&b, p + i, n - i);
                break;
            }
            jbuf_add(&b, new_.u.s.p, new_.u.s.n);
            done++;
            if (i == n) break;
            size_t k = cp_len(p + i, n - i);
            jbuf_add(&b, p + i, k);
            i += k;
        }
        return jbuf_value(&b);
    }
    while (i < n) {
        if ((count < 0 || done < count) && i + old.u.s.n <= n && !memcmp(p + i, old.u.s.p, old.u.s.n)) {
            jbuf_add(&b, new_.u.s.p, new_.u.s.n);
            i += old.u.s.n;
            done++;
        } else
            jbuf_add(&b, p + i++, 1);
    }
    return jbuf_value(&b);
}

static bool is_cased(utf8proc_int32_t c) {
    return utf8proc_toupper(c) != c || utf8proc_tolower(c) != c || utf8proc_totitle(c) != c;
}

jv jstr_case(jheap *h, jv s, char how) {
    jbuf b;
    jbuf_init(&b, h, 0);
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s.u.s.p;
    utf8proc_ssize_t n = (utf8proc_ssize_t)s.u.s.n, i = 0;
    bool prev_cased = false, first = true;
    while (i < n) {
        utf8proc_int32_t c;
        utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &c);
        if (len <= 0) { /* not UTF-8: the byte as it is */
            jbuf_add(&b, (const char *)p + i, 1);
            i++;
            prev_cased = false;
            first = false;
            continue;
        }
        bool up;
        if (how == 'u') up = true;
        else if (how == 'l') up = false;
        else if (how == 'c') up = first;
        else up = !prev_cased;
        utf8proc_int32_t m = up ? (how == 'u' ? utf8proc_toupper(c) : utf8proc_totitle(c)) : utf8proc_tolower(c);
        if (up && c == 0xdf) /* Python's full case mapping: ß -> SS (Ss in titles) */
            jbuf_addc(&b, how == 'u' ? "SS" : "Ss");
        else {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t k = utf8proc_encode_char(m, enc);
            jbuf_add(&b, (const char *)enc, (size_t)k);
        }
        prev_cased = is_cased(c);
        first = false;
        i += len;
    }
    return jbuf_value(&b);
}

static bool has_prefix_at(jv s, size_t at, jv x) {
    return at + x.u.s.n <= s.u.s.n && !memcmp(s.u.s.p + at, x.u.s.p, x.u.s.n);
}

/* startswith / endswith with a string or a tuple of strings */
static bool starts_or_ends(jrender *r, int line, jv s, jv x, bool ends, const char *what) {
    if (x.t == JV_LIST) {
        for (size_t i = 0; i < x.u.l->n; i++)
            if (starts_or_ends(r, line, s, x.u.l->items[i], ends, what)) return true;
        return false;
    }
    if (x.t != JV_STR) jfail(r->h, line, "%s expects a string or a tuple of strings, got %s", what, jv_type_name(x));
    if (x.u.s.n > s.u.s.n) return false;
    return has_prefix_at(s, ends ? s.u.s.n - x.u.s.n : 0, x);
}

static jv split(jrender *r, int line, jv s, jv *sep, int64_t maxsplit, bool from_right) {
    jv out = jv_list(r->h, 0);
    const char *p = s.u.s.p;
    size_t n = s.u.s.n;
    if (sep && sep->t != JV_NONE) {
        if (sep->t != JV_STR) jfail(r->h, line, "split: the separator must be a string");
        if (sep->u.s.n == 0) jfail(r->h, line, "split: empty separator");
        size_t m = sep->u.s.n;
        if (!from_right) {
            size_t start = 0, i = 0;
            int64_t done = 0;
            while (i + m <= n) {
                if ((maxsplit < 0 || done < maxsplit) && !memcmp(p + i, sep->u.s.p, m)) {
                    jlist_push(r->h, out.u.l, jv_str(p + start, i - start));
                    i += m;
                    start = i;
                    done++;
                } else
                    i++;
            }
            jlist_push(r->h, out.u.l, jv_str(p + start, n - start));
            return out;
        }
        /* rsplit: collect from the right, then reverse */
        jv rev = jv_list(r->h, 0);
        size_t end = n;
        int64_t done = 0;
        size_t i = n;
        while (i >= m) {
            if ((maxsplit < 0 || done < maxsplit) && !memcmp(p + i - m, sep->u.s.p, m)) {
                jlist_push(r->h, rev.u.l, jv_str(p + i, end - i));
                i -= m;
                end = i;
                done++;
            } else
                i--;
        }
        jlist_push(r->h, rev.u.l, jv_str(p, end));
        for (size_t k = rev.u.l->n; k > 0; k--) jlist_push(r->h, out.u.l, rev.u.l->items[k - 1]);
        return out;
    }
    /* runs of whitespace; leading/trailing ignored */
    size_t i = 0, k;
    int64_t done = 0;
    if (from_right) {
        jv rev = jv_list(r->h, 0);
        size_t end = n;
        for (;;) {
            while (end > 0) {
                size_t b = end - 1;
                while (b > 0 && ((unsigned char)p[b] & 0xc0) == 0x80) b--;
                if (!chat_is_space(p + b, end - b, &k)) break;
                end = b;
            }
            if (end == 0) break;
            if (maxsplit >= 0 && done >= maxsplit) {
                jlist_push(r->h, rev.u.l, jv_str(p, end));
                break;
            }
            size_t st = end;
            while (st > 0) {
                size_t b = st - 1;
                while (b > 0 && ((unsigned char)p[b] & 0xc0) == 0x80) b--;
                if (chat_is_space(p + b, st - b, &k)) break;
                st = b;
            }
            jlist_push(r->h, rev.u.l, jv_str(p + st, end - st));
            done++;
            end = st;
        }
        for (size_t q = rev.u.l->n; q > 0; q--) jlist_push(r->h, out.u.l, rev.u.l->items[q - 1]);
        return out;
    }
    for (;;) {
        while (i < n && chat_is_space(p + i, n - i, &k)) i += k;
        if (i >= n) break;
        if (maxsplit >= 0 && done >= maxsplit) {
            chat_span rest = chat_rstrip((chat_span){p + i, n - i});
            jlist_push(r->h, out.u.l, jv_str(rest.p, rest.n));
            break;
        }
        size_t st = i;
        while (i < n && !chat_is_space(p + i, n - i, &k)) i += cp_len(p + i, n - i);
        jlist_push(r->h, out.u.l, jv_str(p + st, i - st));
        done++;
    }
    return out;
}

jv jstr_splitlines(jrender *r, jv s, bool keepends) {
    jv out = jv_list(r->h, 0);
    const char *p = s.u.s.p;
    size_t n = s.u.s.n, start = 0, i = 0;
    while (i < n) {
        size_t brk = 0;
        unsigned char c = (unsigned char)p[i];
        if (c == '\r' && i + 1 < n && p[i + 1] == '\n') brk = 2;
        else if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e)) brk = 1;
        else if (c == 0xc2 && i + 1 < n && (unsigned char)p[i + 1] == 0x85) brk = 2;
        else if (c == 0xe2 && i + 2 < n && (unsigned char)p[i + 1] == 0x80 && ((unsigned char)p[i + 2] == 0xa8 || (unsigned char)p[i + 2] == 0xa9)) brk = 3;
        if (!brk) {
            i++;
            continue;
        }
        jlist_push(r->h, out.u.l, jv_str(p + start, (keepends ? i + brk : i) - start));
        i += brk;
        start = i;
    }
    if (start < n) jlist_push(r->h, out.u.l, jv_str(p + start, n - start));
    return out;
}

static int64_t find(jv s, jv x, bool from_right) {
    if (x.u.s.n > s.u.s.n) return -1;
    if (!from_right) {
        for (size_t i = 0; i + x.u.s.n <= s.u.s.n; i++)
            if (has_prefix_at(s, i, x)) return (int64_t)utf8_len(s.u.s.p, i);
    } else {
        for (size_t i = s.u.s.n - x.u.s.n + 1; i > 0; i--)
            if (has_prefix_at(s, i - 1, x)) return (int64_t)utf8_len(s.u.s.p, i - 1);
    }
    return -1;
}

/* str.format with {} / {0} / {name} fields ({{ and }} for braces; format specs refused). */
static jv format(jrender *r, int line, jv s, jargs a) {
    jbuf b;
    jbuf_init(&b, r->h, r->lim.max_output);
    size_t auto_index = 0;
    const char *p = s.u.s.p;
    size_t n = s.u.s.n;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '{' && i + 1 < n && p[i + 1] == '{') {
            jbuf_add(&b, "{", 1);
            i++;
        } else if (p[i] == '}' && i + 1 < n && p[i + 1] == '}') {
            jbuf_add(&b, "}", 1);
            i++;
        } else if (p[i] == '{') {
            size_t e = i + 1;
            while (e < n && p[e] != '}') e++;
            if (e >= n) jfail(r->h, line, "format: single '{' encountered in format string");
            const char *field = p + i + 1;
            size_t fl = e - i - 1;
            if (memchr(field, ':', fl) || memchr(field, '!', fl)) jfail(r->h, line, "format: format specs are not supported");
            jv *v;
            if (fl == 0) v = jargs_get(a, auto_index++, NULL);
            else if (field[0] >= '0' && field[0] <= '9') v = jargs_get(a, (size_t)atoi(field), NULL);
            else {
                char *name = jstrndup(r->h, field, fl);
                v = jargs_get(a, (size_t)-1, name);
            }
            if (!v) jfail(r->h, line, "format: no argument for the field '{%.*s}'", (int)fl, field);
            jv_write_str(&b, *v);
            i = e;
        } else if (p[i] == '}')
            jfail(r->h, line, "format: single '}' encountered in format string");
        else
            jbuf_add(&b, p + i, 1);
    }
    return jbuf_value(&b);
}

static jv join(jrender *r, jv sep, jv items) {
    jbuf b;
    jbuf_init(&b, r->h, r->lim.max_output);
    for (size_t i = 0; i < items.u.l->n; i++) {
        if (i) jbuf_add(&b, sep.u.s.p, sep.u.s.n);
        jv_write_str(&b, items.u.l->items[i]);
    }
    return jbuf_value(&b);
}

static bool str_all(jv s, int (*pred)(int)) {
    if (!s.u.s.n) return false;
    for (size_t i = 0; i < s.u.s.n; i++)
        if (!pred((unsigned char)s.u.s.p[i])) return false;
    return true;
}
static int c_digit(int c) { return c >= '0' && c <= '9'; }
static int c_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
static int c_alnum(int c) { return c_digit(c) || c_alpha(c); }
static int c_space(int c) { return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f); }

static const char *const str_methods[] = {
    "startswith", "endswith", "split", "rsplit", "strip", "lstrip", "rstrip", "replace", "upper", "lower",
    "title", "capitalize", "find", "rfind", "index", "rindex", "count", "join", "format", "splitlines",
    "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper", "isnumeric", "isdecimal",
    "removeprefix", "removesuffix", "partition", "rpartition", "zfill", "swapcase", "casefold", "center",
    "ljust", "rjust", "expandtabs", "encode", "isidentifier", "istitle", "isprintable", "isascii",
    "format_map", "translate", "maketrans", NULL};
static const char *const dict_methods[] = {"get", "items", "keys", "values", "copy", "pop", "popitem", "update",
                                           "setdefault", "clear", "fromkeys", NULL};
static const char *const list_methods[] = {"index", "count", "copy", "append", "extend", "insert", "pop",
                                           "remove", "reverse", "sort", "clear", NULL};
static const char *const unsafe_methods[] = {"pop", "popitem", "update", "setdefault", "clear", "append",
                                             "extend", "insert", "remove", "reverse", "sort", NULL};

static const char *find_name(const char *const *names, const char *name, size_t n) {
    for (size_t i = 0; names[i]; i++)
        if (strlen(names[i]) == n && !memcmp(names[i], name, n)) return names[i];
    return NULL;
}

static jv bound(jrender *r, jv self, const char *name) {
    jmethod *m = jalloc(r->h, sizeof *m);
    m->self = self;
    m->name = name;
    return (jv){.t = JV_METHOD, .u.mt = m};
}

jv jinja_getattr(jrender *r, int line, jv v, const char *name, size_t n) {
    (void)line;
    const char *m = NULL;
    if (v.t == JV_STR) m = find_name(str_methods, name, n);
    else if (v.t == JV_LIST) m = find_name(list_methods, name, n);
    else if (v.t == JV_DICT) {
        if (v.u.d->kind == JD_DICT) m = find_name(dict_methods, name, n);
        else if (v.u.d->kind == JD_LOOP && n == 5 && !memcmp(name, "cycle", 5)) m = "cycle";
        if (!m) {
            jv *x = jdict_get(v.u.d, jv_str(name, n));
            if (x) return *x;
        }
    }
    if (m) return bound(r, v, m);
    return jv_undef(jstrndup(r->h, name, n));
}

jv jinja_call_method(jrender *r, int line, jmethod *m, jargs a) {
    jv s = m->self;
    const char *name = m->name;
    jinja_charge(r, line, s);
    char what[64];
    snprintf(what, sizeof what, "%s.%s()", jv_type_name(s), name);
    if ((s.t == JV_LIST || s.t == JV_DICT) && find_name(unsafe_methods, name, strlen(name)))
        jfail(r->h, line, "access to attribute '%s' of '%s' object is unsafe (templates may not change values)", name,
              jv_type_name(s));
    if (!strcmp(name, "cycle")) {
        if (a.n == 0) jfail(r->h, line, "loop.cycle() needs at least one value");
        jv *i0 = jdict_get_str(s.u.d, "index0");
        return a.v[i0->u.i % (int64_t)a.n];
    }
    if (s.t == JV_DICT) {
        jdict *d = s.u.d;
        if (!strcmp(name, "get")) {
            max_args(r, line, a, 2, what);
            jv *k = jargs_get(a, 0, NULL);
            if (!k) jfail(r->h, line, "dict.get() needs a key");
            jv *v = jdict_get(d, *k);
            if (v) return *v;
            jv *dflt = jargs_get(a, 1, NULL);
            return dflt ? *dflt : jv_none();
        }
        if (!strcmp(name, "copy")) {
            jv c = jv_dict(r->h, JD_DICT);
            for (size_t i = 0; i < d->n; i++) jdict_set(r->h, c.u.d, d->keys[i], d->vals[i]);
            return c;
        }
        jv out = jv_list(r->h, d->n);
        for (size_t i = 0; i < d->n; i++) {
            if (!strcmp(name, "keys")) jlist_push(r->h, out.u.l, d->keys[i]);
            else if (!strcmp(name, "values")) jlist_push(r->h, out.u.l, d->vals[i]);
            else if (!strcmp(name, "items")) {
                jv pair = jv_list(r->h, 2);
                pair.u.l->tuple = true;
                jlist_push(r->h, pair.u.l, d->keys[i]);
                jlist_push(r->h, pair.u.l, d->vals[i]);
                jlist_push(r->h, out.u.l, pair);
            } else
                jfail(r->h, line, "dict method '%s' is not supported", name);
        }
        return out;
    }
    if (s.t == JV_LIST) {
        jv *x = jargs_get(a, 0, NULL);
        if (!strcmp(name, "copy")) {
            jv c = jv_list(r->h, s.u.l->n);
            for (size_t i = 0; i < s.u.l->n; i++) jlist_push(r->h, c.u.l, s.u.l->items[i]);
            return c;
        }
        if (!x) jfail(r->h, line, "%s needs an argument", what);
        int64_t count = 0;
        for (size_t i = 0; i < s.u.l->n; i++)
            if (jv_equal(s.u.l->items[i], *x)) {
                if (!strcmp(name, "index")) return jv_int((int64_t)i);
                count++;
            }
        if (!strcmp(name, "index")) jfail(r->h, line, "list.index(x): x not in list");
        return jv_int(count);
    }
    /* strings */
    if (!strcmp(name, "startswith") || !strcmp(name, "endswith")) {
        jv *x = jargs_get(a, 0, NULL);
        if (!x) jfail(r->h, line, "%s needs an argument", what);
        return jv_bool(starts_or_ends(r, line, s, *x, name[0] == 'e', what));
    }
    if (!strcmp(name, "split") || !strcmp(name, "rsplit")) {
        max_args(r, line, a, 2, what);
        return split(r, line, s, jargs_get(a, 0, "sep"), arg_int(r, line, a, 1, "maxsplit", what, -1), name[0] == 'r');
    }
    if (!strcmp(name, "strip") || !strcmp(name, "lstrip") || !strcmp(name, "rstrip")) {
        max_args(r, line, a, 1, what);
        jv *chars = jargs_get(a, 0, NULL);
        if (chars && chars->t != JV_STR && chars->t != JV_NONE) jfail(r->h, line, "%s arg must be None or str", what);
        return jstr_strip(r->h, s, chars, name[0] == 'l' ? 1 : name[0] == 'r' ? 2 : 3);
    }
    if (!strcmp(name, "replace")) {
        jv old = jargs_str(r, line, a, 0, NULL, what, jv_undef(NULL)), new_ = jargs_str(r, line, a, 1, NULL, what, jv_undef(NULL));
        if (old.t != JV_STR || new_.t != JV_STR) jfail(r->h, line, "%s needs two strings", what);
        return jstr_replace(r, line, s, old, new_, arg_int(r, line, a, 2, "count", what, -1));
    }
    if (!strcmp(name, "upper")) return jstr_case(r->h, s, 'u');
    if (!strcmp(name, "lower") || !strcmp(name, "casefold")) return jstr_case(r->h, s, 'l');
    if (!strcmp(name, "title")) return jstr_case(r->h, s, 't');
    if (!strcmp(name, "capitalize")) return jstr_case(r->h, s, 'c');
    if (!strcmp(name, "find") || !strcmp(name, "rfind") || !strcmp(name, "index") || !strcmp(name, "rindex")) {
        jv x = jargs_str(r, line, a, 0, NULL, what, jv_undef(NULL));
        if (x.t != JV_STR) jfail(r->h, line, "%s needs a string", what);
        int64_t at = find(s, x, name[0] == 'r');
        if (at < 0 && strstr(name, "index")) jfail(r->h, line, "substring not found");
        return jv_int(at);
    }
    if (!strcmp(name, "count")) {
        jv x = jargs_str(r, line, a, 0, NULL, what, jv_undef(NULL));
        if (x.t != JV_STR) jfail(r->h, line, "%s needs a string", what);
        if (!x.u.s.n) return jv_int((int64_t)utf8_len(s.u.s.p, s.u.s.n) + 1);
        int64_t c = 0;
        for (size_t i = 0; i + x.u.s.n <= s.u.s.n;)
            if (has_prefix_at(s, i, x)) {
                c++;
                i += x.u.s.n;
            } else
                i++;
        return jv_int(c);
    }
    if (!strcmp(name, "join")) {
        jv *x = jargs_get(a, 0, NULL);
        if (!x || x->t != JV_LIST) jfail(r->h, line, "%s needs a list", what);
        for (size_t i = 0; i < x->u.l->n; i++)
            if (x->u.l->items[i].t != JV_STR) jfail(r->h, line, "str.join(): sequence item %zu: expected str, %s found", i, jv_type_name(x->u.l->items[i]));
        return join(r, s, *x);
    }
    if (!strcmp(name, "format")) return format(r, line, s, a);
    if (!strcmp(name, "splitlines")) {
        jv *k = jargs_get(a, 0, "keepends");
        return jstr_splitlines(r, s, k && jv_truthy(*k));
    }
    if (!strcmp(name, "isdigit") || !strcmp(name, "isnumeric") || !strcmp(name, "isdecimal")) return jv_bool(str_all(s, c_digit));
    if (!strcmp(name, "isalpha")) return jv_bool(str_all(s, c_alpha));
    if (!strcmp(name, "isalnum")) return jv_bool(str_all(s, c_alnum));
    if (!strcmp(name, "isspace")) return jv_bool(str_all(s, c_space));
    if (!strcmp(name, "islower") || !strcmp(name, "isupper")) {
        bool cased = false, up = name[2] == 'u';
        for (size_t i = 0; i < s.u.s.n; i++) {
            char c = s.u.s.p[i];
            if (c >= 'a' && c <= 'z') {
                if (up) return jv_bool(false);
                cased = true;
            }
            if (c >= 'A' && c <= 'Z') {
                if (!up) return jv_bool(false);
                cased = true;
            }
        }
        return jv_bool(cased);
    }
    if (!strcmp(name, "removeprefix") || !strcmp(name, "removesuffix")) {
        jv x = jargs_str(r, line, a, 0, NULL, what, jv_undef(NULL));
        if (x.t != JV_STR) jfail(r->h, line, "%s needs a string", what);
        if (!starts_or_ends(r, line, s, x, name[6] == 's', what)) return s;
        return name[6] == 's' ? jv_str(s.u.s.p, s.u.s.n - x.u.s.n) : jv_str(s.u.s.p + x.u.s.n, s.u.s.n - x.u.s.n);
    }
    jfail(r->h, line, "the string method '%s' is not supported", name);
}

/* ---- globals ---- */

static const char *const global_names[JF_COUNT] = {"range", "namespace", "dict", "raise_exception", "strftime_now", "cycle"};

bool jinja_global(const char *name, size_t n, jv *out) {
    for (int i = 0; i < JF_LOOP_CYCLE; i++)
        if (strlen(global_names[i]) == n && !memcmp(global_names[i], name, n)) {
            *out = (jv){.t = JV_FUNC, .u.fn = i};
            return true;
        }
    return false;
}

jv jinja_call_func(jrender *r, int line, int fn, jargs a) {
    switch (fn) {
    case JF_RANGE: {
        size_t npos = 0;
        while (npos < a.n && !a.names[npos]) npos++;
        if (npos == 0 || npos > 3 || npos != a.n) jfail(r->h, line, "range() takes 1 to 3 integer arguments");
        int64_t start = 0, stop, st = 1;
        for (size_t i = 0; i < npos; i++)
            if (a.v[i].t != JV_INT && a.v[i].t != JV_BOOL) jfail(r->h, line, "range() arguments must be integers, not %s", jv_type_name(a.v[i]));
        if (npos == 1) stop = a.v[0].u.i;
        else {
            start = a.v[0].u.i;
            stop = a.v[1].u.i;
            if (npos == 3) st = a.v[2].u.i;
        }
        if (st == 0) jfail(r->h, line, "range() arg 3 must not be zero");
        jv l = jv_list(r->h, 0);
        for (int64_t i = start; st > 0 ? i < stop : i > stop; i += st) {
            if (l.u.l->n >= r->lim.max_steps) jfail(r->h, line, "range() is longer than the template's step limit");
            jlist_push(r->h, l.u.l, jv_int(i));
        }
        return l;
    }
    case JF_NAMESPACE:
    case JF_DICT: {
        jv d = jv_dict(r->h, fn == JF_NAMESPACE ? JD_NAMESPACE : JD_DICT);
        for (size_t i = 0; i < a.n; i++) {
            if (a.names[i]) jdict_set(r->h, d.u.d, jv_cstr(a.names[i]), a.v[i]);
            else if (a.v[i].t == JV_DICT && i == 0)
                for (size_t k = 0; k < a.v[i].u.d->n; k++) jdict_set(r->h, d.u.d, a.v[i].u.d->keys[k], a.v[i].u.d->vals[k]);
            else
                jfail(r->h, line, "%s() takes keyword arguments (or one dict)", global_names[fn]);
        }
        return d;
    }
    case JF_RAISE: {
        jv msg = a.n ? jv_to_str(r->h, a.v[0]) : jv_cstr("");
        jfail(r->h, line, "raise_exception: %.*s", (int)msg.u.s.n, msg.u.s.p);
    }
    case JF_STRFTIME_NOW: {
        jv f = jargs_str(r, line, a, 0, NULL, "strftime_now()", jv_undef(NULL));
        if (f.t != JV_STR) jfail(r->h, line, "strftime_now() needs a format string");
        time_t now = r->lim.now >= 0 ? (time_t)r->lim.now : time(NULL);
        struct tm tm;
        if (r->lim.now >= 0) gmtime_r(&now, &tm);
        else localtime_r(&now, &tm);
        char *fmt = jstrndup(r->h, f.u.s.p, f.u.s.n);
        char out[512];
        size_t n = f.u.s.n ? strftime(out, sizeof out, fmt, &tm) : 0;
        if (f.u.s.n && n == 0) jfail(r->h, line, "strftime_now(): the formatted date is empty or too long");
        return jv_str(jstrndup(r->h, out, n), n);
    }
    default: jfail(r->h, line, "internal error: unknown function");
    }
}
