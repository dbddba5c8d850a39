/*
 * emit.h — LLVM target set-up, verification, optimisation and object emission for one
 * lower_unit (emit.c). Safe to call from several threads, one unit and one target
 * machine per thread, once emit_init has returned.
 */
#ifndef HWASMC_EMIT_H
#define HWASMC_EMIT_H

#include "lower.h"

/* Initialises LLVM's X86 and AArch64 targets once per process, before any thread uses LLVM,
 * and LLVM's process-wide options for opt_level (the first call's level counts). */
void emit_init(int opt_level);

/* A target machine for target's triple and baseline CPU (target.c), PIC, at opt_level;
 * the caller disposes it. Returns NULL with *err set on failure. */
LLVMTargetMachineRef emit_target_machine(hwasmc_target target, int opt_level, wasm_error *err);

/* Verifies u->mod, runs the passes of its -O level, and emits an object file into *obj (the caller
 * disposes it). When ir is non-NULL, *ir receives the optimised IR (LLVMDisposeMessage).
 * Returns 0, or -1 with *err set (naming the function whose IR is broken, if any). */
int emit_unit(lower_unit *u, LLVMTargetMachineRef tm, LLVMMemoryBufferRef *obj, char **ir,
              wasm_error *err);

#endif /* HWASMC_EMIT_H */
