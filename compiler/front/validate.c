/*
 * validate.c — wasm_validate: the module-level rules of the spec (types of imports and
 * definitions, limits, constant expressions, segments, start function, exports) in the
 * reference interpreter's order, then every function body through validate_func.c.
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "validate_func.h"

typedef struct vctx {
    const wasm_module *m;
    wasm_error *err;
} vctx;

static int fail(vctx *v, const char *fmt, uint32_t arg) {
    wasm_error_set(v->err, -1, 0, fmt, arg);
    return -1;
}

static int type_index(vctx *v, uint32_t index) {
    return index >= v->m->num_types ? fail(v, "unknown type %u", index) : 0;
}

static int table_limits(vctx *v, const hwasm_limits *l) {
    if (l->has_max && l->min > l->max)
        return fail(v, "size minimum must not be greater than maximum", 0);
    return 0;
}

static int memory_limits(vctx *v, const hwasm_limits *l) {
    const uint32_t max_pages = 65536;
    if (l->min > max_pages || (l->has_max && l->max > max_pages))
        return fail(v, "memory size must be at most 65536 pages (4GiB)", 0);
    return table_limits(v, l);
}

/*
 * A constant expression producing `type`. In this version of the spec (the pinned suite's)
 * it may read only imported globals, and only immutable ones.
 */
static int const_expr(vctx *v, const hwasm_const *c, uint8_t type) {
    const wasm_module *m = v->m;
    uint8_t got = 0;
    switch (c->kind) {
    case HWASM_CONST_I32: got = HWASM_I32; break;
    case HWASM_CONST_I64: got = HWASM_I64; break;
    case HWASM_CONST_F32: got = HWASM_F32; break;
    case HWASM_CONST_F64: got = HWASM_F64; break;
    case HWASM_CONST_V128: got = HWASM_V128; break;
    case HWASM_CONST_REF_NULL: got = (uint8_t)c->index; break;
    case HWASM_CONST_REF_FUNC:
        if (c->index >= m->num_funcs) return fail(v, "unknown function %u", c->index);
        got = HWASM_FUNCREF;
        break;
    case HWASM_CONST_GLOBAL_GET:
        if (c->index >= m->num_imported_globals) return fail(v, "unknown global %u", c->index);
        if (m->globals[c->index].is_mutable) return fail(v, "constant expression required", 0);
        got = m->globals[c->index].value_type;
        break;
    }
    return got == type ? 0 : fail(v, "type mismatch", 0);
}

static int imports(vctx *v) {
    for (uint32_t i = 0; i < v->m->num_imports; i++) {
        const wasm_import *im = &v->m->imports[i];
        int rc = 0;
        switch (im->kind) {
        case HWASM_EXTERN_FUNC: rc = type_index(v, im->type_index); break;
        case HWASM_EXTERN_TABLE: rc = table_limits(v, &im->limits); break;
        case HWASM_EXTERN_MEMORY: rc = memory_limits(v, &im->limits); break;
        }
        if (rc) return -1;
    }
    return 0;
}

static int definitions(vctx *v) {
    const wasm_module *m = v->m;
    for (uint32_t i = m->num_imported_funcs; i < m->num_funcs; i++)
        if (type_index(v, m->funcs[i].type_index)) return -1;
    for (uint32_t i = m->num_imported_globals; i < m->num_globals; i++)
        if (const_expr(v, &m->globals[i].init, m->globals[i].value_type)) return -1;
    for (uint32_t i = m->num_imported_tables; i < m->num_tables; i++)
        if (table_limits(v, &m->tables[i].limits)) return -1;
    if (m->num_memories > m->num_imported_memories && memory_limits(v, &m->memory)) return -1;
    return 0;
}

static int segments(vctx *v) {
    const wasm_module *m = v->m;
    for (uint32_t i = 0; i < m->num_elems; i++) {
        const wasm_elem *e = &m->elems[i];
        if (e->mode == HWASM_SEGMENT_ACTIVE) {
            if (e->table_index >= m->num_tables) return fail(v, "unknown table %u", e->table_index);
            if (const_expr(v, &e->offset, HWASM_I32)) return -1;
            if (m->tables[e->table_index].elem_type != e->elem_type)
                return fail(v, "type mismatch", 0);
        }
        for (uint32_t k = 0; k < e->num_items; k++)
            if (const_expr(v, &e->items[k], e->elem_type)) return -1;
    }
    for (uint32_t i = 0; i < m->num_data; i++) {
        const wasm_data *d = &m->data[i];
        if (d->mode != HWASM_SEGMENT_ACTIVE) continue;
        if (d->memory_index >= m->num_memories)
            return fail(v, "unknown memory %u", d->memory_index);
        if (const_expr(v, &d->offset, HWASM_I32)) return -1;
    }
    return 0;
}

/* The spec's C.refs: functions named by ref.func or an export outside function bodies. */
static bool *declared_refs(const wasm_module *m) {
    bool *refs = calloc(m->num_funcs ? m->num_funcs : 1, sizeof *refs);
    if (!refs) return NULL;
    for (uint32_t i = m->num_imported_globals; i < m->num_globals; i++) {
        const hwasm_const *c = &m->globals[i].init;
        if (c->kind == HWASM_CONST_REF_FUNC && c->index < m->num_funcs) refs[c->index] = true;
    }
    for (uint32_t i = 0; i < m->num_elems; i++)
        for (uint32_t k = 0; k < m->elems[i].num_items; k++) {
            const hwasm_const *c = &m->elems[i].items[k];
            if (c->kind == HWASM_CONST_REF_FUNC && c->index < m->num_funcs) refs[c->index] = true;
        }
    for (uint32_t i = 0; i < m->num_exports; i++) {
        const wasm_export *e = &m->exports[i];
        if (e->kind == HWASM_EXTERN_FUNC && e->index < m->num_funcs) refs[e->index] = true;
    }
    return refs;
}

static int bodies(vctx *v) {
    const wasm_module *m = v->m;
    bool *refs = declared_refs(m);
    if (!refs) return fail(v, "out of memory", 0);
    func_checker c;
    func_checker_init(&c, m, refs, v->err);
    int rc = 0;
    for (uint32_t i = m->num_imported_funcs; i < m->num_funcs && rc == 0; i++)
        rc = func_checker_run(&c, i);
    func_checker_free(&c);
    free(refs);
    return rc;
}

static int start(vctx *v) {
    const wasm_module *m = v->m;
    if (!m->has_start) return 0;
    if (m->start_func >= m->num_funcs) return fail(v, "unknown function %u", m->start_func);
    const wasm_functype *t = wasm_func_type(m, m->start_func);
    return t->num_params || t->num_results ? fail(v, "start function", 0) : 0;
}

static int cmp_export_names(const void *a, const void *b, void *arg) {
    const wasm_export *ex = arg;
    const wasm_name *x = &ex[*(const uint32_t *)a].name, *y = &ex[*(const uint32_t *)b].name;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return memcmp(x->data, y->data, x->len);
}

static int exports(vctx *v) {
    const wasm_module *m = v->m;
    static const char *const unknown[] = {"unknown function %u", "unknown table %u",
                                          "unknown memory %u", "unknown global %u"};
    for (uint32_t i = 0; i < m->num_exports; i++) {
        const wasm_export *e = &m->exports[i];
        const uint32_t space[] = {m->num_funcs, m->num_tables, m->num_memories, m->num_globals};
        if (e->index >= space[e->kind]) return fail(v, unknown[e->kind], e->index);
    }
    /* Names must be unique: sort indices by name (n log n), then compare neighbours. */
    if (m->num_exports < 2) return 0;
    uint32_t *order = malloc(m->num_exports * sizeof *order);
    if (!order) return fail(v, "out of memory", 0);
    for (uint32_t i = 0; i < m->num_exports; i++)
        order[i] = i;
    qsort_r(order, m->num_exports, sizeof *order, cmp_export_names, m->exports);
    int rc = 0;
    for (uint32_t i = 1; i < m->num_exports && rc == 0; i++)
        if (cmp_export_names(&order[i - 1], &order[i], m->exports) == 0)
            rc = fail(v, "duplicate export name", 0);
    free(order);
    return rc;
}

int wasm_validate(const wasm_module *m, wasm_error *err) {
    vctx v = {.m = m, .err = err};
    err->func_index = -1;
    if (imports(&v) || definitions(&v) || segments(&v) || bodies(&v) || start(&v) || exports(&v))
        return -1;
    if (m->num_memories > 1) return fail(&v, "multiple memories", 0);
    return 0;
}
