/*
 * hashmap.c — a hash-map workload: an open-addressing table (linear probing, 2^18 slots)
 * of 32-bit keys to 64-bit values; each of n rounds inserts 150k keys, looks up 300k (half
 * of them absent) and sums what it finds. Cache misses and unpredictable branches.
 */
#include "kernel.h"

#define SLOTS (1u << 18)
#define INSERTS 150000
#define EMPTY 0u

static uint32_t keys[SLOTS];
static uint64_t vals[SLOTS];

static inline uint32_t hash(uint32_t k) {
    k ^= k >> 16; k *= 0x7feb352d; k ^= k >> 15; k *= 0x846ca68b; k ^= k >> 16;
    return k;
}

static void put(uint32_t k, uint64_t v) {
    uint32_t i = hash(k) & (SLOTS - 1);
    while (keys[i] != EMPTY && keys[i] != k) i = (i + 1) & (SLOTS - 1);
    if (keys[i] == k) vals[i] += v;
    else { keys[i] = k; vals[i] = v; }
}

static int get(uint32_t k, uint64_t *v) {
    uint32_t i = hash(k) & (SLOTS - 1);
    while (keys[i] != EMPTY) {
        if (keys[i] == k) { *v = vals[i]; return 1; }
        i = (i + 1) & (SLOTS - 1);
    }
    return 0;
}

int64_t run(int32_t n) {
    uint64_t h = 0;
    for (int32_t r = 0; r < n; r++) {
        for (uint32_t i = 0; i < SLOTS; i++) keys[i] = EMPTY;
        uint32_t s = 7 + (uint32_t)r;
        for (int32_t i = 0; i < INSERTS; i++) {
            uint32_t k = (rng_next(&s) & 0x3ffff) | 1; /* keys never equal EMPTY; some repeat */
            put(k, (uint64_t)i * 3 + k);
        }
        uint64_t sum = 0, found = 0, v;
        for (int32_t i = 0; i < 2 * INSERTS; i++) {
            uint32_t k = (rng_next(&s) & 0x7ffff) | 1;
            if (get(k, &v)) { sum += v; found++; }
        }
        h = mix(mix(h, sum), found);
    }
    return (int64_t)h;
}
