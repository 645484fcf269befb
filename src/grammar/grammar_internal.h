/*
 * grammar_internal.h — the compiled form of a GBNF grammar and the
 * pushdown recognizer that runs it, shared by the parser (gbnf_parse.c),
 * the checks (grammar_check.c), the recognizer (grammar_stacks.c), the
 * token mask (grammar_mask.c) and the sampler step (sampler/sampler_grammar.c).
 *
 * A grammar is a flat array of elements. Each rule is its alternatives one
 * after another, each alternative a run of elements closed by G_ALT (more
 * alternatives follow) or G_END (the rule's last one). An element is a
 * character class (literals are one-range classes) or a reference to a rule.
 * Repetitions and groups were rewritten into helper rules by the parser, so
 * the recognizer knows only sequences, alternatives and references.
 *
 * The recognizer's state is a set of stacks. A stack is a linked list of
 * nodes in an arena (tails are shared): the top node's `pos` is the class
 * element to match next, each deeper node the element to resume at when the
 * rule above it is finished. The empty stack (G_ACCEPT) means "the whole
 * root rule has been matched". All stacks of a state are "ready": their top
 * is a class, never a reference or an alternative's end.
 */
#ifndef MOTE_GRAMMAR_INTERNAL_H
#define MOTE_GRAMMAR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mote.h"

enum { G_END = 0, G_ALT = 1, G_REF = 2, G_CLASS = 3 };

typedef struct {
    uint32_t type; /* G_END, G_ALT, G_REF, G_CLASS */
    uint32_t val;  /* G_REF: rule id; G_CLASS: class id */
} g_elem;

typedef struct {
    uint32_t lo, hi; /* inclusive code point range */
} g_range;

/* A set of code points: sorted, merged ranges, possibly negated. */
typedef struct {
    bool negated;
    uint32_t first, n;  /* ranges[first .. first+n) */
    uint32_t ascii[4];  /* membership of code points 0..127, negation applied */
} g_class;

struct mote_grammar {
    g_elem *elems;
    uint32_t n_elems;
    g_class *classes;
    uint32_t n_classes;
    g_range *ranges;
    uint32_t n_ranges;
    uint32_t n_rules;
    char **rule_names;      /* for messages */
    uint32_t *rule_start;   /* first element of each rule */
    uint32_t *alt_first;    /* alternatives' first elements, grouped by rule */
    uint32_t *rule_alts;    /* rule r's alternatives: alt_first[rule_alts[r] .. rule_alts[r+1]) */
    uint32_t root;
    char *source;           /* the GBNF text it came from (for mote_grammar_text) */
};

/* True if the class holds code point c. */
bool g_class_has(const mote_grammar *g, const g_class *c, uint32_t cp);
/* True if the class holds at least one code point of [lo, hi]. */
bool g_class_meets(const mote_grammar *g, const g_class *c, uint32_t lo, uint32_t hi);

/* Checks run once the rules are known: every referenced rule is defined,
 * the root exists, no rule is left-recursive (directly or through rules
 * that can match nothing). Returns MOTE_OK or an error naming the rule. */
int g_check(const mote_grammar *g);

/* --- stacks ------------------------------------------------------------- */

#define G_ACCEPT (-1) /* the empty stack: the grammar is complete */

typedef struct {
    uint32_t pos;    /* element index */
    int32_t parent;  /* node below, or -1 */
    uint32_t hash;   /* of pos and the parent's hash: equal stacks hash equal */
} g_node;

/* Nodes that only grow; truncating to a mark frees what came after. */
typedef struct {
    g_node *nodes;
    uint32_t n, cap;
    bool failed;     /* an allocation failed (or a limit was hit): results are incomplete */
} g_arena;

/* A set of stacks: node ids (or G_ACCEPT) in a caller's buffer. */
typedef struct {
    int32_t *ids;
    uint32_t n, cap;
    bool failed;
} g_set;

/* Partial UTF-8 character carried between bytes (and tokens). */
typedef struct {
    uint32_t cp;     /* bits so far */
    uint8_t need;    /* continuation bytes still to come (0: between characters) */
    uint8_t len;     /* bytes of the whole character */
} g_utf8;

void g_arena_free(g_arena *a);
void g_set_free(g_set *s);
/* Add stacks reaching the ready form of "continue at pos, then parent" to
 * out (deduplicated). */
void g_push_ready(const mote_grammar *g, g_arena *a, g_set *out, uint32_t pos, int32_t parent);
/* The start state: the root rule's alternatives made ready. */
void g_start(const mote_grammar *g, g_arena *a, g_set *out);
/* Stacks of `in` whose top accepts code point cp, advanced past it, into out. */
void g_advance(const mote_grammar *g, g_arena *a, const g_set *in, uint32_t cp, g_set *out);
/* The same, counting only stacks whose top is a single literal character. */
void g_advance_literal(const mote_grammar *g, g_arena *a, const g_set *in, uint32_t cp, g_set *out);
/* True if some stack of `in` could still match a character that begins
 * with the partial UTF-8 bits in u. */
bool g_partial_ok(const mote_grammar *g, const g_arena *a, const g_set *in, g_utf8 u);
/* Feed one byte to a UTF-8 decoder: returns 0 if the byte cannot come next,
 * 1 if a character is still incomplete, 2 if *cp is a complete character. */
int g_utf8_step(g_utf8 *u, uint8_t byte, uint32_t *cp);
/* Advance a state by bytes: returns false (leaving *set unspecified) if the
 * bytes cannot be matched. `tmp` is scratch of the same capacity needs. */
bool g_feed_bytes(const mote_grammar *g, g_arena *a, g_set *set, g_set *tmp, g_utf8 *u, const char *s, size_t n);
/* g_feed_bytes matching literal characters only (for control tokens). */
bool g_feed_literal(const mote_grammar *g, g_arena *a, g_set *set, g_set *tmp, g_utf8 *u, const char *s, size_t n);
/* True if the set holds the empty stack. */
bool g_set_accepts(const g_set *s);
/* True if the set holds a stack that can still match text. */
bool g_set_has_ready(const g_set *s);
/* Copy the stacks of `in` (nodes in `from`) into `to`, as ids in out. */
void g_set_copy(const g_set *in, const g_arena *from, g_arena *to, g_set *out);

#endif
