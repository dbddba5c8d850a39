/*
 * fannkuch.c — permutations: the benchmarks-game fannkuch-redux for size n (n <= 12).
 * Small arrays, byte moves and data-dependent loop counts. The checksum combines the
 * permutation checksum and the maximum flip count.
 */
#include "kernel.h"

int64_t run(int32_t n) {
    int32_t perm[16], perm1[16], count[16];
    if (n < 3 || n > 12) return -1;
    for (int32_t i = 0; i < n; i++) perm1[i] = i;
    int32_t max_flips = 0, checksum = 0, perm_count = 0, r = n;
    for (;;) {
        while (r != 1) { count[r - 1] = r; r--; }
        for (int32_t i = 0; i < n; i++) perm[i] = perm1[i];
        int32_t flips = 0, k;
        while ((k = perm[0]) != 0) {
            for (int32_t i = 0, j = k; i < j; i++, j--) { int32_t t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
            flips++;
        }
        if (flips > max_flips) max_flips = flips;
        checksum += (perm_count & 1) ? -flips : flips;
        /* Next permutation in the counting order the benchmark defines. */
        for (;;) {
            if (r == n) return (int64_t)checksum * 1000 + max_flips;
            int32_t p0 = perm1[0];
            for (int32_t i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = p0;
            if (--count[r] > 0) break;
            r++;
        }
        perm_count++;
    }
}
