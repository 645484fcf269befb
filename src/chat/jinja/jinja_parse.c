/*
 * jinja_parse.c — tokens to a syntax tree (jinja.h's jnode), following
 * jinja2's grammar and operator precedence:
 *   cond-expr:  or ['if' or ['else' cond-expr]]
 *   or / and / not, comparisons (chained, in, not in),
 *   + -, then ~, then * / // %, then **, then unary - +,
 *   then primary with postfix (.name, [index], [a:b:c], (call)) and
 *   filters (| f(args)) and tests (is [not] t arg) binding tightest.
 * Statements: if/elif/else, for (with `if` filter, else, recursive refused),
 * set (plain, tuple, namespace attribute, block with filters), macro,
 * filter blocks, break/continue, generation blocks.
 * Errors name the construct and the line; nesting depth is bounded so
 * hostile input cannot overflow the stack.
 */
#include <stdlib.h>
#include <string.h>

#include "chat/jinja/jinja.h"

enum { MAX_PARSE_DEPTH = 200 };

typedef struct {
    jheap *h;
    jtok *t;
    size_t i, n;
    int depth;
} parser;

static jtok *cur(parser *P) { return &P->t[P->i]; }
static jtok *advance(parser *P) {
    jtok *t = &P->t[P->i];
    if (P->i + 1 < P->n) P->i++;
    return t;
}

static bool tok_is(const jtok *t, jtok_type type, const char *text) {
    if (t->t != type) return false;
    if (!text) return true;
    size_t n = strlen(text);
    return t->n == n && !memcmp(t->p, text, n);
}
static bool is_op(parser *P, const char *op) { return tok_is(cur(P), TK_OP, op); }
static bool is_name(parser *P, const char *name) { return tok_is(cur(P), TK_NAME, name); }

static const char *tok_desc(parser *P, const jtok *t) {
    switch (t->t) {
    case TK_TEXT: return "text";
    case TK_VAR_BEGIN: return "'{{'";
    case TK_VAR_END: return "'}}'";
    case TK_BLOCK_BEGIN: return "'{%'";
    case TK_BLOCK_END: return "'%}'";
    case TK_EOF: return "the end of the template";
    default: {
        char *s = jalloc(P->h, t->n + 3);
        s[0] = '\'';
        memcpy(s + 1, t->p, t->n);
        s[t->n + 1] = '\'';
        return s;
    }
    }
}

static void expect_op(parser *P, const char *op, const char *where) {
    if (!is_op(P, op)) jfail(P->h, cur(P)->line, "expected '%s' in %s, got %s", op, where, tok_desc(P, cur(P)));
    advance(P);
}

static void expect_name(parser *P, const char *name, const char *where) {
    if (!is_name(P, name)) jfail(P->h, cur(P)->line, "expected '%s' in %s, got %s", name, where, tok_desc(P, cur(P)));
    advance(P);
}

static const char *take_name(parser *P, const char *where, size_t *len) {
    jtok *t = cur(P);
    if (t->t != TK_NAME) jfail(P->h, t->line, "expected a name in %s, got %s", where, tok_desc(P, t));
    advance(P);
    if (len) *len = t->n;
    return jstrndup(P->h, t->p, t->n);
}

static void expect_block_end(parser *P, const char *tag) {
    if (cur(P)->t != TK_BLOCK_END)
        jfail(P->h, cur(P)->line, "expected '%%}' to close {%% %s %%}, got %s", tag, tok_desc(P, cur(P)));
    advance(P);
}

static jnode *node(parser *P, jnode_kind k, int line) {
    jnode *n = jalloc(P->h, sizeof *n);
    n->kind = k;
    n->line = line;
    return n;
}

static void nodes_push(jheap *h, jnodes *l, jnode *n) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        jnode **v = jalloc(h, cap * sizeof *v);
        if (l->n) memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = n;
}

/* kids plus a parallel names array */
static void add_arg(parser *P, jnode *n, jnode *arg, const char *name) {
    size_t old_cap = n->kids.cap;
    nodes_push(P->h, &n->kids, arg);
    if (n->kids.cap != old_cap) {
        const char **names = jalloc(P->h, n->kids.cap * sizeof *names);
        if (n->names) memcpy(names, n->names, (n->kids.n - 1) * sizeof *names);
        n->names = names;
    }
    n->names[n->kids.n - 1] = name;
}

static jnode *parse_expr(parser *P);
static jnode *parse_or(parser *P);
static jnode *parse_unary(parser *P, bool with_filter);
static jnode *parse_primary(parser *P);

static void enter(parser *P) {
    if (++P->depth > MAX_PARSE_DEPTH)
        jfail(P->h, cur(P)->line, "the template nests expressions deeper than %d levels", MAX_PARSE_DEPTH);
}

/* ---- expressions ---- */

/* '(' args ')' already at '(' */
static void parse_call_args(parser *P, jnode *n) {
    expect_op(P, "(", "a call");
    while (!is_op(P, ")")) {
        if (n->kids.n) {
            expect_op(P, ",", "the arguments of a call");
            if (is_op(P, ")")) break;
        }
        if (is_op(P, "*") || is_op(P, "**"))
            jfail(P->h, cur(P)->line, "*args and **kwargs in calls are not supported");
        if (cur(P)->t == TK_NAME && P->i + 1 < P->n && tok_is(&P->t[P->i + 1], TK_OP, "=")) {
            const char *kw = take_name(P, "a keyword argument", NULL);
            advance(P);
            add_arg(P, n, parse_expr(P), kw);
        } else {
            add_arg(P, n, parse_expr(P), NULL);
        }
    }
    advance(P);
}

static jnode *parse_subscript(parser *P, jnode *obj) {
    int line = cur(P)->line;
    if (is_op(P, ".")) {
        advance(P);
        jtok *t = cur(P);
        if (t->t == TK_NAME) {
            jnode *n = node(P, E_ATTR, line);
            n->a = obj;
            n->name = take_name(P, "an attribute", &n->name_len);
            return n;
        }
        if (t->t == TK_INT) {
            advance(P);
            jnode *n = node(P, E_ITEM, line);
            n->a = obj;
            n->b = node(P, E_LITERAL, line);
            n->b->val = jv_int(t->i);
            return n;
        }
        jfail(P->h, line, "expected an attribute name after '.', got %s", tok_desc(P, t));
    }
    expect_op(P, "[", "a subscript");
    jnode *parts[3] = {NULL, NULL, NULL};
    int colons = 0;
    for (;;) {
        if (is_op(P, "]")) break;
        if (is_op(P, ":")) {
            if (++colons > 2) jfail(P->h, line, "too many ':' in a slice");
            advance(P);
            continue;
        }
        if (parts[colons]) jfail(P->h, line, "expected ']' or ':' in a subscript, got %s", tok_desc(P, cur(P)));
        parts[colons] = parse_expr(P);
    }
    advance(P);
    if (colons == 0) {
        if (!parts[0]) jfail(P->h, line, "empty subscript []");
        jnode *n = node(P, E_ITEM, line);
        n->a = obj;
        n->b = parts[0];
        return n;
    }
    jnode *n = node(P, E_SLICE, line);
    n->a = obj;
    for (int i = 0; i < 3; i++) add_arg(P, n, parts[i], NULL);
    return n;
}

static jnode *parse_postfix(parser *P, jnode *n) {
    for (;;) {
        if (is_op(P, ".") || is_op(P, "[")) n = parse_subscript(P, n);
        else if (is_op(P, "(")) {
            jnode *c = node(P, E_CALL, cur(P)->line);
            c->a = n;
            parse_call_args(P, c);
            n = c;
        } else
            return n;
    }
}

static const char *dotted_name(parser *P, const char *where, size_t *len) {
    /* filter and test names may be dotted in jinja2; chat templates use plain ones */
    return take_name(P, where, len);
}

static jnode *parse_filter_expr(parser *P, jnode *n) {
    for (;;) {
        if (is_op(P, "|")) {
            jnode *f = node(P, E_FILTER, cur(P)->line);
            advance(P);
            f->a = n;
            f->name = dotted_name(P, "a filter", &f->name_len);
            if (is_op(P, "(")) parse_call_args(P, f);
            n = f;
        } else if (is_name(P, "is")) {
            jnode *t = node(P, E_TEST, cur(P)->line);
            advance(P);
            if (is_name(P, "not")) {
                advance(P);
                t->op = 1;
            }
            t->a = n;
            t->name = dotted_name(P, "a test", &t->name_len);
            jtok *c = cur(P);
            if (is_op(P, "(")) parse_call_args(P, t);
            else if ((c->t == TK_NAME || c->t == TK_STRING || c->t == TK_INT || c->t == TK_FLOAT || is_op(P, "[") ||
                      is_op(P, "{")) &&
                     !is_name(P, "else") && !is_name(P, "or") && !is_name(P, "and")) {
                if (is_name(P, "is")) jfail(P->h, c->line, "you cannot chain multiple tests with 'is'");
                enter(P);
                jnode *arg = parse_postfix(P, parse_primary(P));
                P->depth--;
                add_arg(P, t, arg, NULL);
            }
            n = t;
        } else if (is_op(P, "(")) {
            jnode *c = node(P, E_CALL, cur(P)->line);
            c->a = n;
            parse_call_args(P, c);
            n = c;
        } else
            return n;
    }
}

static jnode *literal(parser *P, int line, jv v) {
    jnode *n = node(P, E_LITERAL, line);
    n->val = v;
    return n;
}

static jnode *parse_primary(parser *P) {
    jtok *t = cur(P);
    int line = t->line;
    if (t->t == TK_NAME) {
        advance(P);
        if (tok_is(t, TK_NAME, "true") || tok_is(t, TK_NAME, "True")) return literal(P, line, jv_bool(true));
        if (tok_is(t, TK_NAME, "false") || tok_is(t, TK_NAME, "False")) return literal(P, line, jv_bool(false));
        if (tok_is(t, TK_NAME, "none") || tok_is(t, TK_NAME, "None")) return literal(P, line, jv_none());
        jnode *n = node(P, E_NAME, line);
        n->name = jstrndup(P->h, t->p, t->n);
        n->name_len = t->n;
        return n;
    }
    if (t->t == TK_STRING) {
        advance(P);
        if (cur(P)->t != TK_STRING) return literal(P, line, jv_str(t->p, t->n));
        jbuf b;
        jbuf_init(&b, P->h, 0);
        jbuf_add(&b, t->p, t->n);
        while (cur(P)->t == TK_STRING) {
            jtok *s = advance(P);
            jbuf_add(&b, s->p, s->n);
        }
        return literal(P, line, jbuf_value(&b));
    }
    if (t->t == TK_INT) {
        advance(P);
        return literal(P, line, jv_int(t->i));
    }
    if (t->t == TK_FLOAT) {
        advance(P);
        return literal(P, line, jv_float(t->f));
    }
    if (is_op(P, "(")) {
        advance(P);
        if (is_op(P, ")")) {
            advance(P);
            return node(P, E_TUPLE, line);
        }
        jnode *first = parse_expr(P);
        if (is_op(P, ")")) {
            advance(P);
            return first;
        }
        jnode *tup = node(P, E_TUPLE, line);
        add_arg(P, tup, first, NULL);
        while (is_op(P, ",")) {
            advance(P);
            if (is_op(P, ")")) break;
            add_arg(P, tup, parse_expr(P), NULL);
        }
        expect_op(P, ")", "a tuple");
        return tup;
    }
    if (is_op(P, "[")) {
        advance(P);
        jnode *l = node(P, E_LIST, line);
        while (!is_op(P, "]")) {
            if (l->kids.n) {
                expect_op(P, ",", "a list");
                if (is_op(P, "]")) break;
            }
            add_arg(P, l, parse_expr(P), NULL);
        }
        advance(P);
        return l;
    }
    if (is_op(P, "{")) {
        advance(P);
        jnode *d = node(P, E_DICT, line);
        while (!is_op(P, "}")) {
            if (d->kids.n) {
                expect_op(P, ",", "a dict");
                if (is_op(P, "}")) break;
            }
            add_arg(P, d, parse_expr(P), NULL);
            expect_op(P, ":", "a dict");
            add_arg(P, d, parse_expr(P), NULL);
        }
        advance(P);
        return d;
    }
    jfail(P->h, line, "unexpected %s in an expression", tok_desc(P, t));
}

static jnode *parse_unary(parser *P, bool with_filter) {
    enter(P);
    jnode *n;
    int line = cur(P)->line;
    if (is_op(P, "-") || is_op(P, "+")) {
        bool neg = is_op(P, "-");
        advance(P);
        n = node(P, neg ? E_NEG : E_POS, line);
        n->a = parse_unary(P, false);
    } else
        n = parse_primary(P);
    n = parse_postfix(P, n);
    if (with_filter) n = parse_filter_expr(P, n);
    P->depth--;
    return n;
}

static jnode *binary(parser *P, int op, jnode *a, jnode *b, int line) {
    jnode *n = node(P, E_BINARY, line);
    n->op = op;
    n->a = a;
    n->b = b;
    return n;
}

static jnode *parse_pow(parser *P) {
    jnode *n = parse_unary(P, true);
    while (is_op(P, "**")) {
        int line = cur(P)->line;
        advance(P);
        n = binary(P, JOP_POW, n, parse_unary(P, true), line);
    }
    return n;
}

static jnode *parse_math2(parser *P) {
    jnode *n = parse_pow(P);
    for (;;) {
        int op = is_op(P, "*") ? JOP_MUL : is_op(P, "/") ? JOP_DIV : is_op(P, "//") ? JOP_FLOORDIV : is_op(P, "%") ? JOP_MOD : -1;
        if (op < 0) return n;
        int line = cur(P)->line;
        advance(P);
        n = binary(P, op, n, parse_pow(P), line);
    }
}

static jnode *parse_concat(parser *P) {
    jnode *n = parse_math2(P);
    while (is_op(P, "~")) {
        int line = cur(P)->line;
        advance(P);
        n = binary(P, JOP_CONCAT, n, parse_math2(P), line);
    }
    return n;
}

static jnode *parse_math1(parser *P) {
    jnode *n = parse_concat(P);
    for (;;) {
        int op = is_op(P, "+") ? JOP_ADD : is_op(P, "-") ? JOP_SUB : -1;
        if (op < 0) return n;
        int line = cur(P)->line;
        advance(P);
        n = binary(P, op, n, parse_concat(P), line);
    }
}

static jnode *parse_compare(parser *P) {
    jnode *left = parse_math1(P), *result = NULL;
    for (;;) {
        int line = cur(P)->line, op;
        if (is_op(P, "==")) op = JOP_EQ;
        else if (is_op(P, "!=")) op = JOP_NE;
        else if (is_op(P, "<")) op = JOP_LT;
        else if (is_op(P, "<=")) op = JOP_LE;
        else if (is_op(P, ">")) op = JOP_GT;
        else if (is_op(P, ">=")) op = JOP_GE;
        else if (is_name(P, "in")) op = JOP_IN;
        else if (is_name(P, "not") && P->i + 1 < P->n && tok_is(&P->t[P->i + 1], TK_NAME, "in")) {
            op = JOP_NOTIN;
            advance(P);
        } else
            break;
        advance(P);
        jnode *right = parse_math1(P);
        jnode *cmp = binary(P, op, left, right, line);
        if (!result) result = cmp;
        else {
            jnode *both = node(P, E_AND, line);
            both->a = result;
            both->b = cmp;
            result = both;
        }
        left = right;
    }
    return result ? result : left;
}

static jnode *parse_not(parser *P) {
    if (is_name(P, "not")) {
        int line = cur(P)->line;
        advance(P);
        enter(P);
        jnode *n = node(P, E_NOT, line);
        n->a = parse_not(P);
        P->depth--;
        return n;
    }
    return parse_compare(P);
}

static jnode *parse_and(parser *P) {
    jnode *n = parse_not(P);
    while (is_name(P, "and")) {
        jnode *a = node(P, E_AND, cur(P)->line);
        advance(P);
        a->a = n;
        a->b = parse_not(P);
        n = a;
    }
    return n;
}

static jnode *parse_or(parser *P) {
    jnode *n = parse_and(P);
    while (is_name(P, "or")) {
        jnode *o = node(P, E_OR, cur(P)->line);
        advance(P);
        o->a = n;
        o->b = parse_and(P);
        n = o;
    }
    return n;
}

static jnode *parse_expr(parser *P) {
    enter(P);
    jnode *n = parse_or(P);
    while (is_name(P, "if")) {
        jnode *c = node(P, E_COND, cur(P)->line);
        advance(P);
        c->a = n;
        c->b = parse_or(P);
        if (is_name(P, "else")) {
            advance(P);
            c->c = parse_expr(P);
        }
        n = c;
    }
    P->depth--;
    return n;
}

/* An expression, or several separated by commas (a tuple). */
static jnode *parse_tuple(parser *P, bool with_condexpr) {
    int line = cur(P)->line;
    jnode *first = with_condexpr ? parse_expr(P) : parse_or(P);
    if (!is_op(P, ",")) return first;
    jnode *tup = node(P, E_TUPLE, line);
    add_arg(P, tup, first, NULL);
    while (is_op(P, ",")) {
        advance(P);
        if (cur(P)->t == TK_BLOCK_END || cur(P)->t == TK_VAR_END || is_name(P, "in")) break;
        add_arg(P, tup, with_condexpr ? parse_expr(P) : parse_or(P), NULL);
    }
    return tup;
}

/* ---- statements ---- */

static void parse_body(parser *P, jnodes *out, const char *const *stops, const char *opener, int open_line);

/* A name, or names separated by commas (for / set targets). */
static jnode *parse_target(parser *P, const char *where, bool allow_attr) {
    int line = cur(P)->line;
    jnode *n = node(P, E_NAME, line);
    n->name = take_name(P, where, &n->name_len);
    if (allow_attr && is_op(P, ".")) {
        advance(P);
        jnode *a = node(P, E_ATTR, line);
        a->a = n;
        a->name = take_name(P, where, &a->name_len);
        return a;
    }
    if (!is_op(P, ",")) return n;
    jnode *tup = node(P, E_TUPLE, line);
    add_arg(P, tup, n, NULL);
    while (is_op(P, ",")) {
        advance(P);
        if (cur(P)->t != TK_NAME || is_name(P, "in")) break;
        jnode *m = node(P, E_NAME, cur(P)->line);
        m->name = take_name(P, where, &m->name_len);
        add_arg(P, tup, m, NULL);
    }
    return tup;
}

static jnode *parse_if(parser *P, int line, const char *tag) {
    jnode *n = node(P, N_IF, line);
    n->a = parse_tuple(P, true);
    expect_block_end(P, tag);
    static const char *const stops[] = {"elif", "else", "endif", NULL};
    parse_body(P, &n->body, stops, "if", line);
    if (is_name(P, "elif")) {
        int l2 = cur(P)->line;
        advance(P);
        nodes_push(P->h, &n->alt, parse_if(P, l2, "elif"));
        return n; /* the nested if consumed endif */
    }
    if (is_name(P, "else")) {
        advance(P);
        expect_block_end(P, "else");
        static const char *const end[] = {"endif", NULL};
        parse_body(P, &n->alt, end, "if", line);
    }
    expect_name(P, "endif", "an if block");
    expect_block_end(P, "endif");
    return n;
}

static jnode *parse_stmt(parser *P) {
    jtok *t = cur(P);
    int line = t->line;
    if (t->t != TK_NAME) jfail(P->h, line, "expected a tag name after '{%%', got %s", tok_desc(P, t));
    if (is_name(P, "if")) {
        advance(P);
        return parse_if(P, line, "if");
    }
    if (is_name(P, "for")) {
        advance(P);
        jnode *n = node(P, N_FOR, line);
        n->b = parse_target(P, "a for loop", false);
        expect_name(P, "in", "a for loop");
        n->a = parse_tuple(P, false);
        if (is_name(P, "if")) {
            advance(P);
            n->c = parse_expr(P);
        }
        if (is_name(P, "recursive")) jfail(P->h, line, "recursive for loops are not supported");
        expect_block_end(P, "for");
        static const char *const stops[] = {"else", "endfor", NULL};
        parse_body(P, &n->body, stops, "for", line);
        if (is_name(P, "else")) {
            advance(P);
            expect_block_end(P, "else");
            static const char *const end[] = {"endfor", NULL};
            parse_body(P, &n->alt, end, "for", line);
        }
        expect_name(P, "endfor", "a for loop");
        expect_block_end(P, "endfor");
        return n;
    }
    if (is_name(P, "set")) {
        advance(P);
        jnode *target = parse_target(P, "a set tag", true);
        if (is_op(P, "=")) {
            advance(P);
            jnode *n = node(P, N_SET, line);
            n->b = target;
            n->a = parse_tuple(P, true);
            expect_block_end(P, "set");
            return n;
        }
        jnode *n = node(P, N_SET_BLOCK, line);
        n->b = target;
        if (target->kind != E_NAME) jfail(P->h, line, "a block set needs a single name");
        while (is_op(P, "|")) {
            advance(P);
            jnode *f = node(P, E_FILTER, cur(P)->line);
            f->name = dotted_name(P, "a filter", &f->name_len);
            if (is_op(P, "(")) parse_call_args(P, f);
            nodes_push(P->h, &n->alt, f);
        }
        expect_block_end(P, "set");
        static const char *const end[] = {"endset", NULL};
        parse_body(P, &n->body, end, "set", line);
        advance(P);
        expect_block_end(P, "endset");
        return n;
    }
    if (is_name(P, "macro")) {
        advance(P);
        jnode *n = node(P, N_MACRO, line);
        n->name = take_name(P, "a macro", &n->name_len);
        expect_op(P, "(", "a macro definition");
        while (!is_op(P, ")")) {
            if (n->kids.n) expect_op(P, ",", "a macro's parameters");
            const char *param = take_name(P, "a macro's parameters", NULL);
            jnode *dflt = NULL;
            if (is_op(P, "=")) {
                advance(P);
                dflt = parse_expr(P);
            }
            add_arg(P, n, dflt, param);
        }
        advance(P);
        expect_block_end(P, "macro");
        static const char *const end[] = {"endmacro", NULL};
        parse_body(P, &n->body, end, "macro", line);
        advance(P);
        if (cur(P)->t == TK_NAME) advance(P); /* {% endmacro name %} */
        expect_block_end(P, "endmacro");
        return n;
    }
    if (is_name(P, "filter")) {
        advance(P);
        jnode *n = node(P, N_FILTER_BLOCK, line);
        do {
            if (is_op(P, "|")) advance(P);
            jnode *f = node(P, E_FILTER, cur(P)->line);
            f->name = dotted_name(P, "a filter block", &f->name_len);
            if (is_op(P, "(")) parse_call_args(P, f);
            nodes_push(P->h, &n->alt, f);
        } while (is_op(P, "|"));
        expect_block_end(P, "filter");
        static const char *const end[] = {"endfilter", NULL};
        parse_body(P, &n->body, end, "filter", line);
        advance(P);
        expect_block_end(P, "endfilter");
        return n;
    }
    if (is_name(P, "generation")) {
        advance(P);
        jnode *n = node(P, N_BLOCK, line);
        expect_block_end(P, "generation");
        static const char *const end[] = {"endgeneration", NULL};
        parse_body(P, &n->body, end, "generation", line);
        advance(P);
        expect_block_end(P, "endgeneration");
        return n;
    }
    if (is_name(P, "break") || is_name(P, "continue")) {
        bool brk = is_name(P, "break");
        advance(P);
        expect_block_end(P, brk ? "break" : "continue");
        return node(P, brk ? N_BREAK : N_CONTINUE, line);
    }
    jfail(P->h, line, "unknown or unsupported tag '%.*s'", (int)t->n, t->p);
}

/* Statements until a {% tag %} named in stops (left at that name) or the end. */
static void parse_body(parser *P, jnodes *out, const char *const *stops, const char *opener, int open_line) {
    enter(P);
    for (;;) {
        jtok *t = cur(P);
        if (t->t == TK_EOF) {
            if (stops) {
                const char *end = stops[0];
                for (size_t i = 0; stops[i]; i++)
                    if (!strncmp(stops[i], "end", 3)) end = stops[i];
                jfail(P->h, open_line, "the {%% %s %%} tag is never closed (missing {%% %s %%})", opener, end);
            }
            break;
        }
        if (t->t == TK_TEXT) {
            advance(P);
            jnode *n = node(P, N_TEXT, t->line);
            n->name = t->p;
            n->name_len = t->n;
            nodes_push(P->h, out, n);
        } else if (t->t == TK_VAR_BEGIN) {
            advance(P);
            jnode *n = node(P, N_OUTPUT, t->line);
            n->a = parse_tuple(P, true);
            if (cur(P)->t != TK_VAR_END) jfail(P->h, cur(P)->line, "expected '}}', got %s", tok_desc(P, cur(P)));
            advance(P);
            nodes_push(P->h, out, n);
        } else if (t->t == TK_BLOCK_BEGIN) {
            advance(P);
            if (stops)
                for (size_t i = 0; stops[i]; i++)
                    if (is_name(P, stops[i])) {
                        P->depth--;
                        return;
                    }
            nodes_push(P->h, out, parse_stmt(P));
        } else
            jfail(P->h, t->line, "unexpected %s", tok_desc(P, t));
    }
    P->depth--;
}

/* jinja2 refuses unknown filters and tests when it compiles a template,
 * except inside an if (its test and branches) or a conditional expression,
 * where the error waits until the filter runs; for-loop, macro and block
 * bodies start strict again. This pass applies the same rule to the tree. */
static void check_names(jheap *h, const jnode *n, bool soft, int depth) {
    if (!n) return;
    if (depth > 4 * MAX_PARSE_DEPTH) jfail(h, n->line, "the template nests too deeply");
    if (!soft && n->kind == E_FILTER && !jinja_filter_known(n->name)) jfail(h, n->line, "unknown filter '%s'", n->name);
    if (!soft && n->kind == E_TEST && !jinja_test_known(n->name)) jfail(h, n->line, "unknown test '%s'", n->name);
    bool kids_soft = soft || n->kind == N_IF || n->kind == E_COND;
    bool body_soft = n->kind == N_IF ? true : (n->kind == N_FOR || n->kind == N_MACRO || n->kind == N_SET_BLOCK ||
                                               n->kind == N_FILTER_BLOCK || n->kind == N_BLOCK) ? false : soft;
    check_names(h, n->a, kids_soft, depth + 1);
    check_names(h, n->b, kids_soft, depth + 1);
    check_names(h, n->c, n->kind == N_FOR ? false : kids_soft, depth + 1);
    for (size_t i = 0; i < n->kids.n; i++) check_names(h, n->kids.v[i], kids_soft, depth + 1);
    for (size_t i = 0; i < n->body.n; i++) check_names(h, n->body.v[i], body_soft, depth + 1);
    bool alt_soft = n->kind == N_FOR ? false : n->kind == N_SET_BLOCK || n->kind == N_FILTER_BLOCK ? soft : body_soft;
    for (size_t i = 0; i < n->alt.n; i++) check_names(h, n->alt.v[i], alt_soft, depth + 1);
}

void jinja_parse(jtemplate *t, const char *src, size_t len) {
    jtokens toks = jinja_lex(&t->heap, src, len);
    parser P = {.h = &t->heap, .t = toks.toks, .n = toks.n};
    /* a stray end tag at top level is an error */
    parse_body(&P, &t->body, NULL, NULL, 0);
    for (size_t i = 0; i < t->body.n; i++) check_names(&t->heap, t->body.v[i], false, 0);
}
