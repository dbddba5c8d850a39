/*
 * http_deadline.c — the per-call time budget of a middleware: one timer thread per
 * middleware (started only when deadline_ms or pool_idle_ms is set) that sets the
 * interrupt flag of any instance whose guest call has used its budget, so the guest traps
 * "interrupted". The same thread runs the pool's reaper ticks (http_pool_reap, every
 * pool_idle_ms / HTTP_REAP_TICKS), traffic or not, outside mw->lock.
 *
 * The budget is CPU time: what the thread running the call consumed (its CPU clock, user
 * and system time), not the time that passed. Counted in wall-clock time, a guest of a few
 * milliseconds was interrupted whenever its worker waited a budget for a core on a loaded
 * machine (and under hwasmd's on_trap: fail_open, an auth guest was then skipped). A call
 * that consumes no CPU and does not return either is stopped by a wall-clock ceiling of
 * HW_HTTP_DEADLINE_WALL_FACTOR budgets (10: a guest that computes reaches it only if its
 * thread had less than a tenth of a core all along). What waits without CPU is a host
 * call: read_body on an embedder's body source that waits for a socket (hwasmd's bodies
 * are in memory; poll_oneoff's clock waits are ENOSYS, or over at once under the strict
 * sandbox). The interrupt lands when guest code runs again: a host call is not cut short.
 *
 * A guest call reads no clock: every call pays for its deadline, and a clock read (20 to
 * 70 ns here; another thread's CPU clock is a system call) was most of that. Arming stores
 * the worker's CPU clock id (looked up once per thread) and then the call's stamp (the
 * instance's count of calls) in hi->deadline; the timer, scanning every live instance,
 * notes the time and that thread's CPU time when it first sees a stamp running. Until a
 * budget of time has passed since, the call cannot have used a budget of CPU and the timer
 * reads nothing more; after, it reads the thread's CPU clock at each look, and fires the
 * call once the CPU time since the first sighting reaches the budget, or the time since
 * reaches the ceiling. Both count from the first sighting, after the call began, so a call
 * is never interrupted early; the timer looks every tick (a sixteenth of the budget, 1 ms
 * at least) while calls run, so one is interrupted at most a tick late. After IDLE_TICKS
 * ticks in which no call ran the timer sleeps until an arm wakes it. (It went to sleep
 * whenever its scan found no call running, which is nearly always when calls last
 * microseconds: then an arm on most requests paid a futex wake and the timer two context
 * switches, 2.8 µs of CPU per request with three guests, 18 % of hwasmd's.) The scan sees
 * calls made between two ticks by each instance's count of calls.
 *
 *   hi->deadline:  OFF --deadline_arm--> stamp --deadline_disarm--> OFF
 *                  (hi->cpu_clock first)    |
 *              check (first seen: note time, CPU; then CPU since >= budget,
 *                     or time since >= HW_HTTP_DEADLINE_WALL_FACTOR budgets)
 *                                           v
 *                  FIRING --check: interrupt--> FIRED --deadline_disarm--> OFF
 *                  (deadline_disarm waits out FIRING, then clears a late interrupt flag)
 *
 * Arming and disarming take no lock: a store and a load, or a compare-and-swap, on the
 * instance's own line (a lock per call shared by every worker was a tail of milliseconds
 * whenever its holder was preempted). The clock id is a per-thread constant kept in a
 * thread-local: no clock is read and no system call made on the call's path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "http_internal.h"

static uint64_t ts_ns(const struct timespec *ts) {
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts_ns(&ts);
}

/* A thread's CPU time, read by clock id, or NO_CPU when it cannot be read (the thread is
 * gone: a call it made cannot be running). */
#define NO_CPU UINT64_MAX
static uint64_t cpu_ns(clockid_t clock) {
    struct timespec ts;
    return clock_gettime(clock, &ts) ? NO_CPU : ts_ns(&ts);
}

/* Fires hi if its running call has had its budget; returns when the call's budget could
 * end at the earliest, else UINT64_MAX. The compare-and-swap makes the timer and the
 * worker agree on whether it fired: a call the worker disarmed (or followed with the next)
 * meanwhile is left alone. Called with mw->lock held. */
static uint64_t check(struct http_mw *mw, struct http_inst *hi, uint64_t now) {
    uint64_t s = __atomic_load_n(&hi->deadline, __ATOMIC_ACQUIRE);
    if (s <= DEADLINE_FIRING) return UINT64_MAX;
    uint64_t budget = mw->budget_ns;
    if (s != hi->seen_stamp) { /* first seen: its budget counts from clock reads after the arm */
        hi->seen_stamp = s;
        hi->seen_ns = now_ns();
        /* the clock of the thread that stored s, or of one that made a later call (then
         * the stamp has changed by the next look, which starts over) */
        hi->seen_cpu_ns = cpu_ns(__atomic_load_n(&hi->cpu_clock, __ATOMIC_ACQUIRE));
        return hi->seen_ns + budget;
    }
    uint64_t wall = now > hi->seen_ns ? now - hi->seen_ns : 0;
    if (wall < budget) return hi->seen_ns + budget; /* no thread has used more CPU than that */
    /* (a later call's thread, if the worker moved on since the load of s: then the
     * compare-and-swap below fails) */
    uint64_t cpu = cpu_ns(__atomic_load_n(&hi->cpu_clock, __ATOMIC_ACQUIRE));
    /* a clock that cannot be read counts time passed, as the budget once did */
    uint64_t used = cpu == NO_CPU || hi->seen_cpu_ns == NO_CPU ? wall
                    : cpu > hi->seen_cpu_ns                    ? cpu - hi->seen_cpu_ns
                                                               : 0;
    uint64_t ceiling = budget * HW_HTTP_DEADLINE_WALL_FACTOR;
    if (used < budget && wall < ceiling) {
        /* the CPU left, were the thread to run from now on, or the ceiling */
        uint64_t left = budget - used < ceiling - wall ? budget - used : ceiling - wall;
        return now + left;
    }
    if (__atomic_compare_exchange_n(&hi->deadline, &s, DEADLINE_FIRING, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
        hw_instance_interrupt(hi->inst);
        __atomic_store_n(&hi->deadline, DEADLINE_FIRED, __ATOMIC_RELEASE);
    }
    return UINT64_MAX;
}

/* The earliest end of a running call's budget, or UINT64_MAX; *ran: some instance made a
 * call since the last scan. */
static uint64_t scan(struct http_mw *mw, int *ran) {
    uint64_t now = now_ns(), earliest = UINT64_MAX;
    for (struct http_inst *hi = mw->all; hi; hi = hi->all_next) {
        uint64_t d = check(mw, hi, now);
        if (d < earliest) earliest = d;
        uint64_t calls = __atomic_load_n(&hi->calls, __ATOMIC_RELAXED);
        if (calls != hi->scanned_calls) {
            hi->scanned_calls = calls;
            *ran = 1;
        }
    }
    return earliest;
}

/* Ticks without a call before the timer sleeps until an arm wakes it (a budget's worth at
 * the default tick), or the next reaper tick: a busy middleware's calls never pay for a
 * wake-up. */
#define IDLE_TICKS 16

/* Waits on timer_cond until ns (UINT64_MAX: until signalled); 1 when the time came. */
static int wait_until(struct http_mw *mw, uint64_t ns) {
    if (ns == UINT64_MAX) return pthread_cond_wait(&mw->timer_cond, &mw->lock), 0;
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    return pthread_cond_timedwait(&mw->timer_cond, &mw->lock, &ts) == ETIMEDOUT;
}

/* Runs the reaper tick due at next (UINT64_MAX: never) if it is due, without mw->lock
 * (freeing an instance takes it); returns when the next one is due. */
static uint64_t reap_due(struct http_mw *mw, uint64_t next) {
    if (next == UINT64_MAX || now_ns() < next) return next;
    pthread_mutex_unlock(&mw->lock);
    http_pool_reap(mw);
    pthread_mutex_lock(&mw->lock);
    return now_ns() + mw->reap_ns;
}

/* The list of instances is guarded by mw->lock, held here except while waiting or
 * reaping. */
static void *timer_main(void *arg) {
    struct http_mw *mw = arg;
    uint32_t quiet = 0; /* ticks in a row without a call */
    uint64_t next_reap = mw->reap_ns ? now_ns() + mw->reap_ns : UINT64_MAX;
    pthread_mutex_lock(&mw->lock);
    while (!mw->timer_stop) {
        next_reap = reap_due(mw, next_reap);
        if (mw->timer_stop) break; /* asked while reaping, the lock released */
        if (!mw->deadline_on) {
            wait_until(mw, next_reap);
            continue;
        }
        int ran = 0;
        uint64_t earliest = scan(mw, &ran);
        quiet = earliest == UINT64_MAX && !ran ? quiet + 1 : 0;
        if (quiet >= IDLE_TICKS) {
            /* Announce the idle wait, then look once more: a call armed before the
             * announcement is seen by this scan, one armed after it sees timer_idle and
             * signals (under mw->lock, so not before this thread waits). */
            int timed_out = 0;
            __atomic_store_n(&mw->timer_idle, 1, __ATOMIC_SEQ_CST);
            if (scan(mw, &ran) == UINT64_MAX && !mw->timer_stop) timed_out = wait_until(mw, next_reap);
            __atomic_store_n(&mw->timer_idle, 0, __ATOMIC_SEQ_CST);
            if (!timed_out) quiet = 0; /* woken by an arm; a reaper tick leaves it quiet */
        } else {
            /* calls armed after this scan are first seen at the next: a tick from now */
            uint64_t next = now_ns() + mw->tick_ns;
            if (earliest > next) earliest = next;
            wait_until(mw, earliest < next_reap ? earliest : next_reap);
        }
    }
    pthread_mutex_unlock(&mw->lock);
    return NULL;
}

int deadline_start(struct http_mw *mw) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&mw->timer_cond, &ca);
    pthread_condattr_destroy(&ca);
    if (rc) return HW_ENOMEM;
    mw->timer_cond_ready = 1;
    if (!mw->cfg.deadline_ms && !mw->cfg.pool_idle_ms) return HW_OK;
    mw->budget_ns = (uint64_t)mw->cfg.deadline_ms * 1000000u;
    mw->tick_ns = mw->budget_ns / 16 > 1000000u ? mw->budget_ns / 16 : 1000000u;
    mw->reap_ns = (uint64_t)mw->cfg.pool_idle_ms * 1000000u / HTTP_REAP_TICKS;
    mw->deadline_on = mw->cfg.deadline_ms != 0; /* before the thread reads it */
    if (pthread_create(&mw->timer, NULL, timer_main, mw)) return mw->deadline_on = 0, HW_ENOMEM;
    /* for top -H, and the tests */
    pthread_setname_np(mw->timer, mw->deadline_on ? "hwasm-deadline" : "hwasm-reaper");
    mw->timer_running = 1;
    return HW_OK;
}

void deadline_stop(struct http_mw *mw) {
    if (mw->timer_running) {
        pthread_mutex_lock(&mw->lock);
        mw->timer_stop = 1;
        pthread_cond_signal(&mw->timer_cond);
        pthread_mutex_unlock(&mw->lock);
        pthread_join(mw->timer, NULL);
    }
    pthread_cond_destroy(&mw->timer_cond);
}

/* This thread's CPU clock id, 0 until first asked (a thread CPU clock id is never 0: the
 * kernel's have bit 2 set). Constant for the thread's life. Should the lookup fail, the
 * monotonic clock stands in: the call's budget then counts time passed. */
static _Thread_local clockid_t my_clock;

/* Out of line, and called first in deadline_arm: the arm then takes 22 instructions, 16
 * without a clock id (29 with the lookup inlined, its registers saved on every call;
 * callgrind). */
static __attribute__((noinline, cold)) clockid_t my_cpu_clock_lookup(void) {
    clockid_t c;
    my_clock = pthread_getcpuclockid(pthread_self(), &c) || !c ? CLOCK_MONOTONIC : c;
    return my_clock;
}

static inline clockid_t my_cpu_clock(void) {
    clockid_t c = my_clock;
    return __builtin_expect(c != 0, 1) ? c : my_cpu_clock_lookup();
}

/* Called only with deadline_ms (the caller checks mw->deadline_on, so a middleware
 * without it pays one load per call). One worker at a time uses an instance, so
 * hi->calls is only ever written by it: a plain increment, stored atomically for the
 * timer's scan. */
void deadline_arm(struct http_inst *hi) {
    clockid_t clock = my_cpu_clock();
    struct http_mw *mw = hi->mw;
    uint64_t calls = hi->calls + 1;
    __atomic_store_n(&hi->calls, calls, __ATOMIC_RELAXED);
    /* released: a timer that reads this clock id sees the disarm of the call before */
    __atomic_store_n(&hi->cpu_clock, clock, __ATOMIC_RELEASE);
    __atomic_store_n(&hi->deadline, DEADLINE_FIRING + calls, __ATOMIC_SEQ_CST);
    /* a timer that sees calls running looks again within a tick: only an idle timer needs
     * waking (a wake-up per call would cost a context switch per call) */
    if (__atomic_load_n(&mw->timer_idle, __ATOMIC_SEQ_CST)) {
        pthread_mutex_lock(&mw->lock);
        pthread_cond_signal(&mw->timer_cond);
        pthread_mutex_unlock(&mw->lock);
    }
}

void deadline_disarm(struct http_inst *hi) {
    uint64_t d = __atomic_load_n(&hi->deadline, __ATOMIC_ACQUIRE);
    /* the timer is between its compare-and-swap and the interrupt: a few instructions */
    while (d == DEADLINE_FIRING || !__atomic_compare_exchange_n(&hi->deadline, &d, DEADLINE_OFF, 0,
                                                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        if (d == DEADLINE_FIRING) d = __atomic_load_n(&hi->deadline, __ATOMIC_ACQUIRE);
    /* The timer may fire just after the guest returned: a healthy instance must not keep
     * the flag, or its next call would trap at once. */
    if (d == DEADLINE_FIRED) hi->vm->interrupt = 0;
}
