/*
 * rt_spare.c — a module's spare memories: the linear memory of a freed instance, wiped
 * back to zero, kept for the module's next instance, which then maps nothing (an mmap, an
 * mprotect and a munmap cost microseconds each where system calls are slow, and the first
 * write to each fresh page faults). Only memories that never grew, in guard mode (the same
 * reservation for every instance) and of at most RT_SPARE_MAX_BYTES (cheap to wipe) are
 * kept, RT_SPARES per module at most; hw_module_free unmaps them.
 *
 * Invariant: a spare reads as zero in [0, size) and faults beyond, like a fresh memory.
 */
#include <string.h>

#include "rt_internal.h"
#include "rt_zero.h"

/* Is m fit to serve as a fresh memory of its module? */
static bool recyclable(const hw_module *mod, const rt_memory *m) {
    const hwasm_descriptor *d = mod->d;
    return m->pub.reserved == HWASM_GUARD_RESERVATION && m->pub.size <= RT_SPARE_MAX_BYTES &&
           m->pub.size == (uint64_t)d->memory_limits.min * HWASM_PAGE_SIZE;
}

/* Writes zero over every page that is not zero: the pages the instance touched. */
static void wipe(rt_memory *m) {
    for (uint64_t p = 0; p < m->pub.size; p += RT_ZERO_PAGE)
        if (!rt_page_is_zero(m->pub.base + p)) memset(m->pub.base + p, 0, RT_ZERO_PAGE);
}

bool rt_spare_give(hw_module *mod, rt_memory *m) {
    if (!recyclable(mod, m)) return false;
    pthread_mutex_lock(&mod->spare_lock);
    bool room = mod->num_spares < RT_SPARES;
    pthread_mutex_unlock(&mod->spare_lock);
    if (!room) return false;
    wipe(m); /* outside the lock: another thread's instance creation need not wait */
    pthread_mutex_lock(&mod->spare_lock);
    room = mod->num_spares < RT_SPARES;
    if (room) mod->spares[mod->num_spares++] = m;
    pthread_mutex_unlock(&mod->spare_lock);
    return room;
}

rt_memory *rt_spare_take(hw_module *mod) {
    if (!__atomic_load_n(&mod->num_spares, __ATOMIC_RELAXED)) return NULL; /* a hint */
    pthread_mutex_lock(&mod->spare_lock);
    rt_memory *m = mod->num_spares ? mod->spares[--mod->num_spares] : NULL;
    pthread_mutex_unlock(&mod->spare_lock);
    return m;
}

void rt_spare_free_all(hw_module *mod) {
    while (mod->num_spares)
        rt_memory_free(mod->spares[--mod->num_spares]);
}
