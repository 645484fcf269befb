/*
 * gbnf_parse.c — GBNF text (the grammar format llama.cpp reads, so its
 * .gbnf files work unchanged) into the compiled form of grammar_internal.h.
 *
 *   rule      ::= name "::=" alternates        (one per line; a rule goes on
 *                                               over newlines inside (...),
 *                                               after "|" or when the next
 *                                               line starts with "|")
 *   alternates ::= sequence ("|" sequence)*
 *   sequence  ::= item*   item ::= primary ("*" | "+" | "?" | "{m}" | "{m,}" | "{m,n}")?
 *   primary   ::= "literal" | [class] | [^class] | . | name | ( alternates )
 *   comments run from # to the end of the line.
 *
 * Groups become helper rules; repetitions are rewritten into copies and
 * helper rules ("x{2,4}" is "x x x?-ish" nesting, "x*" a right-recursive
 * rule), so the recognizer needs only sequences, alternatives and
 * references. Errors name the line and column.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "grammar/grammar_internal.h"

#define MAX_ELEMS (1u << 20)   /* a grammar bigger than this is a mistake (or a fuzzer) */
#define MAX_REPEAT 10000u      /* largest count in {m,n} */
#define MAX_NESTING 200        /* parentheses inside parentheses */

typedef struct {
    g_elem *e;
    uint32_t n, cap;
} evec;

typedef struct {
    const char *src;
    size_t len, pos;
    evec *rules;
    char **names;
    size_t *first_use;  /* where a rule was first referenced (for "undefined" errors); SIZE_MAX if defined */
    bool *defined;
    uint32_t n_rules, cap_rules;
    g_class *classes;
    uint32_t n_classes, cap_classes;
    g_range *ranges;
    uint32_t n_ranges, cap_ranges;
    uint32_t total_elems;
    int depth;
    int status;         /* first error, or MOTE_OK */
} parser;

/* Record an error at byte offset `at` (only the first one counts). */
static void fail_at(parser *p, size_t at, const char *fmt, ...) MOTE_PRINTF(3, 4);
static void fail_at(parser *p, size_t at, const char *fmt, ...) {
    if (p->status) return;
    int line = 1, col = 1;
    for (size_t i = 0; i < at && i < p->len; i++) {
        if (p->src[i] == '\n') line++, col = 1;
        else if (((unsigned char)p->src[i] & 0xC0) != 0x80) col++;
    }
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *m = msg; *m; m++)
        if ((unsigned char)*m < 0x20 || *m == 0x7F) *m = '?'; /* one line, whatever the text held */
    p->status = mote_fail(MOTE_ERR_FORMAT, "grammar: line %d, column %d: %s", line, col, msg);
}

static void nomem(parser *p) {
    if (!p->status) p->status = mote_fail(MOTE_ERR_NOMEM, "grammar: out of memory");
}

static void evec_push(parser *p, evec *v, uint32_t type, uint32_t val) {
    if (p->status) return;
    if (++p->total_elems > MAX_ELEMS) {
        fail_at(p, p->pos, "the grammar is too large (more than %u elements after expanding repetitions)", MAX_ELEMS);
        return;
    }
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 16;
        g_elem *e = realloc(v->e, cap * sizeof *e);
        if (!e) return nomem(p);
        v->e = e, v->cap = cap;
    }
    v->e[v->n++] = (g_elem){type, val};
}

/* The id of rule `name` (len bytes), created undefined if new. */
static uint32_t rule_id(parser *p, const char *name, size_t len, size_t use_at) {
    for (uint32_t i = 0; i < p->n_rules; i++)
        if (strlen(p->names[i]) == len && !memcmp(p->names[i], name, len)) return i;
    if (p->n_rules == p->cap_rules) {
        uint32_t cap = p->cap_rules ? p->cap_rules * 2 : 16;
        evec *r = realloc(p->rules, cap * sizeof *r);
        if (r) p->rules = r;
        char **nm = realloc(p->names, cap * sizeof *nm);
        if (nm) p->names = nm;
        size_t *fu = realloc(p->first_use, cap * sizeof *fu);
        if (fu) p->first_use = fu;
        bool *d = realloc(p->defined, cap * sizeof *d);
        if (d) p->defined = d;
        if (!r || !nm || !fu || !d) {
            nomem(p);
            return 0;
        }
        p->cap_rules = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        nomem(p);
        return 0;
    }
    memcpy(copy, name, len);
    copy[len] = '\0';
    uint32_t id = p->n_rules++;
    p->rules[id] = (evec){0};
    p->names[id] = copy;
    p->first_use[id] = use_at;
    p->defined[id] = false;
    return id;
}

/* A new helper rule named after its parent ("object/3": a '/' no rule name
 * written in the text can hold, so helpers never meet the user's rules). */
static uint32_t helper_rule(parser *p, uint32_t parent) {
    char name[96];
    const char *slash = strchr(p->names[parent], '/');
    int base = slash ? (int)(slash - p->names[parent]) : 60;
    int n = snprintf(name, sizeof name, "%.*s/%u", base < 60 ? base : 60, p->names[parent], p->n_rules);
    uint32_t id = rule_id(p, name, (size_t)n, SIZE_MAX);
    if (!p->status) p->defined[id] = true;
    return id;
}

static uint32_t add_class(parser *p, bool negated, const g_range *r, uint32_t n) {
    if (p->status) return 0;
    if (p->n_ranges + n > p->cap_ranges || !p->ranges) {
        uint32_t cap = p->cap_ranges ? p->cap_ranges : 64;
        while (cap < p->n_ranges + n) cap *= 2;
        g_range *nr = realloc(p->ranges, cap * sizeof *nr);
        if (!nr) return nomem(p), 0;
        p->ranges = nr, p->cap_ranges = cap;
    }
    if (p->n_classes == p->cap_classes) {
        uint32_t cap = p->cap_classes ? p->cap_classes * 2 : 64;
        g_class *nc = realloc(p->classes, cap * sizeof *nc);
        if (!nc) return nomem(p), 0;
        p->classes = nc, p->cap_classes = cap;
    }
    /* Sort (insertion: classes are short) and merge, so that membership
     * and coverage tests can walk the ranges in order. */
    g_range *dst = p->ranges + p->n_ranges;
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        g_range x = r[i];
        if (x.lo > x.hi) continue;
        uint32_t j = m;
        while (j > 0 && dst[j - 1].lo > x.lo) dst[j] = dst[j - 1], j--;
        dst[j] = x;
        m++;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < m; i++) {
        if (k && dst[i].lo <= dst[k - 1].hi + 1) {
            if (dst[i].hi > dst[k - 1].hi) dst[k - 1].hi = dst[i].hi;
        } else {
            dst[k++] = dst[i];
        }
    }
    g_class c = {negated, p->n_ranges, k, {0, 0, 0, 0}};
    for (uint32_t i = 0; i < k; i++)
        for (uint32_t cp = dst[i].lo; cp <= dst[i].hi && cp < 128; cp++) c.ascii[cp >> 5] |= 1u << (cp & 31);
    if (negated)
        for (int w = 0; w < 4; w++) c.ascii[w] = ~c.ascii[w];
    p->n_ranges += k;
    p->classes[p->n_classes] = c;
    return p->n_classes++;
}

static bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Skip blanks and comments; newlines too when `newlines`. */
static void skip_space(parser *p, bool newlines) {
    while (p->pos < p->len) {
        char c = p->src[p->pos];
        if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
            p->pos++;
        } else if (c == '#') {
            while (p->pos < p->len && p->src[p->pos] != '\n') p->pos++;
        } else {
            break;
        }
    }
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* One character of a literal or class at p->pos (an escape or a UTF-8
 * character), advancing past it. */
static uint32_t parse_char(parser *p) {
    const unsigned char *s = (const unsigned char *)p->src;
    size_t start = p->pos;
    if (s[p->pos] == '\\') {
        if (p->pos + 1 >= p->len) {
            fail_at(p, start, "a backslash at the end of the text");
            return 0;
        }
        char e = (char)s[p->pos + 1];
        p->pos += 2;
        int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
        if (digits) {
            uint32_t v = 0;
            for (int i = 0; i < digits; i++) {
                int h = p->pos < p->len ? hex_value((char)s[p->pos]) : -1;
                if (h < 0) {
                    fail_at(p, start, "\\%c needs %d hexadecimal digits", e, digits);
                    return 0;
                }
                v = v * 16 + (uint32_t)h;
                p->pos++;
            }
            if (v > 0x10FFFF) fail_at(p, start, "\\%c escape beyond U+10FFFF", e);
            return v;
        }
        switch (e) {
        case 'n': return '\n';
        case 't': return '\t';
        case 'r': return '\r';
        case '0': return 0;
        case '\\': case '"': case '[': case ']': case '-': case '^': case '/': case '\'': case '.': return (uint32_t)e;
        default: fail_at(p, start, "unknown escape '\\%c'", e); return 0;
        }
    }
    /* a UTF-8 character of the grammar text */
    uint32_t c = s[p->pos];
    int more = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (more < 0 || p->pos + (size_t)more >= p->len + (more ? 0 : 1)) {
        fail_at(p, start, "invalid UTF-8 in the grammar");
        return 0;
    }
    if (more) c &= 0x3Fu >> more;
    p->pos++;
    for (int i = 0; i < more; i++, p->pos++) {
        if ((s[p->pos] & 0xC0) != 0x80) {
            fail_at(p, start, "invalid UTF-8 in the grammar");
            return 0;
        }
        c = (c << 6) | (s[p->pos] & 0x3F);
    }
    return c;
}

static void parse_alternates(parser *p, uint32_t rule, evec *out, bool nested);

/* A count in {m,n}. */
static uint32_t parse_count(parser *p) {
    size_t start = p->pos;
    uint64_t v = 0;
    while (p->pos < p->len && p->src[p->pos] >= '0' && p->src[p->pos] <= '9') {
        v = v * 10 + (uint64_t)(p->src[p->pos++] - '0');
        if (v > MAX_REPEAT) {
            fail_at(p, start, "repetition count above %u", MAX_REPEAT);
            return 0;
        }
    }
    if (p->pos == start) fail_at(p, start, "expected a number in {...}");
    return (uint32_t)v;
}

/* Rewrite out[from..] (the last item) as that item repeated min..max times
 * (max UINT32_MAX: unbounded). */
static void repeat_item(parser *p, uint32_t rule, evec *out, uint32_t from, uint32_t min, uint32_t max) {
    if (p->status) return;
    uint32_t n = out->n - from;
    if (n == 0) return; /* an empty literal repeated is still empty */
    g_elem *item = malloc((n ? n : 1) * sizeof *item);
    if (!item) return nomem(p);
    memcpy(item, out->e + from, n * sizeof *item);
    out->n = from;
    for (uint32_t k = 0; k < min && !p->status; k++)
        for (uint32_t i = 0; i < n; i++) evec_push(p, out, item[i].type, item[i].val);
    if (max == UINT32_MAX) {
        /* R ::= item R | (nothing) */
        uint32_t r = helper_rule(p, rule);
        if (!p->status) {
            for (uint32_t i = 0; i < n; i++) evec_push(p, &p->rules[r], item[i].type, item[i].val);
            evec_push(p, &p->rules[r], G_REF, r);
            evec_push(p, &p->rules[r], G_ALT, 0);
            evec_push(p, &p->rules[r], G_END, 0);
            evec_push(p, out, G_REF, r);
        }
    } else if (max > min) {
        /* R1 ::= item | ();  Rk ::= item R(k-1) | () : up to max-min more */
        uint32_t prev = UINT32_MAX;
        for (uint32_t k = 0; k < max - min && !p->status; k++) {
            uint32_t r = helper_rule(p, rule);
            if (p->status) break;
            for (uint32_t i = 0; i < n; i++) evec_push(p, &p->rules[r], item[i].type, item[i].val);
            if (prev != UINT32_MAX) evec_push(p, &p->rules[r], G_REF, prev);
            evec_push(p, &p->rules[r], G_ALT, 0);
            evec_push(p, &p->rules[r], G_END, 0);
            prev = r;
        }
        if (!p->status) evec_push(p, out, G_REF, prev);
    }
    free(item);
}

/* True if the text at pos is "name ::=" (the start of a rule). */
static bool at_rule_start(const parser *p, size_t pos) {
    size_t end = pos;
    while (end < p->len && is_name_char(p->src[end])) end++;
    if (end == pos) return false;
    while (end < p->len && (p->src[end] == ' ' || p->src[end] == '\t')) end++;
    return end + 3 <= p->len && !memcmp(p->src + end, "::=", 3);
}

/* Items until something that is not one (|, ), end of rule). */
static void parse_sequence(parser *p, uint32_t rule, evec *out, bool nested) {
    uint32_t item_start = UINT32_MAX;
    while (!p->status) {
        skip_space(p, nested);
        if (p->pos >= p->len) return;
        char c = p->src[p->pos];
        size_t at = p->pos;
        if (c == '"') {
            p->pos++;
            item_start = out->n;
            while (!p->status && p->pos < p->len && p->src[p->pos] != '"') {
                uint32_t cp = parse_char(p);
                g_range r = {cp, cp};
                evec_push(p, out, G_CLASS, add_class(p, false, &r, 1));
            }
            if (p->pos >= p->len) return fail_at(p, at, "unterminated literal (missing '\"')");
            p->pos++;
        } else if (c == '[') {
            p->pos++;
            bool neg = p->pos < p->len && p->src[p->pos] == '^';
            if (neg) p->pos++;
            g_range *rs = NULL;
            uint32_t n = 0, cap = 0;
            while (!p->status && p->pos < p->len && p->src[p->pos] != ']') {
                uint32_t lo = parse_char(p), hi = lo;
                if (p->pos + 1 < p->len && p->src[p->pos] == '-' && p->src[p->pos + 1] != ']') {
                    p->pos++;
                    hi = parse_char(p);
                    if (hi < lo && !p->status) fail_at(p, at, "character range with its end before its start");
                }
                if (n == cap) {
                    cap = cap ? cap * 2 : 8;
                    g_range *nr = realloc(rs, cap * sizeof *nr);
                    if (!nr) {
                        nomem(p);
                        break;
                    }
                    rs = nr;
                }
                if (rs) rs[n++] = (g_range){lo, hi};
            }
            if (!p->status && p->pos >= p->len) fail_at(p, at, "unterminated character class (missing ']')");
            p->pos++;
            item_start = out->n;
            uint32_t cls = add_class(p, neg, rs, n);
            free(rs);
            evec_push(p, out, G_CLASS, cls);
        } else if (c == '.') {
            p->pos++;
            item_start = out->n;
            evec_push(p, out, G_CLASS, add_class(p, true, NULL, 0));
        } else if (is_name_char(c)) {
            size_t end = p->pos;
            while (end < p->len && is_name_char(p->src[end])) end++;
            /* "name ::=" starts the next rule: this sequence is over */
            size_t q = end;
            while (q < p->len && (p->src[q] == ' ' || p->src[q] == '\t')) q++;
            if (q + 3 <= p->len && !memcmp(p->src + q, "::=", 3)) {
                if (nested) fail_at(p, at, "a rule definition inside parentheses (missing ')')");
                return;
            }
            uint32_t r = rule_id(p, p->src + p->pos, end - p->pos, at);
            p->pos = end;
            item_start = out->n;
            evec_push(p, out, G_REF, r);
        } else if (c == '(') {
            if (++p->depth > MAX_NESTING) return fail_at(p, at, "parentheses nested deeper than %d", MAX_NESTING);
            p->pos++;
            uint32_t sub = helper_rule(p, rule);
            if (p->status) return;
            evec body = {0}; /* not &p->rules[sub]: nested groups may move p->rules */
            parse_alternates(p, sub, &body, true);
            p->rules[sub] = body;
            if (p->status) return;
            skip_space(p, true);
            if (p->pos >= p->len || p->src[p->pos] != ')') return fail_at(p, at, "'(' without its ')'");
            p->pos++;
            p->depth--;
            item_start = out->n;
            evec_push(p, out, G_REF, sub);
        } else if (c == '*' || c == '+' || c == '?' || c == '{') {
            if (item_start == UINT32_MAX) return fail_at(p, at, "'%c' with nothing before it to repeat", c);
            p->pos++;
            uint32_t min = c == '+' ? 1 : 0, max = c == '?' ? 1 : UINT32_MAX;
            if (c == '{') {
                skip_space(p, false);
                min = parse_count(p);
                max = min;
                skip_space(p, false);
                if (p->pos < p->len && p->src[p->pos] == ',') {
                    p->pos++;
                    skip_space(p, false);
                    max = p->pos < p->len && p->src[p->pos] == '}' ? UINT32_MAX : parse_count(p);
                    skip_space(p, false);
                }
                if (p->status) return;
                if (p->pos >= p->len || p->src[p->pos] != '}') return fail_at(p, at, "'{' without its '}'");
                p->pos++;
                if (max < min) return fail_at(p, at, "repetition {%u,%u} with its maximum below its minimum", min, max);
            }
            repeat_item(p, rule, out, item_start, min, max);
            item_start = UINT32_MAX; /* "x**" repeats nothing */
        } else {
            return;
        }
    }
}

static void parse_alternates(parser *p, uint32_t rule, evec *out, bool nested) {
    parse_sequence(p, rule, out, nested);
    for (;;) {
        if (p->status) return;
        /* "|" may also open the next line of a top-level rule */
        size_t save = p->pos;
        skip_space(p, true);
        if (p->pos < p->len && p->src[p->pos] == '|') {
            p->pos++;
            evec_push(p, out, G_ALT, 0);
            skip_space(p, true);
            parse_sequence(p, rule, out, nested);
        } else {
            if (!nested) p->pos = save;
            break;
        }
    }
    evec_push(p, out, G_END, 0);
}

static void parse_rules(parser *p) {
    for (;;) {
        skip_space(p, true);
        if (p->pos >= p->len || p->status) return;
        size_t at = p->pos, end = p->pos;
        while (end < p->len && is_name_char(p->src[end])) end++;
        if (end == at) return fail_at(p, at, "expected a rule name, found '%c'", p->src[at]);
        uint32_t r = rule_id(p, p->src + at, end - at, at);
        if (p->status) return;
        if (p->defined[r]) return fail_at(p, at, "rule '%s' is defined twice", p->names[r]);
        p->defined[r] = true;
        p->pos = end;
        skip_space(p, false);
        if (p->pos + 3 > p->len || memcmp(p->src + p->pos, "::=", 3))
            return fail_at(p, p->pos, "expected '::=' after the rule name '%s'", p->names[r]);
        p->pos += 3;
        skip_space(p, true);
        evec body = {0};
        parse_alternates(p, r, &body, false);
        p->rules[r] = body; /* helper rules may have moved p->rules: assign after */
        if (p->status) return;
        skip_space(p, false);
        /* (an empty rule body lets the next rule start on this line) */
        if (p->pos < p->len && p->src[p->pos] != '\n' && p->src[p->pos] != '\r' && !at_rule_start(p, p->pos))
            return fail_at(p, p->pos, "unexpected '%c' in rule '%s'", p->src[p->pos], p->names[r]);
    }
}

void mote_grammar_free(mote_grammar *g) {
    if (!g) return;
    for (uint32_t i = 0; i < g->n_rules; i++) free(g->rule_names[i]);
    free(g->rule_names);
    free(g->elems);
    free(g->classes);
    free(g->ranges);
    free(g->rule_start);
    free(g->alt_first);
    free(g->rule_alts);
    free(g->source);
    free(g);
}

/* Lay the rules out flat and index their alternatives. */
static mote_grammar *flatten(parser *p, uint32_t root) {
    mote_grammar *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->n_rules = p->n_rules;
    g->rule_names = p->names;
    p->names = NULL;
    g->classes = p->classes, g->n_classes = p->n_classes;
    g->ranges = p->ranges, g->n_ranges = p->n_ranges;
    p->classes = NULL, p->ranges = NULL;
    g->root = root;
    uint32_t total = 0, alts = 0;
    for (uint32_t r = 0; r < p->n_rules; r++) {
        total += p->rules[r].n;
        for (uint32_t i = 0; i < p->rules[r].n; i++) alts += p->rules[r].e[i].type <= G_ALT;
    }
    g->elems = malloc((total ? total : 1) * sizeof *g->elems);
    g->rule_start = malloc((p->n_rules + 1) * sizeof *g->rule_start);
    g->alt_first = malloc((alts ? alts : 1) * sizeof *g->alt_first);
    g->rule_alts = malloc((p->n_rules + 1) * sizeof *g->rule_alts);
    if (!g->elems || !g->rule_start || !g->alt_first || !g->rule_alts) {
        mote_grammar_free(g);
        return NULL;
    }
    uint32_t at = 0, a = 0;
    for (uint32_t r = 0; r < p->n_rules; r++) {
        g->rule_start[r] = at;
        g->rule_alts[r] = a;
        g->alt_first[a++] = at;
        for (uint32_t i = 0; i < p->rules[r].n; i++) {
            g->elems[at++] = p->rules[r].e[i];
            if (p->rules[r].e[i].type == G_ALT) g->alt_first[a++] = at;
        }
    }
    g->rule_start[p->n_rules] = at;
    g->rule_alts[p->n_rules] = a;
    g->n_elems = at;
    return g;
}

static void parser_free(parser *p) {
    for (uint32_t i = 0; i < p->n_rules; i++) {
        free(p->rules[i].e);
        if (p->names) free(p->names[i]);
    }
    free(p->rules);
    free(p->names);
    free(p->first_use);
    free(p->defined);
    free(p->classes);
    free(p->ranges);
}

int mote_grammar_parse(const char *text, size_t len, const char *root, mote_grammar **out) {
    if (!out) return mote_fail(MOTE_ERR_INVALID_ARG, "grammar: no output pointer");
    *out = NULL;
    if (!text) return mote_fail(MOTE_ERR_INVALID_ARG, "grammar: no text");
    if (!root) root = "root";
    parser p = {.src = text, .len = len, .status = MOTE_OK};
    if (memchr(text, '\0', len)) fail_at(&p, (size_t)((const char *)memchr(text, '\0', len) - text), "a NUL byte in the grammar");
    parse_rules(&p);
    uint32_t root_id = 0;
    if (!p.status) {
        for (uint32_t r = 0; r < p.n_rules && !p.status; r++)
            if (!p.defined[r]) fail_at(&p, p.first_use[r], "rule '%s' is used but never defined", p.names[r]);
    }
    if (!p.status) {
        bool found = false;
        for (uint32_t r = 0; r < p.n_rules; r++)
            if (!strcmp(p.names[r], root)) root_id = r, found = true;
        if (!found) p.status = mote_fail(MOTE_ERR_FORMAT, "grammar: there is no rule '%s' to start from", root);
    }
    if (p.status) {
        int st = p.status;
        parser_free(&p);
        return st;
    }
    mote_grammar *g = flatten(&p, root_id);
    parser_free(&p);
    if (!g) return mote_fail(MOTE_ERR_NOMEM, "grammar: out of memory");
    if ((g->source = malloc(len + 1))) {
        memcpy(g->source, text, len);
        g->source[len] = '\0';
    }
    int st = g->source ? g_check(g) : mote_fail(MOTE_ERR_NOMEM, "grammar: out of memory");
    if (st) {
        mote_grammar_free(g);
        return st;
    }
    *out = g;
    return MOTE_OK;
}

const char *mote_grammar_text(const mote_grammar *g) { return g ? g->source : NULL; }
