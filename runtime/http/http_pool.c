/*
 * http_pool.c — the bounded pool that lends a middleware's instances, one per request
 * (waiting up to pool_wait_ms when all are busy, or none with pool_no_wait). Idle
 * instances wait in per-thread slots, so workers serving requests in parallel share no
 * lock and no written cache line.
 *
 * A trivial request takes and returns an instance with no atomic read-modify-write (each
 * cost ~7 ns, a third of a no-op guest's added cost): thread n < HTTP_POOL_SLOTS owns slot
 * n's `hot` entry, which it takes and refills with plain loads and stores inside a `claim`
 * window. Another thread takes it (steals) only under the slot's lock, after raising
 * `stealing` and a process-wide membarrier(2): an asymmetric Dekker handshake (as in
 * liburcu) — the owner either sees `stealing` and keeps out, or the thief sees `claim` and
 * waits the few instructions until it drops. Waiters on a full pool likewise pay the
 * membarrier, so a return pays no fence. Where membarrier is unavailable every hot entry
 * is an atomic exchange instead. Other instances (a thread with several requests in
 * flight, threads past HTTP_POOL_SLOTS) wait in the slot's locked list.
 *
 * With pool_idle_ms, the timer thread frees what a burst left (http_pool_reap): every
 * pool_idle_ms / HTTP_REAP_TICKS, each instance in a list counts a tick (from 0 when it
 * was pushed, under the lock the push takes anyway), and one that counted more than
 * HTTP_REAP_TICKS is freed while more than pool_min live. Only the lists: the request
 * path, hot entries, pays nothing, and a thread's hot instance (its most recently used,
 * the one its next request takes) is never reaped, so each thread that serves keeps one
 * warm. A list gives back its last pushed instance first, so under a light load the same
 * few serve and the others age.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "http_internal.h"

/* --- the asymmetric fence ------------------------------------------------------------- */

static pthread_once_t asym_once = PTHREAD_ONCE_INIT;
static int asym; /* membarrier registered: owners use plain loads and stores */

static void asym_register(void) {
    asym = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

/* The heavy side: every thread of the process has passed a full fence when it returns 1.
 * 0 only if membarrier failed after registering (the kernel says it cannot): then only
 * this thread is fenced, and a thief must not touch an owner's hot entry. */
static int fence_heavy(void) {
    if (asym && syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0) return 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return !asym;
}

/* The light side, paired with fence_heavy: a compiler barrier where membarrier works. */
static void fence_light(void) {
    if (asym)
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    else
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* --- slots -------------------------------------------------------------------------------- */

/* This thread's number + 1 (0: not numbered yet); numbers are process-wide, in first-use
 * order, never reused. */
static _Thread_local uint32_t mine;

static uint32_t my_number(void) {
    static uint32_t threads;
    if (!mine) mine = __atomic_add_fetch(&threads, 1, __ATOMIC_RELAXED);
    return mine - 1;
}

static struct pool_slot *my_slot(struct http_mw *mw, int *owner) {
    uint32_t n = my_number();
    *owner = n < HTTP_POOL_SLOTS;
    return &mw->slots[n % HTTP_POOL_SLOTS];
}

/* The owner takes its hot instance (NULL when empty or being stolen). */
static struct http_inst *hot_take(struct pool_slot *s) {
    if (!asym)
        return __atomic_load_n(&s->hot, __ATOMIC_RELAXED)
                   ? __atomic_exchange_n(&s->hot, NULL, __ATOMIC_SEQ_CST)
                   : NULL;
    struct http_inst *hi = NULL;
    __atomic_store_n(&s->claim, 1, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* fence_light, asym known */
    /* acquire: after a theft, its hot = NULL is seen with its stealing = 0 */
    if (!__atomic_load_n(&s->stealing, __ATOMIC_ACQUIRE)) {
        hi = __atomic_load_n(&s->hot, __ATOMIC_RELAXED);
        if (hi) __atomic_store_n(&s->hot, NULL, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&s->claim, 0, __ATOMIC_RELEASE);
    return hi;
}

/* The owner parks hi as its hot instance; 0 when the entry is full or being stolen. */
static int hot_give(struct pool_slot *s, struct http_inst *hi) {
    if (!asym) {
        struct http_inst *none = NULL;
        return __atomic_compare_exchange_n(&s->hot, &none, hi, 0, __ATOMIC_SEQ_CST,
                                           __ATOMIC_RELAXED);
    }
    int given = 0;
    __atomic_store_n(&s->claim, 1, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* fence_light, asym known */
    if (!__atomic_load_n(&s->stealing, __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&s->hot, __ATOMIC_RELAXED)) {
        __atomic_store_n(&s->hot, hi, __ATOMIC_RELAXED);
        given = 1;
    }
    __atomic_store_n(&s->claim, 0, __ATOMIC_RELEASE);
    return given;
}

/* Any thread takes a slot's hot instance, whoever owns it. */
static struct http_inst *hot_steal(struct pool_slot *s) {
    if (!__atomic_load_n(&s->hot, __ATOMIC_RELAXED)) return NULL; /* a hint */
    if (!asym) return __atomic_exchange_n(&s->hot, NULL, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&s->lock); /* one thief at a time */
    __atomic_store_n(&s->stealing, 1, __ATOMIC_RELAXED);
    struct http_inst *hi = NULL;
    if (fence_heavy()) {
        while (__atomic_load_n(&s->claim, __ATOMIC_ACQUIRE))
            sched_yield(); /* the owner is inside a claim window (it may be preempted) */
        hi = __atomic_load_n(&s->hot, __ATOMIC_RELAXED);
        __atomic_store_n(&s->hot, NULL, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&s->stealing, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&s->lock);
    return hi;
}

static struct http_inst *list_pop(struct pool_slot *s) {
    if (!__atomic_load_n(&s->idle, __ATOMIC_RELAXED)) return NULL; /* a hint: no lock needed */
    pthread_mutex_lock(&s->lock);
    struct http_inst *hi = s->idle;
    if (hi) __atomic_store_n(&s->idle, hi->idle_next, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&s->lock);
    return hi;
}

static void list_push(struct pool_slot *s, struct http_inst *hi) {
    pthread_mutex_lock(&s->lock);
    hi->idle_ticks = 0;
    hi->idle_next = s->idle;
    __atomic_store_n(&s->idle, hi, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&s->lock);
}

/* An idle instance from any slot but skip (NULL: from every slot). */
static struct http_inst *steal(struct http_mw *mw, struct pool_slot *skip) {
    for (uint32_t i = 0; i < HTTP_POOL_SLOTS; i++) {
        struct pool_slot *s = &mw->slots[i];
        struct http_inst *hi = s == skip ? NULL : list_pop(s);
        if (!hi && s != skip) hi = hot_steal(s);
        if (hi) return hi;
    }
    return NULL;
}

/* --- the pool ------------------------------------------------------------------------------ */

/* One more live instance if that stays within pool_size. */
static int reserve(struct http_mw *mw) {
    uint32_t n = __atomic_load_n(&mw->live, __ATOMIC_RELAXED);
    while (n < mw->cfg.pool_size)
        if (__atomic_compare_exchange_n(&mw->live, &n, n + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return 1;
    return 0;
}

/* Wakes the threads waiting on a full pool, once an instance was returned or freed. A
 * pool_no_wait pool (hwasmd's) never has any: it answers HW_EBUSY before counting a
 * waiter. Else the fence pairs with the waiter's fence_heavy: it sees the instance just
 * returned or is woken. */
static __attribute__((noinline)) void wake_all(struct http_mw *mw) {
    pthread_mutex_lock(&mw->lock);
    pthread_cond_broadcast(&mw->cond);
    pthread_mutex_unlock(&mw->lock);
}

static inline void wake_waiters(struct http_mw *mw) {
    if (mw->cfg.pool_no_wait) return;
    fence_light();
    if (__atomic_load_n(&mw->waiters, __ATOMIC_RELAXED)) wake_all(mw);
}

/* The deadline for waiting on a busy pool, computed only when a wait is needed. */
static struct timespec wait_until(const struct http_mw *mw) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)mw->cfg.pool_wait_ms * 1000000u;
    until.tv_sec += (time_t)(ns / 1000000000u);
    until.tv_nsec = (long)(ns % 1000000000u);
    return until;
}

static int create(struct http_mw *mw, struct http_inst **out, hw_error *err) {
    int rc = http_inst_create(mw, out, err);
    if (rc != HW_OK) {
        __atomic_sub_fetch(&mw->live, 1, __ATOMIC_RELAXED);
        wake_waiters(mw);
    }
    return rc;
}

/* All instances busy: wait up to pool_wait_ms for one to come back or be freed. */
static int wait_for_one(struct http_mw *mw, struct http_inst **out, hw_error *err) {
    struct timespec until = wait_until(mw);
    int timed_out = 0, made = 0;
    pthread_mutex_lock(&mw->lock);
    __atomic_add_fetch(&mw->waiters, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        /* counted as a waiter first: an instance returned from now on wakes this thread */
        fence_heavy();
        if ((*out = steal(mw, NULL)) || (made = reserve(mw)) || timed_out) break;
        timed_out = pthread_cond_timedwait(&mw->cond, &mw->lock, &until) == ETIMEDOUT;
    }
    __atomic_sub_fetch(&mw->waiters, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&mw->lock);
    if (*out) return HW_OK;
    if (made) return create(mw, out, err);
    return rt_error(err, HW_ENOMEM, "all %u instances busy for %u ms", mw->cfg.pool_size,
                    mw->cfg.pool_wait_ms);
}

/* Everything but the owner's hot entry (kept apart so the fast path saves no registers).
 * A thread past HTTP_POOL_SLOTS may steal its shared slot's hot instance. */
static __attribute__((noinline)) int get_slow(struct http_mw *mw, struct pool_slot *own,
                                              int owner, struct http_inst **out,
                                              hw_error *err) {
    /* an idle instance anywhere before a new one: instances move to the workers that need
     * them, and the pool holds no more than the peak of requests in flight */
    if ((*out = list_pop(own)) || (!owner && (*out = hot_steal(own))) ||
        (*out = steal(mw, own)))
        return HW_OK;
    if (reserve(mw)) {
        /* HW_EBUSY: the live instances hold the whole memory budget; wait as on a full pool */
        int rc = create(mw, out, err);
        if (rc != HW_EBUSY || mw->cfg.pool_no_wait) return rc;
        return wait_for_one(mw, out, err);
    }
    if (mw->cfg.pool_no_wait) return rt_error(err, HW_EBUSY, "all %u instances busy", mw->cfg.pool_size);
    return wait_for_one(mw, out, err);
}

int http_pool_get(struct http_mw *mw, struct http_inst **out, hw_error *err) {
    int owner;
    struct pool_slot *own = my_slot(mw, &owner);
    if (owner && (*out = hot_take(own))) return HW_OK;
    return get_slow(mw, own, owner, out, err);
}

static __attribute__((noinline)) void put_slow(struct http_mw *mw, struct pool_slot *s,
                                               struct http_inst *hi) {
    list_push(s, hi);
    wake_waiters(mw);
}

void http_pool_put(struct http_mw *mw, struct http_inst *hi) {
    hi->phase = PHASE_IDLE;
    hi->x = NULL;
    int owner;
    struct pool_slot *s = my_slot(mw, &owner);
    if (owner && hot_give(s, hi))
        wake_waiters(mw);
    else
        put_slow(mw, s, hi);
}

void http_pool_discard(struct http_mw *mw, struct http_inst *hi, int trapped) {
    http_inst_free(hi);
    __atomic_sub_fetch(&mw->live, 1, __ATOMIC_RELAXED);
    if (trapped) __atomic_add_fetch(&mw->traps, 1, __ATOMIC_RELAXED);
    wake_waiters(mw);
}

/* --- reaping ------------------------------------------------------------------------------- */

/* Counts a tick for every instance in s's list, and moves to *dead those that have now
 * counted more than HTTP_REAP_TICKS, *quota at most. */
static void reap_slot(struct pool_slot *s, uint32_t *quota, struct http_inst **dead) {
    if (!__atomic_load_n(&s->idle, __ATOMIC_RELAXED)) return; /* a hint: no lock needed */
    pthread_mutex_lock(&s->lock);
    struct http_inst **link = &s->idle;
    while (*link) {
        struct http_inst *hi = *link;
        if (++hi->idle_ticks > HTTP_REAP_TICKS && *quota) {
            (*quota)--;
            __atomic_store_n(link, hi->idle_next, __ATOMIC_RELAXED);
            hi->idle_next = *dead;
            *dead = hi;
        } else {
            link = &hi->idle_next;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

void http_pool_reap(struct http_mw *mw) {
    uint32_t live = __atomic_load_n(&mw->live, __ATOMIC_RELAXED);
    uint32_t quota = live > mw->cfg.pool_min ? live - mw->cfg.pool_min : 0;
    struct http_inst *dead = NULL;
    for (uint32_t i = 0; i < HTTP_POOL_SLOTS; i++)
        reap_slot(&mw->slots[i], &quota, &dead);
    if (!dead) return;
    while (dead) { /* freed before live drops: never more than pool_size at once */
        struct http_inst *hi = dead;
        dead = hi->idle_next;
        http_inst_free(hi);
        __atomic_sub_fetch(&mw->live, 1, __ATOMIC_RELAXED);
    }
    wake_waiters(mw); /* room under pool_size and pool_memory_mb */
}

int http_pool_init(struct http_mw *mw) {
    pthread_once(&asym_once, asym_register);
    mw->slots = aligned_alloc(128, HTTP_POOL_SLOTS * sizeof *mw->slots);
    if (!mw->slots) return HW_ENOMEM;
    for (uint32_t i = 0; i < HTTP_POOL_SLOTS; i++) {
        mw->slots[i] = (struct pool_slot){.idle = NULL};
        pthread_mutex_init(&mw->slots[i].lock, NULL);
    }
    return HW_OK;
}

void http_pool_free(struct http_mw *mw) {
    for (uint32_t i = 0; mw->slots && i < HTTP_POOL_SLOTS; i++) {
        struct pool_slot *s = &mw->slots[i];
        if (s->hot) http_inst_free(s->hot);
        while (s->idle) {
            struct http_inst *hi = s->idle;
            s->idle = hi->idle_next;
            http_inst_free(hi);
        }
        pthread_mutex_destroy(&s->lock);
    }
    free(mw->slots);
    mw->slots = NULL;
}
