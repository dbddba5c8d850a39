/*
 * descriptor.h — emits the module descriptor and the generic call trampolines
 * (include/hwasm/hwasm_module.h) into one unit (descriptor.c).
 */
#ifndef HWASMC_DESCRIPTOR_H
#define HWASMC_DESCRIPTOR_H

#include "lower.h"

/* Adds `hwasm_module_descriptor` (the .so's only exported symbol), the data it points to
 * and one trampoline per function type to u. Every defined function must already be in
 * u->funcs. Returns 0, or -1 with *err set (a layout mismatch with the C ABI). */
int descriptor_emit(lower_unit *u, wasm_error *err);

#endif /* HWASMC_DESCRIPTOR_H */
