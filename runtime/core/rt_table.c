/*
 * rt_table.c — tables: an array of references (hwasm_funcref* or opaque externref
 * pointers, NULL = null) that moves when it grows, capped at RT_TABLE_LIMIT elements, and
 * (when the instance has a max_table_elements option) by the room its instance has left.
 */
#include <stdlib.h>

#include "rt_internal.h"

int rt_table_create(uint8_t elem_type, uint32_t min, uint32_t max, int has_max, rt_table **out,
                    hw_error *err) {
    if (elem_type != HWASM_FUNCREF && elem_type != HWASM_EXTERNREF)
        return rt_error(err, HW_EINVAL, "invalid table element type 0x%02x", elem_type);
    if (has_max && max < min)
        return rt_error(err, HW_EINVAL, "invalid table limits: min %u, max %u", min, max);
    if (min > RT_TABLE_LIMIT)
        return rt_error(err, HW_ENOMEM, "table of %u elements exceeds the limit of %u", min,
                        RT_TABLE_LIMIT);
    rt_table *t = calloc(1, sizeof *t);
    void **elems = calloc(min ? min : 1, sizeof *elems);
    if (!t || !elems) {
        free(t);
        free(elems);
        return rt_error(err, HW_ENOMEM, "out of memory for a table of %u elements", min);
    }
    t->pub = (hwasm_table){
        .elems = elems, .size = min, .max = has_max ? max : UINT32_MAX, .elem_type = elem_type};
    t->has_max = has_max != 0;
    *out = t;
    return HW_OK;
}

void rt_table_free(rt_table *t) {
    if (!t) return;
    free(t->pub.elems);
    free(t);
}

int32_t rt_table_grow(hwasm_table *t, void *init, uint32_t delta) {
    uint64_t *room = rt_table_of(t)->room;
    uint32_t old = t->size;
    uint64_t size = (uint64_t)old + delta;
    if (size > t->max || size > RT_TABLE_LIMIT || (room && delta > *room)) return -1;
    if (delta == 0) return (int32_t)old;
    hw_memory_budget *budget = rt_table_of(t)->budget;
    if (budget && !rt_budget_take(budget, (uint64_t)delta * sizeof(void *))) return -1;
    void **elems = realloc(t->elems, size * sizeof *elems);
    if (!elems) {
        if (budget) rt_budget_give(budget, (uint64_t)delta * sizeof(void *));
        return -1;
    }
    for (uint64_t i = old; i < size; i++)
        elems[i] = init;
    t->elems = elems;
    t->size = (uint32_t)size;
    if (room) *room -= delta;
    return (int32_t)old;
}
