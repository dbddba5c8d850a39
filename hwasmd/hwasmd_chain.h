/*
 * hwasmd_chain.h — routing a request and walking its chain of guests (hwasmd_chain.c).
 */
#ifndef HWASMD_CHAIN_H
#define HWASMD_CHAIN_H

#include "hwasmd.h"
#include "hwasmd_target.h"

/* The route for a request whose target reads as t (hwasmd_target.c): among those whose
 * host and methods match, the longest prefix of t's normalised path (on a tie, the one
 * naming a host, then the one naming methods); NULL if none. */
const struct hwd_route *hwd_route_find(const struct hwd_config *cfg, const struct hwd_target *t,
                                       const hw_http_request *q);
/* One request's walk through its route: handle_request in order, the upstream, then
 * handle_response in reverse for the guests that asked for next (hwasmd_chain.c). */
struct hwd_chain {
    const struct hwd_route *route;
    hw_http_exchange *x;
    uint32_t next;     /* the guest whose handle_request runs next */
    uint32_t n_pinned; /* calls[0..n_pinned) wait for their handle_response */
    hw_http_call *calls[HWD_MAX_CHAIN];
    struct hwd_middleware *pinned[HWD_MAX_CHAIN];
    int is_error;
    /* once the walk reached the app or an answer: every guest that asked for next enabled
     * trailers (http-wasm feature 4), so none can be bypassed by them and they cross the
     * chain (request trailers to the app, response trailers to the client) */
    int trailers;
    uint64_t busy_since_ms; /* when a guest's pool was first found busy, 0: it was not */
};
enum hwd_chain_step {
    HWD_CHAIN_UPSTREAM, /* the request goes to the upstream, then hwd_chain_response */
    HWD_CHAIN_ANSWERED, /* a guest answered (or failed closed): hwd_chain_response(c, 0) */
    HWD_CHAIN_BUSY      /* a guest's instances are all busy: call again in a moment (after
                           its pool_wait_ms, a busy pool counts as that guest failing) */
};
void hwd_chain_init(struct hwd_chain *c, const struct hwd_route *r, hw_http_exchange *x);
/* Runs handle_request from where the chain stands; now_ms is a monotonic clock. */
enum hwd_chain_step hwd_chain_request(struct hwd_chain *c, uint64_t now_ms);
/* upstream_status: 0, or the 502/504 the upstream failed with (answered here). */
void hwd_chain_response(struct hwd_chain *c, int upstream_status);

#endif /* HWASMD_CHAIN_H */
