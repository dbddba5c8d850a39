/*
 * rt_bulk.c — the runtime callbacks generated code calls for memory.grow and the bulk
 * memory and table instructions, with the spec's bounds rules: the whole range is checked
 * before anything is written (n = 0 exactly at the end is in bounds), and a dropped
 * segment has length 0.
 */
#include <string.h>

#include "rt_internal.h"

static bool is_dropped(const hw_instance *inst, uint32_t bit) {
    return inst->dropped[bit / 64] >> (bit % 64) & 1;
}
static void set_dropped(hw_instance *inst, uint32_t bit) {
    inst->dropped[bit / 64] |= 1ull << (bit % 64);
}

/* [at, at + n) inside [0, size)? In 64 bits, so at + n cannot wrap. */
static bool in_bounds(uint64_t at, uint64_t n, uint64_t size) {
    return at + n <= size;
}

uint32_t rt_memory_init(hw_instance *inst, uint32_t data_index, uint32_t dst, uint32_t src,
                        uint32_t n) {
    const hwasm_data_segment *s = &inst->mod->d->data[data_index];
    uint64_t len = is_dropped(inst, data_index) ? 0 : s->size;
    hwasm_memory *m = inst->vm.memory;
    if (!in_bounds(src, n, len) || !in_bounds(dst, n, m->size)) return HWASM_TRAP_MEMORY_OOB;
    if (n) memcpy(m->base + dst, s->bytes + src, n);
    return HWASM_TRAP_NONE;
}

void rt_data_drop(hw_instance *inst, uint32_t data_index) {
    set_dropped(inst, data_index);
}

uint32_t rt_table_init(hw_instance *inst, uint32_t table_index, uint32_t elem_index, uint32_t dst,
                       uint32_t src, uint32_t n) {
    const hwasm_descriptor *d = inst->mod->d;
    const hwasm_elem_segment *s = &d->elems[elem_index];
    uint64_t len = is_dropped(inst, d->num_data + elem_index) ? 0 : s->num_items;
    hwasm_table *t = inst->tables[table_index];
    if (!in_bounds(src, n, len) || !in_bounds(dst, n, t->size)) return HWASM_TRAP_TABLE_OOB;
    for (uint32_t k = 0; k < n; k++)
        t->elems[dst + k] = (void *)(uintptr_t)rt_const_eval(inst, &s->items[src + k]);
    return HWASM_TRAP_NONE;
}

void rt_elem_drop(hw_instance *inst, uint32_t elem_index) {
    set_dropped(inst, inst->mod->d->num_data + elem_index);
}

/* --- the callbacks ----------------------------------------------------------------------- */

static int32_t cb_memory_grow(hwasm_vmctx *vm, uint32_t delta_pages) {
    return rt_memory_grow(vm->memory, delta_pages);
}

static void cb_memory_init(hwasm_vmctx *vm, uint32_t data_index, uint32_t dst, uint32_t src,
                           uint32_t n) {
    uint32_t trap = rt_memory_init(rt_instance_of(vm), data_index, dst, src, n);
    if (trap) rt_trap_unwind(trap, NULL);
}

static void cb_data_drop(hwasm_vmctx *vm, uint32_t data_index) {
    rt_data_drop(rt_instance_of(vm), data_index);
}

static void cb_memory_copy(hwasm_vmctx *vm, uint32_t dst, uint32_t src, uint32_t n) {
    hwasm_memory *m = vm->memory;
    if (!in_bounds(src, n, m->size) || !in_bounds(dst, n, m->size))
        rt_trap_unwind(HWASM_TRAP_MEMORY_OOB, NULL);
    if (n) memmove(m->base + dst, m->base + src, n);
}

static void cb_memory_fill(hwasm_vmctx *vm, uint32_t dst, uint32_t value, uint32_t n) {
    hwasm_memory *m = vm->memory;
    if (!in_bounds(dst, n, m->size)) rt_trap_unwind(HWASM_TRAP_MEMORY_OOB, NULL);
    if (n) memset(m->base + dst, (int)(value & 0xff), n);
}

static int32_t cb_table_grow(hwasm_vmctx *vm, uint32_t table_index, void *init, uint32_t delta) {
    return rt_table_grow(vm->tables[table_index], init, delta);
}

static void cb_table_fill(hwasm_vmctx *vm, uint32_t table_index, uint32_t dst, void *value,
                          uint32_t n) {
    hwasm_table *t = vm->tables[table_index];
    if (!in_bounds(dst, n, t->size)) rt_trap_unwind(HWASM_TRAP_TABLE_OOB, NULL);
    for (uint32_t k = 0; k < n; k++)
        t->elems[dst + k] = value;
}

static void cb_table_copy(hwasm_vmctx *vm, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                          uint32_t src, uint32_t n) {
    hwasm_table *d = vm->tables[dst_table], *s = vm->tables[src_table];
    if (!in_bounds(src, n, s->size) || !in_bounds(dst, n, d->size))
        rt_trap_unwind(HWASM_TRAP_TABLE_OOB, NULL);
    if (n) memmove(d->elems + dst, s->elems + src, (size_t)n * sizeof *d->elems);
}

static void cb_table_init(hwasm_vmctx *vm, uint32_t table_index, uint32_t elem_index, uint32_t dst,
                          uint32_t src, uint32_t n) {
    uint32_t trap = rt_table_init(rt_instance_of(vm), table_index, elem_index, dst, src, n);
    if (trap) rt_trap_unwind(trap, NULL);
}

static void cb_elem_drop(hwasm_vmctx *vm, uint32_t elem_index) {
    rt_elem_drop(rt_instance_of(vm), elem_index);
}

const hwasm_runtime_calls rt_calls = {
    .trap = rt_trap_callback,
    .memory_grow = cb_memory_grow,
    .memory_init = cb_memory_init,
    .data_drop = cb_data_drop,
    .memory_copy = cb_memory_copy,
    .memory_fill = cb_memory_fill,
    .table_grow = cb_table_grow,
    .table_fill = cb_table_fill,
    .table_copy = cb_table_copy,
    .table_init = cb_table_init,
    .elem_drop = cb_elem_drop,
};
