/*
 * rt_guard.h — the guarded guest call, inline, for libhwasm's own layers.
 *
 * hw_call_guarded (rt_call.c) runs a body under a trap frame; the http host, which makes
 * two guest calls per request, calls the guest's code directly with rt_guard_call instead:
 * no body in between, no arguments packed for it, and (rt_catch_call not being a
 * returns-twice function) nothing that keeps the compiler from inlining the whole call
 * into its caller. Frames nest: a guest call inside a host function pushes its own.
 */
#ifndef HWASM_RT_GUARD_H
#define HWASM_RT_GUARD_H

#include "rt_internal.h"

/* Calls code(env, vm, a, b) under a trap frame on this thread (prepared on its first
 * guest call). HW_OK with the code's result in *ret (if ret; meaningful only for code
 * that returns one), HW_ETRAP when it trapped (err says how), or the error preparing the
 * thread met (then no guest code ran). */
static inline int rt_guard_call(hwasm_vmctx *vm, void *code, void *env, int32_t a, int32_t b,
                                int64_t *ret, hw_error *err) {
    if (__builtin_expect(!rt_thread_ready, 0)) {
        int rc = rt_thread_prepare(err);
        if (rc != HW_OK) return rc;
    }
    rt_frame f;
    f.prev = rt_top_frame;
    f.err = err;
    vm->stack_limit = rt_thread_stack_limit;
    rt_top_frame = &f; /* armed before rt_catch_call fills f.jb: nothing traps in between */
    rt_catch_result r = rt_catch_call(&f, code, env, vm, a, b);
    rt_top_frame = f.prev;
    if (__builtin_expect(r.trapped, 0)) return HW_ETRAP;
    if (ret) *ret = r.value;
    return HW_OK;
}

#endif /* HWASM_RT_GUARD_H */
