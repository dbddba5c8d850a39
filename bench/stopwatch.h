/*
 * stopwatch.h — the one way every kernel driver times its call: wall and process CPU
 * time around the timed call only, printed as "<checksum> <wall s> <CPU s>", the line
 * bench/run-kernels parses.
 */
#ifndef HWASM_BENCH_STOPWATCH_H
#define HWASM_BENCH_STOPWATCH_H

#include <stdio.h>
#include <time.h>

typedef struct stopwatch {
    struct timespec wall, cpu;
} stopwatch;

static inline void stopwatch_start(stopwatch *w) {
    clock_gettime(CLOCK_MONOTONIC, &w->wall);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &w->cpu);
}

static inline double stopwatch_since(struct timespec a, struct timespec b) {
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
}

/* Stops the watch and prints the result line for `checksum`. */
static inline void stopwatch_report(const stopwatch *w, long long checksum) {
    struct timespec wall, cpu;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    clock_gettime(CLOCK_MONOTONIC, &wall);
    printf("%lld %.6f %.6f\n", checksum, stopwatch_since(w->wall, wall), stopwatch_since(w->cpu, cpu));
}

#endif /* HWASM_BENCH_STOPWATCH_H */
