/*
 * rt_guard.h — a guarded guest call written out in its caller, for libhwasm's own layers.
 *
 * hw_call_guarded (rt_call.c) runs a body under a trap frame: three calls deep before the
 * guest's code (it, the body, the guest), its arguments packed for the body. The http host
 * makes two guest calls per request and cannot afford that; it writes the call out itself
 * with these steps, the same ones hw_call_guarded takes:
 *
 *     rt_frame f;
 *     int rc = rt_guard_enter(&f, vm, err);        // thread prepared, frame filled
 *     if (rc != HW_OK) return rc;
 *     if (rt_setjmp(f.jb) != 0) return rt_guard_trapped(&f);   // a trap lands here
 *     rt_guard_arm(&f);                            // traps now unwind to f
 *     ... call the guest's code with vm ...
 *     rt_guard_leave(&f);
 *
 * rt_setjmp must be called in the function that stays active through the guest call (not
 * in a helper that returns before it), which is why the steps are not one function. The
 * frame may nest: a guest call inside a host function pushes its own.
 */
#ifndef HWASM_RT_GUARD_H
#define HWASM_RT_GUARD_H

#include "rt_internal.h"

/* Prepares this thread on its first guest call and fills f for a call on vm: the caller's
 * frame below it, where the trap's message goes, the stack limit guest prologues check.
 * HW_OK, or the error rt_thread_prepare met (then no guest code may run). */
static inline int rt_guard_enter(rt_frame *f, hwasm_vmctx *vm, hw_error *err) {
    if (__builtin_expect(!rt_thread_ready, 0)) {
        int rc = rt_thread_prepare(err);
        if (rc != HW_OK) return rc;
    }
    f->prev = rt_top_frame;
    f->err = err;
    vm->stack_limit = rt_thread_stack_limit;
    return HW_OK;
}

/* After rt_setjmp returned 0: from here a trap unwinds to f. */
static inline void rt_guard_arm(rt_frame *f) {
    rt_top_frame = f;
}

/* The guest returned: f is off the stack. */
static inline void rt_guard_leave(rt_frame *f) {
    rt_top_frame = f->prev;
}

/* rt_setjmp returned again: the guest trapped (f->err says how). HW_ETRAP. */
static inline int rt_guard_trapped(rt_frame *f) {
    rt_top_frame = f->prev;
    return HW_ETRAP;
}

#endif /* HWASM_RT_GUARD_H */
