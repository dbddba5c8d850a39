/*
 * lower_simd.c — the fixed-width SIMD instructions (0xFD prefix) as LLVM vector operations.
 *
 * A v128 is <2 x i64> on the value stack (lower_valtype); each instruction bitcasts it to
 * its lane shape (<16 x i8> ... <2 x double>), which costs nothing. Semantics are wasm's,
 * never LLVM's undefined corners: shift counts are masked, narrowing saturates, swizzle
 * gives 0 for indices >= 16, float min/max propagate NaN with -0 < +0, pmin/pmax are the
 * plain compare-select, trunc_sat saturates (NaN -> 0), and no fast-math flag is set.
 * Loads and stores take their address from heap_address, exactly like scalar accesses, so
 * they are bounds-checked (or fault in the guard region) the same way.
 */
#include "lower_internal.h"

enum shape { I8X16, I16X8, I32X4, I64X2, F32X4, F64X2 };

static const unsigned LANES[] = {16, 8, 4, 2, 4, 2};

static LLVMTypeRef lane_type(fn_state *s, enum shape sh) {
    switch (sh) {
    case I8X16: return s->u->i8;
    case I16X8: return LLVMInt16TypeInContext(s->u->ctx);
    case I32X4: return s->u->i32;
    case I64X2: return s->u->i64;
    case F32X4: return s->u->f32;
    default: return s->u->f64;
    }
}

static LLVMTypeRef vec_type(fn_state *s, enum shape sh) {
    return LLVMVectorType(lane_type(s, sh), LANES[sh]);
}

/* <n x iBITS> */
static LLVMTypeRef int_vec(fn_state *s, unsigned bits, unsigned n) {
    return LLVMVectorType(LLVMIntTypeInContext(s->u->ctx, bits), n);
}

static LLVMValueRef as(fn_state *s, LLVMValueRef v, enum shape sh) {
    return LLVMBuildBitCast(s->b, v, vec_type(s, sh), "");
}

static LLVMValueRef pop_as(fn_state *s, enum shape sh) { return as(s, pop(s), sh); }

static void push_v(fn_state *s, LLVMValueRef v) {
    push(s, LLVMBuildBitCast(s->b, v, s->u->v128, ""));
}

static LLVMValueRef splat_const(LLVMTypeRef vt, LLVMValueRef c) {
    unsigned n = LLVMGetVectorSize(vt);
    LLVMValueRef lanes[16];
    for (unsigned i = 0; i < n; i++) lanes[i] = c;
    return LLVMConstVector(lanes, n);
}

static LLVMValueRef splat_int(LLVMTypeRef vt, uint64_t v) {
    return splat_const(vt, LLVMConstInt(LLVMGetElementType(vt), v, 0));
}

/* Lanes first..first+n-1 of the concatenation a ++ b (b may be NULL: a ++ poison). */
static LLVMValueRef lanes_of(fn_state *s, LLVMValueRef a, LLVMValueRef b, unsigned first, unsigned n) {
    LLVMValueRef mask[32];
    for (unsigned i = 0; i < n; i++) mask[i] = const_i32(s, first + i);
    if (!b) b = LLVMGetPoison(LLVMTypeOf(a));
    return LLVMBuildShuffleVector(s->b, a, b, LLVMConstVector(mask, n), "");
}

/* Lanes first, first+2, ... (n of them) of a: the even or odd lanes. */
static LLVMValueRef every_other(fn_state *s, LLVMValueRef a, unsigned first, unsigned n) {
    LLVMValueRef mask[16];
    for (unsigned i = 0; i < n; i++) mask[i] = const_i32(s, first + 2 * i);
    return LLVMBuildShuffleVector(s->b, a, LLVMGetPoison(LLVMTypeOf(a)), LLVMConstVector(mask, n), "");
}

static LLVMValueRef splat(fn_state *s, LLVMValueRef x, enum shape sh) {
    LLVMTypeRef vt = vec_type(s, sh);
    LLVMValueRef v = LLVMBuildInsertElement(s->b, LLVMGetPoison(vt), x, const_i32(s, 0), "");
    LLVMValueRef zero[16];
    for (unsigned i = 0; i < LANES[sh]; i++) zero[i] = const_i32(s, 0);
    return LLVMBuildShuffleVector(s->b, v, LLVMGetPoison(vt), LLVMConstVector(zero, LANES[sh]), "");
}

/* An i32 operand narrowed to an 8- or 16-bit lane. */
static LLVMValueRef to_lane(fn_state *s, LLVMValueRef x, enum shape sh) {
    return sh == I8X16 || sh == I16X8 ? LLVMBuildTrunc(s->b, x, lane_type(s, sh), "") : x;
}

static LLVMValueRef intrinsic1(fn_state *s, const char *name, LLVMValueRef x) {
    LLVMTypeRef t = LLVMTypeOf(x);
    return call_intrinsic(s, name, &t, 1, &x, 1);
}

static LLVMValueRef intrinsic2(fn_state *s, const char *name, LLVMValueRef x, LLVMValueRef y) {
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef args[] = {x, y};
    return call_intrinsic(s, name, &t, 1, args, 2);
}

/* --- memory ------------------------------------------------------------------------- */

static LLVMValueRef load_bits(fn_state *s, LLVMValueRef index, const wasm_insn *in, LLVMTypeRef t,
                              unsigned bytes) {
    LLVMValueRef p = heap_address(s, index, in->imm.memarg.offset, bytes);
    LLVMValueRef v = LLVMBuildLoad2(s->b, t, p, "");
    LLVMSetAlignment(v, 1);
    return v;
}

static void store_bits(fn_state *s, LLVMValueRef index, const wasm_insn *in, LLVMValueRef v,
                       unsigned bytes) {
    LLVMValueRef p = heap_address(s, index, in->imm.memarg.offset, bytes);
    LLVMSetAlignment(LLVMBuildStore(s->b, v, p), 1);
}

/* v128.load8x8_s ... load32x2_u: 8 bytes (loaded as one i64) widened lane by lane. */
static void load_extend(fn_state *s, const wasm_insn *in, unsigned bits, bool is_signed) {
    LLVMValueRef v = load_bits(s, pop(s), in, s->u->i64, 8);
    unsigned n = 64 / bits;
    v = LLVMBuildBitCast(s->b, v, int_vec(s, bits, n), "");
    LLVMTypeRef wide = int_vec(s, bits * 2, n);
    push_v(s, is_signed ? LLVMBuildSExt(s->b, v, wide, "") : LLVMBuildZExt(s->b, v, wide, ""));
}

static const enum shape BY_LOG2[] = {I8X16, I16X8, I32X4, I64X2};

static int lower_simd_memory(fn_state *s, const wasm_insn *in) {
    LLVMValueRef v;
    switch (in->op) {
    case OP_V128_LOAD: push(s, load_bits(s, pop(s), in, s->u->v128, 16)); return 1;
    case OP_V128_STORE:
        v = pop(s);
        store_bits(s, pop(s), in, v, 16);
        return 1;
    case OP_V128_LOAD8X8_S: load_extend(s, in, 8, true); return 1;
    case OP_V128_LOAD8X8_U: load_extend(s, in, 8, false); return 1;
    case OP_V128_LOAD16X4_S: load_extend(s, in, 16, true); return 1;
    case OP_V128_LOAD16X4_U: load_extend(s, in, 16, false); return 1;
    case OP_V128_LOAD32X2_S: load_extend(s, in, 32, true); return 1;
    case OP_V128_LOAD32X2_U: load_extend(s, in, 32, false); return 1;
    case OP_V128_LOAD8_SPLAT: case OP_V128_LOAD16_SPLAT: case OP_V128_LOAD32_SPLAT:
    case OP_V128_LOAD64_SPLAT: {
        enum shape sh = BY_LOG2[in->op - OP_V128_LOAD8_SPLAT];
        v = load_bits(s, pop(s), in, lane_type(s, sh), 1u << (in->op - OP_V128_LOAD8_SPLAT));
        push_v(s, splat(s, v, sh));
        return 1;
    }
    case OP_V128_LOAD32_ZERO: case OP_V128_LOAD64_ZERO: {
        enum shape sh = in->op == OP_V128_LOAD32_ZERO ? I32X4 : I64X2;
        v = load_bits(s, pop(s), in, lane_type(s, sh), sh == I32X4 ? 4 : 8);
        push_v(s, LLVMBuildInsertElement(s->b, LLVMConstNull(vec_type(s, sh)), v, const_i32(s, 0), ""));
        return 1;
    }
    case OP_V128_LOAD8_LANE: case OP_V128_LOAD16_LANE: case OP_V128_LOAD32_LANE:
    case OP_V128_LOAD64_LANE: {
        unsigned log2 = in->op - OP_V128_LOAD8_LANE;
        enum shape sh = BY_LOG2[log2];
        LLVMValueRef vec = pop_as(s, sh);
        v = load_bits(s, pop(s), in, lane_type(s, sh), 1u << log2);
        push_v(s, LLVMBuildInsertElement(s->b, vec, v, const_i32(s, in->lane), ""));
        return 1;
    }
    case OP_V128_STORE8_LANE: case OP_V128_STORE16_LANE: case OP_V128_STORE32_LANE:
    case OP_V128_STORE64_LANE: {
        unsigned log2 = in->op - OP_V128_STORE8_LANE;
        LLVMValueRef vec = pop_as(s, BY_LOG2[log2]);
        v = LLVMBuildExtractElement(s->b, vec, const_i32(s, in->lane), "");
        store_bits(s, pop(s), in, v, 1u << log2);
        return 1;
    }
    default: return 0;
    }
}

/* --- lanes, shuffles, constants ------------------------------------------------------- */

/* i8x16.swizzle: SSSE3's pshufb gives a[idx & 15], or 0 when bit 7 of idx is set; adding
 * 0x70 with unsigned saturation sets bit 7 exactly for idx >= 16 and keeps the low
 * nibble of the others, so the result is wasm's (0 for every index >= 16). AArch64's tbl
 * is wasm's swizzle as it stands: 0 for every index >= 16. */
static void swizzle(fn_state *s) {
    LLVMValueRef idx = pop_as(s, I8X16), a = pop_as(s, I8X16);
    LLVMTypeRef vt = vec_type(s, I8X16);
    if (s->u->opts->target == HWASMC_TARGET_AARCH64) {
        LLVMValueRef args[] = {a, idx};
        push_v(s, call_intrinsic(s, "llvm.aarch64.neon.tbl1", &vt, 1, args, 2));
        return;
    }
    idx = intrinsic2(s, "llvm.uadd.sat", idx, splat_int(vt, 0x70));
    LLVMValueRef args[] = {a, idx};
    push_v(s, call_intrinsic(s, "llvm.x86.ssse3.pshuf.b.128", NULL, 0, args, 2));
}

static void shuffle(fn_state *s, const wasm_insn *in) {
    LLVMValueRef b = pop_as(s, I8X16), a = pop_as(s, I8X16);
    LLVMValueRef mask[16];
    for (int i = 0; i < 16; i++) mask[i] = const_i32(s, in->imm.v128[i]);
    push_v(s, LLVMBuildShuffleVector(s->b, a, b, LLVMConstVector(mask, 16), ""));
}

static void v128_const(fn_state *s, const wasm_insn *in) {
    uint64_t lo = 0, hi = 0;
    for (int i = 7; i >= 0; i--) {
        lo = lo << 8 | in->imm.v128[i];
        hi = hi << 8 | in->imm.v128[8 + i];
    }
    LLVMValueRef v[] = {const_i64(s, lo), const_i64(s, hi)};
    push(s, LLVMConstVector(v, 2));
}

static void extract_lane(fn_state *s, const wasm_insn *in, enum shape sh, int ext) {
    LLVMValueRef v = LLVMBuildExtractElement(s->b, pop_as(s, sh), const_i32(s, in->lane), "");
    if (ext > 0) v = LLVMBuildSExt(s->b, v, s->u->i32, "");
    if (ext < 0) v = LLVMBuildZExt(s->b, v, s->u->i32, "");
    push(s, v);
}

static void replace_lane(fn_state *s, const wasm_insn *in, enum shape sh) {
    LLVMValueRef x = to_lane(s, pop(s), sh);
    LLVMValueRef v = pop_as(s, sh);
    push_v(s, LLVMBuildInsertElement(s->b, v, x, const_i32(s, in->lane), ""));
}

/* --- integer operations ------------------------------------------------------------- */

static void int_binop(fn_state *s, enum shape sh, LLVMOpcode op) {
    LLVMValueRef y = pop_as(s, sh), x = pop_as(s, sh);
    push_v(s, LLVMBuildBinOp(s->b, op, x, y, ""));
}

static void binary_intrinsic(fn_state *s, enum shape sh, const char *name) {
    LLVMValueRef y = pop_as(s, sh), x = pop_as(s, sh);
    push_v(s, intrinsic2(s, name, x, y));
}

static void int_compare(fn_state *s, enum shape sh, LLVMIntPredicate pred) {
    LLVMValueRef y = pop_as(s, sh), x = pop_as(s, sh);
    push_v(s, LLVMBuildSExt(s->b, LLVMBuildICmp(s->b, pred, x, y, ""), vec_type(s, sh), ""));
}

static void float_compare(fn_state *s, enum shape sh, LLVMRealPredicate pred) {
    LLVMValueRef y = pop_as(s, sh), x = pop_as(s, sh);
    LLVMTypeRef it = sh == F32X4 ? vec_type(s, I32X4) : vec_type(s, I64X2);
    push_v(s, LLVMBuildSExt(s->b, LLVMBuildFCmp(s->b, pred, x, y, ""), it, ""));
}

/* The shift count is taken modulo the lane width. */
static void shift(fn_state *s, enum shape sh, LLVMOpcode op) {
    LLVMValueRef n = pop(s);
    LLVMValueRef x = pop_as(s, sh);
    unsigned bits = LLVMGetIntTypeWidth(lane_type(s, sh));
    n = LLVMBuildAnd(s->b, n, const_i32(s, bits - 1), "");
    n = sh == I64X2 ? LLVMBuildZExt(s->b, n, s->u->i64, "") : to_lane(s, n, sh);
    push_v(s, LLVMBuildBinOp(s->b, op, x, splat(s, n, sh), ""));
}

static void all_true(fn_state *s, enum shape sh) {
    LLVMValueRef x = pop_as(s, sh);
    LLVMValueRef nz = LLVMBuildICmp(s->b, LLVMIntNE, x, LLVMConstNull(LLVMTypeOf(x)), "");
    push(s, LLVMBuildZExt(s->b, intrinsic1(s, "llvm.vector.reduce.and", nz), s->u->i32, ""));
}

static void bitmask(fn_state *s, enum shape sh) {
    LLVMValueRef x = pop_as(s, sh);
    LLVMValueRef neg = LLVMBuildICmp(s->b, LLVMIntSLT, x, LLVMConstNull(LLVMTypeOf(x)), "");
    LLVMValueRef bits = LLVMBuildBitCast(s->b, neg, LLVMIntTypeInContext(s->u->ctx, LANES[sh]), "");
    push(s, LLVMBuildZExt(s->b, bits, s->u->i32, ""));
}

/* narrow_*: a's lanes then b's, each saturated (as a signed input) to the narrow signed
 * or unsigned range. */
static void narrow(fn_state *s, enum shape from, bool is_signed) {
    LLVMValueRef b = pop_as(s, from), a = pop_as(s, from);
    unsigned bits = LLVMGetIntTypeWidth(lane_type(s, from)) / 2, n = 2 * LANES[from];
    LLVMValueRef both = lanes_of(s, a, b, 0, n);
    LLVMTypeRef wt = LLVMTypeOf(both);
    int64_t lo = is_signed ? -(1ll << (bits - 1)) : 0;
    int64_t hi = is_signed ? (1ll << (bits - 1)) - 1 : (1ll << bits) - 1;
    both = intrinsic2(s, "llvm.smax", both, splat_int(wt, (uint64_t)lo));
    both = intrinsic2(s, "llvm.smin", both, splat_int(wt, (uint64_t)hi));
    push_v(s, LLVMBuildTrunc(s->b, both, int_vec(s, bits, n), ""));
}

static LLVMValueRef extend(fn_state *s, LLVMValueRef x, bool is_signed) {
    LLVMTypeRef t = LLVMTypeOf(x);
    unsigned bits = LLVMGetIntTypeWidth(LLVMGetElementType(t));
    LLVMTypeRef wide = int_vec(s, bits * 2, LLVMGetVectorSize(t));
    return is_signed ? LLVMBuildSExt(s->b, x, wide, "") : LLVMBuildZExt(s->b, x, wide, "");
}

/* The low or high half of a's lanes, widened to twice their width. */
static LLVMValueRef half(fn_state *s, LLVMValueRef a, enum shape from, bool high, bool is_signed) {
    unsigned n = LANES[from] / 2;
    return extend(s, lanes_of(s, a, NULL, high ? n : 0, n), is_signed);
}

static void extend_half(fn_state *s, enum shape from, bool high, bool is_signed) {
    push_v(s, half(s, pop_as(s, from), from, high, is_signed));
}

static void extmul(fn_state *s, enum shape from, bool high, bool is_signed) {
    LLVMValueRef b = pop_as(s, from), a = pop_as(s, from);
    push_v(s, LLVMBuildMul(s->b, half(s, a, from, high, is_signed), half(s, b, from, high, is_signed), ""));
}

static void extadd_pairwise(fn_state *s, enum shape from, bool is_signed) {
    LLVMValueRef x = extend(s, pop_as(s, from), is_signed);
    unsigned n = LANES[from] / 2;
    push_v(s, LLVMBuildAdd(s->b, every_other(s, x, 0, n), every_other(s, x, 1, n), ""));
}

/* (a + b + 1) / 2 without overflow: in lanes twice as wide. */
static void avgr_u(fn_state *s, enum shape sh) {
    LLVMValueRef y = extend(s, pop_as(s, sh), false), x = extend(s, pop_as(s, sh), false);
    LLVMTypeRef wt = LLVMTypeOf(x);
    LLVMValueRef sum = LLVMBuildAdd(s->b, LLVMBuildAdd(s->b, x, y, ""), splat_int(wt, 1), "");
    sum = LLVMBuildLShr(s->b, sum, splat_int(wt, 1), "");
    push_v(s, LLVMBuildTrunc(s->b, sum, vec_type(s, sh), ""));
}

/* (a * b + 0x4000) >> 15, saturated: only -32768 * -32768 overflows. */
static void q15mulr_sat(fn_state *s) {
    LLVMValueRef y = extend(s, pop_as(s, I16X8), true), x = extend(s, pop_as(s, I16X8), true);
    LLVMTypeRef wt = LLVMTypeOf(x);
    LLVMValueRef p = LLVMBuildAdd(s->b, LLVMBuildMul(s->b, x, y, ""), splat_int(wt, 0x4000), "");
    p = LLVMBuildAShr(s->b, p, splat_int(wt, 15), "");
    p = intrinsic2(s, "llvm.smin", p, splat_int(wt, 0x7fff));
    push_v(s, LLVMBuildTrunc(s->b, p, vec_type(s, I16X8), ""));
}

static void dot_i16x8_s(fn_state *s) {
    LLVMValueRef y = extend(s, pop_as(s, I16X8), true), x = extend(s, pop_as(s, I16X8), true);
    LLVMValueRef p = LLVMBuildMul(s->b, x, y, "");
    push_v(s, LLVMBuildAdd(s->b, every_other(s, p, 0, 4), every_other(s, p, 1, 4), ""));
}

static void int_unary(fn_state *s, enum shape sh, int which) {
    LLVMValueRef x = pop_as(s, sh);
    if (which == 0) { /* abs: INT_MIN stays INT_MIN */
        LLVMTypeRef types[] = {LLVMTypeOf(x)};
        LLVMValueRef args[] = {x, LLVMConstInt(LLVMInt1TypeInContext(s->u->ctx), 0, 0)};
        push_v(s, call_intrinsic(s, "llvm.abs", types, 1, args, 2));
    } else if (which == 1) {
        push_v(s, LLVMBuildSub(s->b, LLVMConstNull(LLVMTypeOf(x)), x, ""));
    } else {
        push_v(s, intrinsic1(s, "llvm.ctpop", x));
    }
}

/* --- float operations ---------------------------------------------------------------- */


/* A constant vector: LLVM folds x*1, x/1, x+-0, x-0 (and with -1, to a negation) to x,
 * which would pass a signalling NaN through where wasm requires a quiet one. Constant
 * operands go through an empty asm, as the scalar operators' identities do. */
static LLVMValueRef hide_constant(fn_state *s, LLVMValueRef v) {
    return LLVMIsConstant(v) ? opaque_value(s, v) : v;
}

static void float_binop(fn_state *s, enum shape sh, LLVMOpcode op) {
    LLVMValueRef y = hide_constant(s, pop_as(s, sh)), x = hide_constant(s, pop_as(s, sh));
    push_v(s, LLVMBuildBinOp(s->b, op, x, y, ""));
}

static void min_max(fn_state *s, enum shape sh, const char *name) {
    LLVMValueRef y = pop_as(s, sh), x = pop_as(s, sh);
    push_v(s, wasm_min_max(s, name, x, y));
}

/* pmin(a, b) = b < a ? b : a;  pmax(a, b) = a < b ? b : a (NaNs and zeros as they fall). */
static void pmin_pmax(fn_state *s, enum shape sh, bool is_max) {
    LLVMValueRef b = pop_as(s, sh), a = pop_as(s, sh);
    LLVMValueRef lt = is_max ? LLVMBuildFCmp(s->b, LLVMRealOLT, a, b, "")
                             : LLVMBuildFCmp(s->b, LLVMRealOLT, b, a, "");
    push_v(s, LLVMBuildSelect(s->b, lt, b, a, ""));
}

static void float_unary(fn_state *s, enum shape sh, const char *name) {
    LLVMValueRef x = pop_as(s, sh);
    push_v(s, name ? intrinsic1(s, name, x) : LLVMBuildFNeg(s->b, x, ""));
}

static void trunc_sat(fn_state *s, enum shape from, bool is_signed) {
    LLVMValueRef x = pop_as(s, from);
    const char *name = is_signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat";
    LLVMTypeRef types[] = {int_vec(s, 32, LANES[from]), LLVMTypeOf(x)};
    LLVMValueRef r = call_intrinsic(s, name, types, 2, &x, 1);
    if (from == F64X2) r = lanes_of(s, r, LLVMConstNull(LLVMTypeOf(r)), 0, 4); /* _zero */
    push_v(s, r);
}

static void convert_i32x4(fn_state *s, bool low_to_f64, bool is_signed) {
    LLVMValueRef x = pop_as(s, I32X4);
    LLVMTypeRef to = vec_type(s, F32X4);
    if (low_to_f64) x = lanes_of(s, x, NULL, 0, 2), to = vec_type(s, F64X2);
    push_v(s, is_signed ? LLVMBuildSIToFP(s->b, x, to, "") : LLVMBuildUIToFP(s->b, x, to, ""));
}

/* --- the dispatcher ------------------------------------------------------------------ */

/* The lane shape of the integer families laid out alike at 0x60/0x80/0xa0/0xc0. */
static enum shape int_family(uint32_t op) { return (enum shape)(((op & 0xff) - 0x60) >> 5); }

static int lower_simd_ops(fn_state *s, const wasm_insn *in) {
    uint32_t op = in->op;
    /* Comparisons: 0x23..0x4c in groups of ten (integers) and six (floats). */
    if (op >= OP_I8X16_EQ && op <= OP_I32X4_GE_U) {
        static const LLVMIntPredicate preds[] = {LLVMIntEQ,  LLVMIntNE,  LLVMIntSLT, LLVMIntULT,
                                                 LLVMIntSGT, LLVMIntUGT, LLVMIntSLE, LLVMIntULE,
                                                 LLVMIntSGE, LLVMIntUGE};
        unsigned k = op - OP_I8X16_EQ;
        int_compare(s, (enum shape)(k / 10), preds[k % 10]);
        return 1;
    }
    if (op >= OP_F32X4_EQ && op <= OP_F64X2_GE) {
        static const LLVMRealPredicate preds[] = {LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT,
                                                  LLVMRealOGT, LLVMRealOLE, LLVMRealOGE};
        unsigned k = op - OP_F32X4_EQ;
        float_compare(s, k < 6 ? F32X4 : F64X2, preds[k % 6]);
        return 1;
    }
    if (op >= OP_I64X2_EQ && op <= OP_I64X2_GE_S) {
        static const LLVMIntPredicate preds[] = {LLVMIntEQ,  LLVMIntNE,  LLVMIntSLT,
                                                 LLVMIntSGT, LLVMIntSLE, LLVMIntSGE};
        int_compare(s, I64X2, preds[op - OP_I64X2_EQ]);
        return 1;
    }
    LLVMValueRef x, y, c;
    switch (op) {
    case OP_V128_CONST: v128_const(s, in); return 1;
    case OP_I8X16_SHUFFLE: shuffle(s, in); return 1;
    case OP_I8X16_SWIZZLE: swizzle(s); return 1;
    case OP_I8X16_SPLAT: case OP_I16X8_SPLAT: case OP_I32X4_SPLAT: case OP_I64X2_SPLAT:
    case OP_F32X4_SPLAT: case OP_F64X2_SPLAT: {
        enum shape sh = (enum shape)(op - OP_I8X16_SPLAT);
        push_v(s, splat(s, to_lane(s, pop(s), sh), sh));
        return 1;
    }
    case OP_I8X16_EXTRACT_LANE_S: extract_lane(s, in, I8X16, 1); return 1;
    case OP_I8X16_EXTRACT_LANE_U: extract_lane(s, in, I8X16, -1); return 1;
    case OP_I16X8_EXTRACT_LANE_S: extract_lane(s, in, I16X8, 1); return 1;
    case OP_I16X8_EXTRACT_LANE_U: extract_lane(s, in, I16X8, -1); return 1;
    case OP_I32X4_EXTRACT_LANE: extract_lane(s, in, I32X4, 0); return 1;
    case OP_I64X2_EXTRACT_LANE: extract_lane(s, in, I64X2, 0); return 1;
    case OP_F32X4_EXTRACT_LANE: extract_lane(s, in, F32X4, 0); return 1;
    case OP_F64X2_EXTRACT_LANE: extract_lane(s, in, F64X2, 0); return 1;
    case OP_I8X16_REPLACE_LANE: replace_lane(s, in, I8X16); return 1;
    case OP_I16X8_REPLACE_LANE: replace_lane(s, in, I16X8); return 1;
    case OP_I32X4_REPLACE_LANE: replace_lane(s, in, I32X4); return 1;
    case OP_I64X2_REPLACE_LANE: replace_lane(s, in, I64X2); return 1;
    case OP_F32X4_REPLACE_LANE: replace_lane(s, in, F32X4); return 1;
    case OP_F64X2_REPLACE_LANE: replace_lane(s, in, F64X2); return 1;

    case OP_V128_NOT:
        x = pop(s);
        push(s, LLVMBuildNot(s->b, x, ""));
        return 1;
    case OP_V128_AND: int_binop(s, I64X2, LLVMAnd); return 1;
    case OP_V128_OR: int_binop(s, I64X2, LLVMOr); return 1;
    case OP_V128_XOR: int_binop(s, I64X2, LLVMXor); return 1;
    case OP_V128_ANDNOT:
        y = pop(s), x = pop(s);
        push(s, LLVMBuildAnd(s->b, x, LLVMBuildNot(s->b, y, ""), ""));
        return 1;
    case OP_V128_BITSELECT:
        c = pop(s), y = pop(s), x = pop(s);
        push(s, LLVMBuildOr(s->b, LLVMBuildAnd(s->b, x, c, ""),
                            LLVMBuildAnd(s->b, y, LLVMBuildNot(s->b, c, ""), ""), ""));
        return 1;
    case OP_V128_ANY_TRUE:
        x = LLVMBuildBitCast(s->b, pop(s), LLVMIntTypeInContext(s->u->ctx, 128), "");
        x = LLVMBuildICmp(s->b, LLVMIntNE, x, LLVMConstNull(LLVMTypeOf(x)), "");
        push(s, LLVMBuildZExt(s->b, x, s->u->i32, ""));
        return 1;

    case OP_F32X4_DEMOTE_F64X2_ZERO:
        x = LLVMBuildFPTrunc(s->b, pop_as(s, F64X2), LLVMVectorType(s->u->f32, 2), "");
        push_v(s, lanes_of(s, x, LLVMConstNull(LLVMTypeOf(x)), 0, 4));
        return 1;
    case OP_F64X2_PROMOTE_LOW_F32X4:
        x = lanes_of(s, pop_as(s, F32X4), NULL, 0, 2);
        push_v(s, LLVMBuildFPExt(s->b, x, vec_type(s, F64X2), ""));
        return 1;

    case OP_I8X16_ABS: case OP_I16X8_ABS: case OP_I32X4_ABS: case OP_I64X2_ABS:
        int_unary(s, int_family(op), 0);
        return 1;
    case OP_I8X16_NEG: case OP_I16X8_NEG: case OP_I32X4_NEG: case OP_I64X2_NEG:
        int_unary(s, int_family(op), 1);
        return 1;
    case OP_I8X16_POPCNT: int_unary(s, I8X16, 2); return 1;
    case OP_I8X16_ALL_TRUE: case OP_I16X8_ALL_TRUE: case OP_I32X4_ALL_TRUE: case OP_I64X2_ALL_TRUE:
        all_true(s, int_family(op));
        return 1;
    case OP_I8X16_BITMASK: case OP_I16X8_BITMASK: case OP_I32X4_BITMASK: case OP_I64X2_BITMASK:
        bitmask(s, int_family(op));
        return 1;
    case OP_I8X16_NARROW_I16X8_S: narrow(s, I16X8, true); return 1;
    case OP_I8X16_NARROW_I16X8_U: narrow(s, I16X8, false); return 1;
    case OP_I16X8_NARROW_I32X4_S: narrow(s, I32X4, true); return 1;
    case OP_I16X8_NARROW_I32X4_U: narrow(s, I32X4, false); return 1;

    case OP_I16X8_EXTEND_LOW_I8X16_S: extend_half(s, I8X16, false, true); return 1;
    case OP_I16X8_EXTEND_HIGH_I8X16_S: extend_half(s, I8X16, true, true); return 1;
    case OP_I16X8_EXTEND_LOW_I8X16_U: extend_half(s, I8X16, false, false); return 1;
    case OP_I16X8_EXTEND_HIGH_I8X16_U: extend_half(s, I8X16, true, false); return 1;
    case OP_I32X4_EXTEND_LOW_I16X8_S: extend_half(s, I16X8, false, true); return 1;
    case OP_I32X4_EXTEND_HIGH_I16X8_S: extend_half(s, I16X8, true, true); return 1;
    case OP_I32X4_EXTEND_LOW_I16X8_U: extend_half(s, I16X8, false, false); return 1;
    case OP_I32X4_EXTEND_HIGH_I16X8_U: extend_half(s, I16X8, true, false); return 1;
    case OP_I64X2_EXTEND_LOW_I32X4_S: extend_half(s, I32X4, false, true); return 1;
    case OP_I64X2_EXTEND_HIGH_I32X4_S: extend_half(s, I32X4, true, true); return 1;
    case OP_I64X2_EXTEND_LOW_I32X4_U: extend_half(s, I32X4, false, false); return 1;
    case OP_I64X2_EXTEND_HIGH_I32X4_U: extend_half(s, I32X4, true, false); return 1;

    case OP_I16X8_EXTMUL_LOW_I8X16_S: extmul(s, I8X16, false, true); return 1;
    case OP_I16X8_EXTMUL_HIGH_I8X16_S: extmul(s, I8X16, true, true); return 1;
    case OP_I16X8_EXTMUL_LOW_I8X16_U: extmul(s, I8X16, false, false); return 1;
    case OP_I16X8_EXTMUL_HIGH_I8X16_U: extmul(s, I8X16, true, false); return 1;
    case OP_I32X4_EXTMUL_LOW_I16X8_S: extmul(s, I16X8, false, true); return 1;
    case OP_I32X4_EXTMUL_HIGH_I16X8_S: extmul(s, I16X8, true, true); return 1;
    case OP_I32X4_EXTMUL_LOW_I16X8_U: extmul(s, I16X8, false, false); return 1;
    case OP_I32X4_EXTMUL_HIGH_I16X8_U: extmul(s, I16X8, true, false); return 1;
    case OP_I64X2_EXTMUL_LOW_I32X4_S: extmul(s, I32X4, false, true); return 1;
    case OP_I64X2_EXTMUL_HIGH_I32X4_S: extmul(s, I32X4, true, true); return 1;
    case OP_I64X2_EXTMUL_LOW_I32X4_U: extmul(s, I32X4, false, false); return 1;
    case OP_I64X2_EXTMUL_HIGH_I32X4_U: extmul(s, I32X4, true, false); return 1;

    case OP_I16X8_EXTADD_PAIRWISE_I8X16_S: extadd_pairwise(s, I8X16, true); return 1;
    case OP_I16X8_EXTADD_PAIRWISE_I8X16_U: extadd_pairwise(s, I8X16, false); return 1;
    case OP_I32X4_EXTADD_PAIRWISE_I16X8_S: extadd_pairwise(s, I16X8, true); return 1;
    case OP_I32X4_EXTADD_PAIRWISE_I16X8_U: extadd_pairwise(s, I16X8, false); return 1;
    case OP_I16X8_Q15MULR_SAT_S: q15mulr_sat(s); return 1;
    case OP_I32X4_DOT_I16X8_S: dot_i16x8_s(s); return 1;

    case OP_I8X16_SHL: case OP_I16X8_SHL: case OP_I32X4_SHL: case OP_I64X2_SHL:
        shift(s, int_family(op), LLVMShl);
        return 1;
    case OP_I8X16_SHR_S: case OP_I16X8_SHR_S: case OP_I32X4_SHR_S: case OP_I64X2_SHR_S:
        shift(s, int_family(op), LLVMAShr);
        return 1;
    case OP_I8X16_SHR_U: case OP_I16X8_SHR_U: case OP_I32X4_SHR_U: case OP_I64X2_SHR_U:
        shift(s, int_family(op), LLVMLShr);
        return 1;
    case OP_I8X16_ADD: case OP_I16X8_ADD: case OP_I32X4_ADD: case OP_I64X2_ADD:
        int_binop(s, int_family(op), LLVMAdd);
        return 1;
    case OP_I8X16_SUB: case OP_I16X8_SUB: case OP_I32X4_SUB: case OP_I64X2_SUB:
        int_binop(s, int_family(op), LLVMSub);
        return 1;
    case OP_I16X8_MUL: case OP_I32X4_MUL: case OP_I64X2_MUL:
        int_binop(s, int_family(op), LLVMMul);
        return 1;
    case OP_I8X16_ADD_SAT_S: case OP_I16X8_ADD_SAT_S:
        binary_intrinsic(s, int_family(op), "llvm.sadd.sat");
        return 1;
    case OP_I8X16_ADD_SAT_U: case OP_I16X8_ADD_SAT_U:
        binary_intrinsic(s, int_family(op), "llvm.uadd.sat");
        return 1;
    case OP_I8X16_SUB_SAT_S: case OP_I16X8_SUB_SAT_S:
        binary_intrinsic(s, int_family(op), "llvm.ssub.sat");
        return 1;
    case OP_I8X16_SUB_SAT_U: case OP_I16X8_SUB_SAT_U:
        binary_intrinsic(s, int_family(op), "llvm.usub.sat");
        return 1;
    case OP_I8X16_MIN_S: case OP_I16X8_MIN_S: case OP_I32X4_MIN_S:
        binary_intrinsic(s, int_family(op), "llvm.smin");
        return 1;
    case OP_I8X16_MIN_U: case OP_I16X8_MIN_U: case OP_I32X4_MIN_U:
        binary_intrinsic(s, int_family(op), "llvm.umin");
        return 1;
    case OP_I8X16_MAX_S: case OP_I16X8_MAX_S: case OP_I32X4_MAX_S:
        binary_intrinsic(s, int_family(op), "llvm.smax");
        return 1;
    case OP_I8X16_MAX_U: case OP_I16X8_MAX_U: case OP_I32X4_MAX_U:
        binary_intrinsic(s, int_family(op), "llvm.umax");
        return 1;
    case OP_I8X16_AVGR_U: avgr_u(s, I8X16); return 1;
    case OP_I16X8_AVGR_U: avgr_u(s, I16X8); return 1;

    case OP_F32X4_CEIL: float_unary(s, F32X4, "llvm.ceil"); return 1;
    case OP_F32X4_FLOOR: float_unary(s, F32X4, "llvm.floor"); return 1;
    case OP_F32X4_TRUNC: float_unary(s, F32X4, "llvm.trunc"); return 1;
    case OP_F32X4_NEAREST: float_unary(s, F32X4, "llvm.roundeven"); return 1;
    case OP_F64X2_CEIL: float_unary(s, F64X2, "llvm.ceil"); return 1;
    case OP_F64X2_FLOOR: float_unary(s, F64X2, "llvm.floor"); return 1;
    case OP_F64X2_TRUNC: float_unary(s, F64X2, "llvm.trunc"); return 1;
    case OP_F64X2_NEAREST: float_unary(s, F64X2, "llvm.roundeven"); return 1;
    case OP_F32X4_ABS: float_unary(s, F32X4, "llvm.fabs"); return 1;
    case OP_F64X2_ABS: float_unary(s, F64X2, "llvm.fabs"); return 1;
    case OP_F32X4_NEG: float_unary(s, F32X4, NULL); return 1;
    case OP_F64X2_NEG: float_unary(s, F64X2, NULL); return 1;
    case OP_F32X4_SQRT: float_unary(s, F32X4, "llvm.sqrt"); return 1;
    case OP_F64X2_SQRT: float_unary(s, F64X2, "llvm.sqrt"); return 1;
    case OP_F32X4_ADD: float_binop(s, F32X4, LLVMFAdd); return 1;
    case OP_F32X4_SUB: float_binop(s, F32X4, LLVMFSub); return 1;
    case OP_F32X4_MUL: float_binop(s, F32X4, LLVMFMul); return 1;
    case OP_F32X4_DIV: float_binop(s, F32X4, LLVMFDiv); return 1;
    case OP_F64X2_ADD: float_binop(s, F64X2, LLVMFAdd); return 1;
    case OP_F64X2_SUB: float_binop(s, F64X2, LLVMFSub); return 1;
    case OP_F64X2_MUL: float_binop(s, F64X2, LLVMFMul); return 1;
    case OP_F64X2_DIV: float_binop(s, F64X2, LLVMFDiv); return 1;
    case OP_F32X4_MIN: min_max(s, F32X4, "llvm.minimum"); return 1;
    case OP_F32X4_MAX: min_max(s, F32X4, "llvm.maximum"); return 1;
    case OP_F64X2_MIN: min_max(s, F64X2, "llvm.minimum"); return 1;
    case OP_F64X2_MAX: min_max(s, F64X2, "llvm.maximum"); return 1;
    case OP_F32X4_PMIN: pmin_pmax(s, F32X4, false); return 1;
    case OP_F32X4_PMAX: pmin_pmax(s, F32X4, true); return 1;
    case OP_F64X2_PMIN: pmin_pmax(s, F64X2, false); return 1;
    case OP_F64X2_PMAX: pmin_pmax(s, F64X2, true); return 1;

    case OP_I32X4_TRUNC_SAT_F32X4_S: trunc_sat(s, F32X4, true); return 1;
    case OP_I32X4_TRUNC_SAT_F32X4_U: trunc_sat(s, F32X4, false); return 1;
    case OP_I32X4_TRUNC_SAT_F64X2_S_ZERO: trunc_sat(s, F64X2, true); return 1;
    case OP_I32X4_TRUNC_SAT_F64X2_U_ZERO: trunc_sat(s, F64X2, false); return 1;
    case OP_F32X4_CONVERT_I32X4_S: convert_i32x4(s, false, true); return 1;
    case OP_F32X4_CONVERT_I32X4_U: convert_i32x4(s, false, false); return 1;
    case OP_F64X2_CONVERT_LOW_I32X4_S: convert_i32x4(s, true, true); return 1;
    case OP_F64X2_CONVERT_LOW_I32X4_U: convert_i32x4(s, true, false); return 1;
    default: return 0;
    }
}

int lower_simd(fn_state *s, const wasm_insn *in) {
    if (!insn_is_simd(in->op)) return 0;
    return lower_simd_memory(s, in) || lower_simd_ops(s, in);
}
