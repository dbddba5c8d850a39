/*
 * lower_nan.c — --canonicalize-nans: every float instruction that can compute a NaN gives
 * the canonical quiet NaN (positive, payload 1 << 22 or 1 << 51) instead of x86's.
 *
 * wasm lets a NaN result carry any sign and payload (NaN nondeterminism); x86 propagates
 * an input's payload, so a program that stores a NaN or moves its bytes into integer lanes
 * sees different bits than on another engine. With this option the result is
 * select(fcmp uno r r, canonical, r), lane by lane for f32x4/f64x2, after each of these
 * operations — wasmtime's cranelift_nan_canonicalization list: add, sub, mul, div, sqrt,
 * min, max, ceil, floor, trunc, nearest, demote and promote. Conversions from integers never
 * make a NaN; abs, neg, copysign, pmin, pmax, loads, lane moves and reinterpretations move
 * bits exactly, as the spec says, and stay as they are.
 */
#include "lower_internal.h"

enum nan_shape { NAN_NONE, NAN_F32, NAN_F64, NAN_F32X4, NAN_F64X2 };

/* The shape of op's result when op is an arithmetic that can produce a NaN. */
static enum nan_shape nan_result(uint32_t op) {
    switch (op) {
    case OP_F32_ADD: case OP_F32_SUB: case OP_F32_MUL: case OP_F32_DIV: case OP_F32_SQRT:
    case OP_F32_MIN: case OP_F32_MAX: case OP_F32_CEIL: case OP_F32_FLOOR: case OP_F32_TRUNC:
    case OP_F32_NEAREST: case OP_F32_DEMOTE_F64:
        return NAN_F32;
    case OP_F64_ADD: case OP_F64_SUB: case OP_F64_MUL: case OP_F64_DIV: case OP_F64_SQRT:
    case OP_F64_MIN: case OP_F64_MAX: case OP_F64_CEIL: case OP_F64_FLOOR: case OP_F64_TRUNC:
    case OP_F64_NEAREST: case OP_F64_PROMOTE_F32:
        return NAN_F64;
    case OP_F32X4_ADD: case OP_F32X4_SUB: case OP_F32X4_MUL: case OP_F32X4_DIV: case OP_F32X4_SQRT:
    case OP_F32X4_MIN: case OP_F32X4_MAX: case OP_F32X4_CEIL: case OP_F32X4_FLOOR:
    case OP_F32X4_TRUNC: case OP_F32X4_NEAREST: case OP_F32X4_DEMOTE_F64X2_ZERO:
        return NAN_F32X4;
    case OP_F64X2_ADD: case OP_F64X2_SUB: case OP_F64X2_MUL: case OP_F64X2_DIV: case OP_F64X2_SQRT:
    case OP_F64X2_MIN: case OP_F64X2_MAX: case OP_F64X2_CEIL: case OP_F64X2_FLOOR:
    case OP_F64X2_TRUNC: case OP_F64X2_NEAREST: case OP_F64X2_PROMOTE_LOW_F32X4:
        return NAN_F64X2;
    default: return NAN_NONE;
    }
}

void canonicalize_nan(fn_state *s, uint32_t op) {
    enum nan_shape sh = nan_result(op);
    if (sh == NAN_NONE) return;
    lower_unit *u = s->u;
    bool is64 = sh == NAN_F64 || sh == NAN_F64X2;
    unsigned lanes = sh == NAN_F32X4 ? 4 : sh == NAN_F64X2 ? 2 : 1;
    LLVMTypeRef ft = is64 ? u->f64 : u->f32;
    LLVMValueRef bits = is64 ? const_i64(s, 0x7ff8000000000000ull) : const_i32(s, 0x7fc00000u);
    LLVMValueRef canon = LLVMConstBitCast(bits, ft);
    LLVMValueRef r = pop(s);
    if (lanes > 1) {
        LLVMValueRef v[4] = {canon, canon, canon, canon};
        canon = LLVMConstVector(v, lanes);
        r = LLVMBuildBitCast(s->b, r, LLVMVectorType(ft, lanes), "");
    }
    LLVMValueRef is_nan = LLVMBuildFCmp(s->b, LLVMRealUNO, r, r, "");
    r = LLVMBuildSelect(s->b, is_nan, canon, r, "");
    push(s, lanes > 1 ? LLVMBuildBitCast(s->b, r, u->v128, "") : r);
}
