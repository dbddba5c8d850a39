/*
 * http_exchange.c — creation, reuse and destruction of the abstract exchange with the
 * defaults the ABI expects of a fresh request (GET / HTTP/1.1) and response (200, empty).
 * A server that serves request after request resets one exchange instead of freeing and
 * making it again: the strings, header sections and bodies keep a bounded amount of their
 * storage (http_headers.c, BODY_KEEP_BYTES) and nothing of their content.
 */
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

/* A body's buffer up to this size survives a reset; a larger one is freed. */
#define BODY_KEEP_BYTES (16u << 10)

static int set_defaults(hw_http_exchange *x) {
    x->resp.status = 200;
    return hw_http_str_set(&x->req.method, "GET", 3) || hw_http_str_set(&x->req.target, "/", 1) ||
                   hw_http_str_set(&x->req.protocol, "HTTP/1.1", 8) ||
                   hw_http_str_set(&x->req.source_addr, "127.0.0.1:0", 11)
               ? HW_ENOMEM
               : HW_OK;
}

static void body_reset(hw_http_body *b) {
    if (b->cap > BODY_KEEP_BYTES) hw_http_body_free(b);
    *b = (hw_http_body){.data = b->data, .cap = b->cap, .src_eof = 1};
}

int hw_http_exchange_init(hw_http_exchange *x) {
    memset(x, 0, sizeof *x);
    x->req.body.src_eof = 1;
    x->resp.body.src_eof = 1;
    if (set_defaults(x)) {
        hw_http_exchange_free(x);
        return HW_ENOMEM;
    }
    return HW_OK;
}

int hw_http_exchange_reset(hw_http_exchange *x) {
    hw_http_headers_clear(&x->req.headers);
    hw_http_headers_clear(&x->req.trailers);
    hw_http_headers_clear(&x->resp.headers);
    hw_http_headers_clear(&x->resp.trailers);
    body_reset(&x->req.body);
    body_reset(&x->resp.body);
    x->charge = NULL; /* the next request's, if any, is its embedder's to set */
    x->charge_ctx = NULL;
    x->charge_refused = 0;
    return set_defaults(x);
}

void hw_http_exchange_free(hw_http_exchange *x) {
    hw_http_str_free(&x->req.method);
    hw_http_str_free(&x->req.target);
    hw_http_str_free(&x->req.protocol);
    hw_http_str_free(&x->req.source_addr);
    hw_http_headers_free(&x->req.headers);
    hw_http_headers_free(&x->req.trailers);
    hw_http_body_free(&x->req.body);
    hw_http_headers_free(&x->resp.headers);
    hw_http_headers_free(&x->resp.trailers);
    hw_http_body_free(&x->resp.body);
}
