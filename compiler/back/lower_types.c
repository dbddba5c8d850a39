/*
 * lower_types.c — the LLVM types of wasm values, of wasm functions under the hwasm calling
 * convention, and of the runtime structures generated code reads (include/hwasm/hwasm_module.h).
 */
#include <stddef.h>
#include <stdlib.h>

#include "lower_internal.h"

LLVMTypeRef lower_valtype(const lower_unit *u, uint8_t valtype) {
    switch (valtype) {
    case HWASM_I32: return u->i32;
    case HWASM_I64: return u->i64;
    case HWASM_F32: return u->f32;
    case HWASM_F64: return u->f64;
    case HWASM_V128: return u->v128;
    default: return u->ptr; /* funcref, externref */
    }
}

/* R (ptr env, ptr caller, params...): R is void, the single result, or a struct of them. */
static LLVMTypeRef function_type(const lower_unit *u, const wasm_functype *t) {
    LLVMTypeRef *params = malloc((t->num_params + 2) * sizeof *params);
    LLVMTypeRef *results = malloc((t->num_results + 1) * sizeof *results);
    params[0] = params[1] = u->ptr;
    for (uint32_t i = 0; i < t->num_params; i++) params[i + 2] = lower_valtype(u, t->types[i]);
    for (uint32_t i = 0; i < t->num_results; i++)
        results[i] = lower_valtype(u, t->types[t->num_params + i]);
    LLVMTypeRef ret = t->num_results == 0   ? u->void_t
                      : t->num_results == 1 ? results[0]
                                            : LLVMStructTypeInContext(u->ctx, results, t->num_results, 0);
    LLVMTypeRef fn = LLVMFunctionType(ret, params, t->num_params + 2, 0);
    free(params);
    free(results);
    return fn;
}

/* The mirror structs below must lay out like the C header; generated code addresses
 * fields by offsetof(), so a mismatch would only mislead readers of --emit-llvm output,
 * but it also means the header changed without this file: lower_function refuses then. */
static bool same_layout(const lower_unit *u, LLVMTypeRef t, const size_t *offsets, unsigned n, size_t size) {
    if (LLVMCountStructElementTypes(t) != n || LLVMABISizeOfType(u->data_layout, t) != size) return false;
    for (unsigned i = 0; i < n; i++)
        if (LLVMOffsetOfElement(u->data_layout, t, i) != offsets[i]) return false;
    return true;
}

bool lower_layout_ok(const lower_unit *u) {
    static const size_t vm[] = {
        offsetof(hwasm_vmctx, mem_base),    offsetof(hwasm_vmctx, memory),
        offsetof(hwasm_vmctx, globals),     offsetof(hwasm_vmctx, tables),
        offsetof(hwasm_vmctx, funcs),       offsetof(hwasm_vmctx, sig_ids),
        offsetof(hwasm_vmctx, rt),          offsetof(hwasm_vmctx, stack_limit),
        offsetof(hwasm_vmctx, interrupt),   offsetof(hwasm_vmctx, reserved0),
        offsetof(hwasm_vmctx, host)};
    static const size_t fr[] = {offsetof(hwasm_funcref, code), offsetof(hwasm_funcref, env),
                                offsetof(hwasm_funcref, sig_id)};
    static const size_t mem[] = {offsetof(hwasm_memory, base), offsetof(hwasm_memory, size),
                                 offsetof(hwasm_memory, max_pages), offsetof(hwasm_memory, reserved)};
    static const size_t tab[] = {offsetof(hwasm_table, elems), offsetof(hwasm_table, size),
                                 offsetof(hwasm_table, max), offsetof(hwasm_table, elem_type)};
    size_t rt[sizeof(hwasm_runtime_calls) / sizeof(void *)];
    for (unsigned i = 0; i < sizeof rt / sizeof *rt; i++) rt[i] = i * sizeof(void *);
    return same_layout(u, u->vmctx_type, vm, 11, sizeof(hwasm_vmctx)) &&
           same_layout(u, u->funcref_type, fr, 3, sizeof(hwasm_funcref)) &&
           same_layout(u, u->memory_type, mem, 4, sizeof(hwasm_memory)) &&
           same_layout(u, u->table_type, tab, 4, sizeof(hwasm_table)) &&
           same_layout(u, u->rtcalls_type, rt, sizeof rt / sizeof *rt, sizeof(hwasm_runtime_calls));
}

/* The targets (and the asm parsers the interrupt poll's inline asm needs) are set up once
 * by emit_init, before any unit's thread starts (driver.c). */
void lower_unit_init_types(lower_unit *u) {
    LLVMContextRef c = u->ctx;
    u->ptr = LLVMPointerTypeInContext(c, 0);
    u->i8 = LLVMInt8TypeInContext(c);
    u->i32 = LLVMInt32TypeInContext(c);
    u->i64 = LLVMInt64TypeInContext(c);
    u->f32 = LLVMFloatTypeInContext(c);
    u->f64 = LLVMDoubleTypeInContext(c);
    u->void_t = LLVMVoidTypeInContext(c);
    u->v128 = LLVMVectorType(u->i64, 2);

    /* Generated code addresses fields by offsetof() byte offsets; these struct types
     * exist for readers of --emit-llvm output and mirror the C layouts. */
    LLVMTypeRef vm[] = {u->ptr, u->ptr, u->ptr, u->ptr, u->ptr, u->ptr, u->ptr,
                        u->i64, u->i32, u->i32, u->ptr};
    u->vmctx_type = LLVMStructCreateNamed(c, "hwasm_vmctx");
    LLVMStructSetBody(u->vmctx_type, vm, sizeof vm / sizeof *vm, 0);
    LLVMTypeRef fr[] = {u->ptr, u->ptr, u->i32};
    u->funcref_type = LLVMStructCreateNamed(c, "hwasm_funcref");
    LLVMStructSetBody(u->funcref_type, fr, 3, 0);
    LLVMTypeRef mem[] = {u->ptr, u->i64, u->i64, u->i64};
    u->memory_type = LLVMStructCreateNamed(c, "hwasm_memory");
    LLVMStructSetBody(u->memory_type, mem, 4, 0);
    LLVMTypeRef tab[] = {u->ptr, u->i32, u->i32, u->i8};
    u->table_type = LLVMStructCreateNamed(c, "hwasm_table");
    LLVMStructSetBody(u->table_type, tab, 4, 0);
    LLVMTypeRef rt[11];
    for (int i = 0; i < 11; i++) rt[i] = u->ptr;
    u->rtcalls_type = LLVMStructCreateNamed(c, "hwasm_runtime_calls");
    LLVMStructSetBody(u->rtcalls_type, rt, 11, 0);

    const wasm_module *m = u->m;
    u->wasm_fn_types = calloc(m->num_types ? m->num_types : 1, sizeof *u->wasm_fn_types);
    for (uint32_t i = 0; i < m->num_types; i++) u->wasm_fn_types[i] = function_type(u, &m->types[i]);
}
