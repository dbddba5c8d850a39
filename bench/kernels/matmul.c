/*
 * matmul.c — dense double-precision matrix multiply (192x192, i-k-j order), n times, each
 * product feeding the next input. Floating point loads, multiplies and adds in tight loops:
 * where vectorisation and hoisted address computations pay.
 */
#include "kernel.h"

#define N 192

static double A[N][N], B[N][N], C[N][N];

static void multiply(void) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) C[i][j] = 0.0;
        for (int k = 0; k < N; k++) {
            double a = A[i][k];
            for (int j = 0; j < N; j++) C[i][j] += a * B[k][j];
        }
    }
}

int64_t run(int32_t n) {
    uint32_t s = 42;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (double)(rng_next(&s) % 1000) / 1000.0 - 0.5;
            B[i][j] = (double)(rng_next(&s) % 1000) / 1000.0 - 0.5;
        }
    uint64_t h = 0;
    for (int32_t r = 0; r < n; r++) {
        multiply();
        /* Scale the product back into [-0.5, 0.5] and use it as the next left operand. */
        double m = 0.0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double v = C[i][j] < 0 ? -C[i][j] : C[i][j];
                if (v > m) m = v;
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) A[i][j] = C[i][j] / (2.0 * m);
        h = mix(h, (uint64_t)(int64_t)(C[r % N][(r * 7) % N] * 1e9));
    }
    return (int64_t)h;
}
