/*
 * grammar_stacks.c — the pushdown recognizer: sets of stacks made ready,
 * advanced by one code point, fed bytes through a UTF-8 decoder that keeps a
 * character split across tokens.
 *
 * Limits keep a hostile grammar from exhausting memory: an arena holds at
 * most G_MAX_NODES nodes and a set G_MAX_SET stacks, and expansion goes at
 * most G_MAX_DEPTH rules deep in one step; hitting one marks the result
 * failed (the text is then treated as not matching).
 */
#include <stdlib.h>
#include <string.h>

#include "grammar/grammar_internal.h"

#define G_MAX_NODES (1u << 22)
#define G_MAX_SET 4096u
#define G_MAX_DEPTH 2000

void g_arena_free(g_arena *a) {
    free(a->nodes);
    *a = (g_arena){0};
}

void g_set_free(g_set *s) {
    free(s->ids);
    *s = (g_set){0};
}

static uint32_t mix(uint32_t parent_hash, uint32_t pos) {
    uint32_t h = parent_hash * 0x9E3779B1u ^ (pos + 0x7F4A7C15u) * 0x85EBCA77u;
    return h ^ (h >> 15);
}

static int32_t new_node(g_arena *a, uint32_t pos, int32_t parent) {
    if (a->n == a->cap) {
        if (a->cap >= G_MAX_NODES) {
            a->failed = true;
            return -2;
        }
        uint32_t cap = a->cap ? a->cap * 2 : 256;
        g_node *n = realloc(a->nodes, cap * sizeof *n);
        if (!n) {
            a->failed = true;
            return -2;
        }
        a->nodes = n, a->cap = cap;
    }
    uint32_t ph = parent >= 0 ? a->nodes[parent].hash : 0;
    a->nodes[a->n] = (g_node){pos, parent, mix(ph, pos)};
    return (int32_t)a->n++;
}

static bool set_push(g_set *s, int32_t id) {
    if (s->n == s->cap) {
        if (s->cap >= G_MAX_SET) {
            s->failed = true;
            return false;
        }
        uint32_t cap = s->cap ? s->cap * 2 : 16;
        int32_t *ids = realloc(s->ids, cap * sizeof *ids);
        if (!ids) {
            s->failed = true;
            return false;
        }
        s->ids = ids, s->cap = cap;
    }
    s->ids[s->n++] = id;
    return true;
}

/* True if the chains starting at x and y hold the same positions. */
static bool same_chain(const g_arena *a, int32_t x, int32_t y) {
    while (x >= 0 && y >= 0) {
        if (x == y) return true;
        if (a->nodes[x].pos != a->nodes[y].pos) return false;
        x = a->nodes[x].parent, y = a->nodes[y].parent;
    }
    return x == y;
}

/* Add the ready stack (pos, parent) unless an equal one is there. */
static void add_ready(g_arena *a, g_set *out, uint32_t pos, int32_t parent) {
    uint32_t h = mix(parent >= 0 ? a->nodes[parent].hash : 0, pos);
    for (uint32_t i = 0; i < out->n; i++) {
        int32_t id = out->ids[i];
        if (id >= 0 && a->nodes[id].hash == h && a->nodes[id].pos == pos && same_chain(a, a->nodes[id].parent, parent))
            return;
    }
    int32_t id = new_node(a, pos, parent);
    if (id >= 0) set_push(out, id);
}

static void push_ready(const mote_grammar *g, g_arena *a, g_set *out, uint32_t pos, int32_t parent, int depth) {
    if (depth > G_MAX_DEPTH) {
        a->failed = true;
        return;
    }
    for (;;) {
        g_elem e = g->elems[pos];
        if (e.type == G_CLASS) {
            add_ready(a, out, pos, parent);
            return;
        }
        if (e.type == G_REF) {
            /* Resume after the reference once the rule is done; when nothing
             * follows it in this alternative, resume where the alternative
             * itself would (so right recursion does not deepen the stack). */
            int32_t cont = g->elems[pos + 1].type <= G_ALT ? parent : new_node(a, pos + 1, parent);
            if (cont == -2) return;
            uint32_t r = e.val;
            for (uint32_t k = g->rule_alts[r]; k < g->rule_alts[r + 1]; k++)
                push_ready(g, a, out, g->alt_first[k], cont, depth + 1);
            return;
        }
        /* the end of an alternative: the rule below continues */
        if (parent < 0) {
            for (uint32_t i = 0; i < out->n; i++)
                if (out->ids[i] == G_ACCEPT) return;
            set_push(out, G_ACCEPT);
            return;
        }
        pos = a->nodes[parent].pos;
        parent = a->nodes[parent].parent;
    }
}

void g_push_ready(const mote_grammar *g, g_arena *a, g_set *out, uint32_t pos, int32_t parent) {
    push_ready(g, a, out, pos, parent, 0);
}

void g_start(const mote_grammar *g, g_arena *a, g_set *out) {
    out->n = 0;
    for (uint32_t k = g->rule_alts[g->root]; k < g->rule_alts[g->root + 1]; k++)
        push_ready(g, a, out, g->alt_first[k], -1, 0);
}

void g_advance(const mote_grammar *g, g_arena *a, const g_set *in, uint32_t cp, g_set *out) {
    out->n = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        int32_t id = in->ids[i];
        if (id < 0) continue;
        g_node n = a->nodes[id];
        if (g_class_has(g, &g->classes[g->elems[n.pos].val], cp)) push_ready(g, a, out, n.pos + 1, n.parent, 0);
    }
}

void g_advance_literal(const mote_grammar *g, g_arena *a, const g_set *in, uint32_t cp, g_set *out) {
    out->n = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        int32_t id = in->ids[i];
        if (id < 0) continue;
        g_node n = a->nodes[id];
        const g_class *c = &g->classes[g->elems[n.pos].val];
        if (!c->negated && c->n == 1 && g->ranges[c->first].lo == cp && g->ranges[c->first].hi == cp)
            push_ready(g, a, out, n.pos + 1, n.parent, 0);
    }
}

bool g_partial_ok(const mote_grammar *g, const g_arena *a, const g_set *in, g_utf8 u) {
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t shift = 6u * u.need;
    uint32_t lo = u.cp << shift, hi = lo | ((1u << shift) - 1);
    if (lo < min_for_len[u.len]) lo = min_for_len[u.len];
    if (hi > 0x10FFFF) hi = 0x10FFFF;
    if (lo > hi) return false;
    for (uint32_t i = 0; i < in->n; i++) {
        int32_t id = in->ids[i];
        if (id >= 0 && g_class_meets(g, &g->classes[g->elems[a->nodes[id].pos].val], lo, hi)) return true;
    }
    return false;
}

int g_utf8_step(g_utf8 *u, uint8_t b, uint32_t *cp) {
    if (u->need == 0) {
        if (b < 0x80) {
            *cp = b;
            return 2;
        }
        if (b >= 0xC2 && b <= 0xDF) *u = (g_utf8){b & 0x1Fu, 1, 2};
        else if (b >= 0xE0 && b <= 0xEF) *u = (g_utf8){b & 0x0Fu, 2, 3};
        else if (b >= 0xF0 && b <= 0xF4) *u = (g_utf8){b & 0x07u, 3, 4};
        else return 0;
        return 1;
    }
    if ((b & 0xC0) != 0x80) return 0;
    u->cp = (u->cp << 6) | (b & 0x3Fu);
    if (--u->need) {
        /* reject overlong and out-of-range prefixes as soon as they show */
        if (u->len == 3 && u->need == 1 && (u->cp < 0x20 || (u->cp >= 0x360 && u->cp <= 0x37F))) return 0; /* surrogates */
        if (u->len == 4 && u->need == 2 && (u->cp < 0x10 || u->cp > 0x10F)) return 0;
        return 1;
    }
    uint32_t c = u->cp;
    uint8_t len = u->len;
    *u = (g_utf8){0, 0, 0};
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return 2;
}

static bool feed(const mote_grammar *g, g_arena *a, g_set *set, g_set *tmp, g_utf8 *u, const char *s, size_t n,
                 bool literal) {
    for (size_t i = 0; i < n; i++) {
        uint32_t cp;
        int r = g_utf8_step(u, (uint8_t)s[i], &cp);
        if (r == 0) return false;
        if (r == 1) {
            if (!g_partial_ok(g, a, set, *u)) return false;
            continue;
        }
        if (literal) g_advance_literal(g, a, set, cp, tmp);
        else g_advance(g, a, set, cp, tmp);
        g_set swap = *set;
        *set = *tmp;
        *tmp = swap;
        if (set->n == 0 || set->failed || a->failed) return false;
    }
    return true;
}

bool g_feed_bytes(const mote_grammar *g, g_arena *a, g_set *set, g_set *tmp, g_utf8 *u, const char *s, size_t n) {
    return feed(g, a, set, tmp, u, s, n, false);
}

bool g_feed_literal(const mote_grammar *g, g_arena *a, g_set *set, g_set *tmp, g_utf8 *u, const char *s, size_t n) {
    return feed(g, a, set, tmp, u, s, n, true) && u->need == 0;
}

bool g_set_accepts(const g_set *s) {
    for (uint32_t i = 0; i < s->n; i++)
        if (s->ids[i] == G_ACCEPT) return true;
    return false;
}

bool g_set_has_ready(const g_set *s) {
    for (uint32_t i = 0; i < s->n; i++)
        if (s->ids[i] >= 0) return true;
    return false;
}

void g_set_copy(const g_set *in, const g_arena *from, g_arena *to, g_set *out) {
    out->n = 0;
    int32_t chain[256];
    for (uint32_t i = 0; i < in->n; i++) {
        int32_t id = in->ids[i];
        if (id < 0) {
            set_push(out, id);
            continue;
        }
        /* copy the chain bottom-up, 256 nodes at a time from the bottom */
        int32_t below = -1;
        uint32_t depth = 0;
        for (int32_t x = id; x >= 0; x = from->nodes[x].parent) depth++;
        while (depth > 0) {
            /* the nodes at depths [depth-k, depth) counted from the top */
            uint32_t k = depth < 256 ? depth : 256, skip = depth - k, j = 0;
            int32_t x = id;
            for (uint32_t s = 0; s < skip; s++) x = from->nodes[x].parent;
            for (; j < k; j++, x = from->nodes[x].parent) chain[j] = x;
            for (uint32_t t = k; t-- > 0;) below = new_node(to, from->nodes[chain[t]].pos, below);
            depth = skip;
            if (below == -2) break;
        }
        if (below >= 0) set_push(out, below);
    }
}
