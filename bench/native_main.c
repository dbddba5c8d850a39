/*
 * native_main.c — driver for the native variants: `kernel-native N [WARM]` runs the
 * kernel linked into this binary once with WARM (touches its memory, not timed), then
 * with N, and prints "<checksum> <wall seconds> <CPU seconds>" for the timed call only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

long long run(int n);

static double seconds(struct timespec a, struct timespec b) {
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s N [WARM]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), warm = argc > 2 ? atoi(argv[2]) : 0;
    if (warm > 0) run(warm);
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    long long v = run(n);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%lld %.6f %.6f\n", v, seconds(t0, t1), seconds(c0, c1));
    return 0;
}
