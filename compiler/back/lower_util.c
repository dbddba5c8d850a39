/*
 * lower_util.c — the building blocks every lower_*.c file uses: the value stack, constants,
 * new blocks and entry-block allocas, loads of runtime fields, intrinsic and runtime
 * calls, trap checks (one cold block per trap code) and the interrupt poll. It knows
 * nothing of particular instructions and calls no other lower_*.c file.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"

void push(fn_state *s, LLVMValueRef v) {
    if (s->sp == s->stack_cap) {
        s->stack_cap = s->stack_cap ? 2 * s->stack_cap : 64;
        s->stack = realloc(s->stack, s->stack_cap * sizeof *s->stack);
    }
    s->stack[s->sp++] = v;
}

LLVMValueRef pop(fn_state *s) { return s->stack[--s->sp]; }

LLVMValueRef const_i32(fn_state *s, uint64_t v) { return LLVMConstInt(s->u->i32, v, 0); }
LLVMValueRef const_i64(fn_state *s, uint64_t v) { return LLVMConstInt(s->u->i64, v, 0); }

static LLVMValueRef field_ptr(fn_state *s, LLVMValueRef base, size_t offset) {
    if (offset == 0) return base;
    LLVMValueRef idx = const_i64(s, offset);
    return LLVMBuildInBoundsGEP2(s->b, s->u->i8, base, &idx, 1, "");
}

LLVMValueRef load_field(fn_state *s, LLVMValueRef base, size_t offset, LLVMTypeRef type,
                        bool invariant) {
    LLVMValueRef v = LLVMBuildLoad2(s->b, type, field_ptr(s, base, offset), "");
    if (invariant) {
        unsigned kind = LLVMGetMDKindIDInContext(s->u->ctx, "invariant.load", 14);
        LLVMSetMetadata(v, kind, LLVMMDNodeInContext(s->u->ctx, NULL, 0));
    }
    return v;
}

LLVMValueRef call_intrinsic(fn_state *s, const char *name, LLVMTypeRef *overloads,
                            unsigned num_overloads, LLVMValueRef *args, unsigned num_args) {
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMValueRef decl = LLVMGetIntrinsicDeclaration(s->u->mod, id, overloads, num_overloads);
    LLVMTypeRef type = LLVMIntrinsicGetType(s->u->ctx, id, overloads, num_overloads);
    return LLVMBuildCall2(s->b, type, decl, args, num_args, "");
}

LLVMBasicBlockRef new_block(fn_state *s, const char *name) {
    return LLVMAppendBasicBlockInContext(s->u->ctx, s->fn, name);
}

static void add_fn_attrs(LLVMContextRef ctx, LLVMValueRef v, bool call_site, const char *const *names, int n) {
    for (int i = 0; i < n; i++) {
        LLVMAttributeRef a =
            LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName(names[i], strlen(names[i])), 0);
        if (call_site) LLVMAddCallSiteAttribute(v, LLVMAttributeFunctionIndex, a);
        else LLVMAddAttributeAtIndex(v, LLVMAttributeFunctionIndex, a);
    }
}

/*
 * The unit's one trap stub, void hwasm_trap_stub(vmctx, code): loads vmctx->rt->trap and
 * calls it. Being cold and never inlined, it keeps the loads of the callback out of guest
 * functions, whose trap paths shrink to a call with two arguments (no register stays
 * reserved for the callback table across the hot path).
 */
static LLVMValueRef trap_stub(fn_state *s) {
    static const char name[] = "hwasm_trap_stub";
    LLVMTypeRef params[] = {s->u->ptr, s->u->i32};
    LLVMTypeRef type = LLVMFunctionType(s->u->void_t, params, 2, 0);
    LLVMValueRef stub = LLVMGetNamedFunction(s->u->mod, name);
    if (stub) return stub;
    stub = LLVMAddFunction(s->u->mod, name, type);
    LLVMSetLinkage(stub, LLVMInternalLinkage);
    static const char *const attrs[] = {"noreturn", "cold", "nounwind", "noinline"};
    add_fn_attrs(s->u->ctx, stub, false, attrs, 4);
    LLVMBuilderRef b = LLVMCreateBuilderInContext(s->u->ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(s->u->ctx, stub, "entry"));
    LLVMValueRef vm = LLVMGetParam(stub, 0);
    LLVMValueRef off = const_i64(s, offsetof(hwasm_vmctx, rt));
    LLVMValueRef rt = LLVMBuildLoad2(b, s->u->ptr, LLVMBuildInBoundsGEP2(b, s->u->i8, vm, &off, 1, ""), "");
    off = const_i64(s, offsetof(hwasm_runtime_calls, trap));
    LLVMValueRef fn = LLVMBuildLoad2(b, s->u->ptr, LLVMBuildInBoundsGEP2(b, s->u->i8, rt, &off, 1, ""), "");
    LLVMValueRef args[] = {vm, LLVMGetParam(stub, 1)};
    LLVMValueRef call = LLVMBuildCall2(b, type, fn, args, 2, "");
    add_fn_attrs(s->u->ctx, call, true, attrs, 3);
    LLVMBuildUnreachable(b);
    LLVMDisposeBuilder(b);
    return stub;
}

static LLVMBasicBlockRef trap_block(fn_state *s, uint32_t code) {
    if (s->trap_blocks[code]) return s->trap_blocks[code];
    LLVMBasicBlockRef saved = LLVMGetInsertBlock(s->b);
    LLVMBasicBlockRef bb = new_block(s, "trap");
    LLVMPositionBuilderAtEnd(s->b, bb);
    LLVMValueRef stub = trap_stub(s);
    LLVMValueRef args[] = {s->vmctx, const_i32(s, code)};
    LLVMValueRef call = LLVMBuildCall2(s->b, LLVMGlobalGetValueType(stub), stub, args, 2, "");
    static const char *const attrs[] = {"noreturn", "cold", "nounwind"};
    add_fn_attrs(s->u->ctx, call, true, attrs, 3);
    LLVMBuildUnreachable(s->b);
    LLVMPositionBuilderAtEnd(s->b, saved);
    return s->trap_blocks[code] = bb;
}

void trap_if(fn_state *s, LLVMValueRef cond, uint32_t code) {
    LLVMBasicBlockRef ok = new_block(s, "ok");
    LLVMValueRef br = LLVMBuildCondBr(s->b, cond, trap_block(s, code), ok);
    /* Traps are exceptional: tell the optimiser so the checks cost a not-taken branch. */
    LLVMMetadataRef md[] = {
        LLVMMDStringInContext2(s->u->ctx, "branch_weights", 14),
        LLVMValueAsMetadata(const_i32(s, 1)),
        LLVMValueAsMetadata(const_i32(s, 1u << 20)),
    };
    LLVMSetMetadata(br, LLVMGetMDKindIDInContext(s->u->ctx, "prof", 4),
                    LLVMMetadataAsValue(s->u->ctx, LLVMMDNodeInContext2(s->u->ctx, md, 3)));
    LLVMPositionBuilderAtEnd(s->b, ok);
}

void trap_now(fn_state *s, uint32_t code) { LLVMBuildBr(s->b, trap_block(s, code)); }

void build_keep_alive(LLVMContextRef ctx, LLVMBuilderRef b, hwasmc_target target, LLVMValueRef v) {
    LLVMTypeRef t = LLVMTypeOf(v);
    LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(ctx), &t, 1, 0);
    const char *constraint = LLVMGetTypeKind(t) == LLVMIntegerTypeKind ? "r" : target_info_of(target)->fp_reg;
    LLVMValueRef asm_ = LLVMGetInlineAsm(fty, "", 0, (char *)constraint, strlen(constraint), 1, 0,
                                         LLVMInlineAsmDialectATT, 0);
    LLVMValueRef call = LLVMBuildCall2(b, fty, asm_, &v, 1, "");
    /* Like the faulting load it stands for: it may not return (no `willreturn`), so
     * nothing with an effect moves across it; it may read any memory, so no store before
     * it is dropped or sunk past it; it writes only memory no one else sees, so wasm
     * memory values stay in registers across it (with `memory(none)` instead, the -O0
     * instruction selector deletes it as unused). */
    static const char *const attrs[] = {"nounwind"};
    add_fn_attrs(ctx, call, true, attrs, 1);
    unsigned memory = LLVMGetEnumAttributeKindForName("memory", 6);
    /* LLVM's MemoryEffects, 2 bits (1 read, 2 write) per location: argmem, inaccessible, other. */
    uint64_t reads_all_writes_inaccessible = 1 | 3 << 2 | 1 << 4;
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                             LLVMCreateEnumAttribute(ctx, memory, reads_all_writes_inaccessible));
}

void force_read(fn_state *s, LLVMValueRef v) { build_keep_alive(s->u->ctx, s->b, s->u->opts->target, v); }

LLVMValueRef heap_address(fn_state *s, LLVMValueRef index, uint32_t offset, unsigned bytes) {
    LLVMValueRef ea = LLVMBuildZExt(s->b, index, s->u->i64, "");
    if (offset) ea = LLVMBuildNUWAdd(s->b, ea, const_i64(s, offset), "");
    if (s->u->opts->bounds_explicit) {
        LLVMValueRef end = LLVMBuildNUWAdd(s->b, ea, const_i64(s, bytes), "");
        LLVMValueRef size = load_field(s, s->memory, offsetof(hwasm_memory, size), s->u->i64, false);
        trap_if(s, LLVMBuildICmp(s->b, LLVMIntUGT, end, size, ""), HWASM_TRAP_MEMORY_OOB);
    }
    return LLVMBuildGEP2(s->b, s->u->i8, s->mem_base, &ea, 1, "");
}

LLVMValueRef entry_alloca(fn_state *s, LLVMTypeRef type) {
    return LLVMBuildAlloca(s->alloca_b, type, "");
}

/*
 * The poll reads vmctx->interrupt with an asm load (x86 `movl`, aarch64 `ldr w`: target.c),
 * not a volatile load: LLVM orders a
 * volatile load against every other memory access, so one in a loop header kept LLVM from
 * hoisting anything (table sizes, memory->size in explicit mode) out of the loop. The asm
 * is marked as touching only memory LLVM cannot see, and `sideeffect` keeps it in every
 * iteration; nothing LLVM generates writes the flag, so nothing is lost by hiding it.
 */
void poll_interrupt(fn_state *s) {
    if (!s->u->opts->interrupt_checks) return;
    LLVMTypeRef ptr = s->u->ptr;
    LLVMTypeRef fty = LLVMFunctionType(s->u->i32, &ptr, 1, 0);
    const char *text = target_info_of(s->u->opts->target)->load_i32;
    static const char constraints[] = "=r,r";
    LLVMValueRef asm_ = LLVMGetInlineAsm(fty, (char *)text, strlen(text), (char *)constraints,
                                         sizeof constraints - 1, 1, 0, LLVMInlineAsmDialectATT, 0);
    LLVMValueRef addr = field_ptr(s, s->vmctx, offsetof(hwasm_vmctx, interrupt));
    LLVMValueRef flag = LLVMBuildCall2(s->b, fty, asm_, &addr, 1, "");
    /* memory(inaccessiblemem: readwrite): MemoryEffects puts InaccessibleMem at bits 2-3. */
    unsigned memory = LLVMGetEnumAttributeKindForName("memory", 6);
    LLVMAddCallSiteAttribute(flag, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(s->u->ctx, memory, 3u << 2));
    trap_if(s, LLVMBuildICmp(s->b, LLVMIntNE, flag, const_i32(s, 0), ""), HWASM_TRAP_INTERRUPTED);
}

/* Marks a loaded pointer as non-null and dereferenceable for `bytes`, which lets LLVM
 * hoist loads through it out of loops (e.g. memory->size in explicit-bounds mode). */
void mark_dereferenceable(fn_state *s, LLVMValueRef load, uint64_t bytes) {
    if (!bytes) return;
    LLVMContextRef c = s->u->ctx;
    LLVMMetadataRef n = LLVMValueAsMetadata(const_i64(s, bytes));
    LLVMSetMetadata(load, LLVMGetMDKindIDInContext(c, "dereferenceable", 15),
                    LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, &n, 1)));
    LLVMSetMetadata(load, LLVMGetMDKindIDInContext(c, "nonnull", 7),
                    LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, NULL, 0)));
    /* Speculating a load through the pointer also needs its alignment (all are malloc'd). */
    LLVMMetadataRef a = LLVMValueAsMetadata(const_i64(s, 8));
    LLVMSetMetadata(load, LLVMGetMDKindIDInContext(c, "align", 5),
                    LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, &a, 1)));
}

LLVMValueRef runtime_call(fn_state *s, size_t offset, LLVMTypeRef ret, LLVMValueRef *args,
                          unsigned n) {
    LLVMTypeRef types[8];
    LLVMValueRef all[8];
    types[0] = s->u->ptr, all[0] = s->vmctx;
    for (unsigned i = 0; i < n; i++) types[i + 1] = LLVMTypeOf(args[i]), all[i + 1] = args[i];
    LLVMTypeRef fty = LLVMFunctionType(ret, types, n + 1, 0);
    LLVMValueRef fn = load_field(s, s->rt, offset, s->u->ptr, true);
    return LLVMBuildCall2(s->b, fty, fn, all, n + 1, "");
}

/* An empty asm that returns its input: LLVM cannot see through it, and it costs nothing. */
LLVMValueRef opaque_value(fn_state *s, LLVMValueRef v) {
    LLVMTypeRef t = LLVMTypeOf(v);
    LLVMTypeRef fty = LLVMFunctionType(t, &t, 1, 0);
    const char *c = target_info_of(s->u->opts->target)->fp_same;
    LLVMValueRef asm_ = LLVMGetInlineAsm(fty, "", 0, (char *)c, 4, 0, 0, LLVMInlineAsmDialectATT, 0);
    return LLVMBuildCall2(s->b, fty, asm_, &v, 1, "");
}

/* wasm min/max, scalar or per lane: NaN if either input is NaN, and -0 < +0, which is
 * llvm.minimum/maximum, except that those may hand back a signalling input unchanged: NaN
 * inputs take x + y instead (always quiet). */
LLVMValueRef wasm_min_max(fn_state *s, const char *name, LLVMValueRef x, LLVMValueRef y) {
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef args[] = {x, y};
    LLVMValueRef r = call_intrinsic(s, name, &t, 1, args, 2);
    LLVMValueRef any_nan = LLVMBuildFCmp(s->b, LLVMRealUNO, x, y, "");
    return LLVMBuildSelect(s->b, any_nan, LLVMBuildFAdd(s->b, x, y, ""), r, "");
}
