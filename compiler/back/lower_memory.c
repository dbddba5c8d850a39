/*
 * lower_memory.c — loads, stores, memory.size/grow and the bulk memory instructions.
 *
 * Effective addresses are computed in 64 bits (zext(index) + zext(offset)), never in 32,
 * so an offset can never wrap back into bounds. In guard mode that sum always lands in the
 * instance's reservation and a stray access faults; in explicit mode each access is
 * compared with the current memory size first.
 */
#include <stddef.h>

#include "lower_internal.h"

typedef struct access {
    unsigned bytes;     /* how many bytes move */
    bool is_float;      /* the value is f32/f64 (stored as an integer of the same width) */
    bool sign_extend;   /* narrow loads */
    bool is64;          /* the wasm value is 64 bits wide */
} access;

static bool describe(uint32_t op, access *a) {
    static const struct { uint32_t op; access a; } table[] = {
        {OP_I32_LOAD, {4, 0, 0, 0}},     {OP_I64_LOAD, {8, 0, 0, 1}},
        {OP_F32_LOAD, {4, 1, 0, 0}},     {OP_F64_LOAD, {8, 1, 0, 1}},
        {OP_I32_LOAD8_S, {1, 0, 1, 0}},  {OP_I32_LOAD8_U, {1, 0, 0, 0}},
        {OP_I32_LOAD16_S, {2, 0, 1, 0}}, {OP_I32_LOAD16_U, {2, 0, 0, 0}},
        {OP_I64_LOAD8_S, {1, 0, 1, 1}},  {OP_I64_LOAD8_U, {1, 0, 0, 1}},
        {OP_I64_LOAD16_S, {2, 0, 1, 1}}, {OP_I64_LOAD16_U, {2, 0, 0, 1}},
        {OP_I64_LOAD32_S, {4, 0, 1, 1}}, {OP_I64_LOAD32_U, {4, 0, 0, 1}},
        {OP_I32_STORE, {4, 0, 0, 0}},    {OP_I64_STORE, {8, 0, 0, 1}},
        {OP_F32_STORE, {4, 1, 0, 0}},    {OP_F64_STORE, {8, 1, 0, 1}},
        {OP_I32_STORE8, {1, 0, 0, 0}},   {OP_I32_STORE16, {2, 0, 0, 0}},
        {OP_I64_STORE8, {1, 0, 0, 1}},   {OP_I64_STORE16, {2, 0, 0, 1}},
        {OP_I64_STORE32, {4, 0, 0, 1}},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (table[i].op == op) return *a = table[i].a, true;
    return false;
}

static void load(fn_state *s, const wasm_insn *in, const access *a) {
    LLVMValueRef p = heap_address(s, pop(s), in->imm.memarg.offset, a->bytes);
    /* Floats load as floats (LLVM's loads keep every bit), so a guard-mode keep-alive
     * (lower_keepalive.c) holds them in an SSE register, not a general one. */
    LLVMTypeRef wide = a->is64 ? s->u->i64 : s->u->i32;
    LLVMTypeRef type = a->is_float ? (a->is64 ? s->u->f64 : s->u->f32)
                                   : LLVMIntTypeInContext(s->u->ctx, a->bytes * 8);
    LLVMValueRef v = LLVMBuildLoad2(s->b, type, p, "");
    LLVMSetAlignment(v, 1); /* wasm allows any alignment; the hint is not a promise */
    if (!a->is_float && a->bytes * 8 < LLVMGetIntTypeWidth(wide))
        v = a->sign_extend ? LLVMBuildSExt(s->b, v, wide, "") : LLVMBuildZExt(s->b, v, wide, "");
    push(s, v);
}

static void store(fn_state *s, const wasm_insn *in, const access *a) {
    LLVMValueRef v = pop(s);
    LLVMValueRef p = heap_address(s, pop(s), in->imm.memarg.offset, a->bytes);
    LLVMTypeRef narrow = LLVMIntTypeInContext(s->u->ctx, a->bytes * 8);
    if (a->is_float) v = LLVMBuildBitCast(s->b, v, narrow, "");
    else if (LLVMGetIntTypeWidth(LLVMTypeOf(v)) > a->bytes * 8) v = LLVMBuildTrunc(s->b, v, narrow, "");
    LLVMSetAlignment(LLVMBuildStore(s->b, v, p), 1);
}

int lower_memory(fn_state *s, const wasm_insn *in) {
    access a;
    LLVMTypeRef i32 = s->u->i32;
    if (describe(in->op, &a)) {
        if (in->op >= OP_I32_STORE) store(s, in, &a);
        else load(s, in, &a);
        return 1;
    }
    LLVMValueRef args[4];
    switch (in->op) {
    case OP_MEMORY_SIZE: {
        LLVMValueRef bytes = load_field(s, s->memory, offsetof(hwasm_memory, size), s->u->i64, false);
        push(s, LLVMBuildTrunc(s->b, LLVMBuildLShr(s->b, bytes, const_i64(s, 16), ""), i32, ""));
        return 1;
    }
    case OP_MEMORY_GROW:
        args[0] = pop(s);
        push(s, runtime_call(s, offsetof(hwasm_runtime_calls, memory_grow), i32, args, 1));
        return 1;
    case OP_MEMORY_INIT:
        args[3] = pop(s), args[2] = pop(s), args[1] = pop(s), args[0] = const_i32(s, in->imm.index);
        runtime_call(s, offsetof(hwasm_runtime_calls, memory_init), s->u->void_t, args, 4);
        return 1;
    case OP_DATA_DROP:
        args[0] = const_i32(s, in->imm.index);
        runtime_call(s, offsetof(hwasm_runtime_calls, data_drop), s->u->void_t, args, 1);
        return 1;
    case OP_MEMORY_COPY:
        args[2] = pop(s), args[1] = pop(s), args[0] = pop(s);
        runtime_call(s, offsetof(hwasm_runtime_calls, memory_copy), s->u->void_t, args, 3);
        return 1;
    case OP_MEMORY_FILL:
        args[2] = pop(s), args[1] = pop(s), args[0] = pop(s);
        runtime_call(s, offsetof(hwasm_runtime_calls, memory_fill), s->u->void_t, args, 3);
        return 1;
    default: return 0;
    }
}
