/*
 * backend.h — from a validated wasm_module to a shared object on disk.
 *
 * lower_*.c turn function bodies into LLVM IR, descriptor.c emits the hwasm_descriptor
 * and the per-type trampolines (include/hwasm/hwasm_module.h), emit.c runs LLVM's passes and writes
 * object files, link.c links them into the .so. The input must have passed wasm_validate:
 * the backend trusts types and indices.
 */
#ifndef HWASMC_BACKEND_H
#define HWASMC_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "module.h"
#include "target.h"

typedef struct hwasmc_options {
    int opt_level;           /* 0..3: 1 compiles fast, 2 and 3 are LLVM's default<On> (emit.c) */
    hwasmc_target target;    /* the machine the .so runs on (target.h; default: the host) */
    bool bounds_explicit;    /* compare every access against memory->size (default: guard pages) */
    bool interrupt_checks;   /* poll vmctx->interrupt at loop headers and function entries */
    bool canonicalize_nans;  /* a NaN computed by float arithmetic is the canonical one (lower_nan.c) */
    int jobs;                /* threads; the split into LLVM modules never depends on it */
    const char *emit_llvm;   /* when non-NULL, also write the (optimised) IR here */
    uint8_t wasm_sha256[32]; /* digest of the original input, recorded in the descriptor */
} hwasmc_options;

/* Compiles m into the shared object out_path. Returns 0, or -1 with *err set; on failure
 * no file is left at out_path. Deterministic: same module and options, same bytes. */
int hwasmc_compile(const wasm_module *m, const hwasmc_options *opts, const char *out_path,
                   wasm_error *err);

#endif /* HWASMC_BACKEND_H */
