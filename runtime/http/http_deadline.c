/*
 * http_deadline.c — the per-call deadline of a middleware: one timer thread per
 * middleware (started only when deadline_ms is set) that sets the interrupt flag of any
 * instance whose guest call runs past its deadline, so the guest traps "interrupted".
 */
#include <time.h>

#include "http_internal.h"

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *timer_main(void *arg) {
    struct http_mw *mw = arg;
    pthread_mutex_lock(&mw->lock);
    while (!mw->timer_stop) {
        uint64_t now = now_ns(), earliest = UINT64_MAX;
        for (struct http_inst *hi = mw->armed; hi; hi = hi->armed_next) {
            if (hi->fired) continue;
            if (hi->deadline_ns <= now) {
                hi->fired = 1;
                hw_instance_interrupt(hi->inst);
            } else if (hi->deadline_ns < earliest) {
                earliest = hi->deadline_ns;
            }
        }
        if (earliest == UINT64_MAX) {
            mw->timer_idle = 1;
            pthread_cond_wait(&mw->timer_cond, &mw->lock);
            mw->timer_idle = 0;
        } else {
            struct timespec ts = {(time_t)(earliest / 1000000000u), (long)(earliest % 1000000000u)};
            pthread_cond_timedwait(&mw->timer_cond, &mw->lock, &ts);
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
    if (!mw->cfg.deadline_ms) return HW_OK;
    if (pthread_create(&mw->timer, NULL, timer_main, mw)) return HW_ENOMEM;
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

void deadline_arm(struct http_inst *hi) {
    struct http_mw *mw = hi->mw;
    if (!mw->timer_running) return;
    pthread_mutex_lock(&mw->lock);
    hi->deadline_ns = now_ns() + (uint64_t)mw->cfg.deadline_ms * 1000000u;
    hi->fired = 0;
    hi->armed_next = mw->armed;
    mw->armed = hi;
    /* Every deadline is now + the same budget, so none is earlier than one the timer
     * already waits for: only an idle timer needs waking (a wake-up per call would cost a
     * context switch per call). */
    if (mw->timer_idle) pthread_cond_signal(&mw->timer_cond);
    pthread_mutex_unlock(&mw->lock);
}

void deadline_disarm(struct http_inst *hi) {
    struct http_mw *mw = hi->mw;
    if (!mw->timer_running) return;
    pthread_mutex_lock(&mw->lock);
    for (struct http_inst **p = &mw->armed; *p; p = &(*p)->armed_next)
        if (*p == hi) {
            *p = hi->armed_next;
            break;
        }
    int fired = hi->fired;
    pthread_mutex_unlock(&mw->lock);
    /* The timer may fire just after the guest returned: a healthy instance must not keep
     * the flag, or its next call would trap at once. */
    if (fired) hi->vm->interrupt = 0;
}
