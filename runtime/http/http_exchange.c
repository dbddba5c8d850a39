/*
 * http_exchange.c — creation and destruction of the abstract exchange with the defaults
 * the ABI expects of a fresh request (GET / HTTP/1.1) and response (200, empty).
 */
#include <string.h>

#include "http_internal.h"

int hw_http_exchange_init(hw_http_exchange *x) {
    memset(x, 0, sizeof *x);
    x->resp.status = 200;
    x->req.body.src_eof = 1;
    x->resp.body.src_eof = 1;
    if (hw_http_str_set(&x->req.method, "GET", 3) || hw_http_str_set(&x->req.target, "/", 1) ||
        hw_http_str_set(&x->req.protocol, "HTTP/1.1", 8) ||
        hw_http_str_set(&x->req.source_addr, "127.0.0.1:0", 11)) {
        hw_http_exchange_free(x);
        return HW_ENOMEM;
    }
    return HW_OK;
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
