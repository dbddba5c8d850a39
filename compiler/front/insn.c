/*
 * insn.c — decodes one instruction (opcode and immediates) at a time from a function body
 * or a constant expression. It checks only the encoding: known opcodes, LEB ranges,
 * reserved zero bytes, value type bytes. Types and indices are the validator's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"
#include "leb.h"

/* The immediate shape of an opcode, plus one, or 0 for an unknown opcode. */
static unsigned shape_of(uint32_t op) {
    switch (op) {
#define X(name, code, imm, text)                                                                   \
    case code: return (imm) + 1;
        WASM_OPCODES(X)
#undef X
#define X(name, code, imm, text, r, a, b, c, log2)                                                 \
    case code: return (imm) + 1;
        WASM_SIMD_OPCODES(X)
#undef X
    }
    return 0;
}

void insn_reader_init(insn_reader *r, const wasm_module *m, const uint8_t *pos, size_t len) {
    r->start = m->bytes;
    r->pos = pos;
    r->end = pos + len;
    r->scratch = NULL;
    r->scratch_cap = 0;
}

void insn_reader_free(insn_reader *r) {
    free(r->scratch);
    r->scratch = NULL;
    r->scratch_cap = 0;
}

const char *insn_name(uint32_t op) {
    switch (op) {
#define X(name, code, imm, text)                                                                   \
    case code: return text;
        WASM_OPCODES(X)
#undef X
#define X(name, code, imm, text, r, a, b, c, log2)                                                 \
    case code: return text;
        WASM_SIMD_OPCODES(X)
#undef X
    }
    return "?";
}

static int fail(insn_reader *r, const uint8_t *at, wasm_error *err, const char *msg) {
    wasm_error_set(err, err->func_index, (size_t)(at - r->start), "%s", msg);
    return -1;
}

static int leb_fail(insn_reader *r, wasm_error *err, int st) {
    if (st == LEB_EOF) return fail(r, r->end, err, "unexpected end of section or function");
    return fail(r, r->pos, err, leb_message(st));
}

static int u32(insn_reader *r, uint32_t *out, wasm_error *err) {
    int st = leb_u32(&r->pos, r->end, out);
    return st ? leb_fail(r, err, st) : 0;
}

static int byte(insn_reader *r, uint8_t *out, wasm_error *err) {
    if (r->pos >= r->end) return fail(r, r->end, err, "unexpected end of section or function");
    *out = *r->pos++;
    return 0;
}

static int zero_byte(insn_reader *r, wasm_error *err) {
    uint8_t b = 0;
    if (byte(r, &b, err)) return -1;
    return b == 0 ? 0 : fail(r, r->pos - 1, err, "zero byte expected");
}

static int value_type(insn_reader *r, uint8_t *out, wasm_error *err) {
    if (byte(r, out, err)) return -1;
    if (hwasm_valtype_valid(*out)) return 0;
    return fail(r, r->pos - 1, err, "malformed value type");
}

static int block_type(insn_reader *r, wasm_insn *in, wasm_error *err) {
    if (r->pos >= r->end) return fail(r, r->end, err, "unexpected end of section or function");
    uint8_t b = *r->pos;
    if (b == 0x40) {
        r->pos++;
        in->imm.block.kind = BLOCK_EMPTY;
        return 0;
    }
    if (hwasm_valtype_valid(b)) {
        in->imm.block.kind = BLOCK_VALUE;
        return value_type(r, &in->imm.block.value_type, err);
    }
    const uint8_t *at = r->pos;
    int64_t x;
    int st = leb_s33(&r->pos, r->end, &x);
    if (st) return leb_fail(r, err, st);
    if (x < 0) return fail(r, at, err, "malformed block type");
    in->imm.block.kind = BLOCK_TYPE_INDEX;
    in->imm.block.type_index = (uint32_t)x;
    return 0;
}

static int br_table(insn_reader *r, wasm_insn *in, wasm_error *err) {
    uint32_t n;
    if (u32(r, &n, err)) return -1;
    /* Every target takes at least one byte: refuse counts the body cannot hold before
     * allocating for them. */
    if (n > (size_t)(r->end - r->pos))
        return fail(r, r->end, err, "unexpected end of section or function");
    if (n > r->scratch_cap) {
        uint32_t *p = realloc(r->scratch, (size_t)n * sizeof *p);
        if (!p) return fail(r, r->pos, err, "out of memory");
        r->scratch = p;
        r->scratch_cap = n;
    }
    for (uint32_t i = 0; i < n; i++)
        if (u32(r, &r->scratch[i], err)) return -1;
    in->imm.br_table.count = n;
    in->imm.br_table.targets = r->scratch;
    return u32(r, &in->imm.br_table.default_target, err);
}

static int select_t(insn_reader *r, wasm_insn *in, wasm_error *err) {
    uint32_t n;
    if (u32(r, &n, err)) return -1;
    in->imm.select.count = n;
    in->imm.select.type = 0;
    /* Only a count of 1 is valid, but the whole vector is read to keep the encoding exact. */
    for (uint32_t i = 0; i < n; i++) {
        uint8_t t;
        if (value_type(r, &t, err)) return -1;
        if (i == 0) in->imm.select.type = t;
    }
    return 0;
}

static int immediates(insn_reader *r, wasm_insn *in, enum insn_imm shape, wasm_error *err) {
    int st;
    switch (shape) {
    case IMM_NONE: return 0;
    case IMM_BLOCK: return block_type(r, in, err);
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_LOCAL:
    case IMM_GLOBAL:
    case IMM_TABLE:
    case IMM_DATA:
    case IMM_ELEM: return u32(r, &in->imm.index, err);
    case IMM_BR_TABLE: return br_table(r, in, err);
    case IMM_CALL_INDIRECT:
        if (u32(r, &in->imm.call_indirect.type_index, err)) return -1;
        return u32(r, &in->imm.call_indirect.table_index, err);
    case IMM_MEMARG:
        if (u32(r, &in->imm.memarg.align, err)) return -1;
        return u32(r, &in->imm.memarg.offset, err);
    case IMM_MEMORY: return zero_byte(r, err);
    case IMM_I32: st = leb_s32(&r->pos, r->end, &in->imm.i32); return st ? leb_fail(r, err, st) : 0;
    case IMM_I64: st = leb_s64(&r->pos, r->end, &in->imm.i64); return st ? leb_fail(r, err, st) : 0;
    case IMM_F32:
        if (r->end - r->pos < 4)
            return fail(r, r->end, err, "unexpected end of section or function");
        in->imm.f32_bits = (uint32_t)r->pos[0] | (uint32_t)r->pos[1] << 8 |
                           (uint32_t)r->pos[2] << 16 | (uint32_t)r->pos[3] << 24;
        r->pos += 4;
        return 0;
    case IMM_F64:
        if (r->end - r->pos < 8)
            return fail(r, r->end, err, "unexpected end of section or function");
        in->imm.f64_bits = 0;
        for (int i = 7; i >= 0; i--)
            in->imm.f64_bits = in->imm.f64_bits << 8 | r->pos[i];
        r->pos += 8;
        return 0;
    case IMM_SELECT_T: return select_t(r, in, err);
    case IMM_REFTYPE: {
        uint8_t t;
        if (byte(r, &t, err)) return -1;
        if (t != HWASM_FUNCREF && t != HWASM_EXTERNREF)
            return fail(r, r->pos - 1, err, "malformed reference type");
        in->imm.index = t;
        return 0;
    }
    case IMM_MEMORY_INIT:
        if (u32(r, &in->imm.index, err)) return -1;
        return zero_byte(r, err);
    case IMM_MEMORY_COPY:
        if (zero_byte(r, err)) return -1;
        return zero_byte(r, err);
    case IMM_TABLE_INIT:
    case IMM_TABLE_COPY:
        if (u32(r, &in->imm.pair.a, err)) return -1;
        return u32(r, &in->imm.pair.b, err);
    case IMM_MEMARG_LANE:
        if (u32(r, &in->imm.memarg.align, err) || u32(r, &in->imm.memarg.offset, err)) return -1;
        return byte(r, &in->lane, err);
    case IMM_LANE: return byte(r, &in->lane, err);
    case IMM_V128:
    case IMM_SHUFFLE:
        if (r->end - r->pos < 16)
            return fail(r, r->end, err, "unexpected end of section or function");
        memcpy(in->imm.v128, r->pos, 16);
        r->pos += 16;
        return 0;
    }
    return 0;
}

/* The proposal an opcode hwasmc does not decode comes from, for the error message: a
 * module built with a toolchain's newer features enabled is not malformed, and its author
 * needs to know which flag to drop. NULL when the byte is no opcode of any proposal. */
static const char *proposal_of(uint8_t b) {
    switch (b) {
    case 0x06: case 0x07: case 0x08: case 0x09: case 0x0a: case 0x18: case 0x19: case 0x1f:
        return "exception handling";
    case 0x12: case 0x13: return "tail calls";
    case 0x14: case 0x15: case 0xd4: case 0xd5: case 0xd6: return "typed function references";
    case 0xd3: case 0xfb: return "garbage collection";
    case 0xfe: return "threads (atomics)";
    default: return NULL;
    }
}

/* "illegal opcode 0x12", and " (tail calls ...)" when a proposal defines it. */
static int illegal_opcode(insn_reader *r, const uint8_t *at, uint8_t b, uint32_t sub, int prefixed,
                          wasm_error *err) {
    const char *proposal = proposal_of(b);
    char what[24];
    if (prefixed) snprintf(what, sizeof what, "0x%02x %u", b, sub);
    else snprintf(what, sizeof what, "0x%02x", b);
    if (proposal)
        wasm_error_set(err, err->func_index, (size_t)(at - r->start),
                       "illegal opcode %s (from the %s proposal, which hwasmc does not support)", what, proposal);
    else
        wasm_error_set(err, err->func_index, (size_t)(at - r->start), "illegal opcode %s", what);
    return -1;
}

int insn_read(insn_reader *r, wasm_insn *out, wasm_error *err) {
    memset(out, 0, sizeof *out);
    out->offset = (size_t)(r->pos - r->start);
    const uint8_t *at = r->pos;
    uint8_t b = 0;
    if (byte(r, &b, err)) return -1;
    unsigned shape;
    if (b == 0xfc || b == 0xfd) {
        uint32_t sub;
        if (u32(r, &sub, err)) return -1;
        uint32_t op = (uint32_t)b << 8 | sub;
        shape = sub < 0x100 ? shape_of(op) : 0;
        if (!shape) return illegal_opcode(r, at, b, sub, 1, err);
        out->op = op;
    } else {
        shape = shape_of(b);
        if (!shape) return illegal_opcode(r, at, b, 0, 0, err);
        out->op = b;
    }
    return immediates(r, out, (enum insn_imm)(shape - 1), err);
}
