/*
 * grammar_matcher.c — a grammar running over a vocabulary (see
 * grammar_matcher.h).
 *
 * The state's stacks live in one of two arenas; accepting a token builds the
 * next state after them and copies it into the other arena, so memory stays
 * the size of one state. Testing a token or walking the trie appends nodes
 * after the state and truncates back when done.
 *
 * The full mask walks the token trie depth-first, carrying the set of stacks
 * (and a partial UTF-8 character) reached by the bytes so far: a byte no
 * stack accepts cuts off every token below it. Masks are remembered per
 * state (its stacks' positions and the partial character), so text that
 * returns to the same state — the inside of a string, a run of digits —
 * walks the trie once.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "grammar/grammar_matcher.h"

#define CACHE_SLOTS 16

typedef struct {
    bool used;
    uint64_t hash;
    uint32_t *key, key_len;
    uint8_t *bits;
} mask_entry;

struct grammar_matcher {
    const mote_grammar *g;
    const mote_grammar_vocab *gv;
    g_arena arena[2];
    int cur;
    g_set state, tmp1, tmp2;
    g_utf8 utf8;
    bool eog_done;
    g_set *levels;       /* one set per trie depth for the walk */
    uint32_t n_levels;
    size_t n_bytes;      /* of a mask */
    uint8_t *bits;       /* the mask handed out */
    mask_entry cache[CACHE_SLOTS];
    int next_slot;
    uint32_t *key;
    uint32_t key_len, key_cap;
};

static bool set_assign(g_set *dst, const g_set *src) {
    if (dst->cap < src->n) {
        int32_t *ids = realloc(dst->ids, src->n * sizeof *ids);
        if (!ids) return false;
        dst->ids = ids, dst->cap = src->n;
    }
    memcpy(dst->ids, src->ids, src->n * sizeof *dst->ids);
    dst->n = src->n;
    dst->failed = false;
    return true;
}

void grammar_matcher_restart(grammar_matcher *m) {
    g_arena *a = &m->arena[m->cur];
    a->n = 0, a->failed = false;
    m->state.failed = false;
    g_start(m->g, a, &m->state);
    m->utf8 = (g_utf8){0, 0, 0};
    m->eog_done = false;
}

grammar_matcher *grammar_matcher_new(const mote_grammar *g, const mote_grammar_vocab *gv) {
    grammar_matcher *m = calloc(1, sizeof *m);
    if (!m) goto nomem;
    m->g = g, m->gv = gv;
    m->n_levels = gv->max_len + 2;
    m->levels = calloc(m->n_levels, sizeof *m->levels);
    m->n_bytes = ((size_t)gv->n_vocab + 7) / 8;
    m->bits = malloc(m->n_bytes ? m->n_bytes : 1);
    if (!m->levels || !m->bits) goto nomem;
    grammar_matcher_restart(m);
    if (m->arena[m->cur].failed || m->state.failed) {
        grammar_matcher_free(m);
        mote_fail(MOTE_ERR_NOMEM, "grammar: out of memory starting the grammar");
        return NULL;
    }
    return m;
nomem:
    grammar_matcher_free(m);
    mote_fail(MOTE_ERR_NOMEM, "grammar: out of memory");
    return NULL;
}

void grammar_matcher_free(grammar_matcher *m) {
    if (!m) return;
    g_arena_free(&m->arena[0]);
    g_arena_free(&m->arena[1]);
    g_set_free(&m->state);
    g_set_free(&m->tmp1);
    g_set_free(&m->tmp2);
    for (uint32_t i = 0; m->levels && i < m->n_levels; i++) g_set_free(&m->levels[i]);
    free(m->levels);
    free(m->bits);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(m->cache[i].key);
        free(m->cache[i].bits);
    }
    free(m->key);
    free(m);
}

const mote_grammar_vocab *grammar_matcher_vocab(const grammar_matcher *m) { return m->gv; }

bool grammar_matcher_complete(const grammar_matcher *m) {
    return m->eog_done || (m->utf8.need == 0 && g_set_accepts(&m->state));
}

bool grammar_matcher_finished(const grammar_matcher *m) {
    return m->eog_done || (m->utf8.need == 0 && !g_set_has_ready(&m->state));
}

/* Run the token's bytes from the current state; on success tmp1 holds the
 * new stacks (nodes appended to the current arena) and *u the new partial
 * character. The caller truncates the arena. */
static bool run_token(grammar_matcher *m, int32_t token, g_utf8 *u) {
    const mote_grammar_vocab *gv = m->gv;
    if (!set_assign(&m->tmp1, &m->state)) return false;
    *u = m->utf8;
    g_arena *a = &m->arena[m->cur];
    const char *bytes = gv->pieces + gv->piece_off[token];
    bool ok = gv->kind[token] == GV_CONTROL
                  ? u->need == 0 && g_feed_literal(m->g, a, &m->tmp1, &m->tmp2, u, bytes, gv->piece_len[token])
                  : g_feed_bytes(m->g, a, &m->tmp1, &m->tmp2, u, bytes, gv->piece_len[token]);
    return ok && !a->failed && !m->tmp1.failed;
}

bool grammar_matcher_allows(grammar_matcher *m, int32_t token) {
    const mote_grammar_vocab *gv = m->gv;
    if (token < 0 || token >= gv->n_vocab || m->eog_done) return false;
    if (gv->kind[token] == GV_EOG) return grammar_matcher_complete(m);
    if (gv->kind[token] != GV_TEXT && gv->kind[token] != GV_CONTROL) return false;
    g_arena *a = &m->arena[m->cur];
    uint32_t mark = a->n;
    g_utf8 u;
    bool ok = run_token(m, token, &u);
    a->n = mark, a->failed = false;
    return ok;
}

bool grammar_matcher_accept(grammar_matcher *m, int32_t token) {
    const mote_grammar_vocab *gv = m->gv;
    if (token < 0 || token >= gv->n_vocab || m->eog_done) return false;
    if (gv->kind[token] == GV_EOG) {
        if (!grammar_matcher_complete(m)) return false;
        m->eog_done = true;
        return true;
    }
    if (gv->kind[token] != GV_TEXT && gv->kind[token] != GV_CONTROL) return false;
    g_arena *a = &m->arena[m->cur];
    uint32_t mark = a->n;
    g_utf8 u;
    if (!run_token(m, token, &u)) {
        a->n = mark, a->failed = false;
        return false;
    }
    /* keep only the new state: copy it into the other arena */
    g_arena *other = &m->arena[1 - m->cur];
    other->n = 0, other->failed = false;
    g_set next = {0};
    g_set_copy(&m->tmp1, a, other, &next);
    if (other->failed || next.failed) {
        g_set_free(&next);
        a->n = mark, a->failed = false;
        other->n = 0, other->failed = false;
        return false;
    }
    g_set_free(&m->state);
    m->state = next;
    m->cur = 1 - m->cur;
    m->utf8 = u;
    return true;
}

/* --- the mask ------------------------------------------------------------ */

static int compare_by_hash(const void *pa, const void *pb, const g_arena *a) {
    int32_t x = *(const int32_t *)pa, y = *(const int32_t *)pb;
    uint32_t hx = x >= 0 ? a->nodes[x].hash : 0, hy = y >= 0 ? a->nodes[y].hash : 0;
    return hx < hy ? -1 : hx > hy;
}

static bool key_push(grammar_matcher *m, uint32_t v) {
    if (m->key_len == m->key_cap) {
        uint32_t cap = m->key_cap ? m->key_cap * 2 : 256;
        uint32_t *k = realloc(m->key, cap * sizeof *k);
        if (!k) return false;
        m->key = k, m->key_cap = cap;
    }
    m->key[m->key_len++] = v;
    return true;
}

/* The state as a canonical array of numbers (stacks ordered by hash) and its hash. */
static bool make_key(grammar_matcher *m, uint64_t *hash) {
    const g_arena *a = &m->arena[m->cur];
    /* insertion sort of the ids by hash (states are small) */
    g_set *s = &m->state;
    for (uint32_t i = 1; i < s->n; i++)
        for (uint32_t j = i; j > 0 && compare_by_hash(&s->ids[j - 1], &s->ids[j], a) > 0; j--) {
            int32_t t = s->ids[j];
            s->ids[j] = s->ids[j - 1], s->ids[j - 1] = t;
        }
    m->key_len = 0;
    bool ok = key_push(m, m->utf8.cp) && key_push(m, m->utf8.need | (uint32_t)m->utf8.len << 8) && key_push(m, s->n);
    for (uint32_t i = 0; i < s->n && ok; i++) {
        uint32_t depth = 0;
        for (int32_t x = s->ids[i]; x >= 0; x = a->nodes[x].parent) depth++;
        ok = key_push(m, depth);
        for (int32_t x = s->ids[i]; x >= 0 && ok; x = a->nodes[x].parent) ok = key_push(m, a->nodes[x].pos);
    }
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t i = 0; i < m->key_len; i++) h = (h ^ m->key[i]) * 1099511628211ULL;
    *hash = h;
    return ok;
}

/* Depth-first over the children of trie node `node`, with the stacks `in`
 * reached by its bytes and the partial character u. */
static void walk(grammar_matcher *m, uint8_t *bits, uint32_t node, const g_set *in, g_utf8 u, uint32_t depth) {
    const mote_grammar_vocab *gv = m->gv;
    g_arena *a = &m->arena[m->cur];
    g_set *next = &m->levels[depth + 1];
    for (uint32_t c = node + 1; c < gv->skip[node]; c = gv->skip[c]) {
        g_utf8 u2 = u;
        uint32_t cp;
        int r = g_utf8_step(&u2, gv->byte[c], &cp);
        if (r == 0) continue;
        uint32_t mark = a->n;
        const g_set *here = in;
        if (r == 2) {
            g_advance(m->g, a, in, cp, next);
            if (next->n == 0) {
                a->n = mark;
                continue;
            }
            here = next;
        } else if (!g_partial_ok(m->g, a, in, u2)) {
            continue;
        }
        for (uint32_t k = 0; k < gv->tok_n[c]; k++) {
            int32_t t = gv->tok_sorted[gv->tok_first[c] + k];
            bits[t >> 3] |= (uint8_t)(1u << (t & 7));
        }
        if (c + 1 < gv->skip[c] && (u2.need || g_set_has_ready(here))) {
            if (here == in) {
                /* a partial character leaves the stacks as they are: pass a copy
                 * down, since the level below reuses `next` */
                if (!set_assign(next, in)) {
                    a->failed = true;
                    continue;
                }
            }
            walk(m, bits, c, next, u2, depth + 1);
        }
        a->n = mark;
    }
}

const uint8_t *grammar_matcher_mask(grammar_matcher *m) {
    const mote_grammar_vocab *gv = m->gv;
    memset(m->bits, 0, m->n_bytes);
    if (m->eog_done) return m->bits;
    if (grammar_matcher_complete(m))
        for (int32_t i = 0; i < gv->n_eog; i++) m->bits[gv->eog[i] >> 3] |= (uint8_t)(1u << (gv->eog[i] & 7));
    if (!g_set_has_ready(&m->state)) return m->bits;

    uint64_t hash;
    bool keyed = make_key(m, &hash);
    mask_entry *e = NULL;
    for (int i = 0; keyed && i < CACHE_SLOTS; i++) {
        mask_entry *c = &m->cache[i];
        if (c->used && c->hash == hash && c->key_len == m->key_len && !memcmp(c->key, m->key, m->key_len * sizeof *m->key)) {
            e = c;
            break;
        }
    }
    if (!e) {
        e = &m->cache[m->next_slot];
        m->next_slot = (m->next_slot + 1) % CACHE_SLOTS;
        e->used = false;
        if (!e->bits && !(e->bits = malloc(m->n_bytes ? m->n_bytes : 1))) return NULL;
        memset(e->bits, 0, m->n_bytes);
        g_arena *a = &m->arena[m->cur];
        uint32_t mark = a->n;
        /* levels[d] is reused at every node of depth d-1; level 0 is the state */
        if (!set_assign(&m->levels[0], &m->state)) return NULL;
        walk(m, e->bits, 0, &m->levels[0], m->utf8, 0);
        bool failed = a->failed;
        a->n = mark, a->failed = false;
        /* control tokens, one by one (they are few, and most fail at once) */
        for (int32_t i = 0; i < gv->n_control; i++) {
            int32_t t = gv->control[i];
            if (grammar_matcher_allows(m, t)) e->bits[t >> 3] |= (uint8_t)(1u << (t & 7));
        }
        if (keyed && !failed) {
            uint32_t *k = realloc(e->key, (m->key_len ? m->key_len : 1) * sizeof *k);
            if (k) {
                memcpy(k, m->key, m->key_len * sizeof *k);
                e->key = k, e->key_len = m->key_len, e->hash = hash, e->used = true;
            }
        }
    }
    for (size_t i = 0; i < m->n_bytes; i++) m->bits[i] |= e->bits[i];
    return m->bits;
}
