/*
 * grammar_match.c — mote_grammar_matches: does a whole text match a grammar?
 * (The tests' independent check of what the sampler produced, and a
 * convenience for embedders.)
 */
#include "grammar/grammar_internal.h"

bool mote_grammar_matches(const mote_grammar *g, const char *text, size_t len) {
    if (!g || (!text && len)) return false;
    g_arena a = {0};
    g_set set = {0}, tmp = {0};
    g_utf8 u = {0, 0, 0};
    g_start(g, &a, &set);
    bool ok = !a.failed && !set.failed && g_feed_bytes(g, &a, &set, &tmp, &u, text, len) && u.need == 0 &&
              g_set_accepts(&set);
    g_arena_free(&a);
    g_set_free(&set);
    g_set_free(&tmp);
    return ok;
}
