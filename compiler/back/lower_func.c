/*
 * lower_func.c — lowers one validated function body to LLVM IR in a single forward pass:
 * the function prologue (stack and interrupt checks), locals as allocas (promoted to
 * registers by mem2reg/SROA), and the instruction loop that dispatches each instruction
 * to its family (lower_control.c, lower_numeric.c, lower_memory.c, lower_call.c,
 * lower_simd.c; lower_nan.c after float arithmetic with --canonicalize-nans). The
 * helpers they all use live in lower_util.c, so no family calls back into this file.
 *
 * Dead code after br/return/unreachable is skipped up to the end of its arm: the
 * validator already typed it, and no value of it can be observed.
 */
#include <stddef.h>
#include <stdlib.h>

#include "lower_internal.h"

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
    case OP_NOP: return 0;
    case OP_DROP: pop(s); return 0;
    case OP_SELECT: case OP_SELECT_T: lower_select(s); return 0;
    case OP_LOCAL_GET: case OP_LOCAL_SET: case OP_LOCAL_TEE: lower_local(s, in); return 0;
    default: break;
    }
    if (lower_control(s, in, done) || lower_numeric(s, in) || lower_memory(s, in) || lower_call(s, in) ||
        lower_simd(s, in)) {
        if (s->u->opts->canonicalize_nans) canonicalize_nan(s, in->op);
        return 0;
    }
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
