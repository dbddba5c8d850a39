/*
 * rt_const.c — evaluates a constant expression (a global's initialiser, a segment's
 * offset, an element item) against an instance whose functions and globals are set.
 * Its own file because both instantiation (rt_instance.c) and table.init (rt_bulk.c)
 * need it, and rt_instance.c calls rt_bulk.c: here it is a layer below both.
 */
#include <string.h>

#include "rt_internal.h"

uint64_t rt_const_eval(const hw_instance *inst, const hwasm_const *c) {
    switch (c->kind) {
    case HWASM_CONST_REF_NULL: return 0;
    case HWASM_CONST_REF_FUNC: return (uintptr_t)inst->funcs[c->index];
    case HWASM_CONST_GLOBAL_GET: {
        const hwasm_global *g = inst->globals[c->index];
        uint8_t type = inst->mod->d->globals[c->index].value_type;
        return type == HWASM_I32 || type == HWASM_F32 ? (uint32_t)g->i32 : (uint64_t)g->i64;
    }
    default: return c->value;
    }
}

void rt_const_eval_global(const hw_instance *inst, const hwasm_const *c, hwasm_global *out) {
    memset(out, 0, sizeof *out);
    if (c->kind == HWASM_CONST_V128) {
        memcpy(out->bytes, &c->value, 8);
        memcpy(out->bytes + 8, &c->value_hi, 8);
    } else if (c->kind == HWASM_CONST_GLOBAL_GET &&
               inst->mod->d->globals[c->index].value_type == HWASM_V128) {
        *out = *inst->globals[c->index];
    } else {
        out->i64 = (int64_t)rt_const_eval(inst, c);
    }
}
