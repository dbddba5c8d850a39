/*
 * rt_spare.c — a module's spare memories: the linear memory of a freed instance, made
 * fresh again and kept for the module's next instance, which then maps nothing (an mmap
 * and an mprotect cost microseconds each where system calls are slow, and a munmap more).
 * Only guard-mode memories (the same reservation for every instance) are kept, in one of
 * two tiers, taken in this order:
 *
 *   wiped (RT_SPARES per module): a memory that never grew and of at most
 *     RT_SPARE_MAX_BYTES, every page that is not zero zeroed in place: its pages stay
 *     resident, so the next instance does not even fault them in;
 *   rewound (RT_KEPT per module): any other, or when the wiped tier is full: fresh
 *     anonymous pages are mapped over everything the instance could reach (MAP_FIXED: its
 *     own pages, or a snapshot's file view, are dropped by the kernel) and its size is set
 *     back to the module's initial size, past which it faults again. It holds no page,
 *     only its reservation's address space.
 *
 * hw_module_free unmaps both tiers.
 *
 * Invariant: a spare of either tier reads as zero in [0, size), size is the module's
 * initial size, and it faults beyond, like a fresh memory.
 */
#include <string.h>
#include <sys/mman.h>

#include "rt_internal.h"
#include "rt_zero.h"

static uint64_t initial_size(const hw_module *mod) {
    return (uint64_t)mod->d->memory_limits.min * HWASM_PAGE_SIZE;
}

/* Is m fit to serve as a fresh memory of its module, wiped in place? */
static bool wipeable(const hw_module *mod, const rt_memory *m) {
    return m->pub.reserved == HWASM_GUARD_RESERVATION && m->pub.size <= RT_SPARE_MAX_BYTES &&
           m->pub.size == initial_size(mod);
}

/* Writes zero over every page that is not zero: the pages the instance touched. */
static void wipe(rt_memory *m) {
    for (uint64_t p = 0; p < m->pub.size; p += RT_ZERO_PAGE)
        if (!rt_page_is_zero(m->pub.base + p)) memset(m->pub.base + p, 0, RT_ZERO_PAGE);
}

/* Maps fresh anonymous pages over [0, size): read-write up to the module's initial size,
 * none beyond; false when the kernel refuses (the caller then unmaps the reservation). */
static bool rewind_memory(const hw_module *mod, rt_memory *m) {
    uint64_t init = initial_size(mod), size = m->pub.size;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED;
    if (size > init &&
        mmap(m->pub.base + init, size - init, PROT_NONE, flags, -1, 0) == MAP_FAILED)
        return false;
    if (init && mmap(m->pub.base, init, PROT_READ | PROT_WRITE, flags, -1, 0) == MAP_FAILED)
        return false;
    m->pub.size = init;
    return true;
}

/* Keeps m in list (of *num, at most cap) after prepare (outside the lock: another thread's
 * instance creation need not wait for it), or returns false. */
static bool keep(hw_module *mod, rt_memory *m, rt_memory **list, uint32_t *num, uint32_t cap,
                 bool wiped) {
    if (__atomic_load_n(num, __ATOMIC_RELAXED) >= cap) return false; /* a hint */
    if (wiped) wipe(m);
    else if (!rewind_memory(mod, m)) return false;
    pthread_mutex_lock(&mod->spare_lock);
    bool room = *num < cap;
    if (room) list[(*num)++] = m;
    pthread_mutex_unlock(&mod->spare_lock);
    return room;
}

bool rt_spare_give(hw_module *mod, rt_memory *m) {
    if (m->pub.reserved != HWASM_GUARD_RESERVATION || m->pub.size < initial_size(mod))
        return false;
    if (wipeable(mod, m) && keep(mod, m, mod->spares, &mod->num_spares, RT_SPARES, true))
        return true;
    return keep(mod, m, mod->kept, &mod->num_kept, RT_KEPT, false);
}

rt_memory *rt_spare_take(hw_module *mod) {
    if (!__atomic_load_n(&mod->num_spares, __ATOMIC_RELAXED) &&
        !__atomic_load_n(&mod->num_kept, __ATOMIC_RELAXED))
        return NULL; /* a hint */
    pthread_mutex_lock(&mod->spare_lock);
    rt_memory *m = mod->num_spares ? mod->spares[--mod->num_spares]
                   : mod->num_kept ? mod->kept[--mod->num_kept]
                                   : NULL;
    pthread_mutex_unlock(&mod->spare_lock);
    return m;
}

void rt_spare_free_all(hw_module *mod) {
    while (mod->num_spares)
        rt_memory_free(mod->spares[--mod->num_spares]);
    while (mod->num_kept)
        rt_memory_free(mod->kept[--mod->num_kept]);
}
