/*
 * lower_keepalive.c — in guard mode an out-of-bounds load traps only by faulting, so every
 * wasm load must execute, in order, even when its value does not matter; LLVM assumes loads
 * never fault and would delete such a load or sink it past a later trap.
 *
 * Two steps. After a function is lowered, every wasm memory load is followed by a
 * keep-alive: an empty `asm sideeffect` consuming the value (as wasm2c's FORCE_READ does)
 * that, like the faulting load it stands for, may not return but writes no memory the
 * guest can see. The optimiser may then neither delete the load nor move it past another
 * effect, yet may still keep memory values in registers across the asm. After
 * the optimiser (-O1 and above), a keep-alive is dropped where the load's own block needs
 * every bit of it (floating-point arithmetic, or an in-place `x++`): the code generator
 * can then neither delete nor narrow it, it stays before the block's branch (so before
 * any later trap check), and it folds into its use (`mulsd (mem), %xmm`); with every asm
 * kept, matmul ran 2.3x and nbody 1.5x slower. At -O0 every keep-alive stays.
 */
#include "lower_internal.h"

/* A load from wasm memory: its address is mem_base plus an offset. */
static bool heap_load(const fn_state *s, LLVMValueRef inst) {
    if (!LLVMIsALoadInst(inst)) return false;
    LLVMValueRef p = LLVMGetOperand(inst, 0);
    return LLVMIsAGetElementPtrInst(p) && LLVMGetOperand(p, 0) == s->mem_base;
}

void keep_loads_alive(fn_state *s) {
    if (s->u->opts->bounds_explicit || !s->mem_base) return;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(s->fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
            if (!heap_load(s, i)) continue;
            LLVMPositionBuilderBefore(s->b, LLVMGetNextInstruction(i));
            force_read(s, i);
        }
    }
}

/* A keep-alive from force_read: the only empty inline asm hwasmc emits that has side
 * effects and no result (lower_numeric.c's `opaque` has a result). */
static bool keep_alive(LLVMValueRef inst) {
    if (!LLVMIsACallInst(inst) || LLVMGetTypeKind(LLVMTypeOf(inst)) != LLVMVoidTypeKind)
        return false;
    LLVMValueRef callee = LLVMGetCalledValue(inst);
    size_t len = 1;
    if (LLVMIsAInlineAsm(callee) && LLVMGetInlineAsmHasSideEffects(callee))
        LLVMGetInlineAsmAsmString(callee, &len);
    return len == 0;
}

/* Whether `user` reads every bit of its operand: floating-point arithmetic does. Integer
 * operations may not (the code generator narrows a `trunc`, `and` or shift of a load to
 * a smaller load, which can miss a straddled guard page), nor do select and phi (it turns
 * a select of two loads into one load of a selected address). */
static bool reads_every_bit(LLVMValueRef user) {
    /* A vector operation may have only some of its lanes demanded, and the code generator
     * then shrinks the load to those lanes (which may lie in bounds when the whole does
     * not). SSE cannot fold an unaligned load into arithmetic anyway, so keeping vector
     * loads costs nothing. */
    if (LLVMGetTypeKind(LLVMTypeOf(user)) == LLVMVectorTypeKind) return false;
    switch (LLVMGetInstructionOpcode(user)) {
    case LLVMFAdd: case LLVMFSub: case LLVMFMul: case LLVMFDiv: return true;
    default: return false;
    }
}

/* Whether `load` is the read of a read-modify-write by add or sub (`x++`): the store that
 * follows in its block, with no other effect between, touches the same bytes, so it
 * faults in the same place even if the load folds into it (or/xor/and are left out: the
 * code generator narrows those to the bytes that change). */
static bool rewritten_in_place(LLVMValueRef load) {
    for (LLVMValueRef i = LLVMGetNextInstruction(load); i; i = LLVMGetNextInstruction(i)) {
        if (keep_alive(i)) continue;
        if (LLVMIsAStoreInst(i)) {
            LLVMValueRef v = LLVMGetOperand(i, 0);
            bool add_or_sub = LLVMIsAInstruction(v) && (LLVMGetInstructionOpcode(v) == LLVMAdd ||
                                                         LLVMGetInstructionOpcode(v) == LLVMSub);
            return add_or_sub && (LLVMGetOperand(v, 0) == load || LLVMGetOperand(v, 1) == load) &&
                   LLVMGetOperand(i, 1) == LLVMGetOperand(load, 0);
        }
        if (LLVMIsACallInst(i)) return false;
    }
    return false;
}

/* Whether the block of `load` itself reads every bit of its value. */
static bool needed_in_own_block(LLVMValueRef load) {
    LLVMBasicBlockRef bb = LLVMGetInstructionParent(load);
    for (LLVMUseRef u = LLVMGetFirstUse(load); u; u = LLVMGetNextUse(u)) {
        LLVMValueRef user = LLVMGetUser(u);
        if (LLVMGetInstructionParent(user) == bb && reads_every_bit(user)) return true;
    }
    return rewritten_in_place(load);
}

void release_needed_loads(LLVMModuleRef mod) {
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb)) {
            LLVMValueRef next;
            for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = next) {
                next = LLVMGetNextInstruction(i);
                if (!keep_alive(i)) continue;
                LLVMValueRef v = LLVMGetOperand(i, 0);
                bool own = LLVMIsALoadInst(v) && LLVMGetInstructionParent(v) == bb;
                if (own && needed_in_own_block(v)) LLVMInstructionEraseFromParent(i);
            }
        }
    }
}
