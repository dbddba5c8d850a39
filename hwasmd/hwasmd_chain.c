/*
 * hwasmd_chain.c — one request through a route: each guest's handle_request in order, the
 * upstream at the end of the chain, each pinned guest's handle_response in reverse (§2.3 of
 * the http-wasm notes). A failing guest gets its trap policy for this request only:
 * fail_closed answers its status, fail_open skips it; its instance is discarded by libhwasm.
 * The walk stops where it must wait (a busy instance pool, the upstream) and resumes from
 * there, so a worker's loop never blocks on anything but guest code.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hwasmd_chain.h"
#include "hwasmd_metrics.h"
#include "hwasmd_response.h"

/* t->host is already without port or trailing dot; r->host was trimmed alike at load */
static int host_matches(const struct hwd_route *r, const struct hwd_target *t) {
    if (!r->host) return 1;
    return t->host && !strncasecmp(t->host, r->host, t->host_len) && !r->host[t->host_len];
}

static int method_matches(const struct hwd_route *r, const hw_http_request *q) {
    if (!r->methods) return 1;
    for (char **m = r->methods; *m; m++)
        if (!strncmp(*m, q->method.ptr, q->method.len) && !(*m)[q->method.len]) return 1;
    return 0;
}

const struct hwd_route *hwd_route_find(const struct hwd_config *c, const struct hwd_target *t,
                                       const hw_http_request *q) {
    const struct hwd_route *best = NULL;
    size_t best_score = 0;
    for (uint32_t i = 0; i < c->n_routes; i++) {
        const struct hwd_route *r = &c->routes[i];
        if (r->prefix_len > t->path_len || memcmp(r->prefix, t->path, r->prefix_len) ||
            !host_matches(r, t) || !method_matches(r, q))
            continue;
        size_t score = r->prefix_len * 4 + (r->host ? 2 : 0) + (r->methods ? 1 : 0) + 1;
        if (score > best_score) best = r, best_score = score;
    }
    return best;
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void guest_failed(const struct hwd_middleware *m, const char *phase, const hw_error *err) {
    fprintf(stderr, "hwasmd: [%s] %s failed (%s): %s\n", m->name, phase,
            m->on_trap ? "fail_closed" : "fail_open", err->message);
}

static void fail_closed(hw_http_exchange *x, const struct hwd_middleware *m) {
    char text[160];
    snprintf(text, sizeof text, "middleware %s failed\n", m->name);
    hwd_response_simple(&x->resp, m->on_trap, text);
}

/* The guest did not fail, the host could not serve it: 503, whatever on_trap says. Under
 * fail_open the request would go on without the guest, and a client that brings this
 * about (holding every instance, filling buffered_bytes) would pass an auth guest. */
static void host_busy(struct hwd_chain *c, const struct hwd_middleware *m, const char *why) {
    char text[160];
    snprintf(text, sizeof text, "middleware %s: %s\n", m->name, why);
    hwd_response_simple(&c->x->resp, 503, text);
    c->is_error = 1;
}

/* Whether a failed call was the host's doing: no instance could be made (rc other than a
 * trap), or the guest trapped because the host refused memory for its write. */
static int host_refused(const hw_http_exchange *x, int rc) {
    return rc != HW_ETRAP || x->charge_refused;
}

void hwd_chain_init(struct hwd_chain *c, const struct hwd_route *r, hw_http_exchange *x) {
    memset(c, 0, sizeof *c);
    c->route = r;
    c->x = x;
}

/* Whether every guest pinned so far sees trailers (vacuously true for none). */
static int trailers_seen(const struct hwd_chain *c) {
    for (uint32_t i = 0; i < c->n_pinned; i++)
        if (!(hw_http_call_features(c->calls[i]) & HTTP_FEATURE_TRAILERS)) return 0;
    return 1;
}

enum hwd_chain_step hwd_chain_request(struct hwd_chain *c, uint64_t now_ms) {
    hw_error err;
    c->trailers = 0;
    /* one clock read per guest: a guest's end is the next one's start (the few ns of
     * bookkeeping between them count in the next guest's time) */
    uint64_t t0 = c->next < c->route->n ? now_ns() : 0;
    for (; c->next < c->route->n; c->next++) {
        struct hwd_middleware *m = c->route->chain[c->next];
        hw_http_call *call = NULL;
        int rc = hw_http_handle_request(m->mw, c->x, &call, &err);
        uint64_t t1 = now_ns();
        hwd_stats_guest(m, t1 - t0);
        t0 = t1;
        if (rc == HW_EBUSY) {
            /* nothing ran: the request waits on its loop, never blocking it */
            if (!c->busy_since_ms) c->busy_since_ms = now_ms;
            if (now_ms - c->busy_since_ms < m->pool_wait_ms) return HWD_CHAIN_BUSY;
            /* still none after pool_wait_ms: slow requests pin every instance, or all the
             * memory budget, while the app takes its time */
            c->busy_since_ms = 0;
            host_busy(c, m, "all instances busy");
            return HWD_CHAIN_ANSWERED;
        }
        c->busy_since_ms = 0;
        if (rc != HW_OK) {
            guest_failed(m, "handle_request", &err);
            if (host_refused(c->x, rc)) {
                host_busy(c, m, "host resources exhausted");
                return HWD_CHAIN_ANSWERED;
            }
            if (!m->on_trap) continue;
            fail_closed(c->x, m);
            c->is_error = 1;
            return HWD_CHAIN_ANSWERED;
        }
        if (!call) { /* no upstream, no handle_response for it */
            c->trailers = trailers_seen(c);
            return HWD_CHAIN_ANSWERED;
        }
        c->calls[c->n_pinned] = call;
        c->pinned[c->n_pinned++] = m;
    }
    c->trailers = trailers_seen(c);
    return HWD_CHAIN_UPSTREAM;
}

void hwd_chain_response(struct hwd_chain *c, int upstream_status) {
    hw_error err;
    if (upstream_status) {
        hwd_response_simple(&c->x->resp, upstream_status,
                            upstream_status == 504   ? "upstream timed out\n"
                            : upstream_status == 405 ? "TRACE is not sent to the app\n"
                            : upstream_status == 503 ? "too many answers held in memory (limits.buffered_bytes)\n"
                                                     : "upstream unavailable\n");
        c->is_error = 1;
    }
    uint64_t t0 = c->n_pinned ? now_ns() : 0;
    while (c->n_pinned > 0) {
        struct hwd_middleware *m = c->pinned[--c->n_pinned];
        int rc = hw_http_handle_response(c->calls[c->n_pinned], c->is_error, &err);
        uint64_t t1 = now_ns();
        hwd_stats_guest(m, t1 - t0);
        t0 = t1;
        if (rc == HW_OK) continue;
        guest_failed(m, "handle_response", &err);
        if (host_refused(c->x, rc)) {
            host_busy(c, m, "host resources exhausted");
            continue;
        }
        if (!m->on_trap) continue;
        fail_closed(c->x, m);
        c->is_error = 1;
    }
}
