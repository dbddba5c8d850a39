/*
 * unit_support.h — helpers for unit tests that need a real compiled module: turn WAT text
 * into a .so with the real wat2wasm and hwasmc (paths from the environment ctest sets).
 */
#ifndef HWASM_UNIT_SUPPORT_H
#define HWASM_UNIT_SUPPORT_H

#include "hwasm.h"

/* Compiles `wat` with extra hwasmc flags (may be ""), loads it and instantiates it with no
 * imports. Returns the instance (module in *mod_out) or NULL with a message on stderr. */
hw_instance *unit_instantiate_wat(const char *wat, const char *hwasmc_flags, hw_module **mod_out);

/* Compiles `wat` to a .so and returns its path (static buffer), or NULL. */
const char *unit_compile_wat(const char *wat, const char *hwasmc_flags);

/* Calls export `name` of inst with up to 8 slots; returns hw_call's status. */
int unit_call(hw_instance *inst, const char *name, uint64_t *slots, hw_error *err);

#endif /* HWASM_UNIT_SUPPORT_H */
