/*
 * lower.h — what the function-body lowering (lower_*.c) shares with the code that drives
 * it (driver.c: module setup, descriptor.c, emit.c, link.c).
 *
 * One lower_unit is one LLVM module. With -j N the defined functions are spread over N
 * units compiled on N threads (an LLVMContext per unit); functions of other units are
 * declared there as external hidden symbols, so the linker resolves direct calls.
 */
#ifndef HWASMC_LOWER_H
#define HWASMC_LOWER_H

#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>

#include "backend.h"
#include "module.h"

typedef struct lower_unit {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMTargetDataRef data_layout;
    const wasm_module *m;
    const hwasmc_options *opts;

    /* Shared types. */
    LLVMTypeRef ptr;  /* the opaque pointer type */
    LLVMTypeRef i8, i32, i64, f32, f64, void_t;
    LLVMTypeRef v128; /* <2 x i64>: how a v128 lives on the value stack, in locals and slots */
    LLVMTypeRef vmctx_type;   /* struct hwasm_vmctx, laid out as in include/hwasm/hwasm_module.h */
    LLVMTypeRef funcref_type; /* struct hwasm_funcref */
    LLVMTypeRef memory_type;  /* struct hwasm_memory */
    LLVMTypeRef table_type;   /* struct hwasm_table */
    LLVMTypeRef rtcalls_type; /* struct hwasm_runtime_calls */

    /* [num_types]: LLVM type of a function of that wasm type, i.e.
     * R (ptr env, ptr caller, params...) as include/hwasm/hwasm_module.h specifies. */
    LLVMTypeRef *wasm_fn_types;

    /* [num_funcs]: the LLVM function of each *defined* function as seen from this unit:
     * a definition when the function is lowered in this unit, else a declaration.
     * NULL for imported functions (they are called through vmctx->funcs[i]).
     * Symbol name: "hwasm_f<index>"; linkage internal with one unit, hidden otherwise. */
    LLVMValueRef *funcs;
} lower_unit;

/* The LLVM type of a wasm value type. */
LLVMTypeRef lower_valtype(const lower_unit *u, uint8_t valtype);

/* Lowers the body of defined function func_index into u->funcs[func_index], which the
 * driver has already created (with its attributes). Returns 0, or -1 with *err set. */
int lower_function(lower_unit *u, uint32_t func_index, wasm_error *err);

/* Fills the unit's shared types (the fields above) from the ABI layout. */
void lower_unit_init_types(lower_unit *u);

/* After LLVM's optimiser (lower_keepalive.c): drops the keep-alives the code generator
 * does not need to keep a guard-mode load in place, so those loads fold into their use. */
void release_needed_loads(LLVMModuleRef mod);

/* The guard-mode keep-alive of a load's value v (lower_keepalive.c), built at b. */
void build_keep_alive(LLVMContextRef ctx, LLVMBuilderRef b, hwasmc_target target, LLVMValueRef v);

/* After LLVM's optimiser, in guard mode (lower_gather.c): a run of lane loads from one
 * base at constant distances becomes one wide load. Returns whether anything changed. */
bool merge_lane_loads(const lower_unit *u);

#endif /* HWASMC_LOWER_H */
