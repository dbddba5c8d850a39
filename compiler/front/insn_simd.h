/*
 * insn_simd.h — the fixed-width SIMD instructions of WebAssembly 2.0 (the 0xFD prefix), as
 * one table the instruction reader (insn.c), the validator and the lowering all read.
 *
 * X(name, opcode, immediate shape, mnemonic, result, operand 1, operand 2, operand 3, log2)
 * opcode is 0xfd00 | sub-opcode. The types are V (v128), I (i32), L (i64), F (f32), D (f64)
 * or 0 (none); operands are listed bottom of the stack first, and the validator checks
 * exactly these, so the table is the typing rule. log2 is the size in bytes (log2) of the
 * memory access for loads and stores (their natural alignment, and for the _lane forms
 * also the lane size) and of the lane for extract_lane/replace_lane; 16 >> log2 is the
 * number of lanes a lane index must stay below.
 */
#ifndef HWASMC_INSN_SIMD_H
#define HWASMC_INSN_SIMD_H

#include <hwasm/hwasm_module.h>

#define SIMD_TYPE_V HWASM_V128
#define SIMD_TYPE_I HWASM_I32
#define SIMD_TYPE_L HWASM_I64
#define SIMD_TYPE_F HWASM_F32
#define SIMD_TYPE_D HWASM_F64
#define SIMD_TYPE_0 0

#define WASM_SIMD_OPCODES(X) \
    X(V128_LOAD, 0xfd00, IMM_MEMARG, "v128.load", V, I, 0, 0, 4) \
    X(V128_LOAD8X8_S, 0xfd01, IMM_MEMARG, "v128.load8x8_s", V, I, 0, 0, 3) \
    X(V128_LOAD8X8_U, 0xfd02, IMM_MEMARG, "v128.load8x8_u", V, I, 0, 0, 3) \
    X(V128_LOAD16X4_S, 0xfd03, IMM_MEMARG, "v128.load16x4_s", V, I, 0, 0, 3) \
    X(V128_LOAD16X4_U, 0xfd04, IMM_MEMARG, "v128.load16x4_u", V, I, 0, 0, 3) \
    X(V128_LOAD32X2_S, 0xfd05, IMM_MEMARG, "v128.load32x2_s", V, I, 0, 0, 3) \
    X(V128_LOAD32X2_U, 0xfd06, IMM_MEMARG, "v128.load32x2_u", V, I, 0, 0, 3) \
    X(V128_LOAD8_SPLAT, 0xfd07, IMM_MEMARG, "v128.load8_splat", V, I, 0, 0, 0) \
    X(V128_LOAD16_SPLAT, 0xfd08, IMM_MEMARG, "v128.load16_splat", V, I, 0, 0, 1) \
    X(V128_LOAD32_SPLAT, 0xfd09, IMM_MEMARG, "v128.load32_splat", V, I, 0, 0, 2) \
    X(V128_LOAD64_SPLAT, 0xfd0a, IMM_MEMARG, "v128.load64_splat", V, I, 0, 0, 3) \
    X(V128_STORE, 0xfd0b, IMM_MEMARG, "v128.store", 0, I, V, 0, 4) \
    X(V128_CONST, 0xfd0c, IMM_V128, "v128.const", V, 0, 0, 0, 0) \
    X(I8X16_SHUFFLE, 0xfd0d, IMM_SHUFFLE, "i8x16.shuffle", V, V, V, 0, 0) \
    X(I8X16_SWIZZLE, 0xfd0e, IMM_NONE, "i8x16.swizzle", V, V, V, 0, 0) \
    X(I8X16_SPLAT, 0xfd0f, IMM_NONE, "i8x16.splat", V, I, 0, 0, 0) \
    X(I16X8_SPLAT, 0xfd10, IMM_NONE, "i16x8.splat", V, I, 0, 0, 0) \
    X(I32X4_SPLAT, 0xfd11, IMM_NONE, "i32x4.splat", V, I, 0, 0, 0) \
    X(I64X2_SPLAT, 0xfd12, IMM_NONE, "i64x2.splat", V, L, 0, 0, 0) \
    X(F32X4_SPLAT, 0xfd13, IMM_NONE, "f32x4.splat", V, F, 0, 0, 0) \
    X(F64X2_SPLAT, 0xfd14, IMM_NONE, "f64x2.splat", V, D, 0, 0, 0) \
    X(I8X16_EXTRACT_LANE_S, 0xfd15, IMM_LANE, "i8x16.extract_lane_s", I, V, 0, 0, 0) \
    X(I8X16_EXTRACT_LANE_U, 0xfd16, IMM_LANE, "i8x16.extract_lane_u", I, V, 0, 0, 0) \
    X(I8X16_REPLACE_LANE, 0xfd17, IMM_LANE, "i8x16.replace_lane", V, V, I, 0, 0) \
    X(I16X8_EXTRACT_LANE_S, 0xfd18, IMM_LANE, "i16x8.extract_lane_s", I, V, 0, 0, 1) \
    X(I16X8_EXTRACT_LANE_U, 0xfd19, IMM_LANE, "i16x8.extract_lane_u", I, V, 0, 0, 1) \
    X(I16X8_REPLACE_LANE, 0xfd1a, IMM_LANE, "i16x8.replace_lane", V, V, I, 0, 1) \
    X(I32X4_EXTRACT_LANE, 0xfd1b, IMM_LANE, "i32x4.extract_lane", I, V, 0, 0, 2) \
    X(I32X4_REPLACE_LANE, 0xfd1c, IMM_LANE, "i32x4.replace_lane", V, V, I, 0, 2) \
    X(I64X2_EXTRACT_LANE, 0xfd1d, IMM_LANE, "i64x2.extract_lane", L, V, 0, 0, 3) \
    X(I64X2_REPLACE_LANE, 0xfd1e, IMM_LANE, "i64x2.replace_lane", V, V, L, 0, 3) \
    X(F32X4_EXTRACT_LANE, 0xfd1f, IMM_LANE, "f32x4.extract_lane", F, V, 0, 0, 2) \
    X(F32X4_REPLACE_LANE, 0xfd20, IMM_LANE, "f32x4.replace_lane", V, V, F, 0, 2) \
    X(F64X2_EXTRACT_LANE, 0xfd21, IMM_LANE, "f64x2.extract_lane", D, V, 0, 0, 3) \
    X(F64X2_REPLACE_LANE, 0xfd22, IMM_LANE, "f64x2.replace_lane", V, V, D, 0, 3) \
    X(I8X16_EQ, 0xfd23, IMM_NONE, "i8x16.eq", V, V, V, 0, 0) \
    X(I8X16_NE, 0xfd24, IMM_NONE, "i8x16.ne", V, V, V, 0, 0) \
    X(I8X16_LT_S, 0xfd25, IMM_NONE, "i8x16.lt_s", V, V, V, 0, 0) \
    X(I8X16_LT_U, 0xfd26, IMM_NONE, "i8x16.lt_u", V, V, V, 0, 0) \
    X(I8X16_GT_S, 0xfd27, IMM_NONE, "i8x16.gt_s", V, V, V, 0, 0) \
    X(I8X16_GT_U, 0xfd28, IMM_NONE, "i8x16.gt_u", V, V, V, 0, 0) \
    X(I8X16_LE_S, 0xfd29, IMM_NONE, "i8x16.le_s", V, V, V, 0, 0) \
    X(I8X16_LE_U, 0xfd2a, IMM_NONE, "i8x16.le_u", V, V, V, 0, 0) \
    X(I8X16_GE_S, 0xfd2b, IMM_NONE, "i8x16.ge_s", V, V, V, 0, 0) \
    X(I8X16_GE_U, 0xfd2c, IMM_NONE, "i8x16.ge_u", V, V, V, 0, 0) \
    X(I16X8_EQ, 0xfd2d, IMM_NONE, "i16x8.eq", V, V, V, 0, 0) \
    X(I16X8_NE, 0xfd2e, IMM_NONE, "i16x8.ne", V, V, V, 0, 0) \
    X(I16X8_LT_S, 0xfd2f, IMM_NONE, "i16x8.lt_s", V, V, V, 0, 0) \
    X(I16X8_LT_U, 0xfd30, IMM_NONE, "i16x8.lt_u", V, V, V, 0, 0) \
    X(I16X8_GT_S, 0xfd31, IMM_NONE, "i16x8.gt_s", V, V, V, 0, 0) \
    X(I16X8_GT_U, 0xfd32, IMM_NONE, "i16x8.gt_u", V, V, V, 0, 0) \
    X(I16X8_LE_S, 0xfd33, IMM_NONE, "i16x8.le_s", V, V, V, 0, 0) \
    X(I16X8_LE_U, 0xfd34, IMM_NONE, "i16x8.le_u", V, V, V, 0, 0) \
    X(I16X8_GE_S, 0xfd35, IMM_NONE, "i16x8.ge_s", V, V, V, 0, 0) \
    X(I16X8_GE_U, 0xfd36, IMM_NONE, "i16x8.ge_u", V, V, V, 0, 0) \
    X(I32X4_EQ, 0xfd37, IMM_NONE, "i32x4.eq", V, V, V, 0, 0) \
    X(I32X4_NE, 0xfd38, IMM_NONE, "i32x4.ne", V, V, V, 0, 0) \
    X(I32X4_LT_S, 0xfd39, IMM_NONE, "i32x4.lt_s", V, V, V, 0, 0) \
    X(I32X4_LT_U, 0xfd3a, IMM_NONE, "i32x4.lt_u", V, V, V, 0, 0) \
    X(I32X4_GT_S, 0xfd3b, IMM_NONE, "i32x4.gt_s", V, V, V, 0, 0) \
    X(I32X4_GT_U, 0xfd3c, IMM_NONE, "i32x4.gt_u", V, V, V, 0, 0) \
    X(I32X4_LE_S, 0xfd3d, IMM_NONE, "i32x4.le_s", V, V, V, 0, 0) \
    X(I32X4_LE_U, 0xfd3e, IMM_NONE, "i32x4.le_u", V, V, V, 0, 0) \
    X(I32X4_GE_S, 0xfd3f, IMM_NONE, "i32x4.ge_s", V, V, V, 0, 0) \
    X(I32X4_GE_U, 0xfd40, IMM_NONE, "i32x4.ge_u", V, V, V, 0, 0) \
    X(F32X4_EQ, 0xfd41, IMM_NONE, "f32x4.eq", V, V, V, 0, 0) \
    X(F32X4_NE, 0xfd42, IMM_NONE, "f32x4.ne", V, V, V, 0, 0) \
    X(F32X4_LT, 0xfd43, IMM_NONE, "f32x4.lt", V, V, V, 0, 0) \
    X(F32X4_GT, 0xfd44, IMM_NONE, "f32x4.gt", V, V, V, 0, 0) \
    X(F32X4_LE, 0xfd45, IMM_NONE, "f32x4.le", V, V, V, 0, 0) \
    X(F32X4_GE, 0xfd46, IMM_NONE, "f32x4.ge", V, V, V, 0, 0) \
    X(F64X2_EQ, 0xfd47, IMM_NONE, "f64x2.eq", V, V, V, 0, 0) \
    X(F64X2_NE, 0xfd48, IMM_NONE, "f64x2.ne", V, V, V, 0, 0) \
    X(F64X2_LT, 0xfd49, IMM_NONE, "f64x2.lt", V, V, V, 0, 0) \
    X(F64X2_GT, 0xfd4a, IMM_NONE, "f64x2.gt", V, V, V, 0, 0) \
    X(F64X2_LE, 0xfd4b, IMM_NONE, "f64x2.le", V, V, V, 0, 0) \
    X(F64X2_GE, 0xfd4c, IMM_NONE, "f64x2.ge", V, V, V, 0, 0) \
    X(V128_NOT, 0xfd4d, IMM_NONE, "v128.not", V, V, 0, 0, 0) \
    X(V128_AND, 0xfd4e, IMM_NONE, "v128.and", V, V, V, 0, 0) \
    X(V128_ANDNOT, 0xfd4f, IMM_NONE, "v128.andnot", V, V, V, 0, 0) \
    X(V128_OR, 0xfd50, IMM_NONE, "v128.or", V, V, V, 0, 0) \
    X(V128_XOR, 0xfd51, IMM_NONE, "v128.xor", V, V, V, 0, 0) \
    X(V128_BITSELECT, 0xfd52, IMM_NONE, "v128.bitselect", V, V, V, V, 0) \
    X(V128_ANY_TRUE, 0xfd53, IMM_NONE, "v128.any_true", I, V, 0, 0, 0) \
    X(V128_LOAD8_LANE, 0xfd54, IMM_MEMARG_LANE, "v128.load8_lane", V, I, V, 0, 0) \
    X(V128_LOAD16_LANE, 0xfd55, IMM_MEMARG_LANE, "v128.load16_lane", V, I, V, 0, 1) \
    X(V128_LOAD32_LANE, 0xfd56, IMM_MEMARG_LANE, "v128.load32_lane", V, I, V, 0, 2) \
    X(V128_LOAD64_LANE, 0xfd57, IMM_MEMARG_LANE, "v128.load64_lane", V, I, V, 0, 3) \
    X(V128_STORE8_LANE, 0xfd58, IMM_MEMARG_LANE, "v128.store8_lane", 0, I, V, 0, 0) \
    X(V128_STORE16_LANE, 0xfd59, IMM_MEMARG_LANE, "v128.store16_lane", 0, I, V, 0, 1) \
    X(V128_STORE32_LANE, 0xfd5a, IMM_MEMARG_LANE, "v128.store32_lane", 0, I, V, 0, 2) \
    X(V128_STORE64_LANE, 0xfd5b, IMM_MEMARG_LANE, "v128.store64_lane", 0, I, V, 0, 3) \
    X(V128_LOAD32_ZERO, 0xfd5c, IMM_MEMARG, "v128.load32_zero", V, I, 0, 0, 2) \
    X(V128_LOAD64_ZERO, 0xfd5d, IMM_MEMARG, "v128.load64_zero", V, I, 0, 0, 3) \
    X(F32X4_DEMOTE_F64X2_ZERO, 0xfd5e, IMM_NONE, "f32x4.demote_f64x2_zero", V, V, 0, 0, 0) \
    X(F64X2_PROMOTE_LOW_F32X4, 0xfd5f, IMM_NONE, "f64x2.promote_low_f32x4", V, V, 0, 0, 0) \
    X(I8X16_ABS, 0xfd60, IMM_NONE, "i8x16.abs", V, V, 0, 0, 0) \
    X(I8X16_NEG, 0xfd61, IMM_NONE, "i8x16.neg", V, V, 0, 0, 0) \
    X(I8X16_POPCNT, 0xfd62, IMM_NONE, "i8x16.popcnt", V, V, 0, 0, 0) \
    X(I8X16_ALL_TRUE, 0xfd63, IMM_NONE, "i8x16.all_true", I, V, 0, 0, 0) \
    X(I8X16_BITMASK, 0xfd64, IMM_NONE, "i8x16.bitmask", I, V, 0, 0, 0) \
    X(I8X16_NARROW_I16X8_S, 0xfd65, IMM_NONE, "i8x16.narrow_i16x8_s", V, V, V, 0, 0) \
    X(I8X16_NARROW_I16X8_U, 0xfd66, IMM_NONE, "i8x16.narrow_i16x8_u", V, V, V, 0, 0) \
    X(F32X4_CEIL, 0xfd67, IMM_NONE, "f32x4.ceil", V, V, 0, 0, 0) \
    X(F32X4_FLOOR, 0xfd68, IMM_NONE, "f32x4.floor", V, V, 0, 0, 0) \
    X(F32X4_TRUNC, 0xfd69, IMM_NONE, "f32x4.trunc", V, V, 0, 0, 0) \
    X(F32X4_NEAREST, 0xfd6a, IMM_NONE, "f32x4.nearest", V, V, 0, 0, 0) \
    X(I8X16_SHL, 0xfd6b, IMM_NONE, "i8x16.shl", V, V, I, 0, 0) \
    X(I8X16_SHR_S, 0xfd6c, IMM_NONE, "i8x16.shr_s", V, V, I, 0, 0) \
    X(I8X16_SHR_U, 0xfd6d, IMM_NONE, "i8x16.shr_u", V, V, I, 0, 0) \
    X(I8X16_ADD, 0xfd6e, IMM_NONE, "i8x16.add", V, V, V, 0, 0) \
    X(I8X16_ADD_SAT_S, 0xfd6f, IMM_NONE, "i8x16.add_sat_s", V, V, V, 0, 0) \
    X(I8X16_ADD_SAT_U, 0xfd70, IMM_NONE, "i8x16.add_sat_u", V, V, V, 0, 0) \
    X(I8X16_SUB, 0xfd71, IMM_NONE, "i8x16.sub", V, V, V, 0, 0) \
    X(I8X16_SUB_SAT_S, 0xfd72, IMM_NONE, "i8x16.sub_sat_s", V, V, V, 0, 0) \
    X(I8X16_SUB_SAT_U, 0xfd73, IMM_NONE, "i8x16.sub_sat_u", V, V, V, 0, 0) \
    X(F64X2_CEIL, 0xfd74, IMM_NONE, "f64x2.ceil", V, V, 0, 0, 0) \
    X(F64X2_FLOOR, 0xfd75, IMM_NONE, "f64x2.floor", V, V, 0, 0, 0) \
    X(I8X16_MIN_S, 0xfd76, IMM_NONE, "i8x16.min_s", V, V, V, 0, 0) \
    X(I8X16_MIN_U, 0xfd77, IMM_NONE, "i8x16.min_u", V, V, V, 0, 0) \
    X(I8X16_MAX_S, 0xfd78, IMM_NONE, "i8x16.max_s", V, V, V, 0, 0) \
    X(I8X16_MAX_U, 0xfd79, IMM_NONE, "i8x16.max_u", V, V, V, 0, 0) \
    X(F64X2_TRUNC, 0xfd7a, IMM_NONE, "f64x2.trunc", V, V, 0, 0, 0) \
    X(I8X16_AVGR_U, 0xfd7b, IMM_NONE, "i8x16.avgr_u", V, V, V, 0, 0) \
    X(I16X8_EXTADD_PAIRWISE_I8X16_S, 0xfd7c, IMM_NONE, "i16x8.extadd_pairwise_i8x16_s", V, V, 0, 0, 0) \
    X(I16X8_EXTADD_PAIRWISE_I8X16_U, 0xfd7d, IMM_NONE, "i16x8.extadd_pairwise_i8x16_u", V, V, 0, 0, 0) \
    X(I32X4_EXTADD_PAIRWISE_I16X8_S, 0xfd7e, IMM_NONE, "i32x4.extadd_pairwise_i16x8_s", V, V, 0, 0, 0) \
    X(I32X4_EXTADD_PAIRWISE_I16X8_U, 0xfd7f, IMM_NONE, "i32x4.extadd_pairwise_i16x8_u", V, V, 0, 0, 0) \
    X(I16X8_ABS, 0xfd80, IMM_NONE, "i16x8.abs", V, V, 0, 0, 0) \
    X(I16X8_NEG, 0xfd81, IMM_NONE, "i16x8.neg", V, V, 0, 0, 0) \
    X(I16X8_Q15MULR_SAT_S, 0xfd82, IMM_NONE, "i16x8.q15mulr_sat_s", V, V, V, 0, 0) \
    X(I16X8_ALL_TRUE, 0xfd83, IMM_NONE, "i16x8.all_true", I, V, 0, 0, 0) \
    X(I16X8_BITMASK, 0xfd84, IMM_NONE, "i16x8.bitmask", I, V, 0, 0, 0) \
    X(I16X8_NARROW_I32X4_S, 0xfd85, IMM_NONE, "i16x8.narrow_i32x4_s", V, V, V, 0, 0) \
    X(I16X8_NARROW_I32X4_U, 0xfd86, IMM_NONE, "i16x8.narrow_i32x4_u", V, V, V, 0, 0) \
    X(I16X8_EXTEND_LOW_I8X16_S, 0xfd87, IMM_NONE, "i16x8.extend_low_i8x16_s", V, V, 0, 0, 0) \
    X(I16X8_EXTEND_HIGH_I8X16_S, 0xfd88, IMM_NONE, "i16x8.extend_high_i8x16_s", V, V, 0, 0, 0) \
    X(I16X8_EXTEND_LOW_I8X16_U, 0xfd89, IMM_NONE, "i16x8.extend_low_i8x16_u", V, V, 0, 0, 0) \
    X(I16X8_EXTEND_HIGH_I8X16_U, 0xfd8a, IMM_NONE, "i16x8.extend_high_i8x16_u", V, V, 0, 0, 0) \
    X(I16X8_SHL, 0xfd8b, IMM_NONE, "i16x8.shl", V, V, I, 0, 0) \
    X(I16X8_SHR_S, 0xfd8c, IMM_NONE, "i16x8.shr_s", V, V, I, 0, 0) \
    X(I16X8_SHR_U, 0xfd8d, IMM_NONE, "i16x8.shr_u", V, V, I, 0, 0) \
    X(I16X8_ADD, 0xfd8e, IMM_NONE, "i16x8.add", V, V, V, 0, 0) \
    X(I16X8_ADD_SAT_S, 0xfd8f, IMM_NONE, "i16x8.add_sat_s", V, V, V, 0, 0) \
    X(I16X8_ADD_SAT_U, 0xfd90, IMM_NONE, "i16x8.add_sat_u", V, V, V, 0, 0) \
    X(I16X8_SUB, 0xfd91, IMM_NONE, "i16x8.sub", V, V, V, 0, 0) \
    X(I16X8_SUB_SAT_S, 0xfd92, IMM_NONE, "i16x8.sub_sat_s", V, V, V, 0, 0) \
    X(I16X8_SUB_SAT_U, 0xfd93, IMM_NONE, "i16x8.sub_sat_u", V, V, V, 0, 0) \
    X(F64X2_NEAREST, 0xfd94, IMM_NONE, "f64x2.nearest", V, V, 0, 0, 0) \
    X(I16X8_MUL, 0xfd95, IMM_NONE, "i16x8.mul", V, V, V, 0, 0) \
    X(I16X8_MIN_S, 0xfd96, IMM_NONE, "i16x8.min_s", V, V, V, 0, 0) \
    X(I16X8_MIN_U, 0xfd97, IMM_NONE, "i16x8.min_u", V, V, V, 0, 0) \
    X(I16X8_MAX_S, 0xfd98, IMM_NONE, "i16x8.max_s", V, V, V, 0, 0) \
    X(I16X8_MAX_U, 0xfd99, IMM_NONE, "i16x8.max_u", V, V, V, 0, 0) \
    X(I16X8_AVGR_U, 0xfd9b, IMM_NONE, "i16x8.avgr_u", V, V, V, 0, 0) \
    X(I16X8_EXTMUL_LOW_I8X16_S, 0xfd9c, IMM_NONE, "i16x8.extmul_low_i8x16_s", V, V, V, 0, 0) \
    X(I16X8_EXTMUL_HIGH_I8X16_S, 0xfd9d, IMM_NONE, "i16x8.extmul_high_i8x16_s", V, V, V, 0, 0) \
    X(I16X8_EXTMUL_LOW_I8X16_U, 0xfd9e, IMM_NONE, "i16x8.extmul_low_i8x16_u", V, V, V, 0, 0) \
    X(I16X8_EXTMUL_HIGH_I8X16_U, 0xfd9f, IMM_NONE, "i16x8.extmul_high_i8x16_u", V, V, V, 0, 0) \
    X(I32X4_ABS, 0xfda0, IMM_NONE, "i32x4.abs", V, V, 0, 0, 0) \
    X(I32X4_NEG, 0xfda1, IMM_NONE, "i32x4.neg", V, V, 0, 0, 0) \
    X(I32X4_ALL_TRUE, 0xfda3, IMM_NONE, "i32x4.all_true", I, V, 0, 0, 0) \
    X(I32X4_BITMASK, 0xfda4, IMM_NONE, "i32x4.bitmask", I, V, 0, 0, 0) \
    X(I32X4_EXTEND_LOW_I16X8_S, 0xfda7, IMM_NONE, "i32x4.extend_low_i16x8_s", V, V, 0, 0, 0) \
    X(I32X4_EXTEND_HIGH_I16X8_S, 0xfda8, IMM_NONE, "i32x4.extend_high_i16x8_s", V, V, 0, 0, 0) \
    X(I32X4_EXTEND_LOW_I16X8_U, 0xfda9, IMM_NONE, "i32x4.extend_low_i16x8_u", V, V, 0, 0, 0) \
    X(I32X4_EXTEND_HIGH_I16X8_U, 0xfdaa, IMM_NONE, "i32x4.extend_high_i16x8_u", V, V, 0, 0, 0) \
    X(I32X4_SHL, 0xfdab, IMM_NONE, "i32x4.shl", V, V, I, 0, 0) \
    X(I32X4_SHR_S, 0xfdac, IMM_NONE, "i32x4.shr_s", V, V, I, 0, 0) \
    X(I32X4_SHR_U, 0xfdad, IMM_NONE, "i32x4.shr_u", V, V, I, 0, 0) \
    X(I32X4_ADD, 0xfdae, IMM_NONE, "i32x4.add", V, V, V, 0, 0) \
    X(I32X4_SUB, 0xfdb1, IMM_NONE, "i32x4.sub", V, V, V, 0, 0) \
    X(I32X4_MUL, 0xfdb5, IMM_NONE, "i32x4.mul", V, V, V, 0, 0) \
    X(I32X4_MIN_S, 0xfdb6, IMM_NONE, "i32x4.min_s", V, V, V, 0, 0) \
    X(I32X4_MIN_U, 0xfdb7, IMM_NONE, "i32x4.min_u", V, V, V, 0, 0) \
    X(I32X4_MAX_S, 0xfdb8, IMM_NONE, "i32x4.max_s", V, V, V, 0, 0) \
    X(I32X4_MAX_U, 0xfdb9, IMM_NONE, "i32x4.max_u", V, V, V, 0, 0) \
    X(I32X4_DOT_I16X8_S, 0xfdba, IMM_NONE, "i32x4.dot_i16x8_s", V, V, V, 0, 0) \
    X(I32X4_EXTMUL_LOW_I16X8_S, 0xfdbc, IMM_NONE, "i32x4.extmul_low_i16x8_s", V, V, V, 0, 0) \
    X(I32X4_EXTMUL_HIGH_I16X8_S, 0xfdbd, IMM_NONE, "i32x4.extmul_high_i16x8_s", V, V, V, 0, 0) \
    X(I32X4_EXTMUL_LOW_I16X8_U, 0xfdbe, IMM_NONE, "i32x4.extmul_low_i16x8_u", V, V, V, 0, 0) \
    X(I32X4_EXTMUL_HIGH_I16X8_U, 0xfdbf, IMM_NONE, "i32x4.extmul_high_i16x8_u", V, V, V, 0, 0) \
    X(I64X2_ABS, 0xfdc0, IMM_NONE, "i64x2.abs", V, V, 0, 0, 0) \
    X(I64X2_NEG, 0xfdc1, IMM_NONE, "i64x2.neg", V, V, 0, 0, 0) \
    X(I64X2_ALL_TRUE, 0xfdc3, IMM_NONE, "i64x2.all_true", I, V, 0, 0, 0) \
    X(I64X2_BITMASK, 0xfdc4, IMM_NONE, "i64x2.bitmask", I, V, 0, 0, 0) \
    X(I64X2_EXTEND_LOW_I32X4_S, 0xfdc7, IMM_NONE, "i64x2.extend_low_i32x4_s", V, V, 0, 0, 0) \
    X(I64X2_EXTEND_HIGH_I32X4_S, 0xfdc8, IMM_NONE, "i64x2.extend_high_i32x4_s", V, V, 0, 0, 0) \
    X(I64X2_EXTEND_LOW_I32X4_U, 0xfdc9, IMM_NONE, "i64x2.extend_low_i32x4_u", V, V, 0, 0, 0) \
    X(I64X2_EXTEND_HIGH_I32X4_U, 0xfdca, IMM_NONE, "i64x2.extend_high_i32x4_u", V, V, 0, 0, 0) \
    X(I64X2_SHL, 0xfdcb, IMM_NONE, "i64x2.shl", V, V, I, 0, 0) \
    X(I64X2_SHR_S, 0xfdcc, IMM_NONE, "i64x2.shr_s", V, V, I, 0, 0) \
    X(I64X2_SHR_U, 0xfdcd, IMM_NONE, "i64x2.shr_u", V, V, I, 0, 0) \
    X(I64X2_ADD, 0xfdce, IMM_NONE, "i64x2.add", V, V, V, 0, 0) \
    X(I64X2_SUB, 0xfdd1, IMM_NONE, "i64x2.sub", V, V, V, 0, 0) \
    X(I64X2_MUL, 0xfdd5, IMM_NONE, "i64x2.mul", V, V, V, 0, 0) \
    X(I64X2_EQ, 0xfdd6, IMM_NONE, "i64x2.eq", V, V, V, 0, 0) \
    X(I64X2_NE, 0xfdd7, IMM_NONE, "i64x2.ne", V, V, V, 0, 0) \
    X(I64X2_LT_S, 0xfdd8, IMM_NONE, "i64x2.lt_s", V, V, V, 0, 0) \
    X(I64X2_GT_S, 0xfdd9, IMM_NONE, "i64x2.gt_s", V, V, V, 0, 0) \
    X(I64X2_LE_S, 0xfdda, IMM_NONE, "i64x2.le_s", V, V, V, 0, 0) \
    X(I64X2_GE_S, 0xfddb, IMM_NONE, "i64x2.ge_s", V, V, V, 0, 0) \
    X(I64X2_EXTMUL_LOW_I32X4_S, 0xfddc, IMM_NONE, "i64x2.extmul_low_i32x4_s", V, V, V, 0, 0) \
    X(I64X2_EXTMUL_HIGH_I32X4_S, 0xfddd, IMM_NONE, "i64x2.extmul_high_i32x4_s", V, V, V, 0, 0) \
    X(I64X2_EXTMUL_LOW_I32X4_U, 0xfdde, IMM_NONE, "i64x2.extmul_low_i32x4_u", V, V, V, 0, 0) \
    X(I64X2_EXTMUL_HIGH_I32X4_U, 0xfddf, IMM_NONE, "i64x2.extmul_high_i32x4_u", V, V, V, 0, 0) \
    X(F32X4_ABS, 0xfde0, IMM_NONE, "f32x4.abs", V, V, 0, 0, 0) \
    X(F32X4_NEG, 0xfde1, IMM_NONE, "f32x4.neg", V, V, 0, 0, 0) \
    X(F32X4_SQRT, 0xfde3, IMM_NONE, "f32x4.sqrt", V, V, 0, 0, 0) \
    X(F32X4_ADD, 0xfde4, IMM_NONE, "f32x4.add", V, V, V, 0, 0) \
    X(F32X4_SUB, 0xfde5, IMM_NONE, "f32x4.sub", V, V, V, 0, 0) \
    X(F32X4_MUL, 0xfde6, IMM_NONE, "f32x4.mul", V, V, V, 0, 0) \
    X(F32X4_DIV, 0xfde7, IMM_NONE, "f32x4.div", V, V, V, 0, 0) \
    X(F32X4_MIN, 0xfde8, IMM_NONE, "f32x4.min", V, V, V, 0, 0) \
    X(F32X4_MAX, 0xfde9, IMM_NONE, "f32x4.max", V, V, V, 0, 0) \
    X(F32X4_PMIN, 0xfdea, IMM_NONE, "f32x4.pmin", V, V, V, 0, 0) \
    X(F32X4_PMAX, 0xfdeb, IMM_NONE, "f32x4.pmax", V, V, V, 0, 0) \
    X(F64X2_ABS, 0xfdec, IMM_NONE, "f64x2.abs", V, V, 0, 0, 0) \
    X(F64X2_NEG, 0xfded, IMM_NONE, "f64x2.neg", V, V, 0, 0, 0) \
    X(F64X2_SQRT, 0xfdef, IMM_NONE, "f64x2.sqrt", V, V, 0, 0, 0) \
    X(F64X2_ADD, 0xfdf0, IMM_NONE, "f64x2.add", V, V, V, 0, 0) \
    X(F64X2_SUB, 0xfdf1, IMM_NONE, "f64x2.sub", V, V, V, 0, 0) \
    X(F64X2_MUL, 0xfdf2, IMM_NONE, "f64x2.mul", V, V, V, 0, 0) \
    X(F64X2_DIV, 0xfdf3, IMM_NONE, "f64x2.div", V, V, V, 0, 0) \
    X(F64X2_MIN, 0xfdf4, IMM_NONE, "f64x2.min", V, V, V, 0, 0) \
    X(F64X2_MAX, 0xfdf5, IMM_NONE, "f64x2.max", V, V, V, 0, 0) \
    X(F64X2_PMIN, 0xfdf6, IMM_NONE, "f64x2.pmin", V, V, V, 0, 0) \
    X(F64X2_PMAX, 0xfdf7, IMM_NONE, "f64x2.pmax", V, V, V, 0, 0) \
    X(I32X4_TRUNC_SAT_F32X4_S, 0xfdf8, IMM_NONE, "i32x4.trunc_sat_f32x4_s", V, V, 0, 0, 0) \
    X(I32X4_TRUNC_SAT_F32X4_U, 0xfdf9, IMM_NONE, "i32x4.trunc_sat_f32x4_u", V, V, 0, 0, 0) \
    X(F32X4_CONVERT_I32X4_S, 0xfdfa, IMM_NONE, "f32x4.convert_i32x4_s", V, V, 0, 0, 0) \
    X(F32X4_CONVERT_I32X4_U, 0xfdfb, IMM_NONE, "f32x4.convert_i32x4_u", V, V, 0, 0, 0) \
    X(I32X4_TRUNC_SAT_F64X2_S_ZERO, 0xfdfc, IMM_NONE, "i32x4.trunc_sat_f64x2_s_zero", V, V, 0, 0, 0) \
    X(I32X4_TRUNC_SAT_F64X2_U_ZERO, 0xfdfd, IMM_NONE, "i32x4.trunc_sat_f64x2_u_zero", V, V, 0, 0, 0) \
    X(F64X2_CONVERT_LOW_I32X4_S, 0xfdfe, IMM_NONE, "f64x2.convert_low_i32x4_s", V, V, 0, 0, 0) \
    X(F64X2_CONVERT_LOW_I32X4_U, 0xfdff, IMM_NONE, "f64x2.convert_low_i32x4_u", V, V, 0, 0, 0)

#endif /* HWASMC_INSN_SIMD_H */
