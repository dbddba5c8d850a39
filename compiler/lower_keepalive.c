/*
 * lower_keepalive.c — in guard mode an out-of-bounds load traps only by faulting, so a
 * load whose value nobody uses must still execute; LLVM would delete it as dead.
 *
 * After a function is lowered, a liveness pass over its IR finds the wasm memory loads
 * whose value reaches nothing with an effect (a store to memory, a call, a branch or
 * return), following values through the locals' allocas, and keeps exactly those alive
 * with an empty `asm sideeffect` consuming the value (as wasm2c's FORCE_READ does). Loads
 * that are used stay plain, so they optimise and vectorise freely.
 *
 * Known limit: at -O1 and above the pass runs before LLVM's own, so a load that LLVM later
 * proves useless (after inlining, masking, or with its local overwritten in another block)
 * is still deleted, or sunk past a later trap; tests/fuzz/regress/ holds such cases.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"

/* An open-addressing set of LLVM values. */
typedef struct value_set {
    LLVMValueRef *slots;
    size_t cap, count;
} value_set;

static size_t slot_of(const value_set *set, LLVMValueRef v) {
    uintptr_t h = (uintptr_t)v;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 20) & (set->cap - 1);
    while (set->slots[i] && set->slots[i] != v) i = (i + 1) & (set->cap - 1);
    return i;
}

/* Adds v; returns true if it was new. False also when out of memory (callers then stop). */
static bool set_add(value_set *set, LLVMValueRef v) {
    if (2 * (set->count + 1) > set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 256;
        value_set bigger = {calloc(cap, sizeof *bigger.slots), cap, 0};
        if (!bigger.slots) return false;
        for (size_t i = 0; i < set->cap; i++)
            if (set->slots[i]) bigger.slots[slot_of(&bigger, set->slots[i])] = set->slots[i], bigger.count++;
        free(set->slots);
        *set = bigger;
    }
    size_t i = slot_of(set, v);
    if (set->slots[i]) return false;
    set->slots[i] = v;
    set->count++;
    return true;
}

static bool set_has(const value_set *set, LLVMValueRef v) {
    return set->cap && set->slots[slot_of(set, v)] == v;
}

typedef struct liveness {
    value_set live;
    LLVMValueRef *work;
    size_t n, cap;
    bool failed;
} liveness;

static void mark(liveness *l, LLVMValueRef v) {
    if (!LLVMIsAInstruction(v) || l->failed) return;
    if (set_has(&l->live, v)) return;
    if (!set_add(&l->live, v)) {
        l->failed = true;
        return;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        LLVMValueRef *w = realloc(l->work, cap * sizeof *w);
        if (!w) {
            l->failed = true;
            return;
        }
        l->work = w, l->cap = cap;
    }
    l->work[l->n++] = v;
}

static void mark_operands(liveness *l, LLVMValueRef inst) {
    int n = LLVMGetNumOperands(inst);
    for (int i = 0; i < n; i++) mark(l, LLVMGetOperand(inst, i));
}

/* A call with no effect of its own: a pure intrinsic or an asm without side effects. */
static bool pure_call(LLVMValueRef call) {
    LLVMValueRef callee = LLVMGetCalledValue(call);
    if (LLVMIsAInlineAsm(callee)) return !LLVMGetInlineAsmHasSideEffects(callee);
    return LLVMIsAFunction(callee) && LLVMGetIntrinsicID(callee) != 0;
}

/* Whether an instruction has an effect beyond its value (so its operands are live). */
static bool is_root(LLVMValueRef inst) {
    switch (LLVMGetInstructionOpcode(inst)) {
    case LLVMStore: return !LLVMIsAAllocaInst(LLVMGetOperand(inst, 1));
    case LLVMCall: return !pure_call(inst);
    case LLVMLoad: return LLVMGetVolatile(inst) != 0;
    case LLVMRet: case LLVMBr: case LLVMSwitch: case LLVMUnreachable: return true;
    default: return false;
    }
}

/* Whether a store to local `a` is overwritten, unread, further down its block (looking a
 * bounded distance ahead: missing a kill only keeps a value live). */
static bool overwritten(LLVMValueRef store, LLVMValueRef a) {
    LLVMValueRef i = LLVMGetNextInstruction(store);
    for (int n = 0; i && n < 64; i = LLVMGetNextInstruction(i), n++) {
        if (LLVMIsALoadInst(i) && LLVMGetOperand(i, 0) == a) return false;
        if (LLVMIsAStoreInst(i) && LLVMGetOperand(i, 1) == a) return true;
    }
    return false;
}

/* A live value needs its operands; a live read of a local needs the stores it can see. */
static void propagate(liveness *l, LLVMValueRef v) {
    if (LLVMIsALoadInst(v) && LLVMIsAAllocaInst(LLVMGetOperand(v, 0))) {
        mark(l, LLVMGetOperand(v, 0));
        return;
    }
    if (LLVMIsAAllocaInst(v)) {
        for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
            LLVMValueRef user = LLVMGetUser(u);
            if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 1) == v && !overwritten(user, v))
                mark(l, LLVMGetOperand(user, 0));
        }
        return;
    }
    mark_operands(l, v);
}

/* A load from wasm memory: its address is mem_base plus an offset. */
static bool heap_load(const fn_state *s, LLVMValueRef inst) {
    if (!LLVMIsALoadInst(inst)) return false;
    LLVMValueRef p = LLVMGetOperand(inst, 0);
    return LLVMIsAGetElementPtrInst(p) && LLVMGetOperand(p, 0) == s->mem_base;
}

void keep_dead_loads_alive(fn_state *s) {
    if (s->u->opts->bounds_explicit || !s->mem_base) return;
    /* -O0 promises no speed, and its instruction selection still folds away loads whose
     * bits cannot matter (masked off, feeding a switch whose cases all agree, used only
     * in dead code): there every load is kept. */
    bool keep_all = s->u->opts->opt_level == 0;
    liveness l = {0};
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(s->fn); !keep_all && bb; bb = LLVMGetNextBasicBlock(bb))
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
            if (is_root(i)) mark_operands(&l, i);
    while (l.n && !l.failed) propagate(&l, l.work[--l.n]);
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(s->fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
            /* Out of memory: keep every load, which is always correct. */
            if (!heap_load(s, i) || (!keep_all && !l.failed && set_has(&l.live, i))) continue;
            LLVMPositionBuilderBefore(s->b, LLVMGetNextInstruction(i));
            force_read(s, i);
        }
    }
    free(l.live.slots);
    free(l.work);
}
