/*
 * rt_memory.c — linear memories: reserve the address space up front (so the base never
 * moves), map pages read-write as the memory grows, and enforce the growth limit.
 * Guard mode reserves HWASM_GUARD_RESERVATION so unchecked accesses fault inside the
 * reservation; explicit-bounds mode reserves just the growth limit. A freed instance's
 * memory may come back from its module's spares (rt_spare.c) with fresh limits.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "rt_internal.h"

/* The growth limit in pages of a memory with these limits under cap_pages (0 = none), or
 * an error when they are invalid or min_pages is over the cap. */
static int memory_limit(uint32_t min_pages, uint32_t max_pages, int has_max, uint32_t cap_pages,
                        uint64_t *limit, hw_error *err) {
    if (min_pages > HWASM_MAX_PAGES ||
        (has_max && (max_pages > HWASM_MAX_PAGES || max_pages < min_pages)))
        return rt_error(err, HW_EINVAL, "invalid memory limits: min %u, max %u", min_pages,
                        max_pages);
    *limit = has_max ? max_pages : HWASM_MAX_PAGES;
    if (cap_pages && cap_pages < *limit) *limit = cap_pages;
    if (min_pages > *limit)
        return rt_error(err, HW_ENOMEM, "memory of %u pages exceeds the cap of %u pages", min_pages,
                        cap_pages);
    return HW_OK;
}

static void set_limits(rt_memory *m, uint32_t min_pages, uint32_t max_pages, int has_max,
                       uint64_t limit) {
    m->pub.max_pages = limit;
    m->min_pages = min_pages;
    m->declared_max = has_max ? max_pages : 0;
    m->has_max = has_max != 0;
}

int rt_memory_create(uint32_t min_pages, uint32_t max_pages, int has_max, uint32_t cap_pages,
                     bool guard, rt_memory **out, hw_error *err) {
    uint64_t limit = 0;
    int rc = memory_limit(min_pages, max_pages, has_max, cap_pages, &limit, err);
    if (rc != HW_OK) return rc;
    /* Explicit mode with a zero limit still reserves a page, so base is never NULL. */
    uint64_t reserve =
        guard ? HWASM_GUARD_RESERVATION : (limit ? limit * HWASM_PAGE_SIZE : HWASM_PAGE_SIZE);
    rt_memory *m = calloc(1, sizeof *m);
    if (!m) return rt_error(err, HW_ENOMEM, "out of memory");
    void *base = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        free(m);
        return rt_error(err, HW_ENOMEM, "cannot reserve %llu bytes of address space for a memory",
                        (unsigned long long)reserve);
    }
    uint64_t size = (uint64_t)min_pages * HWASM_PAGE_SIZE;
    if (size && mprotect(base, size, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, reserve);
        free(m);
        return rt_error(err, HW_ENOMEM, "cannot map %u pages of memory", min_pages);
    }
    m->pub = (hwasm_memory){.base = base, .size = size, .reserved = reserve};
    set_limits(m, min_pages, max_pages, has_max, limit);
    m->range_slot = rt_ranges_add(&rt_fault_memories, (uintptr_t)base, (uintptr_t)base + reserve);
    if (m->range_slot < 0) {
        rt_memory_free(m);
        return rt_error(err, HW_ENOMEM, "out of memory");
    }
    *out = m;
    return HW_OK;
}

int rt_memory_reuse(rt_memory *m, uint32_t max_pages, int has_max, uint32_t cap_pages,
                    hw_error *err) {
    uint32_t min_pages = (uint32_t)(m->pub.size / HWASM_PAGE_SIZE);
    uint64_t limit = 0;
    int rc = memory_limit(min_pages, max_pages, has_max, cap_pages, &limit, err);
    if (rc == HW_OK) set_limits(m, min_pages, max_pages, has_max, limit);
    return rc;
}

void rt_memory_free(rt_memory *m) {
    if (!m) return;
    rt_ranges_remove(&rt_fault_memories, m->range_slot);
    munmap(m->pub.base, m->pub.reserved);
    free(m);
}

bool rt_budget_take(hw_memory_budget *budget, uint64_t bytes) {
    if (__atomic_add_fetch(&budget->used, bytes, __ATOMIC_RELAXED) <= budget->limit) return true;
    __atomic_sub_fetch(&budget->used, bytes, __ATOMIC_RELAXED);
    return false;
}

void rt_budget_give(hw_memory_budget *budget, uint64_t bytes) {
    __atomic_sub_fetch(&budget->used, bytes, __ATOMIC_RELAXED);
}

int32_t rt_memory_grow(hwasm_memory *m, uint32_t delta_pages) {
    uint64_t old_pages = m->size / HWASM_PAGE_SIZE;
    if (delta_pages == 0) return (int32_t)old_pages;
    uint64_t new_pages = old_pages + delta_pages;
    uint64_t new_size = new_pages * HWASM_PAGE_SIZE;
    if (new_pages > m->max_pages || new_size > m->reserved) return -1;
    hw_memory_budget *budget = rt_memory_of(m)->budget;
    if (budget && !rt_budget_take(budget, new_size - m->size)) return -1;
    /* Fresh anonymous pages read as zero, as the spec requires of grown memory. */
    if (mprotect(m->base + m->size, new_size - m->size, PROT_READ | PROT_WRITE) != 0) {
        if (budget) rt_budget_give(budget, new_size - m->size);
        return -1;
    }
    m->size = new_size;
    return (int32_t)old_pages;
}
