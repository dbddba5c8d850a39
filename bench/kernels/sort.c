/*
 * sort.c — sorting: quicksort (median of three, insertion sort for short runs) of 256 Ki
 * pseudo-random 32-bit integers, n times with fresh data. Branchy compares and swaps over a
 * 1 MiB array.
 */
#include "kernel.h"

#define LEN (256 * 1024)

static int32_t a[LEN];

static void insertion(int32_t *v, int32_t lo, int32_t hi) {
    for (int32_t i = lo + 1; i <= hi; i++) {
        int32_t x = v[i], j = i - 1;
        while (j >= lo && v[j] > x) { v[j + 1] = v[j]; j--; }
        v[j + 1] = x;
    }
}

static inline void swap(int32_t *v, int32_t i, int32_t j) { int32_t t = v[i]; v[i] = v[j]; v[j] = t; }

static void quicksort(int32_t *v, int32_t lo, int32_t hi) {
    while (hi - lo > 16) {
        int32_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(v, mid, lo);
        if (v[hi] < v[lo]) swap(v, hi, lo);
        if (v[hi] < v[mid]) swap(v, hi, mid);
        int32_t pivot = v[mid], i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) { swap(v, i, j); i++; j--; }
        }
        /* Recurse into the smaller half so the depth stays logarithmic. */
        if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; }
        else { quicksort(v, i, hi); hi = j; }
    }
    insertion(v, lo, hi);
}

int64_t run(int32_t n) {
    uint64_t h = 0;
    uint32_t s = 2024;
    for (int32_t r = 0; r < n; r++) {
        for (int32_t i = 0; i < LEN; i++) a[i] = (int32_t)rng_next(&s);
        quicksort(a, 0, LEN - 1);
        for (int32_t i = 1; i < LEN; i++)
            if (a[i - 1] > a[i]) return -1; /* not sorted: a wrong answer, never a checksum */
        h = mix(h, (uint32_t)a[LEN / 2] ^ (uint64_t)(uint32_t)a[r % LEN] << 32);
    }
    return (int64_t)h;
}
