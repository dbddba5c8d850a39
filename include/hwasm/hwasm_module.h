/*
 * hwasm_module.h — the contract between code that hwasmc generates and libhwasm.
 *
 * A compiled guest is a shared object that exports exactly one data symbol,
 * HWASM_DESCRIPTOR_SYMBOL, of type hwasm_descriptor. Everything the runtime needs to
 * know about the module (types, imports, exports, segments, entry points) is reachable
 * from it; everything the generated code needs from the runtime is reachable from the
 * instance context (hwasm_vmctx) that every generated function receives. The .so needs
 * no symbol from the runtime, only libc's memcpy/memmove/memset.
 *
 * Bump HWASM_ABI_VERSION on any change to a layout or a calling convention below.
 */
#ifndef HWASM_MODULE_H
#define HWASM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HWASM_ABI_VERSION 2u /* 2: v128 (constants, globals, two trampoline slots) */
#define HWASM_DESCRIPTOR_SYMBOL "hwasm_module_descriptor"
#define HWASM_PAGE_SIZE 65536u
#define HWASM_MAX_PAGES 65536u

/* Guard mode reserves this much address space per memory: any i32 index plus any u32
 * offset plus an access of up to 16 bytes lands inside it, so no bounds check is needed. */
#define HWASM_GUARD_RESERVATION ((8ull << 30) + HWASM_PAGE_SIZE)

/* Value types, encoded as in the wasm binary format. */
enum hwasm_valtype {
    HWASM_I32 = 0x7f,
    HWASM_I64 = 0x7e,
    HWASM_F32 = 0x7d,
    HWASM_F64 = 0x7c,
    HWASM_V128 = 0x7b,
    HWASM_FUNCREF = 0x70,
    HWASM_EXTERNREF = 0x6f,
};

/* External kinds, as in the binary format's import/export descriptors. */
enum hwasm_extern_kind {
    HWASM_EXTERN_FUNC = 0,
    HWASM_EXTERN_TABLE = 1,
    HWASM_EXTERN_MEMORY = 2,
    HWASM_EXTERN_GLOBAL = 3,
};

/* Why a guest call stopped. The runtime maps each to the spec's wording (hw_trap_message). */
enum hwasm_trap {
    HWASM_TRAP_NONE = 0,
    HWASM_TRAP_UNREACHABLE,         /* "unreachable" */
    HWASM_TRAP_MEMORY_OOB,          /* "out of bounds memory access" */
    HWASM_TRAP_INT_DIV_ZERO,        /* "integer divide by zero" */
    HWASM_TRAP_INT_OVERFLOW,        /* "integer overflow" */
    HWASM_TRAP_INVALID_CONVERSION,  /* "invalid conversion to integer" */
    HWASM_TRAP_UNDEFINED_ELEMENT,   /* "undefined element": call_indirect index >= table size */
    HWASM_TRAP_UNINITIALIZED,       /* "uninitialized element": call_indirect of a null entry */
    HWASM_TRAP_INDIRECT_SIG,        /* "indirect call type mismatch" */
    HWASM_TRAP_STACK_EXHAUSTED,     /* "call stack exhausted" */
    HWASM_TRAP_TABLE_OOB,           /* "out of bounds table access" */
    HWASM_TRAP_INTERRUPTED,         /* "interrupted": the interrupt flag was set */
    HWASM_TRAP_HOST,                /* a host function failed; the runtime keeps the message */
    HWASM_TRAP_COUNT
};

/* Compiler flags recorded in hwasm_descriptor.flags. */
#define HWASM_FLAG_BOUNDS_EXPLICIT 0x1u   /* every access compares against memory->size */
#define HWASM_FLAG_NO_INTERRUPTS 0x2u     /* loops and entries do not poll vmctx->interrupt */
/* Bits 16-31 of the flags: the machine the code was generated for, as an ELF e_machine
 * (hwasmc --target). The runtime refuses a module for another machine (its ELF header says
 * so too, and is checked first). 0 records none (hwasmc before it had targets, modules
 * made by hand): the ELF header alone decides. */
#define HWASM_FLAG_MACHINE_SHIFT 16u
#define HWASM_FLAG_MACHINE(flags) ((uint32_t)(flags) >> HWASM_FLAG_MACHINE_SHIFT)
#define HWASM_MACHINE_X86_64 62u   /* EM_X86_64: x86_64-linux-gnu, x86-64-v2 baseline */
#define HWASM_MACHINE_AARCH64 183u /* EM_AARCH64: aarch64-linux-gnu, armv8.0-a baseline */

/*
 * A function reference: what a table holds, what ref.func yields, what an import slot is.
 * Calling convention of `code` for a function of type (p1..pn) -> (r1..rm):
 *
 *     R code(void *env, hwasm_vmctx *caller, P1 p1, ..., Pn pn)
 *
 * with i32 -> int32_t, i64 -> int64_t, f32 -> float, f64 -> double, v128 -> a 16-byte
 * vector (GCC's `int64_t __attribute__((vector_size(16)))`, __m128i: an SSE register in
 * the x86-64 SysV ABI), funcref and externref -> pointer (NULL is ref.null); R is void for no result, the value type for
 * one, and an LLVM literal struct { R1, ..., Rm } (returned as C returns such a struct)
 * for several. For a function defined in a compiled module, env is its own instance's
 * hwasm_vmctx; for a host function, env is whatever the host registered.
 */
typedef struct hwasm_funcref {
    void *code;
    void *env;
    uint32_t sig_id; /* canonical signature id, interned by the runtime (hw_sig_intern) */
} hwasm_funcref;

/* One linear memory; shared by every instance that imports it. In both bounds modes the
 * runtime reserves address space up front, so `base` never moves. */
typedef struct hwasm_memory {
    uint8_t *base;
    uint64_t size;       /* bytes currently accessible */
    uint64_t max_pages;  /* growth limit (declared max, or HWASM_MAX_PAGES, or a host cap) */
    uint64_t reserved;   /* bytes of address space reserved at base */
} hwasm_memory;

/* One table. Elements are hwasm_funcref* (funcref tables) or opaque host pointers
 * (externref tables); NULL is the null reference. `elems` moves when the table grows. */
typedef struct hwasm_table {
    void **elems;
    uint32_t size;
    uint32_t max; /* declared max, or UINT32_MAX */
    uint8_t elem_type; /* HWASM_FUNCREF or HWASM_EXTERNREF */
} hwasm_table;

/* One global's storage: 16 bytes, so a v128 fits (its 16 bytes in memory order). An i32
 * lives in the low 4 bytes (little endian), f32/f64 as their bit patterns, references as
 * pointers. */
typedef union hwasm_global {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    void *ref;
    uint8_t bytes[16];
} hwasm_global;

typedef struct hwasm_vmctx hwasm_vmctx;

/*
 * Callbacks into the runtime, reached through vmctx->rt. All take the calling instance.
 * `trap` never returns: it unwinds to the runtime's entry point of the current guest call.
 * The bulk operations perform their own bounds checks and trap as the spec says.
 */
typedef struct hwasm_runtime_calls {
    void (*trap)(hwasm_vmctx *vm, uint32_t code) __attribute__((noreturn));
    /* memory.grow: returns the old size in pages, or -1 (and no change) on failure. */
    int32_t (*memory_grow)(hwasm_vmctx *vm, uint32_t delta_pages);
    void (*memory_init)(hwasm_vmctx *vm, uint32_t data_index, uint32_t dst, uint32_t src, uint32_t n);
    void (*data_drop)(hwasm_vmctx *vm, uint32_t data_index);
    void (*memory_copy)(hwasm_vmctx *vm, uint32_t dst, uint32_t src, uint32_t n);
    void (*memory_fill)(hwasm_vmctx *vm, uint32_t dst, uint32_t value, uint32_t n);
    /* table.grow: returns the old size, or -1 on failure. */
    int32_t (*table_grow)(hwasm_vmctx *vm, uint32_t table_index, void *init, uint32_t delta);
    void (*table_fill)(hwasm_vmctx *vm, uint32_t table_index, uint32_t dst, void *value, uint32_t n);
    void (*table_copy)(hwasm_vmctx *vm, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                       uint32_t src, uint32_t n);
    void (*table_init)(hwasm_vmctx *vm, uint32_t table_index, uint32_t elem_index, uint32_t dst,
                       uint32_t src, uint32_t n);
    void (*elem_drop)(hwasm_vmctx *vm, uint32_t elem_index);
} hwasm_runtime_calls;

/*
 * The instance context. Generated code reads these fields at the offsets below (the
 * compiler takes them from offsetof, so the layout here is the single source of truth).
 * The runtime allocates the arrays; their lengths come from the descriptor.
 */
struct hwasm_vmctx {
    uint8_t *mem_base;              /* == memory->base; invariant for the instance's life */
    hwasm_memory *memory;           /* NULL when the module has no memory */
    hwasm_global **globals;         /* [num_globals], imported ones first */
    hwasm_table **tables;           /* [num_tables], imported ones first */
    hwasm_funcref **funcs;          /* [num_funcs], imported ones first: call/ref.func */
    const uint32_t *sig_ids;        /* [num_types]: canonical id of each type index */
    const hwasm_runtime_calls *rt;
    uintptr_t stack_limit;          /* prologues trap when the stack pointer is below it */
    volatile uint32_t interrupt;    /* non-zero: trap HWASM_TRAP_INTERRUPTED at next poll */
    uint32_t reserved0;
    void *host;                     /* the runtime's instance object; not read by guests */
};

/* --- The descriptor: static, in .rodata / .data.rel.ro of the .so -------------------- */

/* A function type: params then results, as hwasm_valtype bytes. */
typedef struct hwasm_functype {
    uint32_t num_params;
    uint32_t num_results;
    const uint8_t *types; /* [num_params + num_results] */
} hwasm_functype;

/* A constant expression (global initialisers, segment offsets, element items). */
enum hwasm_const_kind {
    HWASM_CONST_I32 = 1,   /* value = zero-extended bits */
    HWASM_CONST_I64,
    HWASM_CONST_F32,       /* value = bit pattern */
    HWASM_CONST_F64,
    HWASM_CONST_REF_NULL,  /* index = reference type (HWASM_FUNCREF / HWASM_EXTERNREF) */
    HWASM_CONST_REF_FUNC,  /* index = function index */
    HWASM_CONST_GLOBAL_GET, /* index = global index */
    HWASM_CONST_V128        /* value = low 64 bits (lanes 0..7 as bytes), value_hi = high */
};
typedef struct hwasm_const {
    uint32_t kind;
    uint32_t index;
    uint64_t value;
    uint64_t value_hi; /* V128 only; 0 otherwise */
} hwasm_const;

typedef struct hwasm_limits {
    uint32_t min;
    uint32_t max;     /* valid when has_max */
    uint32_t has_max;
} hwasm_limits;

typedef struct hwasm_import {
    const char *module;  /* NUL-terminated; wasm names may contain NUL: see *_len */
    const char *name;
    uint32_t module_len;
    uint32_t name_len;
    uint32_t kind;       /* hwasm_extern_kind */
    uint32_t type_index; /* FUNC: type index */
    hwasm_limits limits; /* TABLE, MEMORY */
    uint8_t value_type;  /* GLOBAL: value type; TABLE: element type */
    uint8_t mutable_;    /* GLOBAL */
} hwasm_import;

typedef struct hwasm_export {
    const char *name;
    uint32_t name_len;
    uint32_t kind;  /* hwasm_extern_kind */
    uint32_t index; /* in that kind's index space (imports first) */
} hwasm_export;

typedef struct hwasm_table_def {
    uint8_t elem_type;
    hwasm_limits limits;
} hwasm_table_def;

typedef struct hwasm_global_def {
    uint8_t value_type;
    uint8_t mutable_;
    hwasm_const init;
} hwasm_global_def;

enum hwasm_segment_mode {
    HWASM_SEGMENT_ACTIVE = 0,
    HWASM_SEGMENT_PASSIVE = 1,
    HWASM_SEGMENT_DECLARATIVE = 2 /* element segments only */
};

typedef struct hwasm_data_segment {
    uint32_t mode;
    uint32_t memory_index;
    hwasm_const offset; /* ACTIVE only */
    const uint8_t *bytes;
    uint32_t size;
} hwasm_data_segment;

typedef struct hwasm_elem_segment {
    uint32_t mode;
    uint32_t table_index;
    hwasm_const offset; /* ACTIVE only */
    uint8_t elem_type;
    uint32_t num_items;
    const hwasm_const *items; /* REF_FUNC, REF_NULL or GLOBAL_GET */
} hwasm_elem_segment;

/*
 * Generic call trampoline, one per function type: calls `code` (a hwasm_funcref's code of
 * that type) with the arguments read from `slots` and writes the results back to `slots`,
 * both packed from slots[0]. A slot holds one value in its low bits (i32 zero-extended,
 * f32 as its bit pattern, references as pointers), except a v128, which takes two
 * consecutive slots: its bytes 0..7, then 8..15 (little endian), so slots[i] of a v128
 * is its i64x2 lane 0. hwasm_slot_count gives the slots a list of types needs.
 */
typedef void (*hwasm_trampoline)(void *code, void *env, hwasm_vmctx *caller, uint64_t *slots);

/* The number of 64-bit slots one value of type t takes (a v128 takes two). */
static inline uint32_t hwasm_slot_width(uint8_t t) { return t == HWASM_V128 ? 2 : 1; }

/* The number of 64-bit slots n values of these types take. */
static inline uint32_t hwasm_slot_count(const uint8_t *types, uint32_t n) {
    uint32_t slots = 0;
    for (uint32_t i = 0; i < n; i++) slots += hwasm_slot_width(types[i]);
    return slots;
}

/* Whether b is one of the value types above (the decoder, validator and loader agree). */
static inline bool hwasm_valtype_valid(uint8_t b) {
    return b == HWASM_I32 || b == HWASM_I64 || b == HWASM_F32 || b == HWASM_F64 || b == HWASM_V128 ||
           b == HWASM_FUNCREF || b == HWASM_EXTERNREF;
}

typedef struct hwasm_descriptor {
    uint32_t abi_version;  /* HWASM_ABI_VERSION */
    uint32_t flags;        /* HWASM_FLAG_* */
    uint8_t wasm_sha256[32];
    const char *compiler_version;

    uint32_t num_types;
    const hwasm_functype *types;
    const hwasm_trampoline *trampolines; /* [num_types] */

    uint32_t num_imports;
    const hwasm_import *imports;

    /* Functions: imported ones first, then defined ones. */
    uint32_t num_imported_funcs;
    uint32_t num_funcs;
    const uint32_t *func_types; /* [num_funcs]: type index of each function */
    void *const *func_code;     /* [num_funcs]: code of defined functions; NULL for imports */

    uint32_t num_imported_tables;
    uint32_t num_tables;
    const hwasm_table_def *tables; /* [num_tables], imports included */

    uint32_t has_memory;
    uint32_t memory_imported;
    hwasm_limits memory_limits;

    uint32_t num_imported_globals;
    uint32_t num_globals;
    const hwasm_global_def *globals; /* [num_globals]; init unused for imports */

    uint32_t num_exports;
    const hwasm_export *exports;

    int64_t start_func; /* function index, or -1 */

    uint32_t num_data;
    const hwasm_data_segment *data;
    uint32_t num_elems;
    const hwasm_elem_segment *elems;
} hwasm_descriptor;

#endif /* HWASM_MODULE_H */
