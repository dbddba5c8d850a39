/*
 * module.h — a decoded WebAssembly module, as the decoder (decode.c) produces it and the
 * validator (validate.c) and the lowering (lower_*.c) consume it.
 *
 * Function bodies are not decoded into a tree: a body is a span of the input bytes, and
 * both the validator and the lowering walk it with the instruction reader (insn.h). The
 * module does not own the input buffer; it owns everything else (wasm_module_free).
 * module.c holds the module-wide helpers declared here (wasm_error_set, wasm_module_free).
 */
#ifndef HWASMC_MODULE_H
#define HWASMC_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hwasm/hwasm_module.h>

/* Implementation limits beyond the spec's (V8's and wasmtime's values): what a few bytes of
 * a module may make the compiler allocate. */
#define HWASMC_MAX_FUNCTION_LOCALS 50000u

typedef struct wasm_functype {
    uint32_t num_params;
    uint32_t num_results;
    uint8_t *types; /* params then results (hwasm_valtype bytes) */
} wasm_functype;

typedef struct wasm_name {
    char *data; /* NUL-terminated copy (the name itself may contain NUL bytes) */
    uint32_t len;
} wasm_name;

typedef struct wasm_import {
    wasm_name module;
    wasm_name name;
    uint8_t kind;        /* hwasm_extern_kind */
    uint32_t type_index; /* FUNC */
    hwasm_limits limits; /* TABLE, MEMORY */
    uint8_t value_type;  /* GLOBAL: value type; TABLE: element type */
    bool is_mutable;     /* GLOBAL */
} wasm_import;

typedef struct wasm_local_run {
    uint32_t count;
    uint8_t type;
} wasm_local_run;

typedef struct wasm_func {
    uint32_t type_index;
    /* Defined functions only: */
    uint32_t num_local_runs;
    wasm_local_run *local_runs; /* locals beyond the params, as declared (count, type) */
    uint64_t num_locals;        /* sum of the runs (validated < 2^32) */
    const uint8_t *body;        /* first instruction of the body (after the locals) */
    size_t body_len;            /* up to and including the final `end` */
    size_t body_offset;         /* file offset of `body`, for error messages */
    const char *debug_name;     /* from the name section, or NULL */
} wasm_func;

typedef struct wasm_global {
    uint8_t value_type;
    bool is_mutable;
    hwasm_const init; /* defined globals only */
} wasm_global;

typedef struct wasm_export {
    wasm_name name;
    uint8_t kind;
    uint32_t index;
} wasm_export;

typedef struct wasm_elem {
    uint32_t mode; /* hwasm_segment_mode */
    uint32_t table_index;
    hwasm_const offset;
    uint8_t elem_type;
    uint32_t num_items;
    hwasm_const *items;
} wasm_elem;

typedef struct wasm_data {
    uint32_t mode; /* ACTIVE or PASSIVE */
    uint32_t memory_index;
    hwasm_const offset;
    const uint8_t *bytes; /* points into the input buffer */
    uint32_t size;
} wasm_data;

typedef struct wasm_module {
    const uint8_t *bytes; /* the input; not owned */
    size_t size;

    uint32_t num_types;
    wasm_functype *types;

    uint32_t num_imports;
    wasm_import *imports;

    /* Index spaces: imports first, then definitions. */
    uint32_t num_funcs, num_imported_funcs;
    wasm_func *funcs;
    uint32_t num_tables, num_imported_tables;
    hwasm_table_def *tables;
    uint32_t num_memories, num_imported_memories; /* at most 1 in wasm 2.0 */
    hwasm_limits memory;
    uint32_t num_globals, num_imported_globals;
    wasm_global *globals;

    uint32_t num_exports;
    wasm_export *exports;

    bool has_start;
    uint32_t start_func;

    uint32_t num_elems;
    wasm_elem *elems;

    bool has_data_count;
    uint32_t data_count;
    uint32_t num_data;
    wasm_data *data;
} wasm_module;

/* Where decoding or validation failed: enough for the one-line error hwasmc prints,
 *   hwasmc: error: FILE: function N ($name) at offset 0x...: message
 * func_index is -1 when the error is outside any function body. */
typedef struct wasm_error {
    int64_t func_index;
    size_t offset;
    char message[256];
} wasm_error;

/* Decodes `bytes` (not copied; must outlive the module). Returns 0, or -1 with *err filled
 * and *out untouched. Checks everything the binary format requires ("malformed") but not
 * typing ("invalid"), except where the spec makes an index or count check part of
 * decoding. */
int wasm_decode(const uint8_t *bytes, size_t size, wasm_module *out, wasm_error *err);

/* Validates a decoded module exactly as the spec says ("invalid" modules). Returns 0 or -1. */
int wasm_validate(const wasm_module *m, wasm_error *err);

void wasm_module_free(wasm_module *m);

/* Helpers shared by decoder, validator and lowering. */
static inline const wasm_functype *wasm_func_type(const wasm_module *m, uint32_t func_index) {
    return &m->types[m->funcs[func_index].type_index];
}

/* Formats err->message with printf-style arguments; sets func_index and offset. */
void wasm_error_set(wasm_error *err, int64_t func_index, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* HWASMC_MODULE_H */
