/*
 * http_serve.c — one request through one middleware: handle_request on a pooled instance,
 * the hand-over to the next handler (request body rewound or replaced, Content-Length
 * recomputed), handle_response on the same pinned instance, then back to the pool — or
 * away for good after a trap, when it grew past keep_bytes, or when the reset policy
 * cannot restore it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_call.h"

/* A scratch buffer larger than this (a guest read or wrote huge headers) is not kept. */
#define SCRATCH_KEEP (64u << 10)

/* Ends a request on hi: healthy instances go back to the pool unless they grew past
 * keep_bytes (one request's growth must not stay resident for good: the instance is
 * freed, its memory unmapped, and the pool makes a fresh one when needed) or the reset
 * policy cannot put them back in their initial state. A kept instance keeps its memory:
 * under keep the guest's heap is its state. */
static inline void finish(struct http_inst *hi) {
    struct http_mw *mw = hi->mw;
    hi->phase = PHASE_IDLE;
    hi->x = NULL;
    if (hi->scratch_cap > SCRATCH_KEEP) {
        free(hi->scratch);
        hi->scratch = NULL;
        hi->scratch_cap = 0;
    }
    if (http_inst_footprint(hi) > mw->cfg.keep_bytes)
        http_pool_discard(mw, hi, 0);
    else if (mw->cfg.policy == HW_HTTP_RESET && http_snapshot_reset(hi) != HW_OK)
        http_pool_discard(mw, hi, 0); /* outgrew its snapshot: a fresh one replaces it */
    else
        http_pool_put(mw, hi);
}

/* Cold paths stay out of line: the request path then saves fewer registers. */
#define COLD __attribute__((cold, noinline))

static COLD int trapped(struct http_inst *hi, int rc) {
    hi->phase = PHASE_IDLE;
    hi->x = NULL;
    http_pool_discard(hi->mw, hi, rc == HW_ETRAP);
    return rc;
}

/* What the next handler sees of the request body: everything again when it was buffered or
 * rewritten, else what the guest left unread. A rewritten body gets a fresh length. */
static COLD int new_length(hw_http_request *r) {
    char len[24];
    int n = snprintf(len, sizeof len, "%zu", r->body.len);
    hw_http_headers_remove(&r->headers, "transfer-encoding", 17);
    if (hw_http_headers_set(&r->headers, "content-length", 14, len, (size_t)n)) return HW_ENOMEM;
    return HW_OK;
}

static int prepare_next(struct http_inst *hi) {
    hw_http_request *r = &hi->x->req;
    if (hi->req_body_written && new_length(r) != HW_OK) return HW_ENOMEM;
    if (hi->req_body_written || (hi->features & HTTP_FEATURE_BUFFER_REQUEST)) r->body.pos = 0;
    return HW_OK;
}

/* hw_http_handle_request and hw_http_handle_response, inlined into hw_http_serve too. */
static inline __attribute__((always_inline)) int
handle_request(struct http_mw *mw, hw_http_exchange *x, hw_http_call **call_out, hw_error *err) {
    struct http_inst *hi;
    *call_out = NULL;
    int rc = http_pool_get(mw, &hi, err);
    if (rc != HW_OK) return rc;
    hi->x = x;
    hi->phase = PHASE_REQUEST;
    hi->features = __atomic_load_n(&mw->features, __ATOMIC_RELAXED);
    hi->req_body_written = hi->resp_body_written = 0;
    hi->header_bytes = 0;
    if (hi->features & HTTP_FEATURE_BUFFER_REQUEST) x->req.body.retain = 1;
    int64_t ctx_next = 0;
    rc = http_guest_call(hi, &hi->handle_request, 0, 0, &ctx_next, err);
    if (rc != HW_OK) return trapped(hi, rc);
    if ((uint32_t)ctx_next == 0) { /* only the low word decides (§1.4) */
        finish(hi);
        return HW_OK;
    }
    hi->req_ctx = (uint32_t)((uint64_t)ctx_next >> 32);
    if (prepare_next(hi) != HW_OK) {
        rt_error(err, HW_ENOMEM, "out of memory");
        return trapped(hi, HW_ENOMEM);
    }
    *call_out = (hw_http_call *)hi;
    return HW_OK;
}

int hw_http_handle_request(hw_http_middleware *m, hw_http_exchange *x, hw_http_call **call_out,
                           hw_error *err) {
    return handle_request((struct http_mw *)m, x, call_out, err);
}

uint32_t hw_http_call_features(const hw_http_call *call) {
    return ((const struct http_inst *)call)->features;
}

static inline __attribute__((always_inline)) int handle_response(hw_http_call *call,
                                                                 int is_error, hw_error *err) {
    struct http_inst *hi = (struct http_inst *)call;
    if (!hi || hi->phase != PHASE_REQUEST)
        return rt_error(err, HW_EINVAL, "hw_http_handle_response: no pinned call");
    hw_http_exchange *x = hi->x;
    hi->phase = PHASE_RESPONSE;
    hi->resp_body_written = 0; /* the first write after next replaces the next handler's body */
    x->resp.body.pos = 0;
    if (hi->features & HTTP_FEATURE_BUFFER_REQUEST) x->req.body.pos = 0;
    int rc = http_guest_call(hi, &hi->handle_response, (int32_t)hi->req_ctx,
                             is_error ? 1 : 0, NULL, err);
    if (rc != HW_OK) return trapped(hi, rc);
    finish(hi);
    return HW_OK;
}

int hw_http_handle_response(hw_http_call *call, int is_error, hw_error *err) {
    return handle_response(call, is_error, err);
}

static COLD void error_response(hw_http_exchange *x) {
    x->resp.status = 500;
    hw_http_headers_clear(&x->resp.headers);
    hw_http_headers_clear(&x->resp.trailers);
    hw_http_body_set(&x->resp.body, NULL, 0);
}

int hw_http_serve(hw_http_middleware *mw, hw_http_exchange *x, hw_http_next_fn next, void *next_ctx,
                  hw_error *err) {
    hw_http_call *call;
    int rc = handle_request((struct http_mw *)mw, x, &call, err);
    if (rc != HW_OK) {
        error_response(x);
        return rc;
    }
    if (!call) return HW_OK;
    int failed = next ? next(next_ctx, x) != 0 : 0;
    rc = handle_response(call, failed, err);
    if (rc != HW_OK) error_response(x);
    return rc;
}
