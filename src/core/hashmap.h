/*
 * hashmap.h — two small open-addressing hash maps used where a lookup must
 * not be a scan: byte strings -> int32 (token text -> id) and uint64 ->
 * int64 (merge pair -> rank, trie edges).
 *
 * Both are built once and then only read, so they grow by doubling and never
 * delete. The string map does not copy keys: the caller keeps them alive
 * (the tokenizer points into its own arena).
 */
#ifndef MOTE_CORE_HASHMAP_H
#define MOTE_CORE_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *key; /* NULL marks an empty slot */
    uint32_t len;
    int32_t val;
} mote_strmap_slot;

typedef struct {
    mote_strmap_slot *slots;
    size_t cap; /* a power of two */
    size_t n;
} mote_strmap;

typedef struct {
    uint64_t key; /* MOTE_U64MAP_EMPTY marks an empty slot */
    int64_t val;
} mote_u64map_slot;

typedef struct {
    mote_u64map_slot *slots; /* key and value side by side: one cache miss per probe */
    size_t cap;
    size_t n;
} mote_u64map;

#define MOTE_U64MAP_EMPTY UINT64_MAX

/* A 64-bit hash of n bytes (not cryptographic; good spread on short keys). */
uint64_t mote_hash_bytes(const void *p, size_t n);

/* Prepare an empty map sized for about `expected` keys; 0 or MOTE_ERR_NOMEM. */
int mote_strmap_init(mote_strmap *m, size_t expected);
void mote_strmap_free(mote_strmap *m);
/* Insert or overwrite key -> val (the key bytes must outlive the map). */
int mote_strmap_put(mote_strmap *m, const char *key, size_t len, int32_t val);
/* The value for key, or `def` if absent. */
int32_t mote_strmap_get(const mote_strmap *m, const char *key, size_t len, int32_t def);

/* Batch helpers for bulk loads, where nearly every probe is a cache miss:
 * hash a group of keys, prefetch their slots, then do the lookups/inserts
 * with the hash already known. Same results as the plain calls. */
void mote_strmap_prefetch(const mote_strmap *m, uint64_t hash);
int32_t mote_strmap_get_hashed(const mote_strmap *m, const char *key, size_t len, uint64_t hash, int32_t def);
/* Insert with a known hash; the map must already have room (see init's `expected`). */
int mote_strmap_put_hashed(mote_strmap *m, const char *key, size_t len, uint64_t hash, int32_t val);
void mote_u64map_prefetch(const mote_u64map *m, uint64_t key);

int mote_u64map_init(mote_u64map *m, size_t expected);
void mote_u64map_free(mote_u64map *m);
/* Insert key -> val unless the key is already present (first insert wins). */
int mote_u64map_put_new(mote_u64map *m, uint64_t key, int64_t val);
/* The value for key, or `def`. */
int64_t mote_u64map_get(const mote_u64map *m, uint64_t key, int64_t def);

#endif
