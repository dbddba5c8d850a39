/*
 * rt_instance.c — instances: bind imports, create the memory, tables, function
 * references and globals a module defines, apply the active segments and run the start
 * function in the spec's order (or leave the start function to hw_instance_start, when
 * the caller wants it under a time budget); look up exports.
 *
 * A trap during instantiation may already have stored references to this instance's
 * functions in imported tables (the spec keeps those writes), so such an instance is not
 * freed but parked on its module until hw_module_free.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

static pthread_mutex_t zombie_lock = PTHREAD_MUTEX_INITIALIZER;

void rt_instance_destroy(hw_instance *inst) {
    if (!inst) return;
    const hwasm_descriptor *d = inst->mod->d;
    if (inst->tables)
        for (uint32_t i = d->num_imported_tables; i < d->num_tables; i++) {
            rt_table *t = inst->tables[i] ? rt_table_of(inst->tables[i]) : NULL;
            if (t && t->budget) rt_budget_give(t->budget, (uint64_t)t->pub.size * sizeof(void *));
            rt_table_free(t);
        }
    rt_memory *m = inst->own_memory;
    if (m && m->budget) rt_budget_give(m->budget, m->pub.size);
    if (m) m->budget = NULL;
    if (m && !rt_spare_give(inst->mod, m)) rt_memory_free(m);
    free(inst); /* and its arrays: one allocation (instance_alloc) */
}

void hw_instance_free(hw_instance *inst) {
    rt_instance_destroy(inst);
}

/* An instance and its arrays in one zeroed allocation, each array 16-byte aligned (a
 * global may hold a v128): one calloc instead of seven on every instantiation. */
static size_t array_bytes(size_t n, size_t size) {
    return ((n ? n : 1) * size + 15) & ~(size_t)15;
}

/* The dropped bitset's size: data segments, then element segments, one bit each. */
static size_t dropped_words(const hwasm_descriptor *d) {
    return ((size_t)d->num_data + d->num_elems + 63) / 64;
}

static hw_instance *instance_alloc(const hwasm_descriptor *d) {
    size_t own_funcs = d->num_funcs - d->num_imported_funcs;
    size_t own_globals = d->num_globals - d->num_imported_globals;
    size_t dropped = dropped_words(d);
    size_t at[7];
    at[0] = array_bytes(1, sizeof(hw_instance));
    at[1] = at[0] + array_bytes(own_globals, sizeof(hwasm_global));
    at[2] = at[1] + array_bytes(own_funcs, sizeof(hwasm_funcref));
    at[3] = at[2] + array_bytes(d->num_funcs, sizeof(hwasm_funcref *));
    at[4] = at[3] + array_bytes(d->num_globals, sizeof(hwasm_global *));
    at[5] = at[4] + array_bytes(d->num_tables, sizeof(hwasm_table *));
    at[6] = at[5] + array_bytes(dropped, sizeof(uint64_t));
    uint8_t *p = calloc(1, at[6]);
    if (!p) return NULL;
    hw_instance *inst = (hw_instance *)p;
    inst->own_globals = (hwasm_global *)(p + at[0]);
    inst->own_funcs = (hwasm_funcref *)(p + at[1]);
    inst->funcs = (hwasm_funcref **)(p + at[2]);
    inst->globals = (hwasm_global **)(p + at[3]);
    inst->tables = (hwasm_table **)(p + at[4]);
    inst->dropped = (uint64_t *)(p + at[5]);
    return inst;
}

/* HW_EBUSY: the instances that share the budget hold it all; freeing one makes room. */
static int budget_used_up(const hw_memory_budget *budget, hw_error *err) {
    return rt_error(err, HW_EBUSY, "memory budget of %llu bytes used up (%llu in use)",
                    (unsigned long long)budget->limit,
                    (unsigned long long)__atomic_load_n(&budget->used, __ATOMIC_RELAXED));
}

/* The memory the module defines: a spare one of the module's (zero, already mapped) when
 * there is one, else a new one. */
static int own_memory(hw_instance *inst, uint32_t cap_pages, hw_memory_budget *budget, hw_error *err) {
    const hwasm_descriptor *d = inst->mod->d;
    const hwasm_limits *l = &d->memory_limits;
    if (budget && !rt_budget_take(budget, (uint64_t)l->min * HWASM_PAGE_SIZE)) return budget_used_up(budget, err);
    bool guard = !(d->flags & HWASM_FLAG_BOUNDS_EXPLICIT);
    rt_memory *m = guard ? rt_spare_take(inst->mod) : NULL;
    int rc;
    if (m) {
        rc = rt_memory_reuse(m, l->max, l->has_max, cap_pages, err);
        if (rc != HW_OK && !rt_spare_give(inst->mod, m)) rt_memory_free(m);
        if (rc == HW_OK) inst->own_memory = m;
    } else {
        rc = rt_memory_create(l->min, l->max, l->has_max, cap_pages, guard, &inst->own_memory, err);
    }
    if (rc == HW_OK) inst->own_memory->budget = budget; /* its size is min pages: counted */
    else if (budget) rt_budget_give(budget, (uint64_t)l->min * HWASM_PAGE_SIZE);
    return rc;
}

/* Memory, tables, function references and globals the module defines. */
static int create_definitions(hw_instance *inst, const hw_instance_options *opts, hw_error *err) {
    const hwasm_descriptor *d = inst->mod->d;
    if (d->has_memory && !d->memory_imported) {
        int rc = own_memory(inst, opts ? opts->max_memory_pages : 0, opts ? opts->memory_budget : NULL, err);
        if (rc != HW_OK) return rc;
        inst->vm.memory = &inst->own_memory->pub;
    }
    inst->vm.mem_base = inst->vm.memory ? inst->vm.memory->base : NULL;
    uint32_t table_cap = opts ? opts->max_table_elements : 0;
    inst->table_room = table_cap;
    for (uint32_t i = d->num_imported_tables; i < d->num_tables; i++) {
        const hwasm_table_def *t = &d->tables[i];
        if (table_cap && t->limits.min > inst->table_room)
            return rt_error(err, HW_ENOMEM, "tables of %llu elements exceed the cap of %u elements",
                            (unsigned long long)(table_cap - inst->table_room + t->limits.min),
                            table_cap);
        rt_table *rt;
        int rc = rt_table_create(t->elem_type, t->limits.min, t->limits.max, t->limits.has_max, &rt,
                                 err);
        if (rc != HW_OK) return rc;
        inst->tables[i] = &rt->pub;
        hw_memory_budget *budget = opts ? opts->memory_budget : NULL;
        if (budget && !rt_budget_take(budget, (uint64_t)t->limits.min * sizeof(void *)))
            return budget_used_up(budget, err);
        rt->budget = budget;
        if (table_cap) {
            inst->table_room -= t->limits.min;
            rt->room = &inst->table_room;
        }
    }
    for (uint32_t i = d->num_imported_funcs; i < d->num_funcs; i++) {
        hwasm_funcref *f = &inst->own_funcs[i - d->num_imported_funcs];
        *f = (hwasm_funcref){.code = d->func_code[i],
                             .env = &inst->vm,
                             .sig_id = inst->mod->sig_ids[d->func_types[i]]};
        inst->funcs[i] = f;
    }
    /* In order: an initialiser reads only globals before it. */
    for (uint32_t i = d->num_imported_globals; i < d->num_globals; i++) {
        hwasm_global *g = &inst->own_globals[i - d->num_imported_globals];
        inst->globals[i] = g;
        rt_const_eval_global(inst, &d->globals[i].init, g);
    }
    return HW_OK;
}

static int trapped(hw_error *err, uint32_t trap) {
    if (err) {
        err->status = HW_ETRAP;
        err->trap = trap;
        rt_copy_message(err->message, sizeof err->message, hw_trap_message(trap));
    }
    return HW_ETRAP;
}

/* Spec 2.0 order: element segments, then data segments, each active one applied like
 * table.init / memory.init and dropped; declarative element segments are dropped too. */
static int apply_segments(hw_instance *inst, hw_error *err) {
    const hwasm_descriptor *d = inst->mod->d;
    for (uint32_t i = 0; i < d->num_elems; i++) {
        const hwasm_elem_segment *s = &d->elems[i];
        if (s->mode == HWASM_SEGMENT_ACTIVE) {
            uint32_t dst = (uint32_t)rt_const_eval(inst, &s->offset);
            uint32_t trap = rt_table_init(inst, s->table_index, i, dst, 0, s->num_items);
            if (trap) return trapped(err, trap);
        }
        if (s->mode != HWASM_SEGMENT_PASSIVE) rt_elem_drop(inst, i);
    }
    for (uint32_t i = 0; i < d->num_data; i++) {
        const hwasm_data_segment *s = &d->data[i];
        if (s->mode != HWASM_SEGMENT_ACTIVE) continue;
        uint32_t dst = (uint32_t)rt_const_eval(inst, &s->offset);
        uint32_t trap = rt_memory_init(inst, i, dst, 0, s->size);
        if (trap) return trapped(err, trap);
        rt_data_drop(inst, i);
    }
    return HW_OK;
}

/* Could a reference to one of inst's functions have escaped into an object that outlives
 * it? Only through an imported table, an imported mutable funcref global, or as an argument
 * to an imported function that takes a funcref. A host import like the http host's never
 * does, so a trapped instantiation there is freed at once, not parked. */
static bool may_have_escaped(const hwasm_descriptor *d) {
    if (d->num_imported_tables) return true;
    for (uint32_t i = 0; i < d->num_imported_globals; i++)
        if (d->globals[i].value_type == HWASM_FUNCREF && d->globals[i].mutable_) return true;
    for (uint32_t i = 0; i < d->num_imported_funcs; i++) {
        const hwasm_functype *t = &d->types[d->func_types[i]];
        for (uint32_t k = 0; k < t->num_params; k++)
            if (t->types[k] == HWASM_FUNCREF) return true;
    }
    return false;
}

int hw_instance_new(hw_module *m, const hw_extern *imports, uint32_t num_imports,
                    const hw_instance_options *opts, hw_instance **out, hw_error *err) {
    if (!m || !out) return rt_error(err, HW_EINVAL, "hw_instance_new: NULL argument");
    *out = NULL;
    int rc = rt_thread_prepare(err);
    if (rc != HW_OK) return rc;
    const hwasm_descriptor *d = m->d;
    hw_instance *inst = instance_alloc(d);
    if (!inst) return rt_error(err, HW_ENOMEM, "out of memory");
    inst->mod = m;
    inst->vm = (hwasm_vmctx){.globals = inst->globals,
                             .tables = inst->tables,
                             .funcs = inst->funcs,
                             .sig_ids = m->sig_ids,
                             .rt = &rt_calls,
                             .stack_limit = rt_thread_stack_limit,
                             .host = inst};
    if ((rc = rt_link_imports(inst, imports, num_imports, err)) != HW_OK ||
        (rc = create_definitions(inst, opts, err)) != HW_OK) {
        rt_instance_destroy(inst);
        return rc;
    }
    rc = apply_segments(inst, err);
    if (rc == HW_OK && d->start_func >= 0) {
        if (opts && opts->defer_start) {
            inst->start_pending = true;
        } else {
            uint64_t slot = 0;
            rc = hw_call(inst, (uint32_t)d->start_func, &slot, err);
        }
    }
    if (rc != HW_OK) {
        if (may_have_escaped(d)) {
            pthread_mutex_lock(&zombie_lock);
            inst->next_zombie = m->zombies;
            m->zombies = inst;
            pthread_mutex_unlock(&zombie_lock);
        } else {
            rt_instance_destroy(inst);
        }
        return rc;
    }
    *out = inst;
    return HW_OK;
}

int hw_instance_start(hw_instance *inst, hw_error *err) {
    if (!inst) return rt_error(err, HW_EINVAL, "hw_instance_start: NULL argument");
    if (!inst->start_pending) return HW_OK;
    inst->start_pending = false; /* once, even when it traps */
    uint64_t slot = 0;
    return hw_call(inst, (uint32_t)inst->mod->d->start_func, &slot, err);
}

static const hwasm_export *find_export(hw_instance *inst, const char *name, size_t name_len) {
    const hwasm_descriptor *d = inst->mod->d;
    for (uint32_t i = 0; i < d->num_exports; i++) {
        const hwasm_export *e = &d->exports[i];
        if (e->name_len == name_len && (!name_len || memcmp(e->name, name, name_len) == 0))
            return e;
    }
    return NULL;
}

int hw_instance_export(hw_instance *inst, const char *name, size_t name_len, hw_extern *out) {
    if (!inst || !out || (name_len && !name)) return HW_EINVAL;
    const hwasm_export *e = find_export(inst, name, name_len);
    if (!e) return HW_ENOENT;
    *out = (hw_extern){.kind = e->kind};
    switch (e->kind) {
    case HWASM_EXTERN_FUNC: out->of.func = inst->funcs[e->index]; break;
    case HWASM_EXTERN_TABLE: out->of.table = inst->tables[e->index]; break;
    case HWASM_EXTERN_MEMORY: out->of.memory = inst->vm.memory; break;
    case HWASM_EXTERN_GLOBAL:
        out->of.global = inst->globals[e->index];
        out->global_type = inst->mod->d->globals[e->index].value_type;
        out->global_mutable = inst->mod->d->globals[e->index].mutable_;
        break;
    }
    return HW_OK;
}

int64_t hw_instance_export_func_index(hw_instance *inst, const char *name, size_t name_len) {
    if (!inst || (name_len && !name)) return -1;
    const hwasm_export *e = find_export(inst, name, name_len);
    return e && e->kind == HWASM_EXTERN_FUNC ? (int64_t)e->index : -1;
}

hwasm_vmctx *hw_instance_vmctx(hw_instance *inst) {
    return inst ? &inst->vm : NULL;
}

hwasm_memory *hw_instance_memory(hw_instance *inst) {
    return inst ? inst->vm.memory : NULL;
}

size_t hw_instance_dropped_words(const hw_instance *inst) {
    return inst ? dropped_words(inst->mod->d) : 0;
}

void hw_instance_dropped_save(const hw_instance *inst, uint64_t *out) {
    size_t n = hw_instance_dropped_words(inst);
    if (n) memcpy(out, inst->dropped, n * sizeof *out);
}

void hw_instance_dropped_restore(hw_instance *inst, const uint64_t *saved) {
    size_t n = hw_instance_dropped_words(inst);
    if (n) memcpy(inst->dropped, saved, n * sizeof *saved);
}
