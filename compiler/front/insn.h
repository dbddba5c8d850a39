/*
 * insn.h — reading one instruction (opcode and immediates) from a function body.
 *
 * The validator and the lowering both walk function bodies with this reader, so the
 * binary encoding of instructions is decoded in exactly one place (insn.c). The reader
 * checks encodings (LEB ranges, known opcodes, reserved bytes) but not types or indices.
 */
#ifndef HWASMC_INSN_H
#define HWASMC_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn_simd.h"
#include "module.h"

/* Immediate shapes. */
enum insn_imm {
    IMM_NONE,
    IMM_BLOCK,        /* block, loop, if */
    IMM_LABEL,        /* br, br_if: index */
    IMM_BR_TABLE,
    IMM_FUNC,         /* call, ref.func: index */
    IMM_CALL_INDIRECT,/* type_index, table_index */
    IMM_LOCAL,        /* index */
    IMM_GLOBAL,       /* index */
    IMM_TABLE,        /* table.get/set/size/grow/fill: index */
    IMM_MEMARG,       /* align (log2), offset */
    IMM_MEMORY,       /* memory.size, memory.grow, memory.fill: reserved zero byte */
    IMM_I32, IMM_I64, IMM_F32, IMM_F64,
    IMM_SELECT_T,     /* typed select: count, type */
    IMM_REFTYPE,      /* ref.null */
    IMM_MEMORY_INIT,  /* data index (+ reserved zero byte) */
    IMM_DATA,         /* data.drop: index */
    IMM_MEMORY_COPY,  /* two reserved zero bytes */
    IMM_TABLE_INIT,   /* elem index, table index */
    IMM_ELEM,         /* elem.drop: index */
    IMM_TABLE_COPY,   /* dst table, src table */
    IMM_MEMARG_LANE,  /* v128.load/store*_lane: memarg, then a lane index byte */
    IMM_LANE,         /* extract_lane, replace_lane: a lane index byte */
    IMM_V128,         /* v128.const: 16 bytes */
    IMM_SHUFFLE,      /* i8x16.shuffle: 16 lane index bytes */
};

/*
 * X(name, opcode, immediate shape, mnemonic). Single-byte opcodes are their byte; 0xFC
 * prefixed ones are 0xFC00 | sub-opcode; the 0xFD (SIMD) ones are in insn_simd.h.
 */
#define WASM_OPCODES(X) \
    X(UNREACHABLE, 0x00, IMM_NONE, "unreachable") \
    X(NOP, 0x01, IMM_NONE, "nop") \
    X(BLOCK, 0x02, IMM_BLOCK, "block") \
    X(LOOP, 0x03, IMM_BLOCK, "loop") \
    X(IF, 0x04, IMM_BLOCK, "if") \
    X(ELSE, 0x05, IMM_NONE, "else") \
    X(END, 0x0b, IMM_NONE, "end") \
    X(BR, 0x0c, IMM_LABEL, "br") \
    X(BR_IF, 0x0d, IMM_LABEL, "br_if") \
    X(BR_TABLE, 0x0e, IMM_BR_TABLE, "br_table") \
    X(RETURN, 0x0f, IMM_NONE, "return") \
    X(CALL, 0x10, IMM_FUNC, "call") \
    X(CALL_INDIRECT, 0x11, IMM_CALL_INDIRECT, "call_indirect") \
    X(DROP, 0x1a, IMM_NONE, "drop") \
    X(SELECT, 0x1b, IMM_NONE, "select") \
    X(SELECT_T, 0x1c, IMM_SELECT_T, "select") \
    X(LOCAL_GET, 0x20, IMM_LOCAL, "local.get") \
    X(LOCAL_SET, 0x21, IMM_LOCAL, "local.set") \
    X(LOCAL_TEE, 0x22, IMM_LOCAL, "local.tee") \
    X(GLOBAL_GET, 0x23, IMM_GLOBAL, "global.get") \
    X(GLOBAL_SET, 0x24, IMM_GLOBAL, "global.set") \
    X(TABLE_GET, 0x25, IMM_TABLE, "table.get") \
    X(TABLE_SET, 0x26, IMM_TABLE, "table.set") \
    X(I32_LOAD, 0x28, IMM_MEMARG, "i32.load") \
    X(I64_LOAD, 0x29, IMM_MEMARG, "i64.load") \
    X(F32_LOAD, 0x2a, IMM_MEMARG, "f32.load") \
    X(F64_LOAD, 0x2b, IMM_MEMARG, "f64.load") \
    X(I32_LOAD8_S, 0x2c, IMM_MEMARG, "i32.load8_s") \
    X(I32_LOAD8_U, 0x2d, IMM_MEMARG, "i32.load8_u") \
    X(I32_LOAD16_S, 0x2e, IMM_MEMARG, "i32.load16_s") \
    X(I32_LOAD16_U, 0x2f, IMM_MEMARG, "i32.load16_u") \
    X(I64_LOAD8_S, 0x30, IMM_MEMARG, "i64.load8_s") \
    X(I64_LOAD8_U, 0x31, IMM_MEMARG, "i64.load8_u") \
    X(I64_LOAD16_S, 0x32, IMM_MEMARG, "i64.load16_s") \
    X(I64_LOAD16_U, 0x33, IMM_MEMARG, "i64.load16_u") \
    X(I64_LOAD32_S, 0x34, IMM_MEMARG, "i64.load32_s") \
    X(I64_LOAD32_U, 0x35, IMM_MEMARG, "i64.load32_u") \
    X(I32_STORE, 0x36, IMM_MEMARG, "i32.store") \
    X(I64_STORE, 0x37, IMM_MEMARG, "i64.store") \
    X(F32_STORE, 0x38, IMM_MEMARG, "f32.store") \
    X(F64_STORE, 0x39, IMM_MEMARG, "f64.store") \
    X(I32_STORE8, 0x3a, IMM_MEMARG, "i32.store8") \
    X(I32_STORE16, 0x3b, IMM_MEMARG, "i32.store16") \
    X(I64_STORE8, 0x3c, IMM_MEMARG, "i64.store8") \
    X(I64_STORE16, 0x3d, IMM_MEMARG, "i64.store16") \
    X(I64_STORE32, 0x3e, IMM_MEMARG, "i64.store32") \
    X(MEMORY_SIZE, 0x3f, IMM_MEMORY, "memory.size") \
    X(MEMORY_GROW, 0x40, IMM_MEMORY, "memory.grow") \
    X(I32_CONST, 0x41, IMM_I32, "i32.const") \
    X(I64_CONST, 0x42, IMM_I64, "i64.const") \
    X(F32_CONST, 0x43, IMM_F32, "f32.const") \
    X(F64_CONST, 0x44, IMM_F64, "f64.const") \
    X(I32_EQZ, 0x45, IMM_NONE, "i32.eqz") \
    X(I32_EQ, 0x46, IMM_NONE, "i32.eq") \
    X(I32_NE, 0x47, IMM_NONE, "i32.ne") \
    X(I32_LT_S, 0x48, IMM_NONE, "i32.lt_s") \
    X(I32_LT_U, 0x49, IMM_NONE, "i32.lt_u") \
    X(I32_GT_S, 0x4a, IMM_NONE, "i32.gt_s") \
    X(I32_GT_U, 0x4b, IMM_NONE, "i32.gt_u") \
    X(I32_LE_S, 0x4c, IMM_NONE, "i32.le_s") \
    X(I32_LE_U, 0x4d, IMM_NONE, "i32.le_u") \
    X(I32_GE_S, 0x4e, IMM_NONE, "i32.ge_s") \
    X(I32_GE_U, 0x4f, IMM_NONE, "i32.ge_u") \
    X(I64_EQZ, 0x50, IMM_NONE, "i64.eqz") \
    X(I64_EQ, 0x51, IMM_NONE, "i64.eq") \
    X(I64_NE, 0x52, IMM_NONE, "i64.ne") \
    X(I64_LT_S, 0x53, IMM_NONE, "i64.lt_s") \
    X(I64_LT_U, 0x54, IMM_NONE, "i64.lt_u") \
    X(I64_GT_S, 0x55, IMM_NONE, "i64.gt_s") \
    X(I64_GT_U, 0x56, IMM_NONE, "i64.gt_u") \
    X(I64_LE_S, 0x57, IMM_NONE, "i64.le_s") \
    X(I64_LE_U, 0x58, IMM_NONE, "i64.le_u") \
    X(I64_GE_S, 0x59, IMM_NONE, "i64.ge_s") \
    X(I64_GE_U, 0x5a, IMM_NONE, "i64.ge_u") \
    X(F32_EQ, 0x5b, IMM_NONE, "f32.eq") \
    X(F32_NE, 0x5c, IMM_NONE, "f32.ne") \
    X(F32_LT, 0x5d, IMM_NONE, "f32.lt") \
    X(F32_GT, 0x5e, IMM_NONE, "f32.gt") \
    X(F32_LE, 0x5f, IMM_NONE, "f32.le") \
    X(F32_GE, 0x60, IMM_NONE, "f32.ge") \
    X(F64_EQ, 0x61, IMM_NONE, "f64.eq") \
    X(F64_NE, 0x62, IMM_NONE, "f64.ne") \
    X(F64_LT, 0x63, IMM_NONE, "f64.lt") \
    X(F64_GT, 0x64, IMM_NONE, "f64.gt") \
    X(F64_LE, 0x65, IMM_NONE, "f64.le") \
    X(F64_GE, 0x66, IMM_NONE, "f64.ge") \
    X(I32_CLZ, 0x67, IMM_NONE, "i32.clz") \
    X(I32_CTZ, 0x68, IMM_NONE, "i32.ctz") \
    X(I32_POPCNT, 0x69, IMM_NONE, "i32.popcnt") \
    X(I32_ADD, 0x6a, IMM_NONE, "i32.add") \
    X(I32_SUB, 0x6b, IMM_NONE, "i32.sub") \
    X(I32_MUL, 0x6c, IMM_NONE, "i32.mul") \
    X(I32_DIV_S, 0x6d, IMM_NONE, "i32.div_s") \
    X(I32_DIV_U, 0x6e, IMM_NONE, "i32.div_u") \
    X(I32_REM_S, 0x6f, IMM_NONE, "i32.rem_s") \
    X(I32_REM_U, 0x70, IMM_NONE, "i32.rem_u") \
    X(I32_AND, 0x71, IMM_NONE, "i32.and") \
    X(I32_OR, 0x72, IMM_NONE, "i32.or") \
    X(I32_XOR, 0x73, IMM_NONE, "i32.xor") \
    X(I32_SHL, 0x74, IMM_NONE, "i32.shl") \
    X(I32_SHR_S, 0x75, IMM_NONE, "i32.shr_s") \
    X(I32_SHR_U, 0x76, IMM_NONE, "i32.shr_u") \
    X(I32_ROTL, 0x77, IMM_NONE, "i32.rotl") \
    X(I32_ROTR, 0x78, IMM_NONE, "i32.rotr") \
    X(I64_CLZ, 0x79, IMM_NONE, "i64.clz") \
    X(I64_CTZ, 0x7a, IMM_NONE, "i64.ctz") \
    X(I64_POPCNT, 0x7b, IMM_NONE, "i64.popcnt") \
    X(I64_ADD, 0x7c, IMM_NONE, "i64.add") \
    X(I64_SUB, 0x7d, IMM_NONE, "i64.sub") \
    X(I64_MUL, 0x7e, IMM_NONE, "i64.mul") \
    X(I64_DIV_S, 0x7f, IMM_NONE, "i64.div_s") \
    X(I64_DIV_U, 0x80, IMM_NONE, "i64.div_u") \
    X(I64_REM_S, 0x81, IMM_NONE, "i64.rem_s") \
    X(I64_REM_U, 0x82, IMM_NONE, "i64.rem_u") \
    X(I64_AND, 0x83, IMM_NONE, "i64.and") \
    X(I64_OR, 0x84, IMM_NONE, "i64.or") \
    X(I64_XOR, 0x85, IMM_NONE, "i64.xor") \
    X(I64_SHL, 0x86, IMM_NONE, "i64.shl") \
    X(I64_SHR_S, 0x87, IMM_NONE, "i64.shr_s") \
    X(I64_SHR_U, 0x88, IMM_NONE, "i64.shr_u") \
    X(I64_ROTL, 0x89, IMM_NONE, "i64.rotl") \
    X(I64_ROTR, 0x8a, IMM_NONE, "i64.rotr") \
    X(F32_ABS, 0x8b, IMM_NONE, "f32.abs") \
    X(F32_NEG, 0x8c, IMM_NONE, "f32.neg") \
    X(F32_CEIL, 0x8d, IMM_NONE, "f32.ceil") \
    X(F32_FLOOR, 0x8e, IMM_NONE, "f32.floor") \
    X(F32_TRUNC, 0x8f, IMM_NONE, "f32.trunc") \
    X(F32_NEAREST, 0x90, IMM_NONE, "f32.nearest") \
    X(F32_SQRT, 0x91, IMM_NONE, "f32.sqrt") \
    X(F32_ADD, 0x92, IMM_NONE, "f32.add") \
    X(F32_SUB, 0x93, IMM_NONE, "f32.sub") \
    X(F32_MUL, 0x94, IMM_NONE, "f32.mul") \
    X(F32_DIV, 0x95, IMM_NONE, "f32.div") \
    X(F32_MIN, 0x96, IMM_NONE, "f32.min") \
    X(F32_MAX, 0x97, IMM_NONE, "f32.max") \
    X(F32_COPYSIGN, 0x98, IMM_NONE, "f32.copysign") \
    X(F64_ABS, 0x99, IMM_NONE, "f64.abs") \
    X(F64_NEG, 0x9a, IMM_NONE, "f64.neg") \
    X(F64_CEIL, 0x9b, IMM_NONE, "f64.ceil") \
    X(F64_FLOOR, 0x9c, IMM_NONE, "f64.floor") \
    X(F64_TRUNC, 0x9d, IMM_NONE, "f64.trunc") \
    X(F64_NEAREST, 0x9e, IMM_NONE, "f64.nearest") \
    X(F64_SQRT, 0x9f, IMM_NONE, "f64.sqrt") \
    X(F64_ADD, 0xa0, IMM_NONE, "f64.add") \
    X(F64_SUB, 0xa1, IMM_NONE, "f64.sub") \
    X(F64_MUL, 0xa2, IMM_NONE, "f64.mul") \
    X(F64_DIV, 0xa3, IMM_NONE, "f64.div") \
    X(F64_MIN, 0xa4, IMM_NONE, "f64.min") \
    X(F64_MAX, 0xa5, IMM_NONE, "f64.max") \
    X(F64_COPYSIGN, 0xa6, IMM_NONE, "f64.copysign") \
    X(I32_WRAP_I64, 0xa7, IMM_NONE, "i32.wrap_i64") \
    X(I32_TRUNC_F32_S, 0xa8, IMM_NONE, "i32.trunc_f32_s") \
    X(I32_TRUNC_F32_U, 0xa9, IMM_NONE, "i32.trunc_f32_u") \
    X(I32_TRUNC_F64_S, 0xaa, IMM_NONE, "i32.trunc_f64_s") \
    X(I32_TRUNC_F64_U, 0xab, IMM_NONE, "i32.trunc_f64_u") \
    X(I64_EXTEND_I32_S, 0xac, IMM_NONE, "i64.extend_i32_s") \
    X(I64_EXTEND_I32_U, 0xad, IMM_NONE, "i64.extend_i32_u") \
    X(I64_TRUNC_F32_S, 0xae, IMM_NONE, "i64.trunc_f32_s") \
    X(I64_TRUNC_F32_U, 0xaf, IMM_NONE, "i64.trunc_f32_u") \
    X(I64_TRUNC_F64_S, 0xb0, IMM_NONE, "i64.trunc_f64_s") \
    X(I64_TRUNC_F64_U, 0xb1, IMM_NONE, "i64.trunc_f64_u") \
    X(F32_CONVERT_I32_S, 0xb2, IMM_NONE, "f32.convert_i32_s") \
    X(F32_CONVERT_I32_U, 0xb3, IMM_NONE, "f32.convert_i32_u") \
    X(F32_CONVERT_I64_S, 0xb4, IMM_NONE, "f32.convert_i64_s") \
    X(F32_CONVERT_I64_U, 0xb5, IMM_NONE, "f32.convert_i64_u") \
    X(F32_DEMOTE_F64, 0xb6, IMM_NONE, "f32.demote_f64") \
    X(F64_CONVERT_I32_S, 0xb7, IMM_NONE, "f64.convert_i32_s") \
    X(F64_CONVERT_I32_U, 0xb8, IMM_NONE, "f64.convert_i32_u") \
    X(F64_CONVERT_I64_S, 0xb9, IMM_NONE, "f64.convert_i64_s") \
    X(F64_CONVERT_I64_U, 0xba, IMM_NONE, "f64.convert_i64_u") \
    X(F64_PROMOTE_F32, 0xbb, IMM_NONE, "f64.promote_f32") \
    X(I32_REINTERPRET_F32, 0xbc, IMM_NONE, "i32.reinterpret_f32") \
    X(I64_REINTERPRET_F64, 0xbd, IMM_NONE, "i64.reinterpret_f64") \
    X(F32_REINTERPRET_I32, 0xbe, IMM_NONE, "f32.reinterpret_i32") \
    X(F64_REINTERPRET_I64, 0xbf, IMM_NONE, "f64.reinterpret_i64") \
    X(I32_EXTEND8_S, 0xc0, IMM_NONE, "i32.extend8_s") \
    X(I32_EXTEND16_S, 0xc1, IMM_NONE, "i32.extend16_s") \
    X(I64_EXTEND8_S, 0xc2, IMM_NONE, "i64.extend8_s") \
    X(I64_EXTEND16_S, 0xc3, IMM_NONE, "i64.extend16_s") \
    X(I64_EXTEND32_S, 0xc4, IMM_NONE, "i64.extend32_s") \
    X(REF_NULL, 0xd0, IMM_REFTYPE, "ref.null") \
    X(REF_IS_NULL, 0xd1, IMM_NONE, "ref.is_null") \
    X(REF_FUNC, 0xd2, IMM_FUNC, "ref.func") \
    X(I32_TRUNC_SAT_F32_S, 0xfc00, IMM_NONE, "i32.trunc_sat_f32_s") \
    X(I32_TRUNC_SAT_F32_U, 0xfc01, IMM_NONE, "i32.trunc_sat_f32_u") \
    X(I32_TRUNC_SAT_F64_S, 0xfc02, IMM_NONE, "i32.trunc_sat_f64_s") \
    X(I32_TRUNC_SAT_F64_U, 0xfc03, IMM_NONE, "i32.trunc_sat_f64_u") \
    X(I64_TRUNC_SAT_F32_S, 0xfc04, IMM_NONE, "i64.trunc_sat_f32_s") \
    X(I64_TRUNC_SAT_F32_U, 0xfc05, IMM_NONE, "i64.trunc_sat_f32_u") \
    X(I64_TRUNC_SAT_F64_S, 0xfc06, IMM_NONE, "i64.trunc_sat_f64_s") \
    X(I64_TRUNC_SAT_F64_U, 0xfc07, IMM_NONE, "i64.trunc_sat_f64_u") \
    X(MEMORY_INIT, 0xfc08, IMM_MEMORY_INIT, "memory.init") \
    X(DATA_DROP, 0xfc09, IMM_DATA, "data.drop") \
    X(MEMORY_COPY, 0xfc0a, IMM_MEMORY_COPY, "memory.copy") \
    X(MEMORY_FILL, 0xfc0b, IMM_MEMORY, "memory.fill") \
    X(TABLE_INIT, 0xfc0c, IMM_TABLE_INIT, "table.init") \
    X(ELEM_DROP, 0xfc0d, IMM_ELEM, "elem.drop") \
    X(TABLE_COPY, 0xfc0e, IMM_TABLE_COPY, "table.copy") \
    X(TABLE_GROW, 0xfc0f, IMM_TABLE, "table.grow") \
    X(TABLE_SIZE, 0xfc10, IMM_TABLE, "table.size") \
    X(TABLE_FILL, 0xfc11, IMM_TABLE, "table.fill")

enum wasm_opcode {
#define X(name, code, imm, text) OP_##name = code,
    WASM_OPCODES(X)
#undef X
#define X(name, code, imm, text, r, a, b, c, log2) OP_##name = code,
    WASM_SIMD_OPCODES(X)
#undef X
};

static inline bool insn_is_simd(uint32_t op) { return (op & ~0xffu) == 0xfd00; }

enum block_type_kind { BLOCK_EMPTY, BLOCK_VALUE, BLOCK_TYPE_INDEX };

typedef struct wasm_insn {
    uint32_t op;     /* enum wasm_opcode */
    size_t offset;   /* file offset of the opcode's first byte */
    uint8_t lane;    /* IMM_LANE, IMM_MEMARG_LANE: the lane index as encoded (unchecked) */
    union {
        struct { uint8_t kind; uint8_t value_type; uint32_t type_index; } block;
        uint32_t index; /* label, func, local, global, table, data, elem, ref.null type */
        struct { uint32_t count; const uint32_t *targets; uint32_t default_target; } br_table;
        struct { uint32_t type_index; uint32_t table_index; } call_indirect;
        struct { uint32_t align; uint32_t offset; } memarg; /* align is log2 */
        struct { uint32_t count; uint8_t type; } select;     /* count as encoded */
        struct { uint32_t a; uint32_t b; } pair; /* table.init: elem, table; table.copy: dst, src */
        int32_t i32;
        int64_t i64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        uint8_t v128[16]; /* v128.const (little endian), i8x16.shuffle lane indices */
    } imm;
} wasm_insn;

/* A cursor over one function body (or a constant expression). */
typedef struct insn_reader {
    const uint8_t *start; /* the module's first byte, for offsets */
    const uint8_t *pos;
    const uint8_t *end;
    uint32_t *scratch;    /* br_table targets of the last instruction read; owned */
    uint32_t scratch_cap;
} insn_reader;

void insn_reader_init(insn_reader *r, const wasm_module *m, const uint8_t *pos, size_t len);
void insn_reader_free(insn_reader *r);

/* Reads the next instruction. Returns 0, or -1 with *err set ("unexpected end",
 * "illegal opcode 0x..", "integer representation too long", "zero byte expected", ...;
 * the offset is the failing byte; func_index is left for the caller to set). */
int insn_read(insn_reader *r, wasm_insn *out, wasm_error *err);

static inline bool insn_at_end(const insn_reader *r) { return r->pos >= r->end; }

/* The mnemonic of an opcode ("i32.add"), or "?" */
const char *insn_name(uint32_t op);

#endif /* HWASMC_INSN_H */
