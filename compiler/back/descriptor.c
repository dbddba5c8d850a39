/*
 * descriptor.c — emits `hwasm_module_descriptor`, the only symbol a compiled .so exports,
 * with everything it points to (names, types, segments, code pointers), and one generic
 * call trampoline per function type (include/hwasm/hwasm_module.h).
 *
 * Every struct is built as an LLVM literal struct from the same fields as the C header,
 * and the target's data layout is checked field by field against offsetof/sizeof, so a
 * header change that this file does not follow is an error here, never a silent mismatch.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwasm/hwasm_module.h>
#include "descriptor.h"

_Static_assert(sizeof(void *) == 8, "hwasmc runs on and targets 64-bit machines only");

/* The LLVM types of the descriptor's structs. */
typedef struct abi_types {
    LLVMTypeRef limits, cnst, functype, import, export_, table_def, global_def, data_seg, elem_seg,
        descriptor;
} abi_types;

typedef struct field {
    LLVMTypeRef type;
    size_t offset; /* where the C compiler puts it */
} field;

#define F(type, c_struct, member)                                                                  \
    { (type), offsetof(c_struct, member) }
#define NFIELDS(a) (sizeof(a) / sizeof *(a))

/* Builds the LLVM struct for a C struct; returns NULL if LLVM would lay it out differently. */
static LLVMTypeRef abi_struct(const lower_unit *u, const field *f, unsigned n, size_t c_size) {
    LLVMTypeRef types[32];
    for (unsigned i = 0; i < n; i++)
        types[i] = f[i].type;
    LLVMTypeRef t = LLVMStructTypeInContext(u->ctx, types, n, 0);
    if (LLVMABISizeOfType(u->data_layout, t) != c_size) return NULL;
    for (unsigned i = 0; i < n; i++)
        if (LLVMOffsetOfElement(u->data_layout, t, i) != f[i].offset) return NULL;
    return t;
}

/* Fills *t; returns the name of the first struct whose layout differs from C's, or NULL. */
static const char *abi_types_init(const lower_unit *u, abi_types *t) {
    LLVMTypeRef i8 = u->i8, i32 = u->i32, i64 = u->i64, p = u->ptr;
    const field limits[] = {F(i32, hwasm_limits, min), F(i32, hwasm_limits, max),
                            F(i32, hwasm_limits, has_max)};
    if (!(t->limits = abi_struct(u, limits, NFIELDS(limits), sizeof(hwasm_limits))))
        return "hwasm_limits";
    const field cnst[] = {F(i32, hwasm_const, kind), F(i32, hwasm_const, index),
                          F(i64, hwasm_const, value), F(i64, hwasm_const, value_hi)};
    if (!(t->cnst = abi_struct(u, cnst, NFIELDS(cnst), sizeof(hwasm_const)))) return "hwasm_const";
    const field functype[] = {F(i32, hwasm_functype, num_params),
                              F(i32, hwasm_functype, num_results), F(p, hwasm_functype, types)};
    if (!(t->functype = abi_struct(u, functype, NFIELDS(functype), sizeof(hwasm_functype))))
        return "hwasm_functype";
    const field import[] = {F(p, hwasm_import, module),         F(p, hwasm_import, name),
                            F(i32, hwasm_import, module_len),   F(i32, hwasm_import, name_len),
                            F(i32, hwasm_import, kind),         F(i32, hwasm_import, type_index),
                            F(t->limits, hwasm_import, limits), F(i8, hwasm_import, value_type),
                            F(i8, hwasm_import, mutable_)};
    if (!(t->import = abi_struct(u, import, NFIELDS(import), sizeof(hwasm_import))))
        return "hwasm_import";
    const field export_[] = {F(p, hwasm_export, name), F(i32, hwasm_export, name_len),
                             F(i32, hwasm_export, kind), F(i32, hwasm_export, index)};
    if (!(t->export_ = abi_struct(u, export_, NFIELDS(export_), sizeof(hwasm_export))))
        return "hwasm_export";
    const field table_def[] = {F(i8, hwasm_table_def, elem_type),
                               F(t->limits, hwasm_table_def, limits)};
    if (!(t->table_def = abi_struct(u, table_def, NFIELDS(table_def), sizeof(hwasm_table_def))))
        return "hwasm_table_def";
    const field global_def[] = {F(i8, hwasm_global_def, value_type),
                                F(i8, hwasm_global_def, mutable_),
                                F(t->cnst, hwasm_global_def, init)};
    if (!(t->global_def = abi_struct(u, global_def, NFIELDS(global_def), sizeof(hwasm_global_def))))
        return "hwasm_global_def";
    const field data_seg[] = {F(i32, hwasm_data_segment, mode),
                              F(i32, hwasm_data_segment, memory_index),
                              F(t->cnst, hwasm_data_segment, offset),
                              F(p, hwasm_data_segment, bytes), F(i32, hwasm_data_segment, size)};
    if (!(t->data_seg = abi_struct(u, data_seg, NFIELDS(data_seg), sizeof(hwasm_data_segment))))
        return "hwasm_data_segment";
    const field elem_seg[] = {
        F(i32, hwasm_elem_segment, mode),       F(i32, hwasm_elem_segment, table_index),
        F(t->cnst, hwasm_elem_segment, offset), F(i8, hwasm_elem_segment, elem_type),
        F(i32, hwasm_elem_segment, num_items),  F(p, hwasm_elem_segment, items)};
    if (!(t->elem_seg = abi_struct(u, elem_seg, NFIELDS(elem_seg), sizeof(hwasm_elem_segment))))
        return "hwasm_elem_segment";
    const field desc[] = {
        F(i32, hwasm_descriptor, abi_version),
        F(i32, hwasm_descriptor, flags),
        F(LLVMArrayType2(i8, 32), hwasm_descriptor, wasm_sha256),
        F(p, hwasm_descriptor, compiler_version),
        F(i32, hwasm_descriptor, num_types),
        F(p, hwasm_descriptor, types),
        F(p, hwasm_descriptor, trampolines),
        F(i32, hwasm_descriptor, num_imports),
        F(p, hwasm_descriptor, imports),
        F(i32, hwasm_descriptor, num_imported_funcs),
        F(i32, hwasm_descriptor, num_funcs),
        F(p, hwasm_descriptor, func_types),
        F(p, hwasm_descriptor, func_code),
        F(i32, hwasm_descriptor, num_imported_tables),
        F(i32, hwasm_descriptor, num_tables),
        F(p, hwasm_descriptor, tables),
        F(i32, hwasm_descriptor, has_memory),
        F(i32, hwasm_descriptor, memory_imported),
        F(t->limits, hwasm_descriptor, memory_limits),
        F(i32, hwasm_descriptor, num_imported_globals),
        F(i32, hwasm_descriptor, num_globals),
        F(p, hwasm_descriptor, globals),
        F(i32, hwasm_descriptor, num_exports),
        F(p, hwasm_descriptor, exports),
        F(i64, hwasm_descriptor, start_func),
        F(i32, hwasm_descriptor, num_data),
        F(p, hwasm_descriptor, data),
        F(i32, hwasm_descriptor, num_elems),
        F(p, hwasm_descriptor, elems),
    };
    if (!(t->descriptor = abi_struct(u, desc, NFIELDS(desc), sizeof(hwasm_descriptor))))
        return "hwasm_descriptor";
    return NULL;
}

/* --- constants ------------------------------------------------------------------------ */

static LLVMValueRef c8(const lower_unit *u, uint64_t v) {
    return LLVMConstInt(u->i8, v, 0);
}
static LLVMValueRef c32(const lower_unit *u, uint64_t v) {
    return LLVMConstInt(u->i32, v, 0);
}
static LLVMValueRef c64(const lower_unit *u, uint64_t v) {
    return LLVMConstInt(u->i64, v, 0);
}
static LLVMValueRef null_ptr(const lower_unit *u) {
    return LLVMConstNull(u->ptr);
}

static LLVMValueRef cstruct(const lower_unit *u, LLVMValueRef *v, unsigned n) {
    return LLVMConstStructInContext(u->ctx, v, n, 0);
}

/* A private constant global holding init; returns its address. */
static LLVMValueRef private_const(const lower_unit *u, const char *name, LLVMValueRef init) {
    LLVMValueRef g = LLVMAddGlobal(u->mod, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    return g;
}

/* A private array of n elements of type t, or NULL when n == 0. Takes ownership of v. */
static LLVMValueRef private_array(const lower_unit *u, const char *name, LLVMTypeRef t,
                                  LLVMValueRef *v, uint64_t n) {
    LLVMValueRef r = n ? private_const(u, name, LLVMConstArray2(t, v, n)) : null_ptr(u);
    free(v);
    return r;
}

/* A NUL-terminated copy of a wasm name (which may itself contain NUL bytes). */
static LLVMValueRef name_ptr(const lower_unit *u, const wasm_name *n) {
    return private_const(u, "hwasm.name",
                         LLVMConstStringInContext2(u->ctx, n->data ? n->data : "", n->len, 0));
}

static LLVMValueRef const_expr(const lower_unit *u, const hwasm_const *c) {
    LLVMValueRef v[] = {c32(u, c->kind), c32(u, c->index), c64(u, c->value), c64(u, c->value_hi)};
    return cstruct(u, v, 4);
}

static LLVMValueRef limits(const lower_unit *u, const hwasm_limits *l) {
    LLVMValueRef v[] = {c32(u, l->min), c32(u, l->max), c32(u, l->has_max)};
    return cstruct(u, v, 3);
}

/* Allocates n values (at least one, so n == 0 needs no special case); NULL on OOM. */
static LLVMValueRef *values(uint64_t n) {
    return calloc(n ? n : 1, sizeof(LLVMValueRef));
}

/* --- tables --------------------------------------------------------------------------- */

static LLVMValueRef types_table(const lower_unit *u, const abi_types *t) {
    const wasm_module *m = u->m;
    uint64_t total = 0;
    for (uint32_t i = 0; i < m->num_types; i++)
        total += m->types[i].num_params + m->types[i].num_results;
    /* All signatures' value types in one byte array; each functype points into it. */
    char *bytes = malloc(total ? total : 1);
    LLVMValueRef *v = values(m->num_types);
    if (!bytes || !v) return free(bytes), free(v), NULL;
    uint64_t at = 0;
    for (uint32_t i = 0; i < m->num_types; i++) {
        uint32_t n = m->types[i].num_params + m->types[i].num_results;
        memcpy(bytes + at, m->types[i].types, n);
        at += n;
    }
    LLVMValueRef all = total ? private_const(u, "hwasm.typebytes",
                                             LLVMConstStringInContext2(u->ctx, bytes, total, 1))
                             : NULL;
    free(bytes);
    at = 0;
    for (uint32_t i = 0; i < m->num_types; i++) {
        const wasm_functype *ft = &m->types[i];
        LLVMValueRef idx = c64(u, at);
        LLVMValueRef p = ft->num_params + ft->num_results
                             ? LLVMConstInBoundsGEP2(u->i8, all, &idx, 1)
                             : null_ptr(u);
        LLVMValueRef f[] = {c32(u, ft->num_params), c32(u, ft->num_results), p};
        v[i] = cstruct(u, f, 3);
        at += ft->num_params + ft->num_results;
    }
    return private_array(u, "hwasm.types", t->functype, v, m->num_types);
}

static LLVMValueRef imports_table(const lower_unit *u, const abi_types *t) {
    const wasm_module *m = u->m;
    LLVMValueRef *v = values(m->num_imports);
    if (!v) return NULL;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const wasm_import *im = &m->imports[i];
        LLVMValueRef f[] = {
            name_ptr(u, &im->module), name_ptr(u, &im->name), c32(u, im->module.len),
            c32(u, im->name.len),     c32(u, im->kind),       c32(u, im->type_index),
            limits(u, &im->limits),   c8(u, im->value_type),  c8(u, im->is_mutable)};
        v[i] = cstruct(u, f, NFIELDS(f));
    }
    return private_array(u, "hwasm.imports", t->import, v, m->num_imports);
}

static LLVMValueRef exports_table(const lower_unit *u, const abi_types *t) {
    const wasm_module *m = u->m;
    LLVMValueRef *v = values(m->num_exports);
    if (!v) return NULL;
    for (uint32_t i = 0; i < m->num_exports; i++) {
        const wasm_export *ex = &m->exports[i];
        LLVMValueRef f[] = {name_ptr(u, &ex->name), c32(u, ex->name.len), c32(u, ex->kind),
                            c32(u, ex->index)};
        v[i] = cstruct(u, f, NFIELDS(f));
    }
    return private_array(u, "hwasm.exports", t->export_, v, m->num_exports);
}

static LLVMValueRef func_types_table(const lower_unit *u) {
    const wasm_module *m = u->m;
    LLVMValueRef *v = values(m->num_funcs);
    if (!v) return NULL;
    for (uint32_t i = 0; i < m->num_funcs; i++)
        v[i] = c32(u, m->funcs[i].type_index);
    return private_array(u, "hwasm.functypes", u->i32, v, m->num_funcs);
}

static LLVMValueRef func_code_table(const lower_unit *u) {
    const wasm_module *m = u->m;
    LLVMValueRef *v = values(m->num_funcs);
    if (!v) return NULL;
    for (uint32_t i = 0; i < m->num_funcs; i++)
        v[i] = i < m->num_imported_funcs ? null_ptr(u) : u->funcs[i];
    return private_array(u, "hwasm.funccode", u->ptr, v, m->num_funcs);
}

static LLVMValueRef tables_table(const lower_unit *u, const abi_types *t) {
    const wasm_module *m = u->m;
    LLVMValueRef *v = values(m->num_tables);
    if (!v) return NULL;
    for (uint32_t i = 0; i < m->num_tables; i++) {
        LLVMValueRef f[] = {c8(u, m->tables[i].elem_type), limits(u, &m->tables[i].limits)};
        v[i] = cstruct(u, f, 2);
    }
    return private_array(u, "hwasm.tables", t->table_def, v, m->num_tables);
}

static LLVMValueRef globals_table(const lower_unit *u, const abi_types *t) {
    const wasm_module *m = u->m;
    LLVMValueRef *v = values(m->num_globals);
    if (!v) return NULL;
    for (uint32_t i = 0; i < m->num_globals; i++) {
        const wasm_global *g = &m->globals[i];
        hwasm_const none = {0};
        const hwasm_const *init = i < m->num_imported_globals ? &none : &g->init;
        LLVMValueRef f[] = {c8(u, g->value_type), c8(u, g->is_mutable), const_expr(u, init)};
        v[i] = cstruct(u, f, 3);
    }
    return private_array(u, "hwasm.globals", t->global_def, v, m->num_globals);
}

static LLVMValueRef data_table(const lower_unit *u, const abi_types *t) {
    const wasm_module *m = u->m;
    LLVMValueRef *v = values(m->num_data);
    if (!v) return NULL;
    for (uint32_t i = 0; i < m->num_data; i++) {
        const wasm_data *d = &m->data[i];
        LLVMValueRef bytes =
            d->size ? private_const(
                          u, "hwasm.data",
                          LLVMConstStringInContext2(u->ctx, (const char *)d->bytes, d->size, 1))
                    : null_ptr(u);
        LLVMValueRef f[] = {c32(u, d->mode), c32(u, d->memory_index), const_expr(u, &d->offset),
                            bytes, c32(u, d->size)};
        v[i] = cstruct(u, f, NFIELDS(f));
    }
    return private_array(u, "hwasm.datasegs", t->data_seg, v, m->num_data);
}

static LLVMValueRef elems_table(const lower_unit *u, const abi_types *t) {
    const wasm_module *m = u->m;
    LLVMValueRef *v = values(m->num_elems);
    if (!v) return NULL;
    for (uint32_t i = 0; i < m->num_elems; i++) {
        const wasm_elem *e = &m->elems[i];
        LLVMValueRef *items = values(e->num_items);
        if (!items) return free(v), NULL;
        for (uint32_t k = 0; k < e->num_items; k++)
            items[k] = const_expr(u, &e->items[k]);
        LLVMValueRef f[] = {c32(u, e->mode),
                            c32(u, e->table_index),
                            const_expr(u, &e->offset),
                            c8(u, e->elem_type),
                            c32(u, e->num_items),
                            private_array(u, "hwasm.elemitems", t->cnst, items, e->num_items)};
        v[i] = cstruct(u, f, NFIELDS(f));
    }
    return private_array(u, "hwasm.elemsegs", t->elem_seg, v, m->num_elems);
}

/* --- trampolines ---------------------------------------------------------------------- */

/* Stores one result into its 64-bit slot (two for a v128): i32 and f32 zero-extended,
 * the rest as is. */
static void store_slot(const lower_unit *u, LLVMBuilderRef b, LLVMValueRef v, uint8_t type,
                       LLVMValueRef slot) {
    if (type == HWASM_F32) v = LLVMBuildBitCast(b, v, u->i32, "");
    if (type == HWASM_F32 || type == HWASM_I32) v = LLVMBuildZExt(b, v, u->i64, "");
    LLVMSetAlignment(LLVMBuildStore(b, v, slot), 8); /* a v128 fills two 8-aligned slots */
}

/* void tramp(ptr code, ptr env, ptr caller, ptr slots): see hwasm_trampoline. */
static LLVMValueRef trampoline(const lower_unit *u, uint32_t type_index) {
    const wasm_functype *ft = &u->m->types[type_index];
    LLVMTypeRef params[] = {u->ptr, u->ptr, u->ptr, u->ptr};
    LLVMTypeRef fty = LLVMFunctionType(u->void_t, params, 4, 0);
    char name[32];
    snprintf(name, sizeof name, "hwasm_tramp%u", type_index);
    LLVMValueRef fn = LLVMAddFunction(u->mod, name, fty);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    LLVMAddAttributeAtIndex(
        fn, LLVMAttributeFunctionIndex,
        LLVMCreateEnumAttribute(u->ctx, LLVMGetEnumAttributeKindForName("nounwind", 8), 0));

    LLVMBuilderRef b = LLVMCreateBuilderInContext(u->ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(u->ctx, fn, "entry"));
    LLVMValueRef slots = LLVMGetParam(fn, 3);
    LLVMValueRef *args = values(2 + (uint64_t)ft->num_params);
    if (!args) return LLVMDisposeBuilder(b), NULL;
    args[0] = LLVMGetParam(fn, 1);
    args[1] = LLVMGetParam(fn, 2);
    /* Little endian: a narrower value is the start of its slot; a v128 takes two. */
    uint64_t k = 0;
    for (uint32_t i = 0; i < ft->num_params; i++) {
        LLVMValueRef idx = c64(u, k);
        LLVMValueRef slot = LLVMBuildInBoundsGEP2(b, u->i64, slots, &idx, 1, "");
        args[2 + i] = LLVMBuildLoad2(b, lower_valtype(u, ft->types[i]), slot, "");
        LLVMSetAlignment(args[2 + i], 8);
        k += hwasm_slot_width(ft->types[i]);
    }
    LLVMValueRef r = LLVMBuildCall2(b, u->wasm_fn_types[type_index], LLVMGetParam(fn, 0), args,
                                    2 + ft->num_params, "");
    free(args);
    k = 0;
    for (uint32_t i = 0; i < ft->num_results; i++) {
        LLVMValueRef idx = c64(u, k);
        k += hwasm_slot_width(ft->types[ft->num_params + i]);
        LLVMValueRef slot = LLVMBuildInBoundsGEP2(b, u->i64, slots, &idx, 1, "");
        LLVMValueRef v = ft->num_results == 1 ? r : LLVMBuildExtractValue(b, r, i, "");
        store_slot(u, b, v, ft->types[ft->num_params + i], slot);
    }
    LLVMBuildRetVoid(b);
    LLVMDisposeBuilder(b);
    return fn;
}

static bool same_type(const wasm_functype *a, const wasm_functype *b) {
    return a->num_params == b->num_params && a->num_results == b->num_results &&
           !memcmp(a->types, b->types, a->num_params + a->num_results);
}

/* One trampoline per distinct signature; the table has an entry per type index. */
static LLVMValueRef trampolines_table(const lower_unit *u) {
    const wasm_module *m = u->m;
    LLVMValueRef *v = values(m->num_types);
    if (!v) return NULL;
    for (uint32_t i = 0; i < m->num_types; i++) {
        for (uint32_t j = 0; j < i && !v[i]; j++)
            if (same_type(&m->types[i], &m->types[j])) v[i] = v[j];
        if (!v[i] && !(v[i] = trampoline(u, i))) return free(v), NULL;
    }
    return private_array(u, "hwasm.trampolines", u->ptr, v, m->num_types);
}

/* --- the descriptor ------------------------------------------------------------------- */

int descriptor_emit(lower_unit *u, wasm_error *err) {
    const wasm_module *m = u->m;
    abi_types t = {0};
    const char *bad = abi_types_init(u, &t);
    if (bad) {
        wasm_error_set(err, -1, 0,
                       "internal error: LLVM's layout of %s differs from include/hwasm/hwasm_module.h", bad);
        return -1;
    }
    LLVMValueRef sha[32];
    for (int i = 0; i < 32; i++)
        sha[i] = c8(u, u->opts->wasm_sha256[i]);
    uint32_t flags = (u->opts->bounds_explicit ? HWASM_FLAG_BOUNDS_EXPLICIT : 0) |
                     (u->opts->interrupt_checks ? 0 : HWASM_FLAG_NO_INTERRUPTS) |
                     (uint32_t)target_info_of(u->opts->target)->elf_machine << HWASM_FLAG_MACHINE_SHIFT;
    LLVMValueRef version =
        private_const(u, "hwasm.version",
                      LLVMConstStringInContext2(u->ctx, HWASM_VERSION, strlen(HWASM_VERSION), 0));
    LLVMValueRef f[] = {
        c32(u, HWASM_ABI_VERSION),
        c32(u, flags),
        LLVMConstArray2(u->i8, sha, 32),
        version,
        c32(u, m->num_types),
        types_table(u, &t),
        trampolines_table(u),
        c32(u, m->num_imports),
        imports_table(u, &t),
        c32(u, m->num_imported_funcs),
        c32(u, m->num_funcs),
        func_types_table(u),
        func_code_table(u),
        c32(u, m->num_imported_tables),
        c32(u, m->num_tables),
        tables_table(u, &t),
        c32(u, m->num_memories > 0),
        c32(u, m->num_imported_memories > 0),
        limits(u, &m->memory),
        c32(u, m->num_imported_globals),
        c32(u, m->num_globals),
        globals_table(u, &t),
        c32(u, m->num_exports),
        exports_table(u, &t),
        c64(u, m->has_start ? (uint64_t)m->start_func : UINT64_MAX),
        c32(u, m->num_data),
        data_table(u, &t),
        c32(u, m->num_elems),
        elems_table(u, &t),
    };
    for (size_t i = 0; i < NFIELDS(f); i++) {
        if (!f[i]) {
            wasm_error_set(err, -1, 0, "out of memory while building the module descriptor");
            return -1;
        }
    }
    LLVMValueRef init = LLVMConstNamedStruct(t.descriptor, f, NFIELDS(f));
    LLVMValueRef g = LLVMAddGlobal(u->mod, t.descriptor, HWASM_DESCRIPTOR_SYMBOL);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetAlignment(g, _Alignof(hwasm_descriptor));
    /* Default visibility, external linkage: the one symbol the runtime looks up. */
    return 0;
}
