/*
 * validate_func.c — type-checks one function body with an operand stack and a control
 * stack, exactly the algorithm of the spec's validation appendix: after unreachable, br,
 * br_table and return the rest of the block is typed with the polymorphic "unknown" type
 * (0 here). Encoding errors come from the instruction reader (insn.c).
 */
#include <stdlib.h>
#include <string.h>

#include "validate_func.h"

#define UNKNOWN 0

typedef struct ctrl_frame {
    uint32_t op;  /* OP_BLOCK, OP_LOOP, OP_IF, OP_ELSE; OP_CALL for the function itself */
    uint8_t kind; /* enum block_type_kind */
    uint8_t value_type;
    uint32_t type_index;
    uint32_t height; /* operand stack height at entry */
    bool unreachable;
} ctrl_frame;

/* A sequence of value types: a frame's params or results. */
typedef struct types {
    const uint8_t *v;
    uint32_t n;
} types;

/* Reports an error at the current instruction; `fmt` may use `arg` once, as %u. */
static int fail(func_checker *c, const char *fmt, uint32_t arg) {
    wasm_error_set(c->err, c->func_index, c->at, fmt, arg);
    return -1;
}

static int fail_at(func_checker *c, const wasm_insn *in, const char *msg) {
    wasm_error_set(c->err, c->func_index, in->offset, "%s", msg);
    return -1;
}

static types params_of(const func_checker *c, const ctrl_frame *f) {
    if (f->kind != BLOCK_TYPE_INDEX) return (types){NULL, 0};
    const wasm_functype *t = &c->m->types[f->type_index];
    return (types){t->types, t->num_params};
}

static types results_of(const func_checker *c, const ctrl_frame *f) {
    switch (f->kind) {
    case BLOCK_EMPTY: return (types){NULL, 0};
    case BLOCK_VALUE: return (types){&f->value_type, 1};
    }
    const wasm_functype *t = &c->m->types[f->type_index];
    return (types){t->types + t->num_params, t->num_results};
}

static types label_types(const func_checker *c, const ctrl_frame *f) {
    return f->op == OP_LOOP ? params_of(c, f) : results_of(c, f);
}

/* Returns `buf` (capacity *cap elements of `size` bytes) grown to hold `need` elements,
 * or NULL with the error set. */
static void *grow(func_checker *c, void *buf, uint32_t *cap, uint64_t need, size_t size) {
    if (need <= *cap && buf) return buf;
    uint64_t n = *cap ? (uint64_t)*cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = n > UINT32_MAX ? NULL : realloc(buf, (size_t)n * size);
    if (!q) {
        fail(c, "out of memory", 0);
        return NULL;
    }
    *cap = (uint32_t)n;
    return q;
}

/* Makes room for `need` elements in the array field `arr` (capacity field `cap`); 0 or -1. */
#define RESERVE(c, arr, cap, need)                                                                 \
    __extension__({                                                                                \
        void *p_ = grow((c), (c)->arr, &(c)->cap, (need), sizeof *(c)->arr);                       \
        if (p_) (c)->arr = p_;                                                                     \
        p_ ? 0 : -1;                                                                               \
    })

static int push(func_checker *c, uint8_t t) {
    if (c->num_vals == c->cap_vals && RESERVE(c, vals, cap_vals, (uint64_t)c->num_vals + 1))
        return -1;
    c->vals[c->num_vals++] = t;
    return 0;
}

static int push_all(func_checker *c, types ts) {
    for (uint32_t i = 0; i < ts.n; i++)
        if (push(c, ts.v[i])) return -1;
    return 0;
}

/* Pops one operand into *out (UNKNOWN in unreachable code once the block's operands are
 * exhausted). */
static int pop(func_checker *c, uint8_t *out) {
    const ctrl_frame *f = &c->ctrls[c->num_ctrls - 1];
    if (c->num_vals == f->height) {
        if (!f->unreachable) return fail(c, "type mismatch", 0);
        *out = UNKNOWN;
        return 0;
    }
    *out = c->vals[--c->num_vals];
    return 0;
}

static int pop_expect(func_checker *c, uint8_t expect) {
    uint8_t t = 0;
    if (pop(c, &t)) return -1;
    if (t != expect && t != UNKNOWN && expect != UNKNOWN) return fail(c, "type mismatch", 0);
    return 0;
}

static int pop_all(func_checker *c, types ts) {
    for (uint32_t i = ts.n; i-- > 0;)
        if (pop_expect(c, ts.v[i])) return -1;
    return 0;
}

static int push_ctrl(func_checker *c, const ctrl_frame *f) {
    if (c->num_ctrls == c->cap_ctrls && RESERVE(c, ctrls, cap_ctrls, (uint64_t)c->num_ctrls + 1))
        return -1;
    ctrl_frame *n = &c->ctrls[c->num_ctrls++];
    *n = *f;
    n->height = c->num_vals;
    n->unreachable = false;
    return push_all(c, params_of(c, n));
}

static int pop_ctrl(func_checker *c, ctrl_frame *out) {
    *out = c->ctrls[c->num_ctrls - 1];
    if (pop_all(c, results_of(c, out))) return -1;
    if (c->num_vals != out->height) return fail(c, "type mismatch", 0);
    c->num_ctrls--;
    return 0;
}

static void set_unreachable(func_checker *c) {
    ctrl_frame *f = &c->ctrls[c->num_ctrls - 1];
    c->num_vals = f->height;
    f->unreachable = true;
}

static int label(func_checker *c, uint32_t depth, const ctrl_frame **out) {
    if (depth >= c->num_ctrls) return fail(c, "unknown label", 0);
    *out = &c->ctrls[c->num_ctrls - 1 - depth];
    return 0;
}

/* Numeric and vector types: what an untyped select accepts. */
static bool is_num(uint8_t t) {
    return t == HWASM_I32 || t == HWASM_I64 || t == HWASM_F32 || t == HWASM_F64 ||
           t == HWASM_V128;
}

static bool is_ref(uint8_t t) {
    return t == HWASM_FUNCREF || t == HWASM_EXTERNREF;
}

/* ---- local and module-level lookups ------------------------------------------------ */

static int local_type(func_checker *c, uint32_t index, uint8_t *out) {
    const wasm_func *fn = &c->m->funcs[c->func_index];
    const wasm_functype *ft = &c->m->types[fn->type_index];
    if (index < ft->num_params) {
        *out = ft->types[index];
        return 0;
    }
    uint64_t i = (uint64_t)index - ft->num_params;
    if (i >= fn->num_locals) return fail(c, "unknown local %u", index);
    /* Binary search over the runs: the first run whose cumulative end exceeds i. */
    uint32_t lo = 0, hi = fn->num_local_runs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c->local_ends[mid] > i)
            hi = mid;
        else
            lo = mid + 1;
    }
    *out = fn->local_runs[lo].type;
    return 0;
}

static int table(func_checker *c, uint32_t index, uint8_t *elem_type) {
    if (index >= c->m->num_tables) return fail(c, "unknown table %u", index);
    *elem_type = c->m->tables[index].elem_type;
    return 0;
}

static int memory(func_checker *c) {
    return c->m->num_memories == 0 ? fail(c, "unknown memory %u", 0) : 0;
}

static int data_segment(func_checker *c, uint32_t index) {
    return index >= c->m->data_count ? fail(c, "unknown data segment %u", index) : 0;
}

static int elem_segment(func_checker *c, uint32_t index, uint8_t *elem_type) {
    if (index >= c->m->num_elems) return fail(c, "unknown elem segment %u", index);
    *elem_type = c->m->elems[index].elem_type;
    return 0;
}

static int func_type(func_checker *c, uint32_t func, const wasm_functype **out) {
    if (func >= c->m->num_funcs) return fail(c, "unknown function %u", func);
    *out = wasm_func_type(c->m, func);
    return 0;
}

static types params(const wasm_functype *t) {
    return (types){t->types, t->num_params};
}
static types results(const wasm_functype *t) {
    return (types){t->types + t->num_params, t->num_results};
}

/* ---- instruction groups ------------------------------------------------------------ */

static int unop(func_checker *c, uint8_t in, uint8_t out) {
    return pop_expect(c, in) || push(c, out) ? -1 : 0;
}

static int binop(func_checker *c, uint8_t in, uint8_t out) {
    return pop_expect(c, in) || pop_expect(c, in) || push(c, out) ? -1 : 0;
}

/* Operand and result types of the conversions 0xa7 .. 0xbf, as (from, to) pairs. */
static const uint8_t conversions[][2] = {
    {HWASM_I64, HWASM_I32}, /* i32.wrap_i64 */
    {HWASM_F32, HWASM_I32}, {HWASM_F32, HWASM_I32}, {HWASM_F64, HWASM_I32}, {HWASM_F64, HWASM_I32},
    {HWASM_I32, HWASM_I64}, {HWASM_I32, HWASM_I64}, /* i64.extend_i32_s/u */
    {HWASM_F32, HWASM_I64}, {HWASM_F32, HWASM_I64}, {HWASM_F64, HWASM_I64}, {HWASM_F64, HWASM_I64},
    {HWASM_I32, HWASM_F32}, {HWASM_I32, HWASM_F32}, {HWASM_I64, HWASM_F32}, {HWASM_I64, HWASM_F32},
    {HWASM_F64, HWASM_F32}, /* f32.demote_f64 */
    {HWASM_I32, HWASM_F64}, {HWASM_I32, HWASM_F64}, {HWASM_I64, HWASM_F64}, {HWASM_I64, HWASM_F64},
    {HWASM_F32, HWASM_F64}, /* f64.promote_f32 */
    {HWASM_F32, HWASM_I32}, {HWASM_F64, HWASM_I64}, {HWASM_I32, HWASM_F32}, {HWASM_I64, HWASM_F64},
};

/* Numeric instructions (no immediates beyond constants); 1 if `op` is not one. */
static int numeric(func_checker *c, const wasm_insn *in) {
    uint32_t op = in->op;
    const uint8_t I32 = HWASM_I32, I64 = HWASM_I64, F32 = HWASM_F32, F64 = HWASM_F64;
    if (op == OP_I32_CONST) return push(c, I32);
    if (op == OP_I64_CONST) return push(c, I64);
    if (op == OP_F32_CONST) return push(c, F32);
    if (op == OP_F64_CONST) return push(c, F64);
    if (op == OP_I32_EQZ) return unop(c, I32, I32);
    if (op >= OP_I32_EQ && op <= OP_I32_GE_U) return binop(c, I32, I32);
    if (op == OP_I64_EQZ) return unop(c, I64, I32);
    if (op >= OP_I64_EQ && op <= OP_I64_GE_U) return binop(c, I64, I32);
    if (op >= OP_F32_EQ && op <= OP_F32_GE) return binop(c, F32, I32);
    if (op >= OP_F64_EQ && op <= OP_F64_GE) return binop(c, F64, I32);
    if (op >= OP_I32_CLZ && op <= OP_I32_POPCNT) return unop(c, I32, I32);
    if (op >= OP_I32_ADD && op <= OP_I32_ROTR) return binop(c, I32, I32);
    if (op >= OP_I64_CLZ && op <= OP_I64_POPCNT) return unop(c, I64, I64);
    if (op >= OP_I64_ADD && op <= OP_I64_ROTR) return binop(c, I64, I64);
    if (op >= OP_F32_ABS && op <= OP_F32_SQRT) return unop(c, F32, F32);
    if (op >= OP_F32_ADD && op <= OP_F32_COPYSIGN) return binop(c, F32, F32);
    if (op >= OP_F64_ABS && op <= OP_F64_SQRT) return unop(c, F64, F64);
    if (op >= OP_F64_ADD && op <= OP_F64_COPYSIGN) return binop(c, F64, F64);
    if (op >= OP_I32_WRAP_I64 && op <= OP_F64_REINTERPRET_I64) {
        const uint8_t *conv = conversions[op - OP_I32_WRAP_I64];
        return unop(c, conv[0], conv[1]);
    }
    if (op == OP_I32_EXTEND8_S || op == OP_I32_EXTEND16_S) return unop(c, I32, I32);
    if (op >= OP_I64_EXTEND8_S && op <= OP_I64_EXTEND32_S) return unop(c, I64, I64);
    if (op >= OP_I32_TRUNC_SAT_F32_S && op <= OP_I64_TRUNC_SAT_F64_U) {
        uint32_t k = op - OP_I32_TRUNC_SAT_F32_S;
        return unop(c, k & 2 ? F64 : F32, k & 4 ? I64 : I32);
    }
    return 1;
}

/* Loads and stores: natural alignment (log2 bytes) and value type. */
static int memory_access(func_checker *c, const wasm_insn *in) {
    static const struct {
        uint8_t log2;
        uint8_t type;
    } acc[] = {
        {2, HWASM_I32}, {3, HWASM_I64}, {2, HWASM_F32}, {3, HWASM_F64}, /* loads */
        {0, HWASM_I32}, {0, HWASM_I32}, {1, HWASM_I32}, {1, HWASM_I32}, {0, HWASM_I64},
        {0, HWASM_I64}, {1, HWASM_I64}, {1, HWASM_I64}, {2, HWASM_I64}, {2, HWASM_I64},
        {2, HWASM_I32}, {3, HWASM_I64}, {2, HWASM_F32}, {3, HWASM_F64}, /* stores */
        {0, HWASM_I32}, {1, HWASM_I32}, {0, HWASM_I64}, {1, HWASM_I64}, {2, HWASM_I64},
    };
    uint32_t k = in->op - OP_I32_LOAD;
    if (memory(c)) return -1;
    if (in->imm.memarg.align > acc[k].log2)
        return fail(c, "alignment must not be larger than natural", 0);
    if (in->op <= OP_I64_LOAD32_U) return unop(c, HWASM_I32, acc[k].type);
    return pop_expect(c, acc[k].type) || pop_expect(c, HWASM_I32) ? -1 : 0;
}

/* One row of insn_simd.h: operand and result types, immediate shape, access/lane size. */
typedef struct simd_row {
    uint8_t result, operands[3], imm, log2;
} simd_row;

static bool simd_row_of(uint32_t op, simd_row *row) {
    switch (op) {
#define X(name, code, imm_, text, r, a, b, c_, l)                                                  \
    case code:                                                                                     \
        *row = (simd_row){SIMD_TYPE_##r, {SIMD_TYPE_##a, SIMD_TYPE_##b, SIMD_TYPE_##c_}, imm_, l}; \
        return true;
        WASM_SIMD_OPCODES(X)
#undef X
    }
    return false;
}

/* A SIMD instruction: its immediates (alignment at most natural, lane indices below the
 * lane count, shuffle indices below 32), then its operands and result as its row says. */
static int simd(func_checker *c, const wasm_insn *in) {
    simd_row row;
    if (!simd_row_of(in->op, &row)) return fail_at(c, in, "illegal opcode");
    if (row.imm == IMM_MEMARG || row.imm == IMM_MEMARG_LANE) {
        if (memory(c)) return -1;
        if (in->imm.memarg.align > row.log2)
            return fail(c, "alignment must not be larger than natural", 0);
    }
    if ((row.imm == IMM_MEMARG_LANE || row.imm == IMM_LANE) && in->lane >= 16u >> row.log2)
        return fail(c, "invalid lane index", 0);
    if (row.imm == IMM_SHUFFLE)
        for (int i = 0; i < 16; i++)
            if (in->imm.v128[i] >= 32) return fail(c, "invalid lane index", 0);
    for (int i = 3; i-- > 0;)
        if (row.operands[i] && pop_expect(c, row.operands[i])) return -1;
    return row.result ? push(c, row.result) : 0;
}

static int block_start(func_checker *c, const wasm_insn *in) {
    ctrl_frame f = {.op = in->op,
                    .kind = in->imm.block.kind,
                    .value_type = in->imm.block.value_type,
                    .type_index = in->imm.block.type_index};
    if (f.kind == BLOCK_TYPE_INDEX && f.type_index >= c->m->num_types)
        return fail(c, "unknown type", 0);
    if (in->op == OP_IF && pop_expect(c, HWASM_I32)) return -1;
    if (pop_all(c, params_of(c, &f))) return -1;
    return push_ctrl(c, &f);
}

static int else_(func_checker *c, const wasm_insn *in) {
    if (c->ctrls[c->num_ctrls - 1].op != OP_IF) return fail_at(c, in, "END opcode expected");
    ctrl_frame f;
    if (pop_ctrl(c, &f)) return -1;
    f.op = OP_ELSE;
    return push_ctrl(c, &f);
}

static int end(func_checker *c) {
    ctrl_frame f;
    if (pop_ctrl(c, &f)) return -1;
    if (f.op == OP_IF) { /* no else: the missing branch passes its params on as results */
        types p = params_of(c, &f), r = results_of(c, &f);
        if (p.n != r.n || (p.n && memcmp(p.v, r.v, p.n) != 0)) return fail(c, "type mismatch", 0);
    }
    return push_all(c, results_of(c, &f));
}

static int br_table(func_checker *c, const wasm_insn *in) {
    const ctrl_frame *dflt = NULL, *l = NULL;
    if (pop_expect(c, HWASM_I32)) return -1;
    if (label(c, in->imm.br_table.default_target, &dflt)) return -1;
    uint32_t arity = label_types(c, dflt).n;
    if (RESERVE(c, tmp, cap_tmp, arity)) return -1;
    for (uint32_t i = 0; i < in->imm.br_table.count; i++) {
        if (label(c, in->imm.br_table.targets[i], &l)) return -1;
        types lt = label_types(c, l);
        if (lt.n != arity) return fail(c, "type mismatch", 0);
        /* Pop and push back what was popped: in unreachable code the targets may see
         * the polymorphic type, but each must be consistent with the actual operands. */
        for (uint32_t k = arity; k-- > 0;) {
            if (pop(c, &c->tmp[k])) return -1;
            if (c->tmp[k] != lt.v[k] && c->tmp[k] != UNKNOWN) return fail(c, "type mismatch", 0);
        }
        for (uint32_t k = 0; k < arity; k++)
            if (push(c, c->tmp[k])) return -1;
    }
    if (pop_all(c, label_types(c, dflt))) return -1;
    set_unreachable(c);
    return 0;
}

static int select_(func_checker *c, const wasm_insn *in) {
    if (in->op == OP_SELECT_T) {
        if (in->imm.select.count != 1) return fail(c, "invalid result arity", 0);
        uint8_t t = in->imm.select.type;
        return pop_expect(c, HWASM_I32) || pop_expect(c, t) || pop_expect(c, t) || push(c, t) ? -1
                                                                                              : 0;
    }
    uint8_t t1 = 0, t2 = 0;
    if (pop_expect(c, HWASM_I32) || pop(c, &t1) || pop(c, &t2)) return -1;
    if ((t1 != UNKNOWN && !is_num(t1)) || (t2 != UNKNOWN && !is_num(t2)))
        return fail(c, "type mismatch", 0);
    if (t1 != t2 && t1 != UNKNOWN && t2 != UNKNOWN) return fail(c, "type mismatch", 0);
    return push(c, t1 == UNKNOWN ? t2 : t1);
}

static int call_indirect(func_checker *c, const wasm_insn *in) {
    uint8_t et = 0;
    if (table(c, in->imm.call_indirect.table_index, &et)) return -1;
    if (et != HWASM_FUNCREF) return fail(c, "type mismatch", 0);
    if (in->imm.call_indirect.type_index >= c->m->num_types) return fail(c, "unknown type", 0);
    const wasm_functype *t = &c->m->types[in->imm.call_indirect.type_index];
    if (pop_expect(c, HWASM_I32) || pop_all(c, params(t))) return -1;
    return push_all(c, results(t));
}

static int variable(func_checker *c, const wasm_insn *in) {
    uint8_t t = 0;
    uint32_t x = in->imm.index;
    switch (in->op) {
    case OP_LOCAL_GET: return local_type(c, x, &t) || push(c, t) ? -1 : 0;
    case OP_LOCAL_SET: return local_type(c, x, &t) || pop_expect(c, t) ? -1 : 0;
    case OP_LOCAL_TEE: return local_type(c, x, &t) || pop_expect(c, t) || push(c, t) ? -1 : 0;
    }
    if (x >= c->m->num_globals) return fail(c, "unknown global %u", x);
    const wasm_global *g = &c->m->globals[x];
    if (in->op == OP_GLOBAL_GET) return push(c, g->value_type);
    if (!g->is_mutable) return fail(c, "global is immutable", 0);
    return pop_expect(c, g->value_type);
}

static int table_op(func_checker *c, const wasm_insn *in) {
    uint8_t et = 0, et2 = 0;
    const uint8_t I32 = HWASM_I32;
    switch (in->op) {
    case OP_TABLE_GET: return table(c, in->imm.index, &et) || unop(c, I32, et) ? -1 : 0;
    case OP_TABLE_SET:
        return table(c, in->imm.index, &et) || pop_expect(c, et) || pop_expect(c, I32) ? -1 : 0;
    case OP_TABLE_SIZE: return table(c, in->imm.index, &et) || push(c, I32) ? -1 : 0;
    case OP_TABLE_GROW:
        return table(c, in->imm.index, &et) || pop_expect(c, I32) || pop_expect(c, et) ||
                       push(c, I32)
                   ? -1
                   : 0;
    case OP_TABLE_FILL:
        return table(c, in->imm.index, &et) || pop_expect(c, I32) || pop_expect(c, et) ||
                       pop_expect(c, I32)
                   ? -1
                   : 0;
    case OP_TABLE_COPY:
        if (table(c, in->imm.pair.a, &et) || table(c, in->imm.pair.b, &et2)) return -1;
        break;
    case OP_TABLE_INIT:
        if (table(c, in->imm.pair.b, &et) || elem_segment(c, in->imm.pair.a, &et2)) return -1;
        break;
    default: /* OP_ELEM_DROP */ return elem_segment(c, in->imm.index, &et);
    }
    if (et != et2) return fail(c, "type mismatch", 0);
    return pop_expect(c, I32) || pop_expect(c, I32) || pop_expect(c, I32) ? -1 : 0;
}

static int memory_op(func_checker *c, const wasm_insn *in) {
    const uint8_t I32 = HWASM_I32;
    bool uses_data = in->op == OP_DATA_DROP || in->op == OP_MEMORY_INIT;
    /* The binary format requires the data count section for these (a decoding rule). */
    if (uses_data && !c->m->has_data_count) return fail(c, "data count section required", 0);
    if (in->op != OP_DATA_DROP && memory(c)) return -1;
    if (uses_data) {
        if (data_segment(c, in->imm.index)) return -1;
        if (in->op == OP_DATA_DROP) return 0;
    }
    switch (in->op) {
    case OP_MEMORY_SIZE: return push(c, I32);
    case OP_MEMORY_GROW: return unop(c, I32, I32);
    }
    return pop_expect(c, I32) || pop_expect(c, I32) || pop_expect(c, I32) ? -1 : 0;
}

static int reference(func_checker *c, const wasm_insn *in) {
    uint8_t t = 0;
    switch (in->op) {
    case OP_REF_NULL: return push(c, (uint8_t)in->imm.index);
    case OP_REF_IS_NULL:
        if (pop(c, &t)) return -1;
        if (t != UNKNOWN && !is_ref(t)) return fail(c, "type mismatch", 0);
        return push(c, HWASM_I32);
    }
    if (in->imm.index >= c->m->num_funcs) return fail(c, "unknown function %u", in->imm.index);
    if (!c->refs[in->imm.index]) return fail(c, "undeclared function reference", 0);
    return push(c, HWASM_FUNCREF);
}

static int instruction(func_checker *c, const wasm_insn *in) {
    const ctrl_frame *l = NULL;
    const wasm_functype *t = NULL;
    uint8_t ignored = 0;
    int rc = numeric(c, in);
    if (rc <= 0) return rc;
    switch (in->op) {
    case OP_UNREACHABLE: set_unreachable(c); return 0;
    case OP_NOP: return 0;
    case OP_BLOCK:
    case OP_LOOP:
    case OP_IF: return block_start(c, in);
    case OP_ELSE: return else_(c, in);
    case OP_END: return end(c);
    case OP_BR:
        if (label(c, in->imm.index, &l) || pop_all(c, label_types(c, l))) return -1;
        set_unreachable(c);
        return 0;
    case OP_BR_IF:
        if (pop_expect(c, HWASM_I32) || label(c, in->imm.index, &l)) return -1;
        return pop_all(c, label_types(c, l)) || push_all(c, label_types(c, l)) ? -1 : 0;
    case OP_BR_TABLE: return br_table(c, in);
    case OP_RETURN:
        if (pop_all(c, results_of(c, &c->ctrls[0]))) return -1;
        set_unreachable(c);
        return 0;
    case OP_CALL:
        if (func_type(c, in->imm.index, &t) || pop_all(c, params(t))) return -1;
        return push_all(c, results(t));
    case OP_CALL_INDIRECT: return call_indirect(c, in);
    case OP_DROP: return pop(c, &ignored);
    case OP_SELECT:
    case OP_SELECT_T: return select_(c, in);
    case OP_LOCAL_GET:
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE:
    case OP_GLOBAL_GET:
    case OP_GLOBAL_SET: return variable(c, in);
    case OP_TABLE_GET:
    case OP_TABLE_SET:
    case OP_TABLE_SIZE:
    case OP_TABLE_GROW:
    case OP_TABLE_FILL:
    case OP_TABLE_COPY:
    case OP_TABLE_INIT:
    case OP_ELEM_DROP: return table_op(c, in);
    case OP_MEMORY_SIZE:
    case OP_MEMORY_GROW:
    case OP_MEMORY_FILL:
    case OP_MEMORY_COPY:
    case OP_MEMORY_INIT:
    case OP_DATA_DROP: return memory_op(c, in);
    case OP_REF_NULL:
    case OP_REF_IS_NULL:
    case OP_REF_FUNC: return reference(c, in);
    }
    if (in->op >= OP_I32_LOAD && in->op <= OP_I64_STORE32) return memory_access(c, in);
    if (insn_is_simd(in->op)) return simd(c, in);
    return fail_at(c, in, "illegal opcode");
}

/* ---- driver ---------------------------------------------------------------------- */

void func_checker_init(func_checker *c, const wasm_module *m, const bool *refs, wasm_error *err) {
    memset(c, 0, sizeof *c);
    c->m = m;
    c->refs = refs;
    c->err = err;
}

void func_checker_free(func_checker *c) {
    free(c->vals);
    free(c->ctrls);
    free(c->local_ends);
    free(c->tmp);
    insn_reader_free(&c->reader);
}

int func_checker_run(func_checker *c, uint32_t func_index) {
    const wasm_module *m = c->m;
    const wasm_func *fn = &m->funcs[func_index];
    c->func_index = func_index;
    c->err->func_index = func_index;
    c->num_vals = c->num_ctrls = 0;

    if (RESERVE(c, local_ends, cap_local_ends, fn->num_local_runs)) return -1;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < fn->num_local_runs; i++)
        c->local_ends[i] = sum += fn->local_runs[i].count;

    /* Keep the br_table scratch buffer across bodies: re-point the reader, keep its buffer. */
    uint32_t *scratch = c->reader.scratch;
    uint32_t scratch_cap = c->reader.scratch_cap;
    insn_reader_init(&c->reader, m, fn->body, fn->body_len);
    c->reader.scratch = scratch;
    c->reader.scratch_cap = scratch_cap;

    ctrl_frame f = {.op = OP_CALL, .kind = BLOCK_TYPE_INDEX, .type_index = fn->type_index};
    if (RESERVE(c, ctrls, cap_ctrls, 1)) return -1;
    c->ctrls[0] = f; /* the function's own frame: no params on the stack, results at the end */
    c->ctrls[0].height = 0;
    c->ctrls[0].unreachable = false;
    c->num_ctrls = 1;

    /* wasm_decode checked that the body's blocks close exactly at its last byte. */
    wasm_insn in;
    while (c->num_ctrls > 0) {
        c->at = (size_t)(c->reader.pos - c->reader.start);
        if (insn_at_end(&c->reader)) return fail(c, "unexpected end of section or function", 0);
        if (insn_read(&c->reader, &in, c->err) || instruction(c, &in)) return -1;
    }
    return 0;
}
