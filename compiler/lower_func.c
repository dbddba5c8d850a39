/*
 * lower_func.c — lowers one validated function body to LLVM IR in a single forward pass:
 * a value stack of LLVM values, a control stack of frames, locals as allocas (promoted to
 * registers by mem2reg/SROA), and the function prologue (stack and interrupt checks).
 *
 * Dead code after br/return/unreachable is skipped up to the end of its arm: the
 * validator already typed it, and no value of it can be observed.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"

/* Identity table so a single-value block type can point at its type byte. */
static const uint8_t VALTYPE_BYTES[256] = {
    [HWASM_I32] = HWASM_I32,         [HWASM_I64] = HWASM_I64, [HWASM_F32] = HWASM_F32,
    [HWASM_F64] = HWASM_F64,         [HWASM_V128] = HWASM_V128,
    [HWASM_FUNCREF] = HWASM_FUNCREF, [HWASM_EXTERNREF] = HWASM_EXTERNREF,
};

/* --- helpers shared with the operator families ------------------------------------- */

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

LLVMValueRef field_ptr(fn_state *s, LLVMValueRef base, size_t offset) {
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

static LLVMBasicBlockRef new_block(fn_state *s, const char *name) {
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

void force_read(fn_state *s, LLVMValueRef v) {
    LLVMTypeRef t = LLVMTypeOf(v);
    LLVMTypeRef fty = LLVMFunctionType(s->u->void_t, &t, 1, 0);
    const char *constraint = LLVMGetTypeKind(t) == LLVMIntegerTypeKind ? "r" : "x";
    LLVMValueRef asm_ = LLVMGetInlineAsm(fty, "", 0, (char *)constraint, 1, 1, 0,
                                         LLVMInlineAsmDialectATT, 0);
    LLVMValueRef call = LLVMBuildCall2(s->b, fty, asm_, &v, 1, "");
    /* Like the faulting load it stands for: it may not return (no `willreturn`), so
     * nothing with an effect moves across it; it may read any memory, so no store before
     * it is dropped or sunk past it; it writes only memory no one else sees, so wasm
     * memory values stay in registers across it (with `memory(none)` instead, the -O0
     * instruction selector deletes it as unused). */
    static const char *const attrs[] = {"nounwind"};
    add_fn_attrs(s->u->ctx, call, true, attrs, 1);
    unsigned memory = LLVMGetEnumAttributeKindForName("memory", 6);
    /* LLVM's MemoryEffects, 2 bits (1 read, 2 write) per location: argmem, inaccessible, other. */
    uint64_t reads_all_writes_inaccessible = 1 | 3 << 2 | 1 << 4;
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                             LLVMCreateEnumAttribute(s->u->ctx, memory, reads_all_writes_inaccessible));
}

/* --- frames ------------------------------------------------------------------------- */

static LLVMValueRef entry_alloca(fn_state *s, LLVMTypeRef type) {
    return LLVMBuildAlloca(s->alloca_b, type, "");
}

static frame *push_frame(fn_state *s, uint8_t kind, uint32_t np, const uint8_t *params,
                         uint32_t nr, const uint8_t *results) {
    if (s->num_frames == s->frames_cap) {
        s->frames_cap = s->frames_cap ? 2 * s->frames_cap : 16;
        s->frames = realloc(s->frames, s->frames_cap * sizeof *s->frames);
    }
    frame *f = &s->frames[s->num_frames++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->num_params = np, f->params = params;
    f->num_results = nr, f->results = results;
    f->height = s->sp - np;
    /* A loop's label carries its params, every other label its results. */
    uint32_t arity = kind == FRAME_LOOP ? np : nr;
    const uint8_t *types = kind == FRAME_LOOP ? params : results;
    f->slots = calloc(arity + 1, sizeof *f->slots);
    for (uint32_t i = 0; i < arity; i++) f->slots[i] = entry_alloca(s, lower_valtype(s->u, types[i]));
    return f;
}

static void free_frame(frame *f) {
    free(f->slots);
    free(f->if_params);
}

static uint32_t label_arity(const frame *f) {
    return f->kind == FRAME_LOOP ? f->num_params : f->num_results;
}

/* Stores the top `arity` stack values into the frame's label slots (values stay). */
static void store_label_values(fn_state *s, const frame *f) {
    uint32_t n = label_arity(f);
    for (uint32_t i = 0; i < n; i++) LLVMBuildStore(s->b, s->stack[s->sp - n + i], f->slots[i]);
}

static void load_label_values(fn_state *s, const frame *f) {
    uint32_t n = label_arity(f);
    const uint8_t *types = f->kind == FRAME_LOOP ? f->params : f->results;
    for (uint32_t i = 0; i < n; i++)
        push(s, LLVMBuildLoad2(s->b, lower_valtype(s->u, types[i]), f->slots[i], ""));
}

static void build_return(fn_state *s) {
    const wasm_functype *t = wasm_func_type(s->m, s->func_index);
    uint32_t n = t->num_results;
    if (n == 0) {
        LLVMBuildRetVoid(s->b);
    } else if (n == 1) {
        LLVMBuildRet(s->b, s->stack[s->sp - 1]);
    } else {
        LLVMTypeRef rt = LLVMGetReturnType(s->u->wasm_fn_types[s->m->funcs[s->func_index].type_index]);
        LLVMValueRef agg = LLVMGetUndef(rt);
        for (uint32_t i = 0; i < n; i++)
            agg = LLVMBuildInsertValue(s->b, agg, s->stack[s->sp - n + i], i, "");
        LLVMBuildRet(s->b, agg);
    }
}

/* Branches to the frame `depth` levels out, carrying the top values. */
static void branch_to(fn_state *s, uint32_t depth) {
    frame *f = &s->frames[s->num_frames - 1 - depth];
    if (f->kind == FRAME_FUNC) {
        build_return(s);
        return;
    }
    store_label_values(s, f);
    LLVMBuildBr(s->b, f->target);
}

/* Marks the rest of the current arm dead: the builder moves to a fresh unreachable block
 * and instructions are skipped until this frame's `else` or `end`. */
static void enter_dead_code(fn_state *s) {
    s->frames[s->num_frames - 1].unreachable = true;
    s->sp = s->frames[s->num_frames - 1].height;
}

static void block_signature(fn_state *s, const wasm_insn *in, uint32_t *np, const uint8_t **params,
                            uint32_t *nr, const uint8_t **results) {
    *np = 0, *nr = 0, *params = NULL, *results = NULL;
    if (in->imm.block.kind == BLOCK_VALUE) {
        *nr = 1;
        *results = &VALTYPE_BYTES[in->imm.block.value_type];
    } else if (in->imm.block.kind == BLOCK_TYPE_INDEX) {
        const wasm_functype *t = &s->m->types[in->imm.block.type_index];
        *np = t->num_params, *params = t->types;
        *nr = t->num_results, *results = t->types + t->num_params;
    }
}

/*
 * The poll reads vmctx->interrupt with an asm `movl`, not a volatile load: LLVM orders a
 * volatile load against every other memory access, so one in a loop header kept LLVM from
 * hoisting anything (table sizes, memory->size in explicit mode) out of the loop. The asm
 * is marked as touching only memory LLVM cannot see, and `sideeffect` keeps it in every
 * iteration; nothing LLVM generates writes the flag, so nothing is lost by hiding it.
 */
static void poll_interrupt(fn_state *s) {
    if (!s->u->opts->interrupt_checks) return;
    LLVMTypeRef ptr = s->u->ptr;
    LLVMTypeRef fty = LLVMFunctionType(s->u->i32, &ptr, 1, 0);
    static const char text[] = "movl ($1), $0", constraints[] = "=r,r";
    LLVMValueRef asm_ = LLVMGetInlineAsm(fty, (char *)text, sizeof text - 1, (char *)constraints,
                                         sizeof constraints - 1, 1, 0, LLVMInlineAsmDialectATT, 0);
    LLVMValueRef addr = field_ptr(s, s->vmctx, offsetof(hwasm_vmctx, interrupt));
    LLVMValueRef flag = LLVMBuildCall2(s->b, fty, asm_, &addr, 1, "");
    /* memory(inaccessiblemem: readwrite): MemoryEffects puts InaccessibleMem at bits 2-3. */
    unsigned memory = LLVMGetEnumAttributeKindForName("memory", 6);
    LLVMAddCallSiteAttribute(flag, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(s->u->ctx, memory, 3u << 2));
    trap_if(s, LLVMBuildICmp(s->b, LLVMIntNE, flag, const_i32(s, 0), ""), HWASM_TRAP_INTERRUPTED);
}

/* --- control instructions ----------------------------------------------------------- */

static void lower_block(fn_state *s, const wasm_insn *in) {
    uint32_t np, nr;
    const uint8_t *params, *results;
    block_signature(s, in, &np, &params, &nr, &results);
    frame *f = push_frame(s, in->op == OP_LOOP ? FRAME_LOOP : in->op == OP_IF ? FRAME_IF : FRAME_BLOCK,
                          np, params, nr, results);
    f->end = new_block(s, "end");
    f->target = f->end;
    if (in->op == OP_LOOP) {
        f->target = new_block(s, "loop");
        store_label_values(s, f);
        LLVMBuildBr(s->b, f->target);
        LLVMPositionBuilderAtEnd(s->b, f->target);
        s->sp = f->height;
        load_label_values(s, f);
        poll_interrupt(s);
    }
}

static void lower_if(fn_state *s, const wasm_insn *in) {
    LLVMValueRef cond = LLVMBuildICmp(s->b, LLVMIntNE, pop(s), const_i32(s, 0), "");
    lower_block(s, in);
    frame *f = &s->frames[s->num_frames - 1];
    f->if_params = calloc(f->num_params + 1, sizeof *f->if_params);
    memcpy(f->if_params, s->stack + f->height, f->num_params * sizeof *f->if_params);
    LLVMBasicBlockRef then_arm = new_block(s, "then");
    f->else_arm = new_block(s, "else");
    LLVMBuildCondBr(s->b, cond, then_arm, f->else_arm);
    LLVMPositionBuilderAtEnd(s->b, then_arm);
}

/* Ends the current arm of an IF and starts its else arm. */
static void lower_else(fn_state *s) {
    frame *f = &s->frames[s->num_frames - 1];
    if (!f->unreachable) {
        store_label_values(s, f);
        LLVMBuildBr(s->b, f->end);
    }
    f->unreachable = false;
    LLVMPositionBuilderAtEnd(s->b, f->else_arm);
    f->else_arm = NULL;
    s->sp = f->height;
    for (uint32_t i = 0; i < f->num_params; i++) push(s, f->if_params[i]);
}

/* Returns 1 when the function's final `end` was lowered. */
static int lower_end(fn_state *s) {
    frame *f = &s->frames[s->num_frames - 1];
    if (f->kind == FRAME_FUNC) {
        if (!f->unreachable) build_return(s);
        return 1;
    }
    if (!f->unreachable) {
        if (f->kind == FRAME_LOOP) {
            /* Falling out of a loop needs no slots: the results are the stack. */
            LLVMBuildBr(s->b, f->end);
            LLVMPositionBuilderAtEnd(s->b, f->end);
            LLVMValueRef *results = malloc((f->num_results + 1) * sizeof *results);
            memcpy(results, s->stack + s->sp - f->num_results, f->num_results * sizeof *results);
            s->sp = f->height;
            for (uint32_t i = 0; i < f->num_results; i++) push(s, results[i]);
            free(results);
            free_frame(f);
            s->num_frames--;
            return 0;
        }
        store_label_values(s, f);
        LLVMBuildBr(s->b, f->end);
    }
    if (f->kind == FRAME_IF && f->else_arm) {
        /* An if without else: the missing arm passes its params through as results. */
        LLVMPositionBuilderAtEnd(s->b, f->else_arm);
        for (uint32_t i = 0; i < f->num_results; i++) LLVMBuildStore(s->b, f->if_params[i], f->slots[i]);
        LLVMBuildBr(s->b, f->end);
    }
    LLVMPositionBuilderAtEnd(s->b, f->end);
    s->sp = f->height;
    if (f->kind == FRAME_LOOP) {
        /* Only reached when the loop body's end was dead: the end block has no
         * predecessor, but later code still needs typed values. */
        for (uint32_t i = 0; i < f->num_results; i++)
            push(s, LLVMGetUndef(lower_valtype(s->u, f->results[i])));
    } else {
        load_label_values(s, f);
    }
    free_frame(f);
    s->num_frames--;
    return 0;
}

/* The block that carries the br_table's values to the frame `depth` levels out: one per
 * distinct target, however many entries name it, so huge tables stay small CFGs. */
static LLVMBasicBlockRef br_table_edge(fn_state *s, LLVMBasicBlockRef *edges, uint32_t depth) {
    if (!edges[depth]) {
        LLVMBasicBlockRef saved = LLVMGetInsertBlock(s->b);
        edges[depth] = new_block(s, "br_table.edge");
        LLVMPositionBuilderAtEnd(s->b, edges[depth]);
        branch_to(s, depth);
        LLVMPositionBuilderAtEnd(s->b, saved);
    }
    return edges[depth];
}

static void lower_br_table(fn_state *s, const wasm_insn *in) {
    LLVMValueRef index = pop(s);
    uint32_t n = in->imm.br_table.count;
    const uint32_t *targets = in->imm.br_table.targets;
    LLVMBasicBlockRef *edges = calloc(s->num_frames, sizeof *edges);
    LLVMBasicBlockRef dflt = br_table_edge(s, edges, in->imm.br_table.default_target);
    LLVMValueRef sw = LLVMBuildSwitch(s->b, index, dflt, n);
    for (uint32_t i = 0; i < n; i++) {
        LLVMBasicBlockRef edge = br_table_edge(s, edges, targets[i]);
        if (edge != dflt) LLVMAddCase(sw, const_i32(s, i), edge);
    }
    free(edges);
}

/* --- locals and parametric instructions ---------------------------------------------- */

static void lower_local(fn_state *s, const wasm_insn *in) {
    uint32_t i = in->imm.index;
    switch (in->op) {
    case OP_LOCAL_GET:
        push(s, LLVMBuildLoad2(s->b, lower_valtype(s->u, s->local_types[i]), s->locals[i], ""));
        break;
    case OP_LOCAL_SET: LLVMBuildStore(s->b, pop(s), s->locals[i]); break;
    default: LLVMBuildStore(s->b, s->stack[s->sp - 1], s->locals[i]); break; /* tee */
    }
}

/* A dropped load still executes: keep_loads_alive keeps every load. */
static void lower_select(fn_state *s) {
    LLVMValueRef cond = LLVMBuildICmp(s->b, LLVMIntNE, pop(s), const_i32(s, 0), "");
    LLVMValueRef b = pop(s), a = pop(s);
    push(s, LLVMBuildSelect(s->b, cond, a, b, ""));
}

/* --- the function ----------------------------------------------------------------- */

static void setup_locals(fn_state *s) {
    const wasm_func *f = &s->m->funcs[s->func_index];
    const wasm_functype *t = wasm_func_type(s->m, s->func_index);
    s->num_locals = t->num_params + f->num_locals;
    s->locals = calloc(s->num_locals + 1, sizeof *s->locals);
    s->local_types = calloc(s->num_locals + 1, 1);
    uint64_t k = 0;
    for (uint32_t i = 0; i < t->num_params; i++, k++) {
        s->local_types[k] = t->types[i];
        s->locals[k] = entry_alloca(s, lower_valtype(s->u, t->types[i]));
        LLVMBuildStore(s->b, LLVMGetParam(s->fn, i + 2), s->locals[k]);
    }
    for (uint32_t r = 0; r < f->num_local_runs; r++) {
        for (uint32_t i = 0; i < f->local_runs[r].count; i++, k++) {
            uint8_t type = f->local_runs[r].type;
            LLVMTypeRef lt = lower_valtype(s->u, type);
            s->local_types[k] = type;
            s->locals[k] = entry_alloca(s, lt);
            LLVMBuildStore(s->b, LLVMConstNull(lt), s->locals[k]);
        }
    }
}

/* The stack check: the runtime sets vmctx->stack_limit on entry to a guest call, far
 * enough above the thread's guard page for the runtime's own frames. */
static void prologue(fn_state *s) {
    LLVMTypeRef ptr = s->u->ptr;
    LLVMValueRef sp = call_intrinsic(s, "llvm.stacksave", &ptr, 1, NULL, 0);
    LLVMValueRef limit = load_field(s, s->vmctx, offsetof(hwasm_vmctx, stack_limit), s->u->i64, false);
    LLVMValueRef below = LLVMBuildICmp(s->b, LLVMIntULT, LLVMBuildPtrToInt(s->b, sp, s->u->i64, ""), limit, "");
    trap_if(s, below, HWASM_TRAP_STACK_EXHAUSTED);
    poll_interrupt(s);
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

static void load_invariants(fn_state *s) {
    LLVMTypeRef p = s->u->ptr;
    const wasm_module *m = s->m;
    /* A defined function's env is its own instance's vmctx. */
    unsigned deref = LLVMGetEnumAttributeKindForName("dereferenceable", 15);
    LLVMAddAttributeAtIndex(s->fn, 1, LLVMCreateEnumAttribute(s->u->ctx, deref, sizeof(hwasm_vmctx)));
    s->mem_base = load_field(s, s->vmctx, offsetof(hwasm_vmctx, mem_base), p, true);
    s->memory = load_field(s, s->vmctx, offsetof(hwasm_vmctx, memory), p, true);
    if (m->num_memories) mark_dereferenceable(s, s->memory, sizeof(hwasm_memory));
    s->globals = load_field(s, s->vmctx, offsetof(hwasm_vmctx, globals), p, true);
    mark_dereferenceable(s, s->globals, (uint64_t)m->num_globals * sizeof(void *));
    s->tables = load_field(s, s->vmctx, offsetof(hwasm_vmctx, tables), p, true);
    mark_dereferenceable(s, s->tables, (uint64_t)m->num_tables * sizeof(void *));
    s->funcs = load_field(s, s->vmctx, offsetof(hwasm_vmctx, funcs), p, true);
    mark_dereferenceable(s, s->funcs, (uint64_t)m->num_funcs * sizeof(void *));
    s->sig_ids = load_field(s, s->vmctx, offsetof(hwasm_vmctx, sig_ids), p, true);
    mark_dereferenceable(s, s->sig_ids, (uint64_t)m->num_types * sizeof(uint32_t));
    s->rt = load_field(s, s->vmctx, offsetof(hwasm_vmctx, rt), p, true);
    mark_dereferenceable(s, s->rt, sizeof(hwasm_runtime_calls));
}

static int lower_instruction(fn_state *s, const wasm_insn *in, int *done) {
    switch (in->op) {
    case OP_UNREACHABLE: trap_now(s, HWASM_TRAP_UNREACHABLE); enter_dead_code(s); return 0;
    case OP_NOP: return 0;
    case OP_BLOCK: case OP_LOOP: lower_block(s, in); return 0;
    case OP_IF: lower_if(s, in); return 0;
    case OP_ELSE: lower_else(s); return 0;
    case OP_END: *done = lower_end(s); return 0;
    case OP_BR: branch_to(s, in->imm.index); enter_dead_code(s); return 0;
    case OP_BR_IF: {
        LLVMValueRef cond = LLVMBuildICmp(s->b, LLVMIntNE, pop(s), const_i32(s, 0), "");
        LLVMBasicBlockRef taken = new_block(s, "br_if"), next = new_block(s, "br_if.else");
        LLVMBuildCondBr(s->b, cond, taken, next);
        LLVMPositionBuilderAtEnd(s->b, taken);
        branch_to(s, in->imm.index);
        LLVMPositionBuilderAtEnd(s->b, next);
        return 0;
    }
    case OP_BR_TABLE: lower_br_table(s, in); enter_dead_code(s); return 0;
    case OP_RETURN: build_return(s); enter_dead_code(s); return 0;
    case OP_DROP: pop(s); return 0;
    case OP_SELECT: case OP_SELECT_T: lower_select(s); return 0;
    case OP_LOCAL_GET: case OP_LOCAL_SET: case OP_LOCAL_TEE: lower_local(s, in); return 0;
    default: break;
    }
    if (lower_numeric(s, in) || lower_memory(s, in) || lower_call(s, in)) return 0;
    wasm_error_set(s->err, s->func_index, in->offset, "internal error: cannot lower %s", insn_name(in->op));
    return -1;
}

/* In dead code, only nesting matters: skip to this frame's own `else` or `end`. */
static int skip_dead_code(fn_state *s, insn_reader *r, wasm_insn *in, int *done) {
    uint32_t depth = 0;
    for (;;) {
        if (insn_read(r, in, s->err) != 0) return -1;
        if (in->op == OP_BLOCK || in->op == OP_LOOP || in->op == OP_IF) depth++;
        else if (in->op == OP_END && depth > 0) depth--;
        else if (depth == 0 && (in->op == OP_END || in->op == OP_ELSE))
            return lower_instruction(s, in, done);
    }
}

int lower_function(lower_unit *u, uint32_t func_index, wasm_error *err) {
    const wasm_func *wf = &u->m->funcs[func_index];
    if (!lower_layout_ok(u)) {
        wasm_error_set(err, func_index, wf->body_offset,
                       "internal error: LLVM's layout of the instance differs from include/hwasm/hwasm_module.h");
        return -1;
    }
    fn_state s = {.u = u, .m = u->m, .func_index = func_index, .fn = u->funcs[func_index], .err = err};
    s.b = LLVMCreateBuilderInContext(u->ctx);
    s.alloca_b = LLVMCreateBuilderInContext(u->ctx);
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(u->ctx, s.fn, "entry");
    LLVMPositionBuilderAtEnd(s.alloca_b, entry);
    LLVMPositionBuilderAtEnd(s.b, entry);
    s.vmctx = LLVMGetParam(s.fn, 0);
    /* Allocas first, then code: keep the alloca builder above a marker instruction. */
    LLVMValueRef marker = LLVMBuildAlloca(s.b, u->i8, "");
    LLVMPositionBuilderBefore(s.alloca_b, marker);

    load_invariants(&s);
    prologue(&s); /* the stack check before the first store into the frame */
    setup_locals(&s);

    const wasm_functype *t = wasm_func_type(u->m, func_index);
    push_frame(&s, FRAME_FUNC, 0, NULL, t->num_results, t->types + t->num_params);

    insn_reader r;
    insn_reader_init(&r, u->m, wf->body, wf->body_len);
    int rc = 0, done = 0;
    wasm_insn in;
    while (rc == 0 && !done) {
        if (s.frames[s.num_frames - 1].unreachable) {
            rc = skip_dead_code(&s, &r, &in, &done);
        } else if ((rc = insn_read(&r, &in, err)) == 0) {
            rc = lower_instruction(&s, &in, &done);
        }
    }
    if (rc == 0) keep_loads_alive(&s);
    if (rc == 0) tag_memory_accesses(&s);
    if (rc != 0 && err->func_index < 0) err->func_index = func_index;
    insn_reader_free(&r);
    LLVMInstructionEraseFromParent(marker);
    for (size_t i = 0; i < s.num_frames; i++) free_frame(&s.frames[i]);
    free(s.frames);
    free(s.stack);
    free(s.locals);
    free(s.local_types);
    LLVMDisposeBuilder(s.b);
    LLVMDisposeBuilder(s.alloca_b);
    return rc;
}
