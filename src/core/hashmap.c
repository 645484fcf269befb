/*
 * hashmap.c — open addressing with linear probing, load factor <= 1/2
 * (see hashmap.h). Sizes are powers of two so a slot is `hash & (cap-1)`.
 */
#include "core/hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/error.h"

/* A 64-bit finalizer: every input bit affects every output bit. */
static inline uint64_t mix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* See hashmap.h. */
uint64_t mote_hash_bytes(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0x100000001b3ULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0x100000001b3ULL;
    return mix64(h);
}

/* Zeroed memory for a table. Big tables are probed at random, so each probe
 * would also miss the TLB: huge pages (mote_big_alloc) for those. */
static void *table_alloc(size_t bytes) { return mote_big_calloc(bytes); }

/* The power of two that keeps `expected` keys under half full. */
static size_t capacity_for(size_t expected) {
    size_t cap = 16;
    while (cap < expected * 2 + 2) cap <<= 1;
    return cap;
}

/* --- string keys ---------------------------------------------------------- */

int mote_strmap_init(mote_strmap *m, size_t expected) {
    m->cap = capacity_for(expected);
    m->n = 0;
    m->slots = table_alloc(m->cap * sizeof *m->slots);
    return m->slots ? MOTE_OK : mote_fail(MOTE_ERR_NOMEM, "out of memory for a hash map of %zu keys", expected);
}

/* Release a map (its keys belong to the caller). */
void mote_strmap_free(mote_strmap *m) {
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}

/* The slot holding key, or the empty slot where it would go. */
static mote_strmap_slot *strmap_find_h(const mote_strmap *m, const char *key, size_t len, uint64_t hash) {
    size_t mask = m->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        mote_strmap_slot *s = &m->slots[i];
        if (!s->key || (s->len == len && memcmp(s->key, key, len) == 0)) return s;
    }
}

/* The slot holding key, or the empty slot where it would go. */
static mote_strmap_slot *strmap_find(const mote_strmap *m, const char *key, size_t len) {
    return strmap_find_h(m, key, len, mote_hash_bytes(key, len));
}

/* Double the capacity and re-insert every key. */
static int strmap_grow(mote_strmap *m) {
    mote_strmap old = *m;
    m->cap = old.cap * 2;
    m->slots = table_alloc(m->cap * sizeof *m->slots);
    if (!m->slots) {
        *m = old;
        return mote_fail(MOTE_ERR_NOMEM, "out of memory growing a hash map");
    }
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key) *strmap_find(m, old.slots[i].key, old.slots[i].len) = old.slots[i];
    free(old.slots);
    return MOTE_OK;
}

/* See hashmap.h. */
int mote_strmap_put(mote_strmap *m, const char *key, size_t len, int32_t val) {
    if ((m->n + 1) * 2 > m->cap) {
        int rc = strmap_grow(m);
        if (rc) return rc;
    }
    mote_strmap_slot *s = strmap_find(m, key, len);
    if (!s->key) {
        s->key = key;
        s->len = (uint32_t)len;
        m->n++;
    }
    s->val = val;
    return MOTE_OK;
}

/* See hashmap.h. */
int32_t mote_strmap_get(const mote_strmap *m, const char *key, size_t len, int32_t def) {
    if (!m->cap) return def;
    const mote_strmap_slot *s = strmap_find(m, key, len);
    return s->key ? s->val : def;
}

/* Warm the cache line of the first slot for `hash`. */
void mote_strmap_prefetch(const mote_strmap *m, uint64_t hash) {
    if (m->cap) __builtin_prefetch(&m->slots[hash & (m->cap - 1)]);
}

/* See hashmap.h. */
int32_t mote_strmap_get_hashed(const mote_strmap *m, const char *key, size_t len, uint64_t hash, int32_t def) {
    if (!m->cap) return def;
    const mote_strmap_slot *s = strmap_find_h(m, key, len, hash);
    return s->key ? s->val : def;
}

/* See hashmap.h. */
int mote_strmap_put_hashed(mote_strmap *m, const char *key, size_t len, uint64_t hash, int32_t val) {
    if ((m->n + 1) * 2 > m->cap) return mote_strmap_put(m, key, len, val);
    mote_strmap_slot *s = strmap_find_h(m, key, len, hash);
    if (!s->key) {
        s->key = key;
        s->len = (uint32_t)len;
        m->n++;
    }
    s->val = val;
    return MOTE_OK;
}

/* --- integer keys --------------------------------------------------------- */

int mote_u64map_init(mote_u64map *m, size_t expected) {
    m->cap = capacity_for(expected);
    m->n = 0;
    m->slots = table_alloc(m->cap * sizeof *m->slots);
    if (!m->slots) {
        m->cap = 0;
        return mote_fail(MOTE_ERR_NOMEM, "out of memory for a hash map of %zu keys", expected);
    }
    for (size_t i = 0; i < m->cap; i++) m->slots[i].key = MOTE_U64MAP_EMPTY;
    return MOTE_OK;
}

/* Release a map. */
void mote_u64map_free(mote_u64map *m) {
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t u64map_slot(const mote_u64map *m, uint64_t key) {
    size_t mask = m->cap - 1;
    size_t i = mix64(key) & mask;
    while (m->slots[i].key != MOTE_U64MAP_EMPTY && m->slots[i].key != key) i = (i + 1) & mask;
    return i;
}

/* Warm the cache line of key's first slot. */
void mote_u64map_prefetch(const mote_u64map *m, uint64_t key) {
    if (m->cap) __builtin_prefetch(&m->slots[mix64(key) & (m->cap - 1)]);
}

/* See hashmap.h. */
int mote_u64map_put_new(mote_u64map *m, uint64_t key, int64_t val) {
    if ((m->n + 1) * 2 > m->cap) {
        mote_u64map old = *m;
        if (mote_u64map_init(m, old.cap / 2)) {
            *m = old;
            return MOTE_ERR_NOMEM;
        }
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key != MOTE_U64MAP_EMPTY) {
                m->slots[u64map_slot(m, old.slots[i].key)] = old.slots[i];
                m->n++;
            }
        mote_u64map_free(&old);
    }
    size_t i = u64map_slot(m, key);
    if (m->slots[i].key == MOTE_U64MAP_EMPTY) {
        m->slots[i].key = key;
        m->slots[i].val = val;
        m->n++;
    }
    return MOTE_OK;
}

/* See hashmap.h. */
int64_t mote_u64map_get(const mote_u64map *m, uint64_t key, int64_t def) {
    if (!m->cap) return def;
    size_t i = u64map_slot(m, key);
    return m->slots[i].key == MOTE_U64MAP_EMPTY ? def : m->slots[i].val;
}
