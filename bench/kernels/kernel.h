/*
 * kernel.h — what every benchmark kernel shares: the entry point each one defines,
 * `int64_t run(int32_t n)` (n scales the work; the result is a checksum every variant must
 * reproduce), fixed-width types without libc, and a deterministic pseudo-random generator.
 * The kernels are freestanding C: the wasm32 build links no libc at all.
 */
#ifndef BENCH_KERNEL_H
#define BENCH_KERNEL_H

typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
typedef __SIZE_TYPE__ size_t;

#define EXPORT __attribute__((visibility("default")))

EXPORT int64_t run(int32_t n);

/* xorshift32: the same sequence on every target, no libc rand(). */
static inline uint32_t rng_next(uint32_t *s) {
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Mixes a value into a running checksum (FNV-1a style on 64 bits). */
static inline uint64_t mix(uint64_t h, uint64_t v) {
    return (h ^ v) * 0x100000001b3ull;
}

#endif
