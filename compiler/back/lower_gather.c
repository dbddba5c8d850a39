/*
 * lower_gather.c — after LLVM's optimiser, in guard mode: merges a run of wasm loads that
 * fill vector lanes (v128.load8_lane, replace_lane of a load, ...) from one base at
 * constant distances into one wide load and shuffles.
 *
 * Why: with -msimd128, clang's loop vectoriser turns byte-wise reads such as sha256's
 * big-endian words into a stride-4 gather of 16 single-byte lane loads (each one a
 * pextrd, a movzbl and a pinsrb). LLVM cannot merge them itself: every load carries a
 * keep-alive (lower_keepalive.c), and its addresses are lanes of an i32 vector that wrap
 * at 2^32 before being zero-extended, so they are not provably adjacent in 64 bits.
 *
 * When it is exact. The lanes' i32 addresses are proven to be A + d_k (mod 2^32) with
 * constant d_k, by following the vector arithmetic back (add, or disjoint, sub, shl, mul,
 * splats, shuffles, and a loop-carried vector phi whose lanes keep their distances). The
 * merged loads are loads of one block whose values only fill lanes, with nothing but pure
 * instructions and other loads between them (no store, call other than a keep-alive, or
 * atomic): a trap is then the only thing that can be observed, and every trap there is an
 * out-of-bounds access. They are grouped into windows of 2, 4, 8 or 16 bytes that start
 * and end on a member's byte. Linear memory is the single interval [0, size), so a load of
 * the bytes [lo, hi] traps iff hi is out of bounds, and hi is the last byte of a member:
 * the window traps iff one of its members would have. It is loaded whole, in place of the
 * first member, and kept alive whole. The lanes may wrap at 2^32 where the window would
 * not, so a compare checks that none does; when one does (only a 4 GiB memory can then
 * run on without trapping), a cold out-of-line helper loads each member at its own
 * wrapping address into the same window shape. Only the loads are on two paths, not the
 * code using them; with the cold path inline instead, sha256's other loops lost a register
 * to it (the memory base spilled: 209.1 M instructions, out of line 205.2 M).
 * Explicit bounds mode has a check per load and is left alone.
 */
#include <stdlib.h>
#include <string.h>

#include "lower.h"

#define MAX_CANDS 64     /* loads considered per run */
#define MAX_DIST 4096    /* |d_k| accepted */
#define STEP_BUDGET 4000 /* recursion steps for one distance query */
#define MAX_MERGES 256   /* per function */

typedef struct diff_ctx {
    int steps;
    LLVMValueRef phi; /* the phi whose lane distance is being proven, or NULL */
    bool probing;     /* still looking for the distance of phi, not yet assuming it */
    int ka, kb;
    uint32_t assumed;
} diff_ctx;

static bool is_i32ish(LLVMValueRef v) {
    LLVMTypeRef t = LLVMTypeOf(v);
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind) t = LLVMGetElementType(t);
    return LLVMGetTypeKind(t) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(t) == 32;
}

static bool const_lane(LLVMValueRef v, int k, uint32_t *out) {
    if (k >= 0 && LLVMIsAConstant(v) && LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMVectorTypeKind)
        v = LLVMGetAggregateElement(v, (unsigned)k);
    if (!v || !LLVMIsAConstantInt(v)) return false;
    *out = (uint32_t)LLVMConstIntGetZExtValue(v);
    return true;
}

static bool const_index(LLVMValueRef v, unsigned *out) {
    if (!LLVMIsAConstantInt(v)) return false;
    *out = (unsigned)LLVMConstIntGetZExtValue(v);
    return true;
}

/* Follows lane k of v (k = -1: v is a scalar) through extracts, inserts and shuffles to
 * the value that computes it. */
static bool resolve(LLVMValueRef *v, int *k) {
    for (int guard = 0; guard < 64; guard++) {
        unsigned idx;
        if (LLVMIsAExtractElementInst(*v) && *k < 0) {
            if (!const_index(LLVMGetOperand(*v, 1), &idx)) return true;
            *v = LLVMGetOperand(*v, 0), *k = (int)idx;
        } else if (LLVMIsAInsertElementInst(*v) && *k >= 0) {
            if (!const_index(LLVMGetOperand(*v, 2), &idx)) return true;
            if ((unsigned)*k == idx) *v = LLVMGetOperand(*v, 1), *k = -1;
            else *v = LLVMGetOperand(*v, 0);
        } else if (LLVMIsAShuffleVectorInst(*v) && *k >= 0) {
            int m = LLVMGetMaskValue(*v, (unsigned)*k);
            if (m == LLVMGetUndefMaskElem()) return false;
            LLVMValueRef a = LLVMGetOperand(*v, 0);
            int n = (int)LLVMGetVectorSize(LLVMTypeOf(a));
            *v = m < n ? a : LLVMGetOperand(*v, 1), *k = m < n ? m : m - n;
        } else {
            return true;
        }
    }
    return false;
}

static bool diff(diff_ctx *c, LLVMValueRef a, int ka, LLVMValueRef b, int kb, uint32_t *out);

/* v = x + C (add, or disjoint, sub of a constant): x and C's lane k, negated for sub. */
static bool peel_const(LLVMValueRef v, int k, LLVMValueRef *x, uint32_t *cval) {
    if (!LLVMIsABinaryOperator(v)) return false;
    LLVMOpcode op = LLVMGetInstructionOpcode(v);
    bool addlike = op == LLVMAdd || (op == LLVMOr && LLVMGetIsDisjoint(v));
    LLVMValueRef o0 = LLVMGetOperand(v, 0), o1 = LLVMGetOperand(v, 1);
    if ((addlike || op == LLVMSub) && const_lane(o1, k, cval)) {
        if (op == LLVMSub) *cval = 0u - *cval;
        return *x = o0, true;
    }
    if (addlike && const_lane(o0, k, cval)) return *x = o1, true;
    return false;
}

/* Lane distance of one phi, by induction: every incoming value keeps it. */
static bool phi_diff(diff_ctx *c, LLVMValueRef phi, int ka, int kb, uint32_t *out) {
    if (c->phi == phi && !c->probing && c->ka == ka && c->kb == kb) return *out = c->assumed, true;
    if (c->phi) return false; /* one induction at a time */
    unsigned n = LLVMCountIncoming(phi);
    bool found = false;
    uint32_t d = 0;
    /* The distance: from an incoming value that does not depend on the phi itself. */
    c->phi = phi, c->probing = true;
    for (unsigned i = 0; i < n && !found; i++)
        found = diff(c, LLVMGetIncomingValue(phi, i), ka, LLVMGetIncomingValue(phi, i), kb, &d);
    c->phi = NULL, c->probing = false;
    if (!found) return false;
    /* Then every incoming value keeps it if the phi does. */
    c->phi = phi, c->ka = ka, c->kb = kb, c->assumed = d;
    bool ok = true;
    for (unsigned i = 0; i < n && ok; i++) {
        uint32_t e;
        LLVMValueRef in = LLVMGetIncomingValue(phi, i);
        ok = diff(c, in, ka, in, kb, &e) && e == d;
    }
    c->phi = NULL;
    return ok && (*out = d, true);
}

/* a's lane ka minus b's lane kb, mod 2^32, when it is a constant. */
static bool diff(diff_ctx *c, LLVMValueRef a, int ka, LLVMValueRef b, int kb, uint32_t *out) {
    if (++c->steps > STEP_BUDGET) return false;
    if (!resolve(&a, &ka) || !resolve(&b, &kb) || !is_i32ish(a) || !is_i32ish(b)) return false;
    if (a == b && ka == kb) return *out = 0, true;
    uint32_t ca, cb, d;
    if (const_lane(a, ka, &ca) && const_lane(b, kb, &cb)) return *out = ca - cb, true;
    LLVMValueRef x;
    if (peel_const(a, ka, &x, &ca) && diff(c, x, ka, b, kb, &d)) return *out = d + ca, true;
    if (peel_const(b, kb, &x, &cb) && diff(c, a, ka, x, kb, &d)) return *out = d - cb, true;
    if (!LLVMIsAInstruction(a) || !LLVMIsAInstruction(b)) return false;
    LLVMOpcode op = LLVMGetInstructionOpcode(a);
    if (op != LLVMGetInstructionOpcode(b)) return false;
    if (op == LLVMPHI) return a == b && ka >= 0 && kb >= 0 && phi_diff(c, a, ka, kb, out);
    if (!LLVMIsABinaryOperator(a)) return false;
    LLVMValueRef a0 = LLVMGetOperand(a, 0), a1 = LLVMGetOperand(a, 1);
    LLVMValueRef b0 = LLVMGetOperand(b, 0), b1 = LLVMGetOperand(b, 1);
    uint32_t d0, d1;
    switch (op) {
    case LLVMOr:
        if (!LLVMGetIsDisjoint(a) || !LLVMGetIsDisjoint(b)) return false;
        __attribute__((fallthrough)); /* a disjoint or is an add */
    case LLVMAdd:
        if (diff(c, a0, ka, b0, kb, &d0) && diff(c, a1, ka, b1, kb, &d1)) return *out = d0 + d1, true;
        if (diff(c, a0, ka, b1, kb, &d0) && diff(c, a1, ka, b0, kb, &d1)) return *out = d0 + d1, true;
        return false;
    case LLVMSub:
        if (diff(c, a0, ka, b0, kb, &d0) && diff(c, a1, ka, b1, kb, &d1)) return *out = d0 - d1, true;
        return false;
    case LLVMShl: /* (x << s) - (y << s) = (x - y) << s, mod 2^32 */
        if (!const_lane(a1, ka, &ca) || !const_lane(b1, kb, &cb) || ca != cb || ca >= 32) return false;
        if (!diff(c, a0, ka, b0, kb, &d0)) return false;
        return *out = d0 << ca, true;
    case LLVMMul:
        if (!const_lane(a1, ka, &ca) || !const_lane(b1, kb, &cb) || ca != cb) return false;
        if (!diff(c, a0, ka, b0, kb, &d0)) return false;
        return *out = d0 * ca, true;
    default: return false;
    }
}

/* --- Candidates ------------------------------------------------------------------------ */

typedef struct cand {
    LLVMValueRef load, keep; /* the load and its keep-alive */
    LLVMValueRef base;       /* the memory base the address is relative to */
    LLVMValueRef addr;       /* the wasm i32 address */
    int64_t off;             /* constant bytes added in 64 bits (the memarg offset) */
    unsigned size;           /* bytes loaded */
    int64_t d;               /* addr - anchor's addr (in the group being built) */
    int64_t o;               /* d + off */
} cand;

/* A keep-alive from build_keep_alive: a void call of an empty `asm sideeffect`. */
static bool is_keep_alive(LLVMValueRef inst) {
    if (!LLVMIsACallInst(inst) || LLVMGetTypeKind(LLVMTypeOf(inst)) != LLVMVoidTypeKind) return false;
    LLVMValueRef callee = LLVMGetCalledValue(inst);
    size_t len = 1;
    if (LLVMIsAInlineAsm(callee) && LLVMGetInlineAsmHasSideEffects(callee)) LLVMGetInlineAsmAsmString(callee, &len);
    return len == 0;
}

static bool is_i8_gep(LLVMValueRef p) {
    if (!LLVMIsAGetElementPtrInst(p) || LLVMGetNumOperands(p) != 2) return false;
    LLVMTypeRef t = LLVMGetGEPSourceElementType(p);
    return LLVMGetTypeKind(t) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(t) == 8;
}

/* ptr = base + zext(addr) + off, off a constant. */
static bool parse_address(LLVMValueRef p, cand *c) {
    c->off = 0;
    for (int depth = 0; depth < 4; depth++) {
        if (!is_i8_gep(p)) return false;
        LLVMValueRef idx = LLVMGetOperand(p, 1);
        if (LLVMIsAConstantInt(idx)) {
            c->off += LLVMConstIntGetSExtValue(idx);
            p = LLVMGetOperand(p, 0);
            continue;
        }
        if (LLVMIsABinaryOperator(idx) && (LLVMGetInstructionOpcode(idx) == LLVMAdd ||
                                           (LLVMGetInstructionOpcode(idx) == LLVMOr && LLVMGetIsDisjoint(idx))) &&
            LLVMIsAConstantInt(LLVMGetOperand(idx, 1))) {
            c->off += LLVMConstIntGetSExtValue(LLVMGetOperand(idx, 1));
            idx = LLVMGetOperand(idx, 0);
        }
        if (!LLVMIsAZExtInst(idx) || !is_i32ish(LLVMGetOperand(idx, 0))) return false;
        c->addr = LLVMGetOperand(idx, 0);
        c->base = LLVMGetOperand(p, 0);
        return c->off >= 0 && c->off < ((int64_t)1 << 33);
    }
    return false;
}

static unsigned scalar_bytes(LLVMTypeRef t) {
    switch (LLVMGetTypeKind(t)) {
    case LLVMIntegerTypeKind: {
        unsigned w = LLVMGetIntTypeWidth(t);
        return w == 8 || w == 16 || w == 32 || w == 64 ? w / 8 : 0;
    }
    case LLVMFloatTypeKind: return 4;
    case LLVMDoubleTypeKind: return 8;
    default: return 0;
    }
}

/* A guard-mode wasm load whose value only fills vector lanes. */
static bool candidate(LLVMValueRef i, cand *c) {
    if (!LLVMIsALoadInst(i) || LLVMGetVolatile(i) || LLVMGetOrdering(i) != LLVMAtomicOrderingNotAtomic)
        return false;
    c->size = scalar_bytes(LLVMTypeOf(i));
    if (!c->size) return false;
    c->load = i, c->keep = NULL;
    /* Only lanes: a value also used as a scalar would cost an extract from the wide load. */
    bool lane = false;
    for (LLVMUseRef u = LLVMGetFirstUse(i); u; u = LLVMGetNextUse(u)) {
        LLVMValueRef user = LLVMGetUser(u);
        if (is_keep_alive(user) && LLVMGetInstructionParent(user) == LLVMGetInstructionParent(i)) c->keep = user;
        else if (LLVMIsAInsertElementInst(user) && LLVMGetOperand(user, 1) == i) lane = true;
        else return false;
    }
    return c->keep && lane && parse_address(LLVMGetOperand(i, 0), c);
}

/* Whether i may have an effect other than trapping on a wasm load: stores, calls (bar
 * keep-alives), atomics, and anything ending the block. */
static bool barrier(LLVMValueRef i) {
    if (LLVMIsATerminatorInst(i) || LLVMIsAStoreInst(i) || LLVMIsAFenceInst(i) || LLVMIsAAtomicRMWInst(i) ||
        LLVMIsAAtomicCmpXchgInst(i) || LLVMIsAVAArgInst(i))
        return true;
    if (LLVMIsALoadInst(i)) return LLVMGetVolatile(i) || LLVMGetOrdering(i) != LLVMAtomicOrderingNotAtomic;
    if (LLVMIsACallInst(i)) return !is_keep_alive(i);
    return false;
}

/* --- Choosing a group ------------------------------------------------------------------ */

typedef struct window {
    int64_t lo;     /* first byte, relative to the anchor's address */
    unsigned width; /* 2, 4, 8 or 16 bytes */
} window;

typedef struct group {
    cand *m[MAX_CANDS];
    unsigned win_of[MAX_CANDS]; /* the window of each member */
    unsigned n;
    window w[MAX_CANDS];
    unsigned nw;
    LLVMValueRef anchor; /* an address all members' d are relative to */
    int64_t dmin, dmax;
} group;

/* The window [lo, lo + width) holding the most of rel[0..nrel) not yet taken: width 2, 4,
 * 8 or 16 bytes, wider than any of them, starting and ending on one of them's bytes (so
 * the wide load traps exactly when one of them would). */
static bool pick_window(cand **rel, unsigned nrel, const bool *taken, window *out) {
    unsigned best = 0;
    for (unsigned s = 0; s < nrel; s++) {
        if (taken[s]) continue;
        int64_t lo = rel[s]->o;
        for (unsigned w = 2; w <= 16; w *= 2) {
            unsigned n = 0, biggest = 0;
            bool ends = false;
            for (unsigned j = 0; j < nrel; j++) {
                cand *c = rel[j];
                if (taken[j] || c->o < lo || c->o + c->size > lo + w) continue;
                n++;
                ends |= c->o + c->size == lo + w;
                if (c->size > biggest) biggest = c->size;
            }
            if (n >= 2 && ends && biggest < w && n > best) best = n, out->lo = lo, out->width = w;
        }
    }
    return best > 0;
}

/* Splits rel into windows; the members are the candidates some window holds. */
static bool pick_windows(cand **rel, unsigned nrel, LLVMValueRef anchor, group *g) {
    bool taken[MAX_CANDS] = {0};
    g->n = g->nw = 0;
    window w;
    while (pick_window(rel, nrel, taken, &w)) {
        for (unsigned j = 0; j < nrel; j++) {
            if (taken[j] || rel[j]->o < w.lo || rel[j]->o + rel[j]->size > w.lo + w.width) continue;
            taken[j] = true;
            g->win_of[g->n] = g->nw;
            g->m[g->n++] = rel[j];
        }
        g->w[g->nw++] = w;
    }
    if (!g->n) return false;
    g->anchor = anchor;
    g->dmin = g->dmax = g->m[0]->d;
    for (unsigned j = 1; j < g->n; j++) {
        if (g->m[j]->d < g->dmin) g->dmin = g->m[j]->d;
        if (g->m[j]->d > g->dmax) g->dmax = g->m[j]->d;
    }
    return true;
}

/* Among the candidates of one barrier-free run, a group to merge. */
static bool find_group(cand *cs, unsigned n, group *g) {
    cand *rel[MAX_CANDS];
    for (unsigned a = 0; a + 1 < n; a++) {
        unsigned nrel = 0;
        for (unsigned j = a; j < n; j++) {
            diff_ctx c = {0};
            uint32_t d;
            if (cs[j].base != cs[a].base || !diff(&c, cs[j].addr, -1, cs[a].addr, -1, &d)) continue;
            int64_t sd = (int32_t)d;
            if (sd > MAX_DIST || sd < -MAX_DIST) continue;
            cs[j].d = sd, cs[j].o = sd + cs[j].off;
            rel[nrel++] = &cs[j];
        }
        if (nrel >= 2 && pick_windows(rel, nrel, cs[a].addr, g)) return true;
    }
    return false;
}

/* --- Versioning the block -------------------------------------------------------------- */

/* Rebuilds the phis of succ so that their edges from `from` come from `to`. */
static void retarget_phis(LLVMBuilderRef b, LLVMBasicBlockRef succ, LLVMBasicBlockRef from, LLVMBasicBlockRef to) {
    LLVMValueRef next;
    for (LLVMValueRef phi = LLVMGetFirstInstruction(succ); phi && LLVMIsAPHINode(phi); phi = next) {
        next = LLVMGetNextInstruction(phi);
        unsigned n = LLVMCountIncoming(phi);
        bool touched = false;
        for (unsigned i = 0; i < n; i++) touched |= LLVMGetIncomingBlock(phi, i) == from;
        if (!touched) continue;
        LLVMPositionBuilderBefore(b, phi);
        LLVMValueRef np = LLVMBuildPhi(b, LLVMTypeOf(phi), "");
        for (unsigned i = 0; i < n; i++) {
            LLVMValueRef v = LLVMGetIncomingValue(phi, i);
            LLVMBasicBlockRef bb = LLVMGetIncomingBlock(phi, i);
            if (bb == from) bb = to;
            LLVMAddIncoming(np, &v, &bb, 1);
        }
        LLVMReplaceAllUsesWith(phi, np);
        LLVMInstructionEraseFromParent(phi);
    }
}

/* The bytes [at, at + size) of the wide value w (an integer of `width` bytes) as type t. */
static LLVMValueRef bytes_of(LLVMContextRef ctx, LLVMBuilderRef b, LLVMValueRef wv, unsigned at, unsigned size,
                             LLVMTypeRef t) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(ctx);
    if (size == 1) return LLVMBuildExtractElement(b, wv, LLVMConstInt(i32, at, 0), "");
    LLVMValueRef mask[8];
    for (unsigned i = 0; i < size; i++) mask[i] = LLVMConstInt(i32, at + i, 0);
    LLVMValueRef sh = LLVMBuildShuffleVector(b, wv, LLVMGetPoison(LLVMTypeOf(wv)), LLVMConstVector(mask, size), "");
    return LLVMBuildBitCast(b, sh, t, "");
}

/* A load of a member's type at base + zext(addr) + off, kept alive. */
static LLVMValueRef exact_load(const lower_unit *u, LLVMBuilderRef b, const cand *c, LLVMValueRef addr,
                               LLVMValueRef tag) {
    LLVMTypeRef i64 = LLVMInt64TypeInContext(u->ctx);
    LLVMValueRef ea = LLVMBuildZExt(b, addr, i64, "");
    if (c->off) ea = LLVMBuildNUWAdd(b, ea, LLVMConstInt(i64, (uint64_t)c->off, 0), "");
    LLVMValueRef p = LLVMBuildGEP2(b, LLVMInt8TypeInContext(u->ctx), c->base, &ea, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(b, LLVMTypeOf(c->load), p, "");
    LLVMSetAlignment(v, 1);
    if (tag) LLVMSetMetadata(v, LLVMGetMDKindIDInContext(u->ctx, "tbaa", 4), tag);
    build_keep_alive(u->ctx, b, u->opts->target, v);
    return v;
}

/* A cold helper `<W x i8> (ptr base, i32 low)` that loads the members of window k at
 * their own wrapping addresses (low + d - dmin, then + off) and puts their bytes in place
 * (bytes no member loads stay poison: nothing reads them). Out of line, so that the hot
 * code around the wide load is allocated as if the cold path were a call. */
static LLVMValueRef exact_helper(const lower_unit *u, LLVMValueRef caller, const group *g, unsigned k,
                                 LLVMValueRef tag) {
    LLVMContextRef ctx = u->ctx;
    LLVMTypeRef i8 = LLVMInt8TypeInContext(ctx), i32 = LLVMInt32TypeInContext(ctx);
    LLVMTypeRef vec_t = LLVMVectorType(i8, g->w[k].width);
    LLVMTypeRef params[2] = {LLVMTypeOf(g->m[0]->base), i32};
    LLVMTypeRef fty = LLVMFunctionType(vec_t, params, 2, 0);
    LLVMValueRef f = LLVMAddFunction(u->mod, "hwasm_gather_exact", fty);
    LLVMSetLinkage(f, LLVMInternalLinkage);
    LLVMSetFunctionCallConv(f, LLVMFastCallConv);
    /* the caller's target attributes, then cold and never inlined */
    unsigned n = LLVMGetAttributeCountAtIndex(caller, LLVMAttributeFunctionIndex);
    LLVMAttributeRef *attrs = calloc(n ? n : 1, sizeof *attrs);
    if (!attrs) abort();
    LLVMGetAttributesAtIndex(caller, LLVMAttributeFunctionIndex, attrs);
    for (unsigned i = 0; i < n; i++)
        if (LLVMIsStringAttribute(attrs[i])) LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, attrs[i]);
    free(attrs);
    static const char *const kinds[] = {"noinline", "cold", "nounwind"};
    for (unsigned i = 0; i < 3; i++)
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                                LLVMCreateEnumAttribute(ctx, LLVMGetEnumAttributeKindForName(kinds[i], strlen(kinds[i])), 0));
    LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, f, ""));
    LLVMValueRef base = LLVMGetParam(f, 0), low = LLVMGetParam(f, 1);
    LLVMValueRef vec = LLVMGetPoison(vec_t);
    for (unsigned j = 0; j < g->n; j++) {
        if (g->win_of[j] != k) continue;
        cand c = *g->m[j];
        c.base = base;
        LLVMValueRef addr = LLVMBuildAdd(b, low, LLVMConstInt(i32, (uint64_t)(uint32_t)(c.d - g->dmin), 0), "");
        LLVMValueRef v = exact_load(u, b, &c, addr, tag);
        unsigned at = (unsigned)(c.o - g->w[k].lo);
        LLVMValueRef bytes = LLVMBuildBitCast(b, v, LLVMVectorType(i8, c.size), "");
        for (unsigned y = 0; y < c.size; y++)
            vec = LLVMBuildInsertElement(b, vec, LLVMBuildExtractElement(b, bytes, LLVMConstInt(i32, y, 0), ""),
                                         LLVMConstInt(i32, at + y, 0), "");
    }
    LLVMBuildRet(b, vec);
    LLVMDisposeBuilder(b);
    return f;
}

/*
 * bb:   ... low = anchor + dmin; br (low + (dmax - dmin) does not wrap) ? wide : exact
 * wide:  one load per window (kept alive whole)
 * exact: a call per window to its exact_helper
 * cont:  a phi per window; the rest of bb, each member replaced by its bytes
 * Only the loads are on two paths: the code using them is not duplicated.
 */
static bool version(const lower_unit *u, LLVMBuilderRef b, group *g, LLVMBasicBlockRef *exact_out) {
    LLVMContextRef ctx = u->ctx;
    LLVMBasicBlockRef bb = LLVMGetInstructionParent(g->m[0]->load);
    LLVMValueRef fn = LLVMGetBasicBlockParent(bb);
    LLVMValueRef first = NULL;
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i && !first; i = LLVMGetNextInstruction(i))
        for (unsigned j = 0; j < g->n; j++)
            if (i == g->m[j]->load) first = i;
    if (!first) return false;
    unsigned tbaa = LLVMGetMDKindIDInContext(ctx, "tbaa", 4);
    LLVMValueRef tag = LLVMGetMetadata(first, tbaa);

    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(ctx, fn, "gather.cont");
    LLVMMoveBasicBlockAfter(cont, bb);
    LLVMBasicBlockRef wide_bb = LLVMAppendBasicBlockInContext(ctx, fn, "gather.wide");
    LLVMMoveBasicBlockAfter(wide_bb, bb);
    LLVMBasicBlockRef exact = LLVMAppendBasicBlockInContext(ctx, fn, "gather.exact");
    *exact_out = exact;

    /* From the first member on, bb moves to cont (its successors' phis follow, last). */
    LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
    LLVMPositionBuilderAtEnd(b, cont);
    for (LLVMValueRef i = first, next; i; i = next) {
        next = LLVMGetNextInstruction(i);
        LLVMInstructionRemoveFromParent(i);
        LLVMInsertIntoBuilder(b, i);
    }

    /* The check, at the end of bb: no member's address wraps. */
    LLVMTypeRef i32 = LLVMInt32TypeInContext(ctx), i64 = LLVMInt64TypeInContext(ctx);
    LLVMTypeRef i8 = LLVMInt8TypeInContext(ctx);
    LLVMPositionBuilderAtEnd(b, bb);
    LLVMValueRef low = LLVMBuildAdd(b, g->anchor, LLVMConstInt(i32, (uint64_t)(uint32_t)g->dmin, 0), "");
    uint32_t limit = UINT32_MAX - (uint32_t)(g->dmax - g->dmin);
    LLVMValueRef ok = LLVMBuildICmp(b, LLVMIntULE, low, LLVMConstInt(i32, limit, 0), "");
    LLVMValueRef br = LLVMBuildCondBr(b, ok, wide_bb, exact);
    LLVMMetadataRef md[] = {
        LLVMMDStringInContext2(ctx, "branch_weights", 14),
        LLVMValueAsMetadata(LLVMConstInt(i32, 1u << 20, 0)),
        LLVMValueAsMetadata(LLVMConstInt(i32, 1, 0)),
    };
    LLVMSetMetadata(br, LLVMGetMDKindIDInContext(ctx, "prof", 4),
                    LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, md, 3)));

    LLVMValueRef from_wide[MAX_CANDS], from_exact[MAX_CANDS];
    /* The wide path: a load per window. */
    LLVMPositionBuilderAtEnd(b, wide_bb);
    LLVMValueRef low64 = LLVMBuildZExt(b, low, i64, "");
    for (unsigned k = 0; k < g->nw; k++) {
        const window *w = &g->w[k];
        LLVMValueRef ea = LLVMBuildNUWAdd(b, low64, LLVMConstInt(i64, (uint64_t)(w->lo - g->dmin), 0), "");
        LLVMValueRef p = LLVMBuildGEP2(b, i8, g->m[0]->base, &ea, 1, "");
        LLVMTypeRef bytes_t = LLVMVectorType(i8, w->width);
        LLVMTypeRef load_t = w->width == 16 ? bytes_t : LLVMIntTypeInContext(ctx, w->width * 8);
        LLVMValueRef wide = LLVMBuildLoad2(b, load_t, p, "");
        LLVMSetAlignment(wide, 1);
        if (tag) LLVMSetMetadata(wide, tbaa, tag);
        build_keep_alive(ctx, b, u->opts->target, wide);
        from_wide[k] = w->width == 16 ? wide : LLVMBuildBitCast(b, wide, bytes_t, "");
    }
    LLVMBuildBr(b, cont);

    /* The exact path: each window from its cold helper. */
    LLVMPositionBuilderAtEnd(b, exact);
    for (unsigned k = 0; k < g->nw; k++) {
        LLVMValueRef f = exact_helper(u, fn, g, k, tag);
        LLVMValueRef args[2] = {g->m[0]->base, low};
        from_exact[k] = LLVMBuildCall2(b, LLVMGlobalGetValueType(f), f, args, 2, "");
        LLVMSetInstructionCallConv(from_exact[k], LLVMFastCallConv);
    }
    LLVMBuildBr(b, cont);

    /* cont: the windows meet; each member becomes its bytes of its window. */
    LLVMPositionBuilderBefore(b, LLVMGetFirstInstruction(cont));
    LLVMValueRef win[MAX_CANDS];
    for (unsigned k = 0; k < g->nw; k++) {
        win[k] = LLVMBuildPhi(b, LLVMTypeOf(from_wide[k]), "");
        LLVMValueRef vals[2] = {from_wide[k], from_exact[k]};
        LLVMBasicBlockRef from[2] = {wide_bb, exact};
        LLVMAddIncoming(win[k], vals, from, 2);
    }
    LLVMValueRef repl[MAX_CANDS];
    for (unsigned j = 0; j < g->n; j++) {
        const cand *c = g->m[j];
        repl[j] = bytes_of(ctx, b, win[g->win_of[j]], (unsigned)(c->o - g->w[g->win_of[j]].lo), c->size,
                           LLVMTypeOf(c->load));
    }
    LLVMClearInsertionPosition(b); /* it points at a member, erased below */
    for (unsigned j = 0; j < g->n; j++) {
        LLVMInstructionEraseFromParent(g->m[j]->keep);
        LLVMReplaceAllUsesWith(g->m[j]->load, repl[j]);
        LLVMInstructionEraseFromParent(g->m[j]->load);
    }
    /* Last, bb's successors' phis take their edges from cont. They are rebuilt (the C API
     * cannot change an incoming block), and one of them may be what g's addresses and base
     * are made of (a loop's header phi, when bb is its latch): every use built above is
     * then moved to the new phi, and g is not read again. */
    unsigned ns = LLVMGetNumSuccessors(term);
    for (unsigned i = 0; i < ns; i++) {
        LLVMBasicBlockRef s = LLVMGetSuccessor(term, i);
        bool seen = false;
        for (unsigned j = 0; j < i; j++) seen |= LLVMGetSuccessor(term, j) == s;
        if (!seen) retarget_phis(b, s, bb, cont);
    }
    return true;
}

/* --- The pass -------------------------------------------------------------------------- */

/* The exact paths made so far in one function: never versioned again. */
typedef struct slow_set {
    LLVMBasicBlockRef bb[MAX_MERGES];
    unsigned n;
} slow_set;

/* Finds one group in bb and versions it. */
static bool merge_in_block(const lower_unit *u, LLVMBuilderRef b, LLVMBasicBlockRef bb, slow_set *slow) {
    for (unsigned i = 0; i < slow->n; i++)
        if (slow->bb[i] == bb) return false;
    cand cs[MAX_CANDS];
    unsigned n = 0;
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
        if (barrier(i)) {
            group g;
            if (n >= 2 && find_group(cs, n, &g) && version(u, b, &g, &slow->bb[slow->n])) return slow->n++, true;
            n = 0;
            continue;
        }
        if (n < MAX_CANDS && candidate(i, &cs[n])) n++;
    }
    return false;
}

bool merge_lane_loads(const lower_unit *u) {
    if (u->opts->bounds_explicit || u->opts->opt_level < 1) return false;
    bool changed = false;
    LLVMBuilderRef b = LLVMCreateBuilderInContext(u->ctx);
    slow_set *slow = malloc(sizeof *slow);
    if (!slow) abort();
    for (LLVMValueRef f = LLVMGetFirstFunction(u->mod); f; f = LLVMGetNextFunction(f)) {
        size_t len;
        const char *name = LLVMGetValueName2(f, &len);
        if (len >= 18 && strncmp(name, "hwasm_gather_exact", 18) == 0) continue; /* ours */
        slow->n = 0;
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb && slow->n < MAX_MERGES;) {
            /* After a merge, bb is looked at again, then the fast path that follows it. */
            if (merge_in_block(u, b, bb, slow)) changed = true;
            else bb = LLVMGetNextBasicBlock(bb);
        }
    }
    free(slow);
    LLVMDisposeBuilder(b);
    return changed;
}
