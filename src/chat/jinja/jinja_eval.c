/*
 * jinja_eval.c — runs a parsed template (jinja_parse.c): statements write to
 * the output buffer, expressions evaluate to values (jinja_value.c).
 *
 * Scopes follow jinja2: the context and top-level `set`s live in the root
 * scope, each for-loop iteration and each macro call gets its own scope (so
 * a `set` inside a loop does not leak out, which is why templates use
 * namespace()), `if` makes none. Names not found anywhere are the global
 * functions, then undefined.
 *
 * Every loop iteration and macro call counts against a step budget, macro
 * calls against a depth limit, and the output against a size limit, so a
 * hostile template ends with an error instead of running away.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/jinja/jinja.h"

static jv eval(jrender *r, jscope *s, const jnode *n);
static void exec_body(jrender *r, jscope *s, const jnodes *body);

static jscope *new_scope(jrender *r, jscope *parent) {
    jscope *s = jalloc(r->h, sizeof *s);
    s->parent = parent;
    s->vars = jv_dict(r->h, JD_DICT).u.d;
    return s;
}

static void step(jrender *r, int line) {
    if (++r->steps > r->lim.max_steps)
        jfail(r->h, line, "the template runs more than %llu loop iterations and macro calls", (unsigned long long)r->lim.max_steps);
}

void jinja_charge(jrender *r, int line, jv v) {
    uint64_t units = 1;
    if (v.t == JV_LIST) units += v.u.l->n;
    else if (v.t == JV_DICT) units += v.u.d->n;
    else if (v.t == JV_STR) units += v.u.s.n / 256;
    r->steps += units;
    if (r->steps > r->lim.max_steps)
        jfail(r->h, line, "the template does more than %llu steps of work", (unsigned long long)r->lim.max_steps);
}

static jv lookup(jrender *r, jscope *s, const char *name, size_t n) {
    jv key = jv_str(name, n);
    for (; s; s = s->parent) {
        jv *v = jdict_get(s->vars, key);
        if (v) return *v;
    }
    jv g;
    if (jinja_global(name, n, &g)) return g;
    (void)r;
    return jv_undef(name);
}

static _Noreturn void fail_undefined(jrender *r, int line, jv u) {
    if (u.u.s.p) jfail(r->h, line, "'%.*s' is undefined", (int)u.u.s.n, u.u.s.p);
    jfail(r->h, line, "an undefined value was used");
}

/* ---- assignment ---- */

static void assign(jrender *r, jscope *s, const jnode *target, jv v, int line) {
    if (target->kind == E_NAME) {
        jdict_set(r->h, s->vars, jv_str(target->name, target->name_len), v);
        return;
    }
    if (target->kind == E_ATTR) {
        jv obj = eval(r, s, target->a);
        if (obj.t != JV_DICT || obj.u.d->kind != JD_NAMESPACE)
            jfail(r->h, line, "cannot assign attribute '%s' on a %s: set only works on namespace() objects", target->name,
                  jv_type_name(obj));
        jdict_set(r->h, obj.u.d, jv_str(target->name, target->name_len), v);
        return;
    }
    /* a tuple of names */
    size_t count = target->kids.n;
    if (v.t != JV_LIST) jfail(r->h, line, "cannot unpack a %s into %zu names", jv_type_name(v), count);
    if (v.u.l->n != count)
        jfail(r->h, line, "cannot unpack %zu values into %zu names", v.u.l->n, count);
    for (size_t i = 0; i < count; i++) assign(r, s, target->kids.v[i], v.u.l->items[i], line);
}

/* ---- expressions ---- */

static jargs eval_args(jrender *r, jscope *s, const jnode *n) {
    jargs a = {.n = n->kids.n, .names = n->names};
    if (!a.n) return a;
    a.v = jalloc(r->h, a.n * sizeof(jv));
    for (size_t i = 0; i < a.n; i++) a.v[i] = eval(r, s, n->kids.v[i]);
    /* keywords after positionals only, as in Python */
    bool kw = false;
    for (size_t i = 0; i < a.n; i++) {
        if (a.names[i]) kw = true;
        else if (kw) jfail(r->h, n->line, "a positional argument follows a keyword argument");
    }
    return a;
}

static jv call_macro(jrender *r, int line, jmacro *m, jargs a) {
    const jnode *def = m->def;
    step(r, line);
    if (++r->depth > r->lim.max_depth) jfail(r->h, line, "macro calls nest deeper than %d", r->lim.max_depth);
    jscope *s = new_scope(r, m->closure);
    size_t npos = 0;
    while (npos < a.n && !a.names[npos]) npos++;
    if (npos > def->kids.n) jfail(r->h, line, "macro '%s' takes %zu arguments, %zu given", def->name, def->kids.n, npos);
    for (size_t i = npos; i < a.n; i++) {
        bool known = false;
        for (size_t p = 0; p < def->kids.n; p++)
            if (!strcmp(def->names[p], a.names[i])) {
                if (p < npos) jfail(r->h, line, "macro '%s' got multiple values for argument '%s'", def->name, a.names[i]);
                known = true;
            }
        if (!known) jfail(r->h, line, "macro '%s' takes no keyword argument '%s'", def->name, a.names[i]);
    }
    for (size_t p = 0; p < def->kids.n; p++) {
        jv v = jv_undef(def->names[p]);
        bool given = false;
        if (p < npos) {
            v = a.v[p];
            given = true;
        } else
            for (size_t i = npos; i < a.n; i++)
                if (!strcmp(def->names[p], a.names[i])) {
                    v = a.v[i];
                    given = true;
                }
        if (!given && def->kids.v[p]) v = eval(r, s, def->kids.v[p]);
        jdict_set(r->h, s->vars, jv_cstr(def->names[p]), v);
    }
    jbuf *saved = r->out, body;
    jbuf_init(&body, r->h, r->lim.max_output);
    r->out = &body;
    int saved_loops = r->loop_depth;
    r->loop_depth = 0;
    exec_body(r, s, &def->body);
    r->loop_depth = saved_loops;
    r->out = saved;
    r->depth--;
    return jbuf_value(&body);
}

jv jinja_call_value(jrender *r, int line, jv fn, jv *args, const char **kwnames, size_t nargs) {
    const char *none_names[8] = {0};
    if (!kwnames) {
        if (nargs > 8) jfail(r->h, line, "too many arguments");
        kwnames = none_names;
    }
    jargs a = {.v = args, .names = kwnames, .n = nargs};
    switch (fn.t) {
    case JV_MACRO: return call_macro(r, line, fn.u.m, a);
    case JV_FUNC: return jinja_call_func(r, line, fn.u.fn, a);
    case JV_METHOD: return jinja_call_method(r, line, fn.u.mt, a);
    case JV_UNDEF: fail_undefined(r, line, fn);
    default: jfail(r->h, line, "'%s' object is not callable", jv_type_name(fn));
    }
}

static int64_t py_floordiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static jv arith(jrender *r, int line, int op, jv a, jv b) {
    static const char *const names[] = {"+", "-", "*", "/", "//", "%", "**"};
    if (a.t == JV_UNDEF) fail_undefined(r, line, a);
    if (b.t == JV_UNDEF) fail_undefined(r, line, b);
    if (jv_is_number(a) && jv_is_number(b)) {
        bool ints = a.t != JV_FLOAT && b.t != JV_FLOAT;
        int64_t x = a.t == JV_BOOL ? a.u.b : a.u.i, y = b.t == JV_BOOL ? b.u.b : b.u.i;
        double fx = jv_as_double(a), fy = jv_as_double(b);
        switch (op) {
        case JOP_ADD: return ints ? jv_int((int64_t)((uint64_t)x + (uint64_t)y)) : jv_float(fx + fy);
        case JOP_SUB: return ints ? jv_int((int64_t)((uint64_t)x - (uint64_t)y)) : jv_float(fx - fy);
        case JOP_MUL: return ints ? jv_int((int64_t)((uint64_t)x * (uint64_t)y)) : jv_float(fx * fy);
        case JOP_DIV:
            if (fy == 0) jfail(r->h, line, "division by zero");
            return jv_float(fx / fy);
        case JOP_FLOORDIV:
            if (fy == 0) jfail(r->h, line, "integer division or modulo by zero");
            if (ints) return (x == INT64_MIN && y == -1) ? jv_int(INT64_MIN) : jv_int(py_floordiv(x, y));
            return jv_float(floor(fx / fy));
        case JOP_MOD:
            if (fy == 0) jfail(r->h, line, "integer division or modulo by zero");
            if (ints) return (y == -1) ? jv_int(0) : jv_int(x - py_floordiv(x, y) * y);
            {
                double m = fmod(fx, fy);
                if (m != 0 && ((m < 0) != (fy < 0))) m += fy;
                return jv_float(m);
            }
        case JOP_POW:
            if (ints && y >= 0) {
                int64_t p = 1;
                for (int64_t i = 0; i < y && i < 64; i++) p = (int64_t)((uint64_t)p * (uint64_t)x);
                return jv_int(p);
            }
            return jv_float(pow(fx, fy));
        }
    }
    if (op == JOP_ADD && a.t == JV_STR && b.t == JV_STR) {
        bool markup = a.markup || b.markup;
        if (markup) { /* Markup + str escapes the str */
            a = jv_html_escape(r->h, a);
            b = jv_html_escape(r->h, b);
        }
        jbuf buf;
        jbuf_init(&buf, r->h, r->lim.max_output);
        jbuf_add(&buf, a.u.s.p, a.u.s.n);
        jbuf_add(&buf, b.u.s.p, b.u.s.n);
        jv out = jbuf_value(&buf);
        out.markup = markup;
        return out;
    }
    if (op == JOP_ADD && a.t == JV_LIST && b.t == JV_LIST && !a.u.l->generator && !b.u.l->generator) {
        jv l = jv_list(r->h, a.u.l->n + b.u.l->n);
        for (size_t i = 0; i < a.u.l->n; i++) jlist_push(r->h, l.u.l, a.u.l->items[i]);
        for (size_t i = 0; i < b.u.l->n; i++) jlist_push(r->h, l.u.l, b.u.l->items[i]);
        l.u.l->tuple = a.u.l->tuple;
        return l;
    }
    if (op == JOP_MUL && (a.t == JV_INT || a.t == JV_BOOL) && (b.t == JV_STR || b.t == JV_LIST)) {
        jv t = a;
        a = b;
        b = t;
    }
    if (op == JOP_MUL && (a.t == JV_STR || a.t == JV_LIST) && (b.t == JV_INT || b.t == JV_BOOL)) {
        int64_t times = b.t == JV_BOOL ? b.u.b : b.u.i;
        if (times < 0) times = 0;
        size_t unit = a.t == JV_STR ? a.u.s.n : a.u.l->n;
        if (unit && (uint64_t)times > r->lim.max_output / unit)
            jfail(r->h, line, "a repetition (*) larger than the output limit");
        if (a.t == JV_STR) {
            jbuf buf;
            jbuf_init(&buf, r->h, r->lim.max_output);
            for (int64_t i = 0; i < times; i++) jbuf_add(&buf, a.u.s.p, a.u.s.n);
            return jbuf_value(&buf);
        }
        jv l = jv_list(r->h, 0);
        for (int64_t i = 0; i < times; i++)
            for (size_t k = 0; k < a.u.l->n; k++) jlist_push(r->h, l.u.l, a.u.l->items[k]);
        return l;
    }
    jfail(r->h, line, "unsupported operand types for %s: '%s' and '%s'", names[op], jv_type_name(a), jv_type_name(b));
}

static bool contains(jrender *r, int line, jv container, jv item) {
    jinja_charge(r, line, container);
    switch (container.t) {
    case JV_STR:
        if (item.t != JV_STR) jfail(r->h, line, "'in <string>' requires a string as left operand, not %s", jv_type_name(item));
        if (item.u.s.n == 0) return true;
        for (size_t i = 0; i + item.u.s.n <= container.u.s.n; i++)
            if (!memcmp(container.u.s.p + i, item.u.s.p, item.u.s.n)) return true;
        return false;
    case JV_LIST:
        for (size_t i = 0; i < container.u.l->n; i++)
            if (jv_equal(container.u.l->items[i], item)) return true;
        return false;
    case JV_DICT: return jdict_get(container.u.d, item) != NULL;
    case JV_UNDEF: return false;
    default: jfail(r->h, line, "argument of type '%s' is not iterable", jv_type_name(container));
    }
}

/* Python's slice indices for a sequence of length n. */
static void slice_indices(jrender *r, int line, jv *parts[3], int64_t n, int64_t *start, int64_t *stop, int64_t *stepv) {
    int64_t st = 1;
    for (int i = 0; i < 3; i++)
        if (parts[i] && parts[i]->t != JV_NONE && parts[i]->t != JV_INT && parts[i]->t != JV_BOOL)
            jfail(r->h, line, "slice indices must be integers or None, not %s", jv_type_name(*parts[i]));
    if (parts[2] && parts[2]->t != JV_NONE) st = parts[2]->u.i;
    if (st == 0) jfail(r->h, line, "slice step cannot be zero");
    int64_t lo, hi;
    if (st > 0) {
        lo = 0;
        hi = n;
    } else {
        lo = n - 1;
        hi = -1;
    }
    if (parts[0] && parts[0]->t != JV_NONE) {
        int64_t v = parts[0]->u.i;
        if (v < 0) v += n;
        if (st > 0) lo = v < 0 ? 0 : v > n ? n : v;
        else lo = v < -1 ? -1 : v > n - 1 ? n - 1 : v;
    }
    if (parts[1] && parts[1]->t != JV_NONE) {
        int64_t v = parts[1]->u.i;
        if (v < 0) v += n;
        if (st > 0) hi = v < 0 ? 0 : v > n ? n : v;
        else hi = v < -1 ? -1 : v > n - 1 ? n - 1 : v;
    }
    *start = lo;
    *stop = hi;
    *stepv = st;
}

static jv do_slice(jrender *r, int line, jv obj, jv *parts[3]) {
    int64_t start, stop, st;
    if (obj.t == JV_LIST) {
        slice_indices(r, line, parts, (int64_t)obj.u.l->n, &start, &stop, &st);
        jv l = jv_list(r->h, 0);
        l.u.l->tuple = obj.u.l->tuple;
        for (int64_t i = start; st > 0 ? i < stop : i > stop; i += st) jlist_push(r->h, l.u.l, obj.u.l->items[i]);
        return l;
    }
    if (obj.t == JV_STR) {
        size_t ncp = utf8_len(obj.u.s.p, obj.u.s.n);
        slice_indices(r, line, parts, (int64_t)ncp, &start, &stop, &st);
        if (st == 1) {
            if (stop <= start) return jv_str("", 0);
            size_t a = utf8_offset(obj.u.s.p, obj.u.s.n, (size_t)start), b = utf8_offset(obj.u.s.p, obj.u.s.n, (size_t)stop);
            return jv_str(obj.u.s.p + a, b - a);
        }
        jbuf b;
        jbuf_init(&b, r->h, 0);
        for (int64_t i = start; st > 0 ? i < stop : i > stop; i += st) {
            size_t a = utf8_offset(obj.u.s.p, obj.u.s.n, (size_t)i), e = utf8_offset(obj.u.s.p, obj.u.s.n, (size_t)i + 1);
            jbuf_add(&b, obj.u.s.p + a, e - a);
        }
        return jbuf_value(&b);
    }
    if (obj.t == JV_UNDEF) fail_undefined(r, line, obj);
    jfail(r->h, line, "a %s cannot be sliced", jv_type_name(obj));
}

static jv get_item(jrender *r, int line, jv obj, jv key) {
    switch (obj.t) {
    case JV_UNDEF: fail_undefined(r, line, obj);
    case JV_DICT: {
        jv *v = jdict_get(obj.u.d, key);
        if (v) return *v;
        break;
    }
    case JV_LIST:
        if (obj.u.l->generator) jfail(r->h, line, "'generator' object is not subscriptable");
        if (key.t == JV_INT || key.t == JV_BOOL) {
            int64_t i = key.t == JV_BOOL ? key.u.b : key.u.i, n = (int64_t)obj.u.l->n;
            if (i < 0) i += n;
            if (i >= 0 && i < n) return obj.u.l->items[i];
            return jv_undef(NULL);
        }
        break;
    case JV_STR:
        if (key.t == JV_INT || key.t == JV_BOOL) {
            int64_t i = key.t == JV_BOOL ? key.u.b : key.u.i, n = (int64_t)utf8_len(obj.u.s.p, obj.u.s.n);
            if (i < 0) i += n;
            if (i >= 0 && i < n) {
                size_t a = utf8_offset(obj.u.s.p, obj.u.s.n, (size_t)i), b = utf8_offset(obj.u.s.p, obj.u.s.n, (size_t)i + 1);
                return jv_str(obj.u.s.p + a, b - a);
            }
            return jv_undef(NULL);
        }
        break;
    default: break;
    }
    if (key.t == JV_STR) return jinja_getattr(r, line, obj, key.u.s.p, key.u.s.n);
    return jv_undef(NULL);
}

/* Nested evaluations (expression depth times macro depth) stop here, well
 * inside the C stack. */
enum { MAX_EVAL_DEPTH = 3000 };

static jv eval_node(jrender *r, jscope *s, const jnode *n);

static jv eval(jrender *r, jscope *s, const jnode *n) {
    if (++r->eval_depth > MAX_EVAL_DEPTH) jfail(r->h, n->line, "the template evaluates expressions nested too deeply");
    jv v = eval_node(r, s, n);
    r->eval_depth--;
    return v;
}

static jv eval_node(jrender *r, jscope *s, const jnode *n) {
    switch (n->kind) {
    case E_LITERAL: return n->val;
    case E_NAME: return lookup(r, s, n->name, n->name_len);
    case E_ATTR: {
        jv obj = eval(r, s, n->a);
        if (obj.t == JV_UNDEF) fail_undefined(r, n->line, obj);
        return jinja_getattr(r, n->line, obj, n->name, n->name_len);
    }
    case E_ITEM: {
        jv obj = eval(r, s, n->a);
        jv key = eval(r, s, n->b);
        return get_item(r, n->line, obj, key);
    }
    case E_SLICE: {
        jv obj = eval(r, s, n->a);
        jv vals[3], *parts[3];
        for (int i = 0; i < 3; i++) {
            parts[i] = NULL;
            if (n->kids.v[i]) {
                vals[i] = eval(r, s, n->kids.v[i]);
                parts[i] = &vals[i];
            }
        }
        return do_slice(r, n->line, obj, parts);
    }
    case E_CALL: {
        jv fn = eval(r, s, n->a);
        jargs a = eval_args(r, s, n);
        if (fn.t == JV_UNDEF) {
            if (n->a->kind == E_NAME) jfail(r->h, n->line, "'%s' is undefined (called as a function)", n->a->name);
            if (n->a->kind == E_ATTR) jfail(r->h, n->line, "the object has no method '%s'", n->a->name);
        }
        return jinja_call_value(r, n->line, fn, a.v, a.names, a.n);
    }
    case E_FILTER: {
        jv v = eval(r, s, n->a);
        return jinja_filter(r, n->line, n->name, v, eval_args(r, s, n));
    }
    case E_TEST: {
        jv v = eval(r, s, n->a);
        bool t = jinja_test(r, n->line, n->name, v, eval_args(r, s, n));
        return jv_bool(n->op ? !t : t);
    }
    case E_NEG:
    case E_POS: {
        jv v = eval(r, s, n->a);
        if (v.t == JV_UNDEF) fail_undefined(r, n->line, v);
        if (v.t == JV_BOOL) v = jv_int(v.u.b);
        if (v.t == JV_INT) return n->kind == E_NEG ? jv_int((int64_t)(0 - (uint64_t)v.u.i)) : v;
        if (v.t == JV_FLOAT) return n->kind == E_NEG ? jv_float(-v.u.f) : v;
        jfail(r->h, n->line, "bad operand type for unary %s: '%s'", n->kind == E_NEG ? "-" : "+", jv_type_name(v));
    }
    case E_NOT: return jv_bool(!jv_truthy(eval(r, s, n->a)));
    case E_AND: {
        jv a = eval(r, s, n->a);
        return jv_truthy(a) ? eval(r, s, n->b) : a;
    }
    case E_OR: {
        jv a = eval(r, s, n->a);
        return jv_truthy(a) ? a : eval(r, s, n->b);
    }
    case E_COND:
        if (jv_truthy(eval(r, s, n->b))) return eval(r, s, n->a);
        return n->c ? eval(r, s, n->c) : jv_undef(NULL);
    case E_BINARY: {
        jv a = eval(r, s, n->a);
        jv b = eval(r, s, n->b);
        switch (n->op) {
        case JOP_CONCAT: {
            jbuf buf;
            jbuf_init(&buf, r->h, r->lim.max_output);
            jv_write_str(&buf, a);
            jv_write_str(&buf, b);
            return jbuf_value(&buf);
        }
        case JOP_EQ: return jv_bool(jv_equal(a, b));
        case JOP_NE: return jv_bool(!jv_equal(a, b));
        case JOP_LT: return jv_bool(jv_compare(r->h, n->line, a, b) < 0);
        case JOP_LE: return jv_bool(jv_compare(r->h, n->line, a, b) <= 0);
        case JOP_GT: return jv_bool(jv_compare(r->h, n->line, a, b) > 0);
        case JOP_GE: return jv_bool(jv_compare(r->h, n->line, a, b) >= 0);
        case JOP_IN: return jv_bool(contains(r, n->line, b, a));
        case JOP_NOTIN: return jv_bool(!contains(r, n->line, b, a));
        default: return arith(r, n->line, n->op, a, b);
        }
    }
    case E_LIST:
    case E_TUPLE: {
        jv l = jv_list(r->h, n->kids.n);
        l.u.l->tuple = n->kind == E_TUPLE;
        for (size_t i = 0; i < n->kids.n; i++) jlist_push(r->h, l.u.l, eval(r, s, n->kids.v[i]));
        return l;
    }
    case E_DICT: {
        jv d = jv_dict(r->h, JD_DICT);
        for (size_t i = 0; i + 1 < n->kids.n; i += 2) {
            jv k = eval(r, s, n->kids.v[i]);
            if (k.t == JV_LIST || k.t == JV_DICT) jfail(r->h, n->line, "unhashable type: '%s'", jv_type_name(k));
            jdict_set(r->h, d.u.d, k, eval(r, s, n->kids.v[i + 1]));
        }
        return d;
    }
    default: jfail(r->h, n->line, "internal error: a statement where an expression belongs");
    }
}

/* ---- statements ---- */

/* The items a for loop walks over. */
static jlist *iteration_items(jrender *r, int line, jv v) {
    jlist *l;
    switch (v.t) {
    case JV_LIST: return v.u.l;
    case JV_UNDEF: return jv_list(r->h, 0).u.l;
    case JV_DICT:
        if (v.u.d->kind != JD_DICT) break;
        l = jv_list(r->h, v.u.d->n).u.l;
        for (size_t i = 0; i < v.u.d->n; i++) jlist_push(r->h, l, v.u.d->keys[i]);
        return l;
    case JV_STR: {
        l = jv_list(r->h, 0).u.l;
        for (size_t i = 0; i < v.u.s.n;) {
            size_t k = i + 1;
            while (k < v.u.s.n && ((unsigned char)v.u.s.p[k] & 0xc0) == 0x80) k++;
            jlist_push(r->h, l, jv_str(v.u.s.p + i, k - i));
            i = k;
        }
        return l;
    }
    default: break;
    }
    jfail(r->h, line, "'%s' object is not iterable (in a for loop)", jv_type_name(v));
}

static void exec_for(jrender *r, jscope *s, const jnode *n) {
    jlist *all = iteration_items(r, n->line, eval(r, s, n->a));
    jlist *items = all;
    if (n->c) { /* {% for x in xs if cond %}: filter first, so loop.* counts the kept items */
        items = jv_list(r->h, 0).u.l;
        for (size_t i = 0; i < all->n; i++) {
            step(r, n->line);
            jscope *fs = new_scope(r, s);
            assign(r, fs, n->b, all->items[i], n->line);
            if (jv_truthy(eval(r, fs, n->c))) jlist_push(r->h, items, all->items[i]);
        }
    }
    if (items->n == 0) {
        exec_body(r, s, &n->alt);
        return;
    }
    /* loop.depth counts recursive loops only, which mote does not run: nested loops are all depth 1 */
    r->loop_depth++;
    size_t count = items->n;
    for (size_t i = 0; i < count; i++) {
        step(r, n->line);
        jscope *it = new_scope(r, s);
        jv loop = jv_dict(r->h, JD_LOOP);
        jdict *d = loop.u.d;
        jdict_set(r->h, d, jv_cstr("index"), jv_int((int64_t)i + 1));
        jdict_set(r->h, d, jv_cstr("index0"), jv_int((int64_t)i));
        jdict_set(r->h, d, jv_cstr("revindex"), jv_int((int64_t)(count - i)));
        jdict_set(r->h, d, jv_cstr("revindex0"), jv_int((int64_t)(count - i - 1)));
        jdict_set(r->h, d, jv_cstr("first"), jv_bool(i == 0));
        jdict_set(r->h, d, jv_cstr("last"), jv_bool(i + 1 == count));
        jdict_set(r->h, d, jv_cstr("length"), jv_int((int64_t)count));
        jdict_set(r->h, d, jv_cstr("depth"), jv_int(1));
        jdict_set(r->h, d, jv_cstr("depth0"), jv_int(0));
        if (i > 0) jdict_set(r->h, d, jv_cstr("previtem"), items->items[i - 1]);
        if (i + 1 < count) jdict_set(r->h, d, jv_cstr("nextitem"), items->items[i + 1]);
        jdict_set(r->h, it->vars, jv_cstr("loop"), loop);
        assign(r, it, n->b, items->items[i], n->line);
        exec_body(r, it, &n->body);
        int ctl = r->loop_ctl;
        r->loop_ctl = 0;
        if (ctl == 1) break;
    }
    r->loop_depth--;
}

static jv apply_filters(jrender *r, jscope *s, const jnodes *filters, jv v) {
    for (size_t i = 0; i < filters->n; i++) {
        const jnode *f = filters->v[i];
        v = jinja_filter(r, f->line, f->name, v, eval_args(r, s, f));
    }
    return v;
}

static jv capture(jrender *r, jscope *s, const jnodes *body) {
    jbuf *saved = r->out, b;
    jbuf_init(&b, r->h, r->lim.max_output);
    r->out = &b;
    exec_body(r, s, body);
    r->out = saved;
    return jbuf_value(&b);
}

static void exec_stmt(jrender *r, jscope *s, const jnode *n) {
    switch (n->kind) {
    case N_TEXT: jbuf_add(r->out, n->name, n->name_len); return;
    case N_OUTPUT: jv_write_str(r->out, eval(r, s, n->a)); return;
    case N_IF:
        exec_body(r, s, jv_truthy(eval(r, s, n->a)) ? &n->body : &n->alt);
        return;
    case N_FOR: exec_for(r, s, n); return;
    case N_SET: assign(r, s, n->b, eval(r, s, n->a), n->line); return;
    case N_SET_BLOCK: assign(r, s, n->b, apply_filters(r, s, &n->alt, capture(r, s, &n->body)), n->line); return;
    case N_MACRO: {
        jmacro *m = jalloc(r->h, sizeof *m);
        m->def = n;
        m->closure = s;
        jv v = {.t = JV_MACRO, .u.m = m};
        jdict_set(r->h, s->vars, jv_str(n->name, n->name_len), v);
        return;
    }
    case N_FILTER_BLOCK: jv_write_str(r->out, apply_filters(r, s, &n->alt, capture(r, s, &n->body))); return;
    case N_BLOCK: exec_body(r, s, &n->body); return;
    case N_BREAK:
    case N_CONTINUE:
        if (!r->loop_depth) jfail(r->h, n->line, "'%s' outside a for loop", n->kind == N_BREAK ? "break" : "continue");
        r->loop_ctl = n->kind == N_BREAK ? 1 : 2;
        return;
    default: jfail(r->h, n->line, "internal error: an expression where a statement belongs");
    }
}

static void exec_body(jrender *r, jscope *s, const jnodes *body) {
    for (size_t i = 0; i < body->n && !r->loop_ctl; i++) exec_stmt(r, s, body->v[i]);
}

void jinja_render(jheap *h, const jtemplate *t, jdict *context, const jlimits *lim, jbuf *out) {
    jrender r = {.h = h, .lim = *lim, .out = out};
    jscope *root = jalloc(h, sizeof *root);
    root->vars = context;
    r.globals = root;
    exec_body(&r, root, &t->body);
}
