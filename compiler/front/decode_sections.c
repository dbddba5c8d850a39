/*
 * decode_sections.c — the contents of each known section (type .. data count), read into
 * the wasm_module. Section framing, order and the checks across sections are decode.c's.
 * Index spaces are built here: imports first, then the definitions appended to them.
 */
#include <stdlib.h>
#include <string.h>

#include "decode_sections.h"
#include "insn.h"

/* Returns p (of `old` elements of `size` bytes) grown by `add` zeroed elements, or NULL. */
static void *grow_raw(void *p, size_t old, size_t add, size_t size) {
    char *n = realloc(p, (old + add) * size);
    if (n) memset(n + old * size, 0, add * size);
    return n;
}

/* Appends `add` zeroed elements to the array `arr` of `old` elements; 0 or -1. */
#define grow(d, arr, old, add)                                                                     \
    __extension__({                                                                                \
        void *np_ = (add) ? grow_raw((arr), (old), (add), sizeof *(arr)) : (void *)(arr);          \
        int rc_ = (add) && !np_ ? dec_fail((d), (d)->pos, "out of memory") : 0;                    \
        if (!rc_) (arr) = np_;                                                                     \
        rc_;                                                                                       \
    })

static int value_types(dec *d, uint32_t *count, uint8_t **types, uint32_t extra_first) {
    /* Reads a vector of value types into (*types)[extra_first ..], growing *types. */
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, *types, extra_first, n)) return -1;
    for (uint32_t i = 0; i < n; i++)
        if (dec_value_type(d, &(*types)[extra_first + i])) return -1;
    *count = n;
    return 0;
}

int dec_type_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, m->types, 0, n)) return -1;
    m->num_types = n;
    for (uint32_t i = 0; i < n; i++) {
        wasm_functype *t = &m->types[i];
        uint8_t form = 0;
        if (dec_byte(d, &form)) return -1;
        /* The form is a one-byte signed LEB128 (-0x20): a longer encoding is too long. */
        if (form & 0x80) return dec_fail(d, d->pos - 1, "integer representation too long");
        if (form != 0x60) return dec_fail(d, d->pos - 1, "malformed function type");
        if (value_types(d, &t->num_params, &t->types, 0)) return -1;
        if (value_types(d, &t->num_results, &t->types, t->num_params)) return -1;
    }
    return 0;
}

static int global_type(dec *d, uint8_t *type, bool *is_mutable) {
    uint8_t mut = 0;
    if (dec_value_type(d, type) || dec_byte(d, &mut)) return -1;
    if (mut > 1) return dec_fail(d, d->pos - 1, "malformed mutability");
    *is_mutable = mut;
    return 0;
}

static int import_desc(dec *d, wasm_import *im) {
    if (dec_byte(d, &im->kind)) return -1;
    switch (im->kind) {
    case HWASM_EXTERN_FUNC: return dec_u32(d, &im->type_index);
    case HWASM_EXTERN_TABLE:
        return dec_ref_type(d, &im->value_type) || dec_limits(d, &im->limits) ? -1 : 0;
    case HWASM_EXTERN_MEMORY: return dec_limits(d, &im->limits);
    case HWASM_EXTERN_GLOBAL: return global_type(d, &im->value_type, &im->is_mutable);
    }
    return dec_fail(d, d->pos - 1, "malformed import kind");
}

/* Makes the imports the first entries of the function, table, memory and global spaces. */
static int import_index_spaces(dec *d) {
    wasm_module *m = d->m;
    uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        uint8_t k = m->imports[i].kind;
        nf += k == HWASM_EXTERN_FUNC;
        nt += k == HWASM_EXTERN_TABLE;
        nm += k == HWASM_EXTERN_MEMORY;
        ng += k == HWASM_EXTERN_GLOBAL;
    }
    if (grow(d, m->funcs, 0, nf) || grow(d, m->tables, 0, nt) || grow(d, m->globals, 0, ng))
        return -1;
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const wasm_import *im = &m->imports[i];
        switch (im->kind) {
        case HWASM_EXTERN_FUNC: m->funcs[m->num_funcs++].type_index = im->type_index; break;
        case HWASM_EXTERN_TABLE:
            m->tables[m->num_tables].elem_type = im->value_type;
            m->tables[m->num_tables++].limits = im->limits;
            break;
        case HWASM_EXTERN_MEMORY:
            if (m->num_memories++ == 0) m->memory = im->limits;
            break;
        case HWASM_EXTERN_GLOBAL:
            m->globals[m->num_globals].value_type = im->value_type;
            m->globals[m->num_globals++].is_mutable = im->is_mutable;
            break;
        }
    }
    m->num_imported_funcs = nf;
    m->num_imported_tables = nt;
    m->num_imported_memories = nm;
    m->num_imported_globals = ng;
    return 0;
}

int dec_import_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, m->imports, 0, n)) return -1;
    for (uint32_t i = 0; i < n; i++) {
        wasm_import *im = &m->imports[i];
        m->num_imports = i + 1; /* so that a failure frees the names read so far */
        if (dec_name(d, &im->module) || dec_name(d, &im->name) || import_desc(d, im)) return -1;
    }
    return import_index_spaces(d);
}

int dec_function_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, m->funcs, m->num_funcs, n)) return -1;
    for (uint32_t i = 0; i < n; i++)
        if (dec_u32(d, &m->funcs[m->num_funcs + i].type_index)) return -1;
    m->num_funcs += n;
    return 0;
}

int dec_table_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, m->tables, m->num_tables, n)) return -1;
    for (uint32_t i = 0; i < n; i++) {
        hwasm_table_def *t = &m->tables[m->num_tables + i];
        if (dec_ref_type(d, &t->elem_type) || dec_limits(d, &t->limits)) return -1;
    }
    m->num_tables += n;
    return 0;
}

int dec_memory_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    for (uint32_t i = 0; i < n; i++) {
        /* Wasm 2.0 allows one memory; the validator reports extra ones, only the first
         * is kept. */
        hwasm_limits l;
        if (dec_limits(d, &l)) return -1;
        if (m->num_memories++ == 0) m->memory = l;
    }
    return 0;
}

int dec_global_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, m->globals, m->num_globals, n)) return -1;
    for (uint32_t i = 0; i < n; i++) {
        wasm_global *g = &m->globals[m->num_globals + i];
        if (global_type(d, &g->value_type, &g->is_mutable) || dec_const_expr(d, &g->init))
            return -1;
    }
    m->num_globals += n;
    return 0;
}

int dec_export_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, m->exports, 0, n)) return -1;
    for (uint32_t i = 0; i < n; i++) {
        wasm_export *e = &m->exports[i];
        m->num_exports = i + 1;
        if (dec_name(d, &e->name) || dec_byte(d, &e->kind)) return -1;
        if (e->kind > HWASM_EXTERN_GLOBAL) return dec_fail(d, d->pos - 1, "malformed export kind");
        if (dec_u32(d, &e->index)) return -1;
    }
    return 0;
}

int dec_start_section(dec *d) {
    d->m->has_start = true;
    return dec_u32(d, &d->m->start_func);
}

/* Items of an element segment: function indices (kinds 0-3) or expressions (4-7). */
static int elem_items(dec *d, wasm_elem *e, bool exprs) {
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, e->items, 0, n)) return -1;
    e->num_items = n;
    for (uint32_t i = 0; i < n; i++) {
        hwasm_const *c = &e->items[i];
        if (exprs) {
            if (dec_const_expr(d, c)) return -1;
        } else {
            c->kind = HWASM_CONST_REF_FUNC;
            if (dec_u32(d, &c->index)) return -1;
        }
    }
    return 0;
}

/*
 * The segment flags: bit 0 passive or declarative (bit 1 then says declarative), bit 1 for
 * an active segment: explicit table index, bit 2: items are expressions with an explicit
 * reference type instead of function indices with an element kind.
 */
static int elem_segment(dec *d, wasm_elem *e) {
    uint32_t flags;
    const uint8_t *at = d->pos;
    if (dec_u32(d, &flags)) return -1;
    if (flags > 7) return dec_fail(d, at, "malformed elements segment kind");
    bool exprs = flags & 4;
    e->elem_type = HWASM_FUNCREF;
    if (flags & 1) {
        e->mode = flags & 2 ? HWASM_SEGMENT_DECLARATIVE : HWASM_SEGMENT_PASSIVE;
    } else {
        e->mode = HWASM_SEGMENT_ACTIVE;
        if ((flags & 2) && dec_u32(d, &e->table_index)) return -1;
        if (dec_const_expr(d, &e->offset)) return -1;
    }
    if (flags & 3) { /* an explicit element kind or reference type */
        if (exprs) {
            if (dec_ref_type(d, &e->elem_type)) return -1;
        } else {
            uint8_t kind;
            if (dec_byte(d, &kind)) return -1;
            if (kind != 0) return dec_fail(d, d->pos - 1, "malformed element kind");
        }
    }
    return elem_items(d, e, exprs);
}

int dec_elem_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, m->elems, 0, n)) return -1;
    for (uint32_t i = 0; i < n; i++) {
        m->num_elems = i + 1;
        if (elem_segment(d, &m->elems[i])) return -1;
    }
    return 0;
}

int dec_data_count_section(dec *d) {
    d->m->has_data_count = true;
    return dec_u32(d, &d->m->data_count);
}

static int data_segment(dec *d, wasm_data *s) {
    uint32_t flags;
    const uint8_t *at = d->pos;
    if (dec_u32(d, &flags)) return -1;
    if (flags > 2) return dec_fail(d, at, "malformed data segment kind");
    s->mode = flags == 1 ? HWASM_SEGMENT_PASSIVE : HWASM_SEGMENT_ACTIVE;
    if (flags == 2 && dec_u32(d, &s->memory_index)) return -1;
    if (flags != 1 && dec_const_expr(d, &s->offset)) return -1;
    if (dec_u32(d, &s->size)) return -1;
    if (s->size > (size_t)(d->end - d->pos))
        return dec_fail(d, d->end, "unexpected end of section or function");
    s->bytes = d->pos;
    d->pos += s->size;
    return 0;
}

int dec_data_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    if (grow(d, m->data, 0, n)) return -1;
    for (uint32_t i = 0; i < n; i++) {
        m->num_data = i + 1;
        if (data_segment(d, &m->data[i])) return -1;
    }
    return 0;
}
