/*
 * grammar_check.c — facts about a compiled grammar: character class
 * membership, and the check that makes the recognizer safe to run (no rule
 * reaches itself without consuming a character, which would expand forever).
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "grammar/grammar_internal.h"

bool g_class_has(const mote_grammar *g, const g_class *c, uint32_t cp) {
    if (cp < 128) return (c->ascii[cp >> 5] >> (cp & 31)) & 1;
    const g_range *r = g->ranges + c->first;
    bool in = false;
    for (uint32_t i = 0; i < c->n && r[i].lo <= cp; i++)
        if (cp <= r[i].hi) {
            in = true;
            break;
        }
    return in != c->negated;
}

bool g_class_meets(const mote_grammar *g, const g_class *c, uint32_t lo, uint32_t hi) {
    const g_range *r = g->ranges + c->first;
    if (!c->negated) {
        for (uint32_t i = 0; i < c->n; i++)
            if (r[i].lo <= hi && r[i].hi >= lo) return true;
        return false;
    }
    /* negated: some point of [lo, hi] is outside every range (they are sorted and merged) */
    uint32_t next = lo;
    for (uint32_t i = 0; i < c->n && next <= hi; i++) {
        if (r[i].hi < next) continue;
        if (r[i].lo > next) return true;
        if (r[i].hi >= hi) return false;
        next = r[i].hi + 1;
    }
    return next <= hi;
}

/* Which rules can match the empty text (fixpoint over the alternatives). */
static bool *nullable_rules(const mote_grammar *g) {
    bool *nul = calloc(g->n_rules ? g->n_rules : 1, sizeof *nul);
    if (!nul) return NULL;
    for (bool changed = true; changed;) {
        changed = false;
        for (uint32_t r = 0; r < g->n_rules; r++) {
            if (nul[r]) continue;
            for (uint32_t a = g->rule_alts[r]; a < g->rule_alts[r + 1] && !nul[r]; a++) {
                uint32_t i = g->alt_first[a];
                while (g->elems[i].type == G_REF && nul[g->elems[i].val]) i++;
                if (g->elems[i].type <= G_ALT) nul[r] = changed = true;
            }
        }
    }
    return nul;
}

int g_check(const mote_grammar *g) {
    bool *nul = nullable_rules(g);
    /* Edge r -> s when s can be the first thing r expands to. Cycles are found
     * by an iterative depth-first search (a recursive one could overflow the
     * C stack on a long chain of rules). */
    uint8_t *color = calloc(g->n_rules ? g->n_rules : 1, 1);          /* 0 new, 1 on the path, 2 done */
    uint32_t *path_rule = malloc((g->n_rules + 1) * sizeof *path_rule);
    uint32_t *path_elem = malloc((g->n_rules + 1) * sizeof *path_elem); /* next element to look at */
    uint32_t *path_alt = malloc((g->n_rules + 1) * sizeof *path_alt);
    int status = MOTE_OK;
    if (!nul || !color || !path_rule || !path_elem || !path_alt) {
        status = mote_fail(MOTE_ERR_NOMEM, "grammar: out of memory");
        goto done;
    }
    for (uint32_t start = 0; start < g->n_rules && !status; start++) {
        if (color[start]) continue;
        uint32_t depth = 0;
        path_rule[0] = start, path_alt[0] = g->rule_alts[start], path_elem[0] = g->alt_first[path_alt[0]];
        color[start] = 1;
        while (depth != UINT32_MAX && !status) {
            uint32_t r = path_rule[depth];
            /* find the next first-position reference of r */
            uint32_t next = UINT32_MAX;
            while (path_alt[depth] < g->rule_alts[r + 1]) {
                g_elem e = g->elems[path_elem[depth]];
                if (e.type == G_REF) {
                    next = e.val;
                    /* look past it next time only if it can match nothing */
                    if (nul[e.val]) path_elem[depth]++;
                    else if (++path_alt[depth] < g->rule_alts[r + 1]) path_elem[depth] = g->alt_first[path_alt[depth]];
                    break;
                }
                if (++path_alt[depth] < g->rule_alts[r + 1]) path_elem[depth] = g->alt_first[path_alt[depth]];
            }
            if (next == UINT32_MAX) {
                color[r] = 2;
                depth = depth ? depth - 1 : UINT32_MAX;
                continue;
            }
            if (color[next] == 1) {
                const char *name = g->rule_names[next], *slash = strchr(name, '/');
                if (slash)
                    status = mote_fail(MOTE_ERR_FORMAT,
                                       "grammar: a group or repetition in rule '%.*s' is left-recursive (it can repeat "
                                       "without matching a character: a repetition of something that can be empty?)",
                                       (int)(slash - name), name);
                else
                    status = mote_fail(MOTE_ERR_FORMAT,
                                       "grammar: rule '%s' is left-recursive (it can reach itself without matching a "
                                       "character%s)",
                                       name, next == r ? "" : ", through other rules");
            } else if (color[next] == 0) {
                color[next] = 1;
                depth++;
                path_rule[depth] = next, path_alt[depth] = g->rule_alts[next];
                path_elem[depth] = g->alt_first[path_alt[depth]];
            }
        }
    }
done:
    free(nul);
    free(color);
    free(path_rule);
    free(path_elem);
    free(path_alt);
    return status;
}
