/*
 * module.c — what every stage does with a wasm_module as a whole: filling a wasm_error
 * and freeing a decoded module. The decoder, validator and lowering share these; none of
 * them owns the module's lifetime.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"

void wasm_error_set(wasm_error *err, int64_t func_index, size_t offset, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->func_index = func_index;
    err->offset = offset;
}

static void free_name(wasm_name *n) {
    free(n->data);
}

void wasm_module_free(wasm_module *m) {
    for (uint32_t i = 0; i < m->num_types; i++)
        free(m->types[i].types);
    free(m->types);
    for (uint32_t i = 0; i < m->num_imports; i++) {
        free_name(&m->imports[i].module);
        free_name(&m->imports[i].name);
    }
    free(m->imports);
    for (uint32_t i = 0; i < m->num_funcs; i++) {
        free(m->funcs[i].local_runs);
        free((char *)m->funcs[i].debug_name);
    }
    free(m->funcs);
    free(m->tables);
    free(m->globals);
    for (uint32_t i = 0; i < m->num_exports; i++)
        free_name(&m->exports[i].name);
    free(m->exports);
    for (uint32_t i = 0; i < m->num_elems; i++)
        free(m->elems[i].items);
    free(m->elems);
    free(m->data);
    memset(m, 0, sizeof *m);
}
