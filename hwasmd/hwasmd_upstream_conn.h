/*
 * hwasmd_upstream_conn.h — the end of every chain, its transport (hwasmd_upstream_conn.c):
 * non-blocking connections on the worker's loop, kept alive in a pool per worker and
 * upstream, so no request ever leaves its worker's thread.
 */
#ifndef HWASMD_UPSTREAM_CONN_H
#define HWASMD_UPSTREAM_CONN_H

#include "hwasmd_upstream.h"

#define HWD_POOL_IDLE 64 /* idle keep-alive app connections kept per worker and upstream */

struct hwd_worker;
struct hwd_upstream_call;

/* How a request's sender hears back, always on the worker's loop. */
struct hwd_upstream_hooks {
    /* Once per request: 0 when x->resp holds the app's answer (when streaming: when the
     * body has all gone through body()), else the status to answer (502 unreachable,
     * unparsable or cut short, 504 timed out). */
    void (*done)(void *ctx, int status);
    /* NULL: the app's answer is gathered whole into x->resp. Else called when its head and
     * body so far are merged into x->resp while more body is on its way (remaining bytes,
     * or -1 unknown): 0, the rest comes through body(); non-zero, the app's answer is
     * dropped and its connection closed, no done() follows. */
    int (*stream)(void *ctx, struct hwd_upstream_call *call, int64_t remaining);
    void (*body)(void *ctx, const char *p, size_t n);
};
/* Forwards x->req to u without blocking (builtin upstreams answer before returning). The
 * bytes of an answer gathered whole are counted in budget, which the caller releases once
 * the answer is written or dropped; past its cap the answer is 503. */
void hwd_upstream_send(struct hwd_worker *w, struct hwd_upstream *u, hw_http_exchange *x,
                       const struct hwd_upstream_hooks *hooks, void *ctx, struct hwd_budget *budget);
/* While streaming: stop (on = 0) or resume reading the app, for backpressure. */
void hwd_upstream_flow(struct hwd_upstream_call *call, int on);
/* While streaming: drop the rest of the app's answer (the client went away); no done(). */
void hwd_upstream_abort(struct hwd_upstream_call *call);
/* Closes the worker's idle app connections (shutdown): none is pooled from then on. */
void hwd_upstream_drain(struct hwd_worker *w);
/* Frees the worker's pool once its loop has closed every connection. */
void hwd_upstream_free(struct hwd_worker *w);

#endif /* HWASMD_UPSTREAM_CONN_H */
