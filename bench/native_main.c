/*
 * native_main.c — driver for the native variants: `kernel-native N [WARM]` runs the
 * kernel linked into this binary once with WARM (touches its memory, not timed), then
 * with N, and prints "<checksum> <wall seconds> <CPU seconds>" for the timed call only.
 */
#include <stdio.h>
#include <stdlib.h>
#include "stopwatch.h"

long long run(int n);

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s N [WARM]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), warm = argc > 2 ? atoi(argv[2]) : 0;
    if (warm > 0) run(warm);
    stopwatch w;
    stopwatch_start(&w);
    stopwatch_report(&w, run(n));
    return 0;
}
