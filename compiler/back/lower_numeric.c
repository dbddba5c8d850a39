/*
 * lower_numeric.c — constants, integer and float arithmetic, comparisons and conversions.
 *
 * Nothing undefined reaches LLVM: divisions are guarded (INT_MIN / -1 traps, INT_MIN % -1
 * is 0), shift counts are masked, trapping float-to-int conversions check NaN and range
 * first, and no fast-math flag is ever set, so NaNs and signed zeros behave as wasm says.
 */
#include "lower_internal.h"

static LLVMValueRef to_i32(fn_state *s, LLVMValueRef cond) {
    return LLVMBuildZExt(s->b, cond, s->u->i32, "");
}

static LLVMTypeRef int_type(fn_state *s, bool is64) { return is64 ? s->u->i64 : s->u->i32; }

static void unary_intrinsic(fn_state *s, const char *name, bool with_false) {
    LLVMValueRef x = pop(s);
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef args[] = {x, LLVMConstInt(LLVMInt1TypeInContext(s->u->ctx), 0, 0)};
    push(s, call_intrinsic(s, name, &t, 1, args, with_false ? 2 : 1));
}

static void binary_intrinsic(fn_state *s, const char *name) {
    LLVMValueRef y = pop(s), x = pop(s);
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef args[] = {x, y};
    push(s, call_intrinsic(s, name, &t, 1, args, 2));
}

static void min_max(fn_state *s, const char *name) {
    LLVMValueRef y = pop(s), x = pop(s);
    push(s, wasm_min_max(s, name, x, y));
}


/* Whether c is the constant ±1.0 (one) or ±0.0 (!one). */
static bool identity_constant(LLVMValueRef c, bool one) {
    if (!LLVMIsAConstantFP(c)) return false;
    LLVMBool lost;
    double d = LLVMConstRealGetDouble(c, &lost);
    return one ? d == 1.0 || d == -1.0 : d == 0.0;
}

/*
 * Float add/sub/mul/div. A NaN result must be quiet, but LLVM folds x-0, x+-0, -0-x, x*1,
 * x/1, x*-1 and x/-1 to x or -x, which passes a signalling NaN through. Such a constant
 * operand goes through an empty asm so the operation stays; compilers never emit these
 * identities on hot paths, so nothing is lost.
 */
static void float_binop(fn_state *s, LLVMOpcode op) {
    LLVMValueRef y = pop(s), x = pop(s);
    bool one = op == LLVMFMul || op == LLVMFDiv;
    if (identity_constant(y, one)) y = opaque_value(s, y);
    if (op != LLVMFDiv && identity_constant(x, one)) x = opaque_value(s, x);
    push(s, LLVMBuildBinOp(s->b, op, x, y, ""));
}

/* f32.demote_f64: LLVM folds demote(promote(x)) to x, which keeps a signalling NaN. */
static void demote(fn_state *s) {
    LLVMValueRef x = pop(s);
    if (LLVMIsAFPExtInst(x)) x = opaque_value(s, x);
    push(s, LLVMBuildFPTrunc(s->b, x, s->u->f32, ""));
}

static void rotate(fn_state *s, const char *name) {
    LLVMValueRef n = pop(s), x = pop(s);
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef args[] = {x, x, n}; /* a funnel shift of x with itself is a rotate */
    push(s, call_intrinsic(s, name, &t, 1, args, 3));
}

static void shift(fn_state *s, LLVMOpcode op) {
    LLVMValueRef n = pop(s), x = pop(s);
    unsigned bits = LLVMGetIntTypeWidth(LLVMTypeOf(x));
    n = LLVMBuildAnd(s->b, n, LLVMConstInt(LLVMTypeOf(x), bits - 1, 0), "");
    push(s, LLVMBuildBinOp(s->b, op, x, n, ""));
}

static void division(fn_state *s, LLVMOpcode op) {
    LLVMValueRef y = pop(s), x = pop(s);
    LLVMTypeRef t = LLVMTypeOf(x);
    unsigned bits = LLVMGetIntTypeWidth(t);
    trap_if(s, LLVMBuildICmp(s->b, LLVMIntEQ, y, LLVMConstNull(t), ""), HWASM_TRAP_INT_DIV_ZERO);
    if (op == LLVMSDiv || op == LLVMSRem) {
        LLVMValueRef minus_one = LLVMConstAllOnes(t);
        LLVMValueRef int_min = LLVMConstInt(t, 1ull << (bits - 1), 0);
        LLVMValueRef y_is_m1 = LLVMBuildICmp(s->b, LLVMIntEQ, y, minus_one, "");
        if (op == LLVMSDiv) {
            LLVMValueRef x_is_min = LLVMBuildICmp(s->b, LLVMIntEQ, x, int_min, "");
            trap_if(s, LLVMBuildAnd(s->b, x_is_min, y_is_m1, ""), HWASM_TRAP_INT_OVERFLOW);
        } else {
            /* x % -1 is 0 for every x; dividing by 1 instead avoids INT_MIN % -1 (UB). */
            y = LLVMBuildSelect(s->b, y_is_m1, LLVMConstInt(t, 1, 0), y, "");
        }
    }
    push(s, LLVMBuildBinOp(s->b, op, x, y, ""));
}

static void int_compare(fn_state *s, LLVMIntPredicate pred) {
    LLVMValueRef y = pop(s), x = pop(s);
    push(s, to_i32(s, LLVMBuildICmp(s->b, pred, x, y, "")));
}

static void float_compare(fn_state *s, LLVMRealPredicate pred) {
    LLVMValueRef y = pop(s), x = pop(s);
    push(s, to_i32(s, LLVMBuildFCmp(s->b, pred, x, y, "")));
}

static void binop(fn_state *s, LLVMOpcode op) {
    LLVMValueRef y = pop(s), x = pop(s);
    push(s, LLVMBuildBinOp(s->b, op, x, y, ""));
}

static void sign_extend_from(fn_state *s, unsigned bits) {
    LLVMValueRef x = pop(s);
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMValueRef narrow = LLVMBuildTrunc(s->b, x, LLVMIntTypeInContext(s->u->ctx, bits), "");
    push(s, LLVMBuildSExt(s->b, narrow, t, ""));
}

/*
 * Trapping float → int. Valid inputs lie strictly between `lo` and `hi` (both exactly
 * representable in the source type, chosen per conversion so the bounds are exact); NaN
 * traps "invalid conversion", anything else outside traps "integer overflow".
 */
static void trunc_trapping(fn_state *s, bool to64, bool is_signed, bool from64) {
    LLVMValueRef x = pop(s);
    LLVMTypeRef ft = from64 ? s->u->f64 : s->u->f32;
    double lo, hi;
    if (is_signed) {
        double min = to64 ? -9223372036854775808.0 : -2147483648.0;
        hi = -min;
        /* lo is the first value below INT_MIN that the source type can represent. */
        lo = !to64 && from64 ? min - 1.0 : from64 ? -9223372036854777856.0
                                               : (to64 ? -9223373136366403584.0 : -2147483904.0);
    } else {
        lo = -1.0;
        hi = to64 ? 18446744073709551616.0 : 4294967296.0;
    }
    trap_if(s, LLVMBuildFCmp(s->b, LLVMRealUNO, x, x, ""), HWASM_TRAP_INVALID_CONVERSION);
    LLVMValueRef too_low = LLVMBuildFCmp(s->b, LLVMRealOLE, x, LLVMConstReal(ft, lo), "");
    LLVMValueRef too_high = LLVMBuildFCmp(s->b, LLVMRealOGE, x, LLVMConstReal(ft, hi), "");
    trap_if(s, LLVMBuildOr(s->b, too_low, too_high, ""), HWASM_TRAP_INT_OVERFLOW);
    LLVMTypeRef it = int_type(s, to64);
    push(s, is_signed ? LLVMBuildFPToSI(s->b, x, it, "") : LLVMBuildFPToUI(s->b, x, it, ""));
}

static void trunc_saturating(fn_state *s, bool to64, bool is_signed) {
    LLVMValueRef x = pop(s);
    LLVMTypeRef types[] = {int_type(s, to64), LLVMTypeOf(x)};
    push(s, call_intrinsic(s, is_signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat", types, 2, &x, 1));
}

static void convert(fn_state *s, LLVMOpcode op, LLVMTypeRef to) {
    push(s, LLVMBuildCast(s->b, op, pop(s), to, ""));
}

static uint32_t sat_index(uint32_t op) { return op - OP_I32_TRUNC_SAT_F32_S; }

int lower_numeric(fn_state *s, const wasm_insn *in) {
    lower_unit *u = s->u;
    switch (in->op) {
    case OP_I32_CONST: push(s, const_i32(s, (uint32_t)in->imm.i32)); return 1;
    case OP_I64_CONST: push(s, const_i64(s, (uint64_t)in->imm.i64)); return 1;
    case OP_F32_CONST:
        push(s, LLVMBuildBitCast(s->b, const_i32(s, in->imm.f32_bits), u->f32, ""));
        return 1;
    case OP_F64_CONST:
        push(s, LLVMBuildBitCast(s->b, const_i64(s, in->imm.f64_bits), u->f64, ""));
        return 1;

    case OP_I32_EQZ: case OP_I64_EQZ: {
        LLVMValueRef x = pop(s);
        push(s, to_i32(s, LLVMBuildICmp(s->b, LLVMIntEQ, x, LLVMConstNull(LLVMTypeOf(x)), "")));
        return 1;
    }
    case OP_I32_EQ: case OP_I64_EQ: int_compare(s, LLVMIntEQ); return 1;
    case OP_I32_NE: case OP_I64_NE: int_compare(s, LLVMIntNE); return 1;
    case OP_I32_LT_S: case OP_I64_LT_S: int_compare(s, LLVMIntSLT); return 1;
    case OP_I32_LT_U: case OP_I64_LT_U: int_compare(s, LLVMIntULT); return 1;
    case OP_I32_GT_S: case OP_I64_GT_S: int_compare(s, LLVMIntSGT); return 1;
    case OP_I32_GT_U: case OP_I64_GT_U: int_compare(s, LLVMIntUGT); return 1;
    case OP_I32_LE_S: case OP_I64_LE_S: int_compare(s, LLVMIntSLE); return 1;
    case OP_I32_LE_U: case OP_I64_LE_U: int_compare(s, LLVMIntULE); return 1;
    case OP_I32_GE_S: case OP_I64_GE_S: int_compare(s, LLVMIntSGE); return 1;
    case OP_I32_GE_U: case OP_I64_GE_U: int_compare(s, LLVMIntUGE); return 1;

    case OP_F32_EQ: case OP_F64_EQ: float_compare(s, LLVMRealOEQ); return 1;
    case OP_F32_NE: case OP_F64_NE: float_compare(s, LLVMRealUNE); return 1;
    case OP_F32_LT: case OP_F64_LT: float_compare(s, LLVMRealOLT); return 1;
    case OP_F32_GT: case OP_F64_GT: float_compare(s, LLVMRealOGT); return 1;
    case OP_F32_LE: case OP_F64_LE: float_compare(s, LLVMRealOLE); return 1;
    case OP_F32_GE: case OP_F64_GE: float_compare(s, LLVMRealOGE); return 1;

    case OP_I32_CLZ: case OP_I64_CLZ: unary_intrinsic(s, "llvm.ctlz", true); return 1;
    case OP_I32_CTZ: case OP_I64_CTZ: unary_intrinsic(s, "llvm.cttz", true); return 1;
    case OP_I32_POPCNT: case OP_I64_POPCNT: unary_intrinsic(s, "llvm.ctpop", false); return 1;
    case OP_I32_ADD: case OP_I64_ADD: binop(s, LLVMAdd); return 1;
    case OP_I32_SUB: case OP_I64_SUB: binop(s, LLVMSub); return 1;
    case OP_I32_MUL: case OP_I64_MUL: binop(s, LLVMMul); return 1;
    case OP_I32_DIV_S: case OP_I64_DIV_S: division(s, LLVMSDiv); return 1;
    case OP_I32_DIV_U: case OP_I64_DIV_U: division(s, LLVMUDiv); return 1;
    case OP_I32_REM_S: case OP_I64_REM_S: division(s, LLVMSRem); return 1;
    case OP_I32_REM_U: case OP_I64_REM_U: division(s, LLVMURem); return 1;
    case OP_I32_AND: case OP_I64_AND: binop(s, LLVMAnd); return 1;
    case OP_I32_OR: case OP_I64_OR: binop(s, LLVMOr); return 1;
    case OP_I32_XOR: case OP_I64_XOR: binop(s, LLVMXor); return 1;
    case OP_I32_SHL: case OP_I64_SHL: shift(s, LLVMShl); return 1;
    case OP_I32_SHR_S: case OP_I64_SHR_S: shift(s, LLVMAShr); return 1;
    case OP_I32_SHR_U: case OP_I64_SHR_U: shift(s, LLVMLShr); return 1;
    case OP_I32_ROTL: case OP_I64_ROTL: rotate(s, "llvm.fshl"); return 1;
    case OP_I32_ROTR: case OP_I64_ROTR: rotate(s, "llvm.fshr"); return 1;

    case OP_F32_ABS: case OP_F64_ABS: unary_intrinsic(s, "llvm.fabs", false); return 1;
    case OP_F32_NEG: case OP_F64_NEG: push(s, LLVMBuildFNeg(s->b, pop(s), "")); return 1;
    case OP_F32_CEIL: case OP_F64_CEIL: unary_intrinsic(s, "llvm.ceil", false); return 1;
    case OP_F32_FLOOR: case OP_F64_FLOOR: unary_intrinsic(s, "llvm.floor", false); return 1;
    case OP_F32_TRUNC: case OP_F64_TRUNC: unary_intrinsic(s, "llvm.trunc", false); return 1;
    case OP_F32_NEAREST: case OP_F64_NEAREST: unary_intrinsic(s, "llvm.roundeven", false); return 1;
    case OP_F32_SQRT: case OP_F64_SQRT: unary_intrinsic(s, "llvm.sqrt", false); return 1;
    case OP_F32_ADD: case OP_F64_ADD: float_binop(s, LLVMFAdd); return 1;
    case OP_F32_SUB: case OP_F64_SUB: float_binop(s, LLVMFSub); return 1;
    case OP_F32_MUL: case OP_F64_MUL: float_binop(s, LLVMFMul); return 1;
    case OP_F32_DIV: case OP_F64_DIV: float_binop(s, LLVMFDiv); return 1;
    case OP_F32_MIN: case OP_F64_MIN: min_max(s, "llvm.minimum"); return 1;
    case OP_F32_MAX: case OP_F64_MAX: min_max(s, "llvm.maximum"); return 1;
    case OP_F32_COPYSIGN: case OP_F64_COPYSIGN: binary_intrinsic(s, "llvm.copysign"); return 1;

    case OP_I32_WRAP_I64: convert(s, LLVMTrunc, u->i32); return 1;
    case OP_I32_TRUNC_F32_S: trunc_trapping(s, false, true, false); return 1;
    case OP_I32_TRUNC_F32_U: trunc_trapping(s, false, false, false); return 1;
    case OP_I32_TRUNC_F64_S: trunc_trapping(s, false, true, true); return 1;
    case OP_I32_TRUNC_F64_U: trunc_trapping(s, false, false, true); return 1;
    case OP_I64_EXTEND_I32_S: convert(s, LLVMSExt, u->i64); return 1;
    case OP_I64_EXTEND_I32_U: convert(s, LLVMZExt, u->i64); return 1;
    case OP_I64_TRUNC_F32_S: trunc_trapping(s, true, true, false); return 1;
    case OP_I64_TRUNC_F32_U: trunc_trapping(s, true, false, false); return 1;
    case OP_I64_TRUNC_F64_S: trunc_trapping(s, true, true, true); return 1;
    case OP_I64_TRUNC_F64_U: trunc_trapping(s, true, false, true); return 1;
    case OP_F32_CONVERT_I32_S: case OP_F32_CONVERT_I64_S: convert(s, LLVMSIToFP, u->f32); return 1;
    case OP_F32_CONVERT_I32_U: case OP_F32_CONVERT_I64_U: convert(s, LLVMUIToFP, u->f32); return 1;
    case OP_F32_DEMOTE_F64: demote(s); return 1;
    case OP_F64_CONVERT_I32_S: case OP_F64_CONVERT_I64_S: convert(s, LLVMSIToFP, u->f64); return 1;
    case OP_F64_CONVERT_I32_U: case OP_F64_CONVERT_I64_U: convert(s, LLVMUIToFP, u->f64); return 1;
    case OP_F64_PROMOTE_F32: convert(s, LLVMFPExt, u->f64); return 1;
    case OP_I32_REINTERPRET_F32: convert(s, LLVMBitCast, u->i32); return 1;
    case OP_I64_REINTERPRET_F64: convert(s, LLVMBitCast, u->i64); return 1;
    case OP_F32_REINTERPRET_I32: convert(s, LLVMBitCast, u->f32); return 1;
    case OP_F64_REINTERPRET_I64: convert(s, LLVMBitCast, u->f64); return 1;
    case OP_I32_EXTEND8_S: case OP_I64_EXTEND8_S: sign_extend_from(s, 8); return 1;
    case OP_I32_EXTEND16_S: case OP_I64_EXTEND16_S: sign_extend_from(s, 16); return 1;
    case OP_I64_EXTEND32_S: sign_extend_from(s, 32); return 1;

    case OP_I32_TRUNC_SAT_F32_S: case OP_I32_TRUNC_SAT_F32_U: case OP_I32_TRUNC_SAT_F64_S:
    case OP_I32_TRUNC_SAT_F64_U: case OP_I64_TRUNC_SAT_F32_S: case OP_I64_TRUNC_SAT_F32_U:
    case OP_I64_TRUNC_SAT_F64_S: case OP_I64_TRUNC_SAT_F64_U: {
        uint32_t k = sat_index(in->op); /* bit 2: to i64; bit 0: unsigned */
        trunc_saturating(s, k & 4, !(k & 1));
        return 1;
    }
    default: return 0;
    }
}
