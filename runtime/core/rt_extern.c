/*
 * rt_extern.c — objects the embedder makes to satisfy imports: host functions, memories,
 * tables and globals. The caller owns them (hw_extern_free) and must keep them alive for
 * as long as any instance that imported them.
 */
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

int hw_host_func_new(const uint8_t *params, uint32_t num_params, const uint8_t *results,
                     uint32_t num_results, void *code, void *env, hw_extern *out) {
    if (!out || !code || (num_params && !params) || (num_results && !results)) return HW_EINVAL;
    uint32_t id = hw_sig_intern(params, num_params, results, num_results);
    if (!id) return HW_ENOMEM;
    hwasm_funcref *f = malloc(sizeof *f);
    if (!f) return HW_ENOMEM;
    *f = (hwasm_funcref){.code = code, .env = env, .sig_id = id};
    *out = (hw_extern){.kind = HWASM_EXTERN_FUNC, .of.func = f};
    return HW_OK;
}

/* Host memories use guard mode so that code compiled in either bounds mode can import them;
 * where that much address space is not available, only explicit-bounds code can. */
int hw_memory_new(uint32_t min_pages, uint32_t max_pages, int has_max, hw_extern *out) {
    if (!out) return HW_EINVAL;
    rt_memory *m;
    int rc = rt_memory_create(min_pages, max_pages, has_max, 0, true, &m, NULL);
    if (rc == HW_ENOMEM) rc = rt_memory_create(min_pages, max_pages, has_max, 0, false, &m, NULL);
    if (rc != HW_OK) return rc;
    *out = (hw_extern){.kind = HWASM_EXTERN_MEMORY, .of.memory = &m->pub};
    return HW_OK;
}

int hw_table_new(uint8_t elem_type, uint32_t min, uint32_t max, int has_max, hw_extern *out) {
    if (!out) return HW_EINVAL;
    rt_table *t;
    int rc = rt_table_create(elem_type, min, max, has_max, &t, NULL);
    if (rc != HW_OK) return rc;
    *out = (hw_extern){.kind = HWASM_EXTERN_TABLE, .of.table = &t->pub};
    return HW_OK;
}

int hw_global_new(uint8_t value_type, int is_mutable, uint64_t bits, hw_extern *out) {
    if (!out) return HW_EINVAL;
    switch (value_type) {
    case HWASM_I32:
    case HWASM_F32: bits &= 0xffffffffu; break;
    case HWASM_I64:
    case HWASM_F64:
    case HWASM_FUNCREF:
    case HWASM_EXTERNREF: break;
    default: return HW_EINVAL;
    }
    hwasm_global *g = calloc(1, sizeof *g);
    if (!g) return HW_ENOMEM;
    g->i64 = (int64_t)bits;
    *out = (hw_extern){.kind = HWASM_EXTERN_GLOBAL,
                       .of.global = g,
                       .global_type = value_type,
                       .global_mutable = is_mutable != 0};
    return HW_OK;
}

void hw_extern_free(hw_extern *e) {
    if (!e) return;
    switch (e->kind) {
    case HWASM_EXTERN_FUNC: free(e->of.func); break;
    case HWASM_EXTERN_TABLE:
        if (e->of.table) rt_table_free(rt_table_of(e->of.table));
        break;
    case HWASM_EXTERN_MEMORY:
        if (e->of.memory) rt_memory_free(rt_memory_of(e->of.memory));
        break;
    case HWASM_EXTERN_GLOBAL: free(e->of.global); break;
    default: return;
    }
    memset(e, 0, sizeof *e);
}
