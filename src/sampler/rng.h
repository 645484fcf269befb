/*
 * rng.h — the sampler's pseudo-random numbers.
 *
 * xoshiro256** (Blackman and Vigna, public domain algorithm), seeded by
 * expanding one 64-bit seed through splitmix64 so that nearby seeds
 * (0, 1, 2, ...) still give unrelated streams. It is small, fast, has no
 * global state and gives the same sequence on every platform, which is what
 * "same seed, same text" needs. Written here from the published description.
 */
#ifndef MOTE_SAMPLER_RNG_H
#define MOTE_SAMPLER_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} mote_rng;

/* One step of splitmix64: advances *x and returns a well-mixed word. */
static inline uint64_t mote_splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Seed the generator; every seed (0 included) gives a valid, nonzero state. */
static inline void mote_rng_seed(mote_rng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = mote_splitmix64(&x);
}

static inline uint64_t mote_rotl64(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }

/* The next 64 random bits. */
static inline uint64_t mote_rng_next(mote_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = mote_rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = mote_rotl64(s[3], 45);
    return result;
}

/* A uniform double in [0, 1): the top 53 bits scaled by 2^-53. */
static inline double mote_rng_uniform(mote_rng *r) {
    return (double)(mote_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
