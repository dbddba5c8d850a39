/* hostcalls.c — one call of each common kind per request (benchmarks): get_uri,
 * get_header_values, set_header_value, log, read_body, write_body; then next. */
#include <hwasm/http_guest.h>

static char buf[256];

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    get_uri(buf, sizeof buf);
    get_header_values(HTTP_HEADER_REQUEST, "host", 4, buf, sizeof buf);
    set_header_value(HTTP_HEADER_REQUEST, "x-a", 3, "b", 1);
    log_message(HTTP_LOG_INFO, "hi", 2);
    read_body(HTTP_BODY_REQUEST, buf, sizeof buf);
    write_body(HTTP_BODY_RESPONSE, "ok", 2);
    return 1;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
