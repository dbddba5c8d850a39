/*
 * rt_ranges.c — sets of address ranges that the SIGSEGV handler reads while other threads
 * add and remove entries: module code and memory reservations. Chunks are only ever
 * appended (never freed), slots are claimed under a mutex and read with atomic loads, so
 * the handler needs no lock and never sees freed storage.
 */
#include <pthread.h>
#include <stdlib.h>

#include "rt_internal.h"

#define CHUNK_SLOTS 256

typedef struct chunk {
    uintptr_t lo[CHUNK_SLOTS]; /* 0 = free slot */
    uintptr_t hi[CHUNK_SLOTS];
    struct chunk *next;
} chunk;

struct rt_ranges {
    pthread_mutex_t lock;
    chunk *head;
};

rt_ranges rt_fault_code = {PTHREAD_MUTEX_INITIALIZER, NULL};
rt_ranges rt_fault_memories = {PTHREAD_MUTEX_INITIALIZER, NULL};

static chunk *chunk_at(rt_ranges *r, int n) {
    chunk *c = r->head;
    while (c && n--)
        c = c->next;
    return c;
}

int rt_ranges_add(rt_ranges *r, uintptr_t lo, uintptr_t hi) {
    int slot = -1, index = 0;
    pthread_mutex_lock(&r->lock);
    chunk **link = &r->head;
    for (; *link && slot < 0; link = &(*link)->next, index++) {
        for (int i = 0; i < CHUNK_SLOTS; i++) {
            if (!(*link)->lo[i]) {
                slot = index * CHUNK_SLOTS + i;
                break;
            }
        }
    }
    if (slot < 0) {
        chunk *c = calloc(1, sizeof *c);
        if (c) {
            __atomic_store_n(link, c, __ATOMIC_RELEASE);
            slot = index * CHUNK_SLOTS;
        }
    }
    if (slot >= 0) {
        chunk *c = chunk_at(r, slot / CHUNK_SLOTS);
        /* hi first: a reader that sees lo set sees a consistent range. */
        __atomic_store_n(&c->hi[slot % CHUNK_SLOTS], hi, __ATOMIC_RELAXED);
        __atomic_store_n(&c->lo[slot % CHUNK_SLOTS], lo ? lo : 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&r->lock);
    return slot;
}

void rt_ranges_remove(rt_ranges *r, int slot) {
    if (slot < 0) return;
    pthread_mutex_lock(&r->lock);
    chunk *c = chunk_at(r, slot / CHUNK_SLOTS);
    if (c) __atomic_store_n(&c->lo[slot % CHUNK_SLOTS], 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&r->lock);
}

bool rt_ranges_contains(rt_ranges *r, uintptr_t addr) {
    for (chunk *c = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE); c;
         c = __atomic_load_n(&c->next, __ATOMIC_ACQUIRE)) {
        for (int i = 0; i < CHUNK_SLOTS; i++) {
            uintptr_t lo = __atomic_load_n(&c->lo[i], __ATOMIC_ACQUIRE);
            if (lo && addr >= lo && addr < __atomic_load_n(&c->hi[i], __ATOMIC_RELAXED))
                return true;
        }
    }
    return false;
}
