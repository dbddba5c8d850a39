/*
 * unit_support.h — helpers for unit tests that need a real compiled module: turn WAT text
 * into a .so with the real wat2wasm and hwasmc (paths from the environment ctest sets),
 * and check one call against its expected results or trap.
 */
#ifndef HWASM_UNIT_SUPPORT_H
#define HWASM_UNIT_SUPPORT_H

#include <check.h>

#include <hwasm/hwasm.h>

/* Compiles `wat` with extra hwasmc flags (may be ""), loads it and instantiates it with no
 * imports. Returns the instance (module in *mod_out) or NULL with a message on stderr. */
hw_instance *unit_instantiate_wat(const char *wat, const char *hwasmc_flags, hw_module **mod_out);

/* Compiles `wat` to a .so and returns its path (static buffer), or NULL. */
const char *unit_compile_wat(const char *wat, const char *hwasmc_flags);

/* Calls export `name` of inst with up to 8 slots; returns hw_call's status. */
int unit_call(hw_instance *inst, const char *name, uint64_t *slots, hw_error *err);

/* One call and its expected outcome. */
typedef struct unit_case {
    const char *func;
    uint64_t args[4];
    const char *res;  /* per result: i i32, I i64, f f32 bits, F f64 bits, n/N any f32/f64 NaN,
                       * r reference; NULL: the call must trap */
    uint64_t want[5]; /* the results, or want[0] = the enum hwasm_trap */
} unit_case;

/* Flags for unit_run_case. */
enum {
    UNIT_ZERO_EXTENDED = 1, /* also check the ABI rule: an i32/f32 result slot is zero-extended */
};

/* Calls c->func on inst and asserts (check) the outcome: the results bit for bit, or the
 * trap and its hw_trap_message() text. */
void unit_run_case(hw_instance *inst, const unit_case *c, unsigned flags);

/* Runs every test of s (forking, as check does by default) and frees it; returns the exit
 * status for main: EXIT_SUCCESS when nothing failed. */
int unit_run_suite(Suite *s);

#endif /* HWASM_UNIT_SUPPORT_H */
