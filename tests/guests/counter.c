/* counter.c — handle_response pinning (host-go e2e/handle_response.wat and the TinyGo e2e):
 * each instance numbers its requests from 42; handle_response must get back the reqCtx of
 * its own handle_request (else it traps) and writes it as the body (buffer_response). */
#include <hwasm/http_guest.h>

static u32 next_ctx = 42;
static u32 in_flight = 0;

HTTP_EXPORT(_initialize) void initialize(void) {
    enable_features(HTTP_FEATURE_BUFFER_RESPONSE);
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    if (in_flight) __builtin_trap(); /* two requests on one instance at once */
    in_flight = next_ctx++;
    return NEXT_AND_CTX(in_flight);
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    char buf[12];
    if ((u32)ctx != in_flight) __builtin_trap();
    in_flight = 0;
    if (is_error) return;
    i32 n = fmt_u32(buf, (u32)ctx);
    set_header_value(HTTP_HEADER_RESPONSE, "x-ctx", 5, buf, n);
    write_body(HTTP_BODY_RESPONSE, buf, n);
}
