/*
 * target.c — the table of machines hwasmc generates code for (target.h). The baseline
 * CPUs are what every server of that architecture still in service runs:
 *
 *  - x86_64: x86-64-v2 (SSE4.2, POPCNT). roundss/roundsd make floor, ceil, trunc and
 *    nearest single instructions, so generated code needs no libm.
 *  - aarch64: generic armv8.0-a with FP and Advanced SIMD (both mandatory on Linux
 *    servers). No LSE (armv8.1 atomics): Graviton1 and Cortex-A72 machines (Raspberry Pi 4,
 *    many edge boxes) lack it, and hwasm emits no atomics, so it would buy nothing.
 *    armv8.0 already has frintm/frintp/frintz/frintn for the rounding operators.
 */
#include <hwasm/hwasm_module.h>
#include <string.h>

#include "target.h"

static const target_info targets[HWASMC_TARGET_COUNT] = {
    [HWASMC_TARGET_X86_64] = {.name = "x86_64-linux-gnu",
                              .triple = "x86_64-pc-linux-gnu",
                              .cpu = "x86-64-v2",
                              .features = "",
                              .elf_machine = HWASM_MACHINE_X86_64,
                              .fp_reg = "x",
                              .fp_same = "=x,0",
                              .load_i32 = "movl ($1), $0"},
    [HWASMC_TARGET_AARCH64] = {.name = "aarch64-linux-gnu",
                               .triple = "aarch64-unknown-linux-gnu",
                               .cpu = "generic",
                               .features = "+fp-armv8,+neon",
                               .elf_machine = HWASM_MACHINE_AARCH64,
                               .fp_reg = "w",
                               .fp_same = "=w,0",
                               .load_i32 = "ldr ${0:w}, [$1]"},
};

const target_info *target_info_of(hwasmc_target t) { return &targets[t]; }

int target_parse(const char *name, hwasmc_target *t) {
    static const struct {
        const char *alias;
        hwasmc_target t;
    } aliases[] = {{"x86_64", HWASMC_TARGET_X86_64},
                   {"amd64", HWASMC_TARGET_X86_64},
                   {"aarch64", HWASMC_TARGET_AARCH64},
                   {"arm64", HWASMC_TARGET_AARCH64}};
    for (int i = 0; i < HWASMC_TARGET_COUNT; i++)
        if (!strcmp(name, targets[i].name)) return *t = (hwasmc_target)i, 0;
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (!strcmp(name, aliases[i].alias)) return *t = aliases[i].t, 0;
    return -1;
}

hwasmc_target target_host(void) {
#if defined(__aarch64__)
    return HWASMC_TARGET_AARCH64;
#else
    return HWASMC_TARGET_X86_64;
#endif
}
