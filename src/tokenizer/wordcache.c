/*
 * wordcache.c — remember how each word of a text was tokenized, so a word
 * seen again costs one hash lookup instead of a merge loop.
 *
 * Exact, not a heuristic: the tokenizers here tokenize words independently
 * (BPE after its pre-tokenizer; SentencePiece when the vocabulary allows
 * cutting at spaces), so the same bytes always give the same ids. A cache
 * lives for one fragment of one mote_tokenize call (keys point into that
 * fragment's text), which also keeps it thread-safe. Natural text repeats
 * its words, which makes long inputs several times faster.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tokenizer/vocab_internal.h"

#define CACHE_MAX_WORD 48         /* longer words are rare; not worth keeping */
#define CACHE_MAX_ENTRIES (1u << 16)

/* An empty cache. */
int wordcache_init(wordcache *c) {
    memset(c, 0, sizeof *c); /* the map is allocated on the first put: short texts never pay for it */
    return MOTE_OK;
}

/* Release a cache. */
void wordcache_free(wordcache *c) {
    mote_strmap_free(&c->map);
    free(c->toks.v);
    free(c->start);
    free(c->count);
    memset(c, 0, sizeof *c);
}

/* Append the cached ids of word, if any. */
bool wordcache_get(const wordcache *c, const char *word, size_t len, growbuf_i32 *out, int *rc) {
    *rc = MOTE_OK;
    if (len > CACHE_MAX_WORD || !c->map.cap) return false;
    int32_t e = mote_strmap_get(&c->map, word, len, -1);
    if (e < 0) return false;
    for (uint32_t k = 0; k < c->count[e] && !*rc; k++) *rc = growbuf_push(out, c->toks.v[c->start[e] + k]);
    return true;
}

/* Remember the ids of word (best effort). */
void wordcache_put(wordcache *c, const char *word, size_t len, const int32_t *ids, size_t n) {
    if (len > CACHE_MAX_WORD || c->n >= CACHE_MAX_ENTRIES) return;
    if (!c->map.cap && mote_strmap_init(&c->map, 1024)) return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        uint32_t *ns = realloc(c->start, cap * sizeof *ns);
        if (!ns) return;
        c->start = ns;
        uint32_t *nc = realloc(c->count, cap * sizeof *nc);
        if (!nc) return;
        c->count = nc;
        c->cap = cap;
    }
    uint32_t start = (uint32_t)c->toks.n;
    for (size_t k = 0; k < n; k++)
        if (growbuf_push(&c->toks, ids[k])) return; /* out of memory: just do not cache */
    if (mote_strmap_put(&c->map, word, len, (int32_t)c->n)) return;
    c->start[c->n] = start;
    c->count[c->n] = (uint32_t)n;
    c->n++;
}
