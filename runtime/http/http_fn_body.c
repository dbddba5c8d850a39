/*
 * http_fn_body.c — read_body and write_body: stateful cursors per body kind, EOF with the
 * last bytes, replay of the request body under buffer_request, first write replaces.
 */
#include "http_common.h"

#define HI ((struct http_inst *)env)

/* The most a guest may write into one body. Without a bound, a guest appending in a loop
 * grows host memory until the process dies (a time budget only slows it: ~60 MB in 30 ms),
 * taking every other request with it. */
#define MAX_WRITTEN_BODY ((size_t)64 << 20)

static hw_http_body *body_of(struct http_inst *hi, hwasm_vmctx *vm, int32_t kind, const char *fn) {
    if (kind != HTTP_BODY_REQUEST && kind != HTTP_BODY_RESPONSE)
        http_trap(hi, vm, fn, "unsupported body kind %d", kind);
    if (hi->phase != PHASE_REQUEST && hi->phase != PHASE_RESPONSE)
        http_trap(hi, vm, fn, "no request in flight");
    return kind == HTTP_BODY_REQUEST ? &hi->x->req.body : &hi->x->resp.body;
}

int64_t http_read_body(void *env, hwasm_vmctx *vm, int32_t kind, int32_t buf, int32_t buf_limit) {
    const char *fn = "read_body";
    hw_http_body *b = body_of(HI, vm, kind, fn);
    if (buf_limit == 0) http_trap(HI, vm, fn, "buf_limit==0 reading body");
    uint8_t *dst = guest_bytes(HI, vm, (uint32_t)buf, (uint32_t)buf_limit, fn);
    if (kind == HTTP_BODY_REQUEST && HI->phase == PHASE_RESPONSE &&
        !(HI->features & HTTP_FEATURE_BUFFER_REQUEST))
        http_trap(HI, vm, fn,
                  "can't read request body after next handler unless buffer_request is enabled");
    if (kind == HTTP_BODY_RESPONSE && !(HI->features & HTTP_FEATURE_BUFFER_RESPONSE))
        http_trap(HI, vm, fn, "can't read response body unless buffer_response is enabled");
    int eof = 0;
    int64_t n = hw_http_body_read(b, dst, (uint32_t)buf_limit, &eof);
    if (n < 0) http_trap(HI, vm, fn, "error reading %s body", kind ? "response" : "request");
    return (int64_t)HTTP_PACK(eof, n);
}

void http_write_body(void *env, hwasm_vmctx *vm, int32_t kind, int32_t body, int32_t body_len) {
    const char *fn = "write_body";
    hw_http_body *b = body_of(HI, vm, kind, fn);
    const uint8_t *src = guest_bytes(HI, vm, (uint32_t)body, (uint32_t)body_len, fn);
    int *written = kind == HTTP_BODY_REQUEST ? &HI->req_body_written : &HI->resp_body_written;
    if (HI->phase == PHASE_RESPONSE) {
        if (kind == HTTP_BODY_REQUEST)
            http_trap(HI, vm, fn, "can't write request body after next handler");
        if (!(HI->features & HTTP_FEATURE_BUFFER_RESPONSE))
            http_trap(
                HI, vm, fn,
                "can't write response body after next handler unless buffer_response is enabled");
    }
    size_t kept = *written ? b->len : 0;
    if (kept + (uint32_t)body_len > MAX_WRITTEN_BODY)
        http_trap(HI, vm, fn, "body larger than %zu bytes", MAX_WRITTEN_BODY);
    /* what the body grows by: a first write replaces what the exchange held (the client's
     * or the app's bytes, counted when they came) */
    size_t n = (uint32_t)body_len, grows = *written ? n : n > b->len ? n - b->len : 0;
    http_charge(HI, vm, fn, grows);
    int rc = *written ? hw_http_body_append(b, src, (uint32_t)body_len)
                      : hw_http_body_set(b, src, (uint32_t)body_len);
    if (rc != HW_OK) http_trap(HI, vm, fn, "out of host memory");
    *written = 1;
}
