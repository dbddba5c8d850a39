/*
 * target.h — the machines hwasmc generates code for, and everything that differs between
 * them (target.c): the --target spelling, LLVM's triple and baseline CPU, the ELF machine
 * recorded in the descriptor, and the two inline-asm details the lowering needs. Nothing
 * else in the back end may test for a target: the rest is the same IR for every machine.
 */
#ifndef HWASMC_TARGET_H
#define HWASMC_TARGET_H

#include <stdint.h>

typedef enum hwasmc_target {
    HWASMC_TARGET_X86_64,  /* x86_64-linux-gnu, x86-64-v2 */
    HWASMC_TARGET_AARCH64, /* aarch64-linux-gnu, armv8.0-a */
    HWASMC_TARGET_COUNT
} hwasmc_target;

typedef struct target_info {
    const char *name;     /* the --target spelling, a Debian multiarch triple */
    const char *triple;   /* LLVM's target triple */
    const char *cpu;      /* the baseline CPU every function is compiled for */
    const char *features; /* LLVM subtarget features on top of cpu */
    uint16_t elf_machine; /* e_machine of the output, also in the descriptor's flags */
    const char *fp_reg;   /* inline-asm constraint: a float, double or vector in a register */
    const char *fp_same;  /* the same, as an output tied to input 0 ("=x,0"): 4 characters */
    const char *load_i32; /* inline-asm text: $0 = the 32-bit word at address $1 */
} target_info;

/* The description of t (a valid hwasmc_target). */
const target_info *target_info_of(hwasmc_target t);

/* Parses a --target name ("x86_64-linux-gnu", "aarch64-linux-gnu"; also the short
 * "x86_64", "aarch64", "amd64", "arm64"). Returns 0, or -1 when it names no target. */
int target_parse(const char *name, hwasmc_target *t);

/* The machine hwasmc itself runs on: the default target. */
hwasmc_target target_host(void);

#endif /* HWASMC_TARGET_H */
