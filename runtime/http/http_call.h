/*
 * http_call.h — a guest call as every phase makes it: guarded (a trap comes back as
 * HW_ETRAP), under the middleware's deadline, the guest's console flushed afterwards.
 * Inline, so that a request's two calls cost no call of their own in hw_http_serve and
 * the handle functions (rt_guard.h says why that is possible).
 */
#ifndef HTTP_CALL_H
#define HTTP_CALL_H

#include "http_internal.h"
#include "rt_guard.h"

/* What a guest call leaves to settle (http_instance.c): an armed deadline, printed or
 * logged output. Rare, so kept out of line and out of the request path's registers. */
void http_call_end(struct http_inst *hi, int timed) __attribute__((noinline, cold));

/* Calls f(a, b) on hi (extra arguments are ignored by guest functions that take none):
 * HW_OK with its result in *ret (if ret and f returns one), HW_ETRAP, or HW_ENOMEM when
 * this thread could not be prepared for guest code. */
static inline int http_guest_call(struct http_inst *hi, const hwasm_funcref *f, int32_t a, int32_t b,
                                  int64_t *ret, hw_error *err) {
    int timed = hi->mw->deadline_on;
    if (timed) deadline_arm(hi);
    int rc = rt_guard_call(hi->vm, f->code, f->env, a, b, ret, err);
    if (__builtin_expect(timed | hi->console_used, 0)) /* most calls print and log nothing */
        http_call_end(hi, timed);
    return rc;
}

#endif /* HTTP_CALL_H */
