/*
 * jinja.h — the Jinja interpreter's insides, shared by its files.
 *
 * mote renders a model's chat template (tokenizer.chat_template) with this
 * small interpreter for the part of Jinja that chat templates use, behaving
 * as Python's jinja2 does in the environment Hugging Face transformers sets
 * up (trim_blocks, lstrip_blocks, loop controls, a sandbox that refuses
 * mutating methods, its own tojson, raise_exception and strftime_now).
 *
 * jinja_heap.c    the arena every value and node lives in, errors (longjmp)
 * jinja_value.c   values: Python-like str()/repr(), truth, equality, order
 * jinja_json.c    JSON in (cJSON) and out (tojson)
 * jinja_lex.c     source -> tokens, with the whitespace control rules
 * jinja_parse.c   tokens -> syntax tree
 * jinja_eval.c    runs the tree: statements, expressions, scopes, limits
 * jinja_filters.c filters and tests
 * jinja_methods.c str/list/dict methods and the global functions
 *
 * Errors never return half-way: they longjmp to the entry point with a
 * message naming the construct and the template line. Everything a parse or
 * render allocates comes from one arena, freed in one go, so the jump leaks
 * nothing.
 */
#ifndef MOTE_JINJA_H
#define MOTE_JINJA_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the arena and errors ---------------------------------------------- */

typedef struct jchunk jchunk;
typedef struct {
    jchunk *chunks;
    size_t used, limit; /* bytes handed out, and the most allowed */
    jmp_buf *jump;      /* where jfail() goes */
    char msg[400];      /* the error message */
} jheap;

void jheap_init(jheap *h, size_t limit);
void jheap_free(jheap *h);
/* Zeroed memory; fails (jfail) past the heap's limit. */
void *jalloc(jheap *h, size_t n);
char *jstrndup(jheap *h, const char *s, size_t n);
/* Record "line N: message" (line 0: no line) and jump to h->jump. */
_Noreturn void jfail(jheap *h, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- values ---------------------------------------------------------------- */

typedef enum {
    JV_UNDEF, /* a missing name or key: prints "", false, iterates empty */
    JV_NONE,
    JV_BOOL,
    JV_INT,
    JV_FLOAT,
    JV_STR,
    JV_LIST, /* lists and tuples */
    JV_DICT, /* dicts, namespace() objects and the loop object */
    JV_MACRO,
    JV_FUNC,   /* a global function (range, namespace, ...) */
    JV_METHOD, /* a method bound to its object (s.split, d.items, ...) */
} jv_type;

typedef struct jlist jlist;
typedef struct jdict jdict;
typedef struct jmacro jmacro;
typedef struct jmethod jmethod;

typedef struct {
    jv_type t;
    bool markup; /* a string marked safe (| safe, | escape): + escapes the other side, as markupsafe does */
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *p; /* UTF-8, not NUL-terminated; for JV_UNDEF the missing name or NULL */
            size_t n;
        } s;
        jlist *l;
        jdict *d;
        jmacro *m;
        int fn; /* JV_FUNC: a jfunc_id */
        jmethod *mt;
    } u;
} jv;

struct jlist {
    size_t n, cap;
    jv *items;
    bool tuple;
    bool generator; /* what select/reject/map return: iterable, but no len(), no JSON, no printing */
};

enum { JD_DICT, JD_NAMESPACE, JD_LOOP };
struct jdict {
    size_t n, cap;
    jv *keys, *vals;
    int kind;
};

struct jmethod {
    jv self;
    const char *name;
};

jv jv_undef(const char *name);
jv jv_none(void);
jv jv_bool(bool b);
jv jv_int(int64_t i);
jv jv_float(double f);
jv jv_str(const char *p, size_t n); /* refers to p (not copied) */
jv jv_cstr(const char *s);
jv jv_list(jheap *h, size_t cap);
jv jv_dict(jheap *h, int kind);

void jlist_push(jheap *h, jlist *l, jv v);
/* The value of key k, or NULL. */
jv *jdict_get(const jdict *d, jv k);
jv *jdict_get_str(const jdict *d, const char *k);
void jdict_set(jheap *h, jdict *d, jv k, jv v);

bool jv_truthy(jv v);
bool jv_equal(jv a, jv b);
/* <0, 0, >0 as Python orders numbers with numbers and strings with strings;
 * fails (jfail) on other pairs. */
int jv_compare(jheap *h, int line, jv a, jv b);
const char *jv_type_name(jv v);
bool jv_is_number(jv v); /* int, float or bool */
double jv_as_double(jv v);

/* A growing string in the heap. */
typedef struct {
    jheap *h;
    char *p;
    size_t n, cap, limit; /* limit: fail past this many bytes (0: none) */
} jbuf;

void jbuf_init(jbuf *b, jheap *h, size_t limit);
void jbuf_add(jbuf *b, const char *s, size_t n);
void jbuf_addc(jbuf *b, const char *s);
jv jbuf_value(jbuf *b);

/* markupsafe's escape(): & < > ' " as HTML entities. */
jv jv_html_escape(jheap *h, jv s);

/* Python's str(v) and repr(v) appended to b. */
void jv_write_str(jbuf *b, jv v);
void jv_write_repr(jbuf *b, jv v);
/* str(v) as a value (strings are returned as they are). */
jv jv_to_str(jheap *h, jv v);
/* Python's repr(float). */
void jv_format_float(char *out, size_t size, double f);

/* Code points of a UTF-8 string, and the byte offset of code point i. */
size_t utf8_len(const char *p, size_t n);
size_t utf8_offset(const char *p, size_t n, size_t i);

/* ---- JSON ------------------------------------------------------------------------- */

/* A value from JSON text; fails with a message naming what is wrong. */
jv jv_from_json(jheap *h, const char *json, size_t len);
/* json.dumps(v, ensure_ascii, indent (<0: none), separators, sort_keys). */
void jv_write_json(jbuf *b, int line, jv v, bool ensure_ascii, int indent, const char *item_sep,
                   const char *key_sep, bool sort_keys);

/* ---- tokens ---------------------------------------------------------------------------- */

typedef enum {
    TK_TEXT,
    TK_VAR_BEGIN,
    TK_VAR_END,
    TK_BLOCK_BEGIN,
    TK_BLOCK_END,
    TK_NAME,
    TK_STRING,
    TK_INT,
    TK_FLOAT,
    TK_OP, /* text: the operator */
    TK_EOF,
} jtok_type;

typedef struct {
    jtok_type t;
    int line;
    const char *p; /* text (TEXT, NAME, STRING after unescaping, OP) */
    size_t n;
    int64_t i;
    double f;
} jtok;

typedef struct {
    jtok *toks;
    size_t n;
} jtokens;

/* Split a template into tokens, applying {%- -%} and trim_blocks / lstrip_blocks. */
jtokens jinja_lex(jheap *h, const char *src, size_t len);

/* ---- syntax tree -------------------------------------------------------------------------- */

typedef enum {
    /* statements */
    N_TEXT,      /* name: the text */
    N_OUTPUT,    /* {{ a }} */
    N_IF,        /* if a: body else alt */
    N_FOR,       /* for target(b) in a [if c]: body else alt */
    N_SET,       /* set target(b) = a */
    N_SET_BLOCK, /* set target(b) %}body{% endset, filtered through kids (filter nodes with a==NULL) */
    N_MACRO,     /* macro name(names = kids defaults): body */
    N_FILTER_BLOCK,
    N_BREAK,
    N_CONTINUE,
    N_BLOCK, /* body rendered as is ({% generation %}) */
    /* expressions */
    E_LITERAL, /* val */
    E_NAME,    /* name */
    E_ATTR,    /* a.name */
    E_ITEM,    /* a[b] */
    E_SLICE,   /* a[kids[0]:kids[1]:kids[2]] (NULL parts absent) */
    E_CALL,    /* a(kids), names[i] the keyword of kids[i] or NULL */
    E_FILTER,  /* a | name(kids) */
    E_TEST,    /* a is [not (op)] name(kids) */
    E_NEG,
    E_POS,
    E_NOT,
    E_AND,
    E_OR,
    E_BINARY, /* a op b: op one of the JOP_ */
    E_COND,   /* a if b else c */
    E_LIST,
    E_TUPLE,
    E_DICT, /* kids: key, value, key, value ... */
} jnode_kind;

enum { JOP_ADD, JOP_SUB, JOP_MUL, JOP_DIV, JOP_FLOORDIV, JOP_MOD, JOP_POW, JOP_CONCAT,
       JOP_EQ, JOP_NE, JOP_LT, JOP_LE, JOP_GT, JOP_GE, JOP_IN, JOP_NOTIN };

typedef struct jnode jnode;
typedef struct {
    jnode **v;
    size_t n, cap;
} jnodes;

struct jnode {
    jnode_kind kind;
    int line;
    int op;
    const char *name;
    size_t name_len;
    jv val;
    jnode *a, *b, *c;
    jnodes kids;
    const char **names; /* parallel to kids where used */
    jnodes body, alt;
};

typedef struct {
    jheap heap;  /* owns the tree */
    jnodes body; /* the top-level statements */
} jtemplate;

/* Parse src into t (t->heap must be initialised, with its jump set). */
void jinja_parse(jtemplate *t, const char *src, size_t len);

/* ---- evaluation ------------------------------------------------------------------------------ */

typedef struct jscope jscope;
struct jscope {
    jscope *parent;
    jdict *vars;
};

struct jmacro {
    const jnode *def;
    jscope *closure;
};

typedef struct jrender jrender;

/* Render the template with the variables of `context` (a dict) into *out
 * (in r's heap). */
typedef struct {
    size_t max_output;   /* bytes */
    uint64_t max_steps;  /* loop iterations + macro calls */
    int max_depth;       /* nested macro calls / evaluation depth */
    int64_t now;         /* strftime_now's time (seconds since the epoch); <0: the clock */
} jlimits;

struct jrender {
    jheap *h;
    jlimits lim;
    jbuf *out;
    jscope *globals;
    uint64_t steps;
    int depth;      /* macro calls in progress */
    int eval_depth; /* nested expression evaluations in progress */
    int loop_ctl;   /* 0, 1 break, 2 continue */
    int loop_depth; /* for loops around the running statement (in this macro) */
};

void jinja_render(jheap *h, const jtemplate *t, jdict *context, const jlimits *lim, jbuf *out);

/* Evaluate a subexpression (used by filters that call tests or filters by name). */
jv jinja_call_value(jrender *r, int line, jv fn, jv *args, const char **kwnames, size_t nargs);

/* ---- built-ins ------------------------------------------------------------------------------- */

typedef enum { JF_RANGE, JF_NAMESPACE, JF_DICT, JF_RAISE, JF_STRFTIME_NOW, JF_LOOP_CYCLE, JF_COUNT } jfunc_id;

/* Arguments as passed: positional then keyword (names[i] != NULL). */
typedef struct {
    jv *v;
    const char **names;
    size_t n;
} jargs;

/* Count work proportional to v's size (list items, dict entries, string
 * bytes / 256) against the step budget, so that filters and methods over
 * large values inside loops end with an error instead of running for hours. */
void jinja_charge(jrender *r, int line, jv v);

/* Filter `name` applied to v, or fail naming it if it is unknown. */
jv jinja_filter(jrender *r, int line, const char *name, jv v, jargs a);
/* Test `name` on v. */
bool jinja_test(jrender *r, int line, const char *name, jv v, jargs a);
/* Whether a filter / test of that name exists (checked when parsing, as jinja2 does). */
bool jinja_filter_known(const char *name);
bool jinja_test_known(const char *name);
/* Global function by name, or false if none. */
bool jinja_global(const char *name, size_t n, jv *out);
jv jinja_call_func(jrender *r, int line, int fn, jargs a);
/* Attribute `name` of v as jinja2's sandboxed getattr finds it: a method
 * bound to v, else a key of a dict; undefined if none. */
jv jinja_getattr(jrender *r, int line, jv v, const char *name, size_t n);
jv jinja_call_method(jrender *r, int line, jmethod *m, jargs a);

/* Python string operations shared by the methods and the filters.
 * strip mode: 1 left, 2 right, 3 both; chars NULL: whitespace. */
jv jstr_strip(jheap *h, jv s, const jv *chars, int mode);
jv jstr_replace(jrender *r, int line, jv s, jv old, jv new_, int64_t count);
/* Python's str.splitlines(keepends). */
jv jstr_splitlines(jrender *r, jv s, bool keepends);
/* case: 'u' upper, 'l' lower, 't' title, 'c' capitalize */
jv jstr_case(jheap *h, jv s, char how);

/* Argument helpers: positional i or keyword `kw`, else NULL. */
jv *jargs_get(jargs a, size_t pos, const char *kw);
/* A string argument (fails naming `what` if it is not a string). */
jv jargs_str(jrender *r, int line, jargs a, size_t pos, const char *kw, const char *what, jv dflt);

#endif
