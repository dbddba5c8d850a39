/*
 * hwasmd_chain.c — one request through a route: each guest's handle_request in order, the
 * upstream at the end of the chain, each pinned guest's handle_response in reverse (§2.3 of
 * the http-wasm notes). A failing guest gets its trap policy for this request only:
 * fail_closed answers its status, fail_open skips it; its instance is discarded by libhwasm.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hwasmd.h"

static int host_matches(const struct hwd_route *r, const hw_http_request *q) {
    if (!r->host) return 1;
    int64_t i = hw_http_headers_find(&q->headers, "host", 4, 0);
    if (i < 0) return 0;
    const char *v = q->headers.fields[i].value;
    size_t n = strlen(r->host);
    return !strncasecmp(v, r->host, n) && (v[n] == 0 || v[n] == ':');
}

static int method_matches(const struct hwd_route *r, const hw_http_request *q) {
    if (!r->methods) return 1;
    for (char **m = r->methods; *m; m++)
        if (strlen(*m) == q->method.len && !memcmp(*m, q->method.ptr, q->method.len)) return 1;
    return 0;
}

const struct hwd_route *hwd_route_find(const struct hwd_config *c, const hw_http_request *q) {
    const struct hwd_route *best = NULL;
    size_t best_score = 0;
    for (uint32_t i = 0; i < c->n_routes; i++) {
        const struct hwd_route *r = &c->routes[i];
        if (r->prefix_len > q->target.len || memcmp(r->prefix, q->target.ptr, r->prefix_len) ||
            !host_matches(r, q) || !method_matches(r, q))
            continue;
        size_t score = r->prefix_len * 4 + (r->host ? 2 : 0) + (r->methods ? 1 : 0) + 1;
        if (score > best_score) best = r, best_score = score;
    }
    return best;
}

void hwd_response_simple(hw_http_response *r, int status, const char *text) {
    r->status = status;
    hw_http_headers_clear(&r->headers);
    hw_http_headers_clear(&r->trailers);
    hw_http_headers_set(&r->headers, "Content-Type", 12, "text/plain", 10);
    hw_http_body_set(&r->body, text, strlen(text));
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

void hwd_chain_run(const struct hwd_route *r, hw_http_exchange *x) {
    hw_http_call *calls[HWD_MAX_CHAIN];
    const struct hwd_middleware *pinned[HWD_MAX_CHAIN];
    uint32_t n = 0;
    int to_upstream = 1, is_error = 0;
    hw_error err;
    for (uint32_t i = 0; i < r->n; i++) {
        const struct hwd_middleware *m = r->chain[i];
        hw_http_call *call = NULL;
        if (hw_http_handle_request(m->mw, x, &call, &err) != HW_OK) {
            guest_failed(m, "handle_request", &err);
            if (!m->on_trap) continue;
            fail_closed(x, m);
            to_upstream = 0;
            is_error = 1;
            break;
        }
        if (!call) { /* the guest answered: no upstream, no handle_response for it */
            to_upstream = 0;
            break;
        }
        calls[n] = call;
        pinned[n++] = m;
    }
    if (to_upstream) {
        int status = hwd_upstream_send(r->up, x);
        if (status) {
            hwd_response_simple(&x->resp, status, status == 504 ? "upstream timed out\n"
                                                                : "upstream unavailable\n");
            is_error = 1;
        }
    }
    while (n-- > 0) {
        if (hw_http_handle_response(calls[n], is_error, &err) == HW_OK) continue;
        guest_failed(pinned[n], "handle_response", &err);
        if (!pinned[n]->on_trap) continue;
        fail_closed(x, pinned[n]);
        is_error = 1;
    }
}
