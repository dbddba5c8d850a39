/*
 * fib.c — recursive calls: naive Fibonacci of n. The call counter (a side effect) keeps
 * compilers from merging the repeated calls of an inlined level, and the checksum needs
 * both, so this measures call and return overhead, including any per-call stack or
 * interrupt check the sandbox adds.
 */
#include "kernel.h"

static int64_t calls;

__attribute__((noinline)) static int64_t fib(int32_t n) {
    calls++;
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int64_t run(int32_t n) {
    calls = 0;
    int64_t f = fib(n);
    return f * 1000003 + calls;
}
