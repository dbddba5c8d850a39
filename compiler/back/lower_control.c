/*
 * lower_control.c — the control instructions: block, loop, if/else, end, br, br_if,
 * br_table, return and unreachable, over the control stack of frames (fn_state.frames).
 * Branch values travel through each frame's slots (allocas that mem2reg turns into phis).
 * lower_func.c dispatches here; this file calls only lower_util.c and lower_types.c.
 */
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"

/* Identity table so a single-value block type can point at its type byte. */
static const uint8_t VALTYPE_BYTES[256] = {
    [HWASM_I32] = HWASM_I32,         [HWASM_I64] = HWASM_I64, [HWASM_F32] = HWASM_F32,
    [HWASM_F64] = HWASM_F64,         [HWASM_V128] = HWASM_V128,
    [HWASM_FUNCREF] = HWASM_FUNCREF, [HWASM_EXTERNREF] = HWASM_EXTERNREF,
};

/* --- frames ------------------------------------------------------------------------- */

frame *push_frame(fn_state *s, uint8_t kind, uint32_t np, const uint8_t *params, uint32_t nr,
                  const uint8_t *results) {
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

void free_frame(frame *f) {
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

int lower_control(fn_state *s, const wasm_insn *in, int *done) {
    switch (in->op) {
    case OP_UNREACHABLE: trap_now(s, HWASM_TRAP_UNREACHABLE); enter_dead_code(s); return 1;
    case OP_BLOCK: case OP_LOOP: lower_block(s, in); return 1;
    case OP_IF: lower_if(s, in); return 1;
    case OP_ELSE: lower_else(s); return 1;
    case OP_END: *done = lower_end(s); return 1;
    case OP_BR: branch_to(s, in->imm.index); enter_dead_code(s); return 1;
    case OP_BR_IF: {
        LLVMValueRef cond = LLVMBuildICmp(s->b, LLVMIntNE, pop(s), const_i32(s, 0), "");
        LLVMBasicBlockRef taken = new_block(s, "br_if"), next = new_block(s, "br_if.else");
        LLVMBuildCondBr(s->b, cond, taken, next);
        LLVMPositionBuilderAtEnd(s->b, taken);
        branch_to(s, in->imm.index);
        LLVMPositionBuilderAtEnd(s->b, next);
        return 1;
    }
    case OP_BR_TABLE: lower_br_table(s, in); enter_dead_code(s); return 1;
    case OP_RETURN: build_return(s); enter_dead_code(s); return 1;
    default: return 0;
    }
}
