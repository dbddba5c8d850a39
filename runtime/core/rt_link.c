/*
 * rt_link.c — binding imports: each hw_extern must match its import by the spec's rules
 * (function types by canonical id, table and memory limits by subtyping against the
 * object's current size and declared max, global type and mutability), else HW_ELINK.
 */
#include "rt_internal.h"

static int incompatible(hw_error *err, const hwasm_import *im, const char *why) {
    return rt_error(err, HW_ELINK, "incompatible import type \"%.*s\" \"%.*s\": %s",
                    (int)im->module_len, im->module, (int)im->name_len, im->name, why);
}

/* Limits subtyping: actual {cur, max?} matches import {min, max?}. */
static bool limits_match(uint64_t cur, bool has_max, uint64_t max, const hwasm_limits *want) {
    return cur >= want->min && (!want->has_max || (has_max && max <= want->max));
}

int rt_link_imports(hw_instance *inst, const hw_extern *imports, uint32_t num_imports,
                    hw_error *err) {
    const hwasm_descriptor *d = inst->mod->d;
    if (num_imports != d->num_imports || (num_imports && !imports))
        return rt_error(err, HW_ELINK, "unknown import: %u imports given, the module has %u",
                        num_imports, d->num_imports);
    uint32_t nf = 0, nt = 0, ng = 0;
    for (uint32_t i = 0; i < num_imports; i++) {
        const hwasm_import *im = &d->imports[i];
        const hw_extern *e = &imports[i];
        if (e->kind != im->kind) return incompatible(err, im, "wrong kind");
        switch (im->kind) {
        case HWASM_EXTERN_FUNC:
            if (!e->of.func) return rt_error(err, HW_ELINK, "unknown import %u: NULL function", i);
            if (e->of.func->sig_id != inst->mod->sig_ids[im->type_index])
                return incompatible(err, im, "function type differs");
            inst->funcs[nf++] = e->of.func;
            break;
        case HWASM_EXTERN_TABLE: {
            hwasm_table *t = e->of.table;
            if (!t) return rt_error(err, HW_ELINK, "unknown import %u: NULL table", i);
            if (t->elem_type != im->value_type)
                return incompatible(err, im, "element type differs");
            if (!limits_match(t->size, rt_table_of(t)->has_max, t->max, &im->limits))
                return incompatible(err, im, "table limits do not match");
            inst->tables[nt++] = t;
            break;
        }
        case HWASM_EXTERN_MEMORY: {
            hwasm_memory *m = e->of.memory;
            if (!m) return rt_error(err, HW_ELINK, "unknown import %u: NULL memory", i);
            rt_memory *rm = rt_memory_of(m);
            if (!limits_match(m->size / HWASM_PAGE_SIZE, rm->has_max, rm->declared_max,
                              &im->limits))
                return incompatible(err, im, "memory limits do not match");
            /* Guard-mode code relies on the whole reservation to catch stray accesses. */
            if (!(d->flags & HWASM_FLAG_BOUNDS_EXPLICIT) && m->reserved < HWASM_GUARD_RESERVATION)
                return incompatible(err, im, "memory lacks the guard reservation this code needs");
            inst->vm.memory = m;
            break;
        }
        case HWASM_EXTERN_GLOBAL:
            if (!e->of.global) return rt_error(err, HW_ELINK, "unknown import %u: NULL global", i);
            if (e->global_type != im->value_type || e->global_mutable != im->mutable_)
                return incompatible(err, im, "global type or mutability differs");
            inst->globals[ng++] = e->of.global;
            break;
        default: return incompatible(err, im, "unknown kind");
        }
    }
    return HW_OK;
}
