/*
 * native_main.c — driver for the native variants: `kernel-native N [WARM]` runs the
 * kernel linked into this binary once with WARM (touches its memory, not timed), then
 * with N, and prints "<checksum> <seconds>" for the timed call only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

long long run(int n);

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s N [WARM]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), warm = argc > 2 ? atoi(argv[2]) : 0;
    if (warm > 0) run(warm);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long long v = run(n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%lld %.6f\n", v, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
    return 0;
}
