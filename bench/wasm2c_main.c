/*
 * wasm2c_main.c — driver for the wasm2c variant (wabt 1.0.32): the kernel's .wasm went
 * through `wasm2c -n kernel`, so its symbols are Z_kernel*. Initialises wabt's runtime
 * (wasm_rt_init, then the module, then an instance), runs `run` once with WARM untimed and
 * once with N, and prints "<checksum> <wall s> <CPU s>". A trap prints its wabt code and fails.
 */
#include <stdio.h>
#include <stdlib.h>

#include "wasm-rt-impl.h"
#include "kernel_w2c.h"
#include "stopwatch.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s N [WARM]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), warm = argc > 2 ? atoi(argv[2]) : 0;
    wasm_rt_init();
    Z_kernel_init_module();
    Z_kernel_instance_t inst;
    Z_kernel_instantiate(&inst);
    wasm_rt_trap_t trap = (wasm_rt_trap_t)wasm_rt_impl_try();
    if (trap != WASM_RT_TRAP_NONE) {
        fprintf(stderr, "wasm2c: trap %d\n", (int)trap);
        return 1;
    }
    if (warm > 0) Z_kernelZ_run(&inst, (u32)warm);
    stopwatch w;
    stopwatch_start(&w);
    stopwatch_report(&w, (long long)Z_kernelZ_run(&inst, (u32)n));
    Z_kernel_free(&inst);
    wasm_rt_free();
    return 0;
}
