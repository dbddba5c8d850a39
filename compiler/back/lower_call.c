/*
 * lower_call.c — calls (direct, imported, indirect), globals, references and tables.
 *
 * Every callee takes (env, caller, args...). A defined function of this module is called
 * directly with env = our vmctx and caller = poison: a defined function never reads its
 * caller (only host functions do), so no register needs to carry it. Within one LLVM unit
 * the optimiser found that itself (IPSCCP); across units it cannot. An import or a table
 * element is a hwasm_funcref {code, env, sig_id}, called through its code pointer with
 * caller = our vmctx.
 */
#include <stddef.h>
#include <stdlib.h>

#include "lower_internal.h"

/* Pops the callee's params, calls, and pushes its results. */
static void emit_call(fn_state *s, uint32_t type_index, LLVMValueRef callee, LLVMValueRef env,
                      LLVMValueRef caller) {
    const wasm_functype *t = &s->m->types[type_index];
    LLVMTypeRef fty = s->u->wasm_fn_types[type_index];
    uint32_t n = t->num_params;
    LLVMValueRef *args = malloc((n + 2) * sizeof *args);
    args[0] = env;
    args[1] = caller;
    for (uint32_t i = n; i > 0; i--) args[i + 1] = pop(s);
    LLVMValueRef ret = LLVMBuildCall2(s->b, fty, callee, args, n + 2, "");
    free(args);
    if (t->num_results == 1) {
        push(s, ret);
    } else {
        for (uint32_t i = 0; i < t->num_results; i++) push(s, LLVMBuildExtractValue(s->b, ret, i, ""));
    }
}

/* Loads element i of a pointer array. */
static LLVMValueRef load_ptr_at(fn_state *s, LLVMValueRef array, LLVMValueRef index, bool invariant) {
    LLVMValueRef p = LLVMBuildGEP2(s->b, s->u->ptr, array, &index, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(s->b, s->u->ptr, p, "");
    if (invariant)
        LLVMSetMetadata(v, LLVMGetMDKindIDInContext(s->u->ctx, "invariant.load", 14),
                        LLVMMDNodeInContext(s->u->ctx, NULL, 0));
    return v;
}

static void call_funcref(fn_state *s, uint32_t type_index, LLVMValueRef ref) {
    LLVMValueRef code = load_field(s, ref, offsetof(hwasm_funcref, code), s->u->ptr, false);
    LLVMValueRef env = load_field(s, ref, offsetof(hwasm_funcref, env), s->u->ptr, false);
    emit_call(s, type_index, code, env, s->vmctx);
}

static void lower_direct_call(fn_state *s, uint32_t func) {
    uint32_t type_index = s->m->funcs[func].type_index;
    if (func >= s->m->num_imported_funcs) {
        emit_call(s, type_index, s->u->funcs[func], s->vmctx, LLVMGetPoison(s->u->ptr));
    } else {
        /* Imports are bound once at instantiation: their funcref never changes. */
        call_funcref(s, type_index, load_ptr_at(s, s->funcs, const_i32(s, func), true));
    }
}

static LLVMValueRef table_at(fn_state *s, uint32_t table) {
    LLVMValueRef t = load_ptr_at(s, s->tables, const_i32(s, table), true);
    mark_dereferenceable(s, t, sizeof(hwasm_table));
    return t;
}

/* Checks index < table.size (trapping with `code`) and returns the element's address. */
static LLVMValueRef element_ptr(fn_state *s, LLVMValueRef table, LLVMValueRef index, uint32_t code) {
    LLVMValueRef size = load_field(s, table, offsetof(hwasm_table, size), s->u->i32, false);
    trap_if(s, LLVMBuildICmp(s->b, LLVMIntUGE, index, size, ""), code);
    LLVMValueRef elems = load_field(s, table, offsetof(hwasm_table, elems), s->u->ptr, false);
    LLVMValueRef wide = LLVMBuildZExt(s->b, index, s->u->i64, "");
    return LLVMBuildGEP2(s->b, s->u->ptr, elems, &wide, 1, "");
}

static void lower_call_indirect(fn_state *s, const wasm_insn *in) {
    uint32_t type_index = in->imm.call_indirect.type_index;
    LLVMValueRef index = pop(s);
    LLVMValueRef slot = element_ptr(s, table_at(s, in->imm.call_indirect.table_index), index,
                                    HWASM_TRAP_UNDEFINED_ELEMENT);
    LLVMValueRef ref = LLVMBuildLoad2(s->b, s->u->ptr, slot, "");
    trap_if(s, LLVMBuildIsNull(s->b, ref, ""), HWASM_TRAP_UNINITIALIZED);
    /* Canonical ids are interned by the runtime, so types from other modules compare. */
    LLVMValueRef idx = const_i64(s, type_index);
    LLVMValueRef want = LLVMBuildLoad2(s->b, s->u->i32,
                                       LLVMBuildGEP2(s->b, s->u->i32, s->sig_ids, &idx, 1, ""), "");
    LLVMValueRef have = load_field(s, ref, offsetof(hwasm_funcref, sig_id), s->u->i32, false);
    trap_if(s, LLVMBuildICmp(s->b, LLVMIntNE, want, have, ""), HWASM_TRAP_INDIRECT_SIG);
    call_funcref(s, type_index, ref);
}

/* An immutable defined global with a numeric constant initialiser is that constant. */
static LLVMValueRef constant_global(fn_state *s, uint32_t index) {
    const wasm_global *g = &s->m->globals[index];
    if (index < s->m->num_imported_globals || g->is_mutable) return NULL;
    switch (g->init.kind) {
    case HWASM_CONST_I32: return const_i32(s, (uint32_t)g->init.value);
    case HWASM_CONST_I64: return const_i64(s, g->init.value);
    case HWASM_CONST_F32:
        return LLVMConstBitCast(const_i32(s, (uint32_t)g->init.value), s->u->f32);
    case HWASM_CONST_F64: return LLVMConstBitCast(const_i64(s, g->init.value), s->u->f64);
    case HWASM_CONST_V128: {
        LLVMValueRef v[] = {const_i64(s, g->init.value), const_i64(s, g->init.value_hi)};
        return LLVMConstVector(v, 2);
    }
    default: return NULL;
    }
}

static void lower_global(fn_state *s, const wasm_insn *in) {
    uint32_t index = in->imm.index;
    LLVMValueRef known = in->op == OP_GLOBAL_GET ? constant_global(s, index) : NULL;
    if (known) {
        push(s, known);
        return;
    }
    LLVMValueRef cell = load_ptr_at(s, s->globals, const_i32(s, index), true);
    mark_dereferenceable(s, cell, sizeof(hwasm_global));
    LLVMTypeRef type = lower_valtype(s->u, s->m->globals[index].value_type);
    /* hwasm_global is 16 bytes but only 8-aligned (a v128 needs the 8, not 16). */
    LLVMValueRef access = in->op == OP_GLOBAL_GET ? LLVMBuildLoad2(s->b, type, cell, "")
                                                  : LLVMBuildStore(s->b, pop(s), cell);
    unsigned align = LLVMABIAlignmentOfType(s->u->data_layout, type);
    LLVMSetAlignment(access, align > 8 ? 8 : align);
    if (in->op == OP_GLOBAL_GET) push(s, access);
}

static void lower_table(fn_state *s, const wasm_insn *in) {
    LLVMValueRef args[5];
    LLVMTypeRef i32 = s->u->i32, void_t = s->u->void_t;
    switch (in->op) {
    case OP_TABLE_GET: {
        LLVMValueRef slot = element_ptr(s, table_at(s, in->imm.index), pop(s), HWASM_TRAP_TABLE_OOB);
        push(s, LLVMBuildLoad2(s->b, s->u->ptr, slot, ""));
        break;
    }
    case OP_TABLE_SET: {
        LLVMValueRef value = pop(s);
        LLVMValueRef slot = element_ptr(s, table_at(s, in->imm.index), pop(s), HWASM_TRAP_TABLE_OOB);
        LLVMBuildStore(s->b, value, slot);
        break;
    }
    case OP_TABLE_SIZE:
        push(s, load_field(s, table_at(s, in->imm.index), offsetof(hwasm_table, size), i32, false));
        break;
    case OP_TABLE_GROW:
        args[2] = pop(s), args[1] = pop(s), args[0] = const_i32(s, in->imm.index);
        push(s, runtime_call(s, offsetof(hwasm_runtime_calls, table_grow), i32, args, 3));
        break;
    case OP_TABLE_FILL:
        args[3] = pop(s), args[2] = pop(s), args[1] = pop(s), args[0] = const_i32(s, in->imm.index);
        runtime_call(s, offsetof(hwasm_runtime_calls, table_fill), void_t, args, 4);
        break;
    case OP_TABLE_COPY:
        args[4] = pop(s), args[3] = pop(s), args[2] = pop(s);
        args[0] = const_i32(s, in->imm.pair.a), args[1] = const_i32(s, in->imm.pair.b);
        runtime_call(s, offsetof(hwasm_runtime_calls, table_copy), void_t, args, 5);
        break;
    case OP_TABLE_INIT: /* pair.a = elem index, pair.b = table index */
        args[4] = pop(s), args[3] = pop(s), args[2] = pop(s);
        args[0] = const_i32(s, in->imm.pair.b), args[1] = const_i32(s, in->imm.pair.a);
        runtime_call(s, offsetof(hwasm_runtime_calls, table_init), void_t, args, 5);
        break;
    default: /* OP_ELEM_DROP */
        args[0] = const_i32(s, in->imm.index);
        runtime_call(s, offsetof(hwasm_runtime_calls, elem_drop), void_t, args, 1);
        break;
    }
}

int lower_call(fn_state *s, const wasm_insn *in) {
    switch (in->op) {
    case OP_CALL: lower_direct_call(s, in->imm.index); return 1;
    case OP_CALL_INDIRECT: lower_call_indirect(s, in); return 1;
    case OP_GLOBAL_GET: case OP_GLOBAL_SET: lower_global(s, in); return 1;
    case OP_REF_NULL: push(s, LLVMConstNull(s->u->ptr)); return 1;
    case OP_REF_IS_NULL:
        push(s, LLVMBuildZExt(s->b, LLVMBuildIsNull(s->b, pop(s), ""), s->u->i32, ""));
        return 1;
    case OP_REF_FUNC: push(s, load_ptr_at(s, s->funcs, const_i32(s, in->imm.index), true)); return 1;
    case OP_TABLE_GET: case OP_TABLE_SET: case OP_TABLE_SIZE: case OP_TABLE_GROW:
    case OP_TABLE_FILL: case OP_TABLE_COPY: case OP_TABLE_INIT: case OP_ELEM_DROP:
        lower_table(s, in);
        return 1;
    default: return 0;
    }
}
