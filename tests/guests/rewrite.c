/* rewrite.c — the TinyGo e2e "uri" and "method" guests in one: the next handler gets
 * POST /v1.0/hello?name=teddy with the original "METHOD URI" as its body. */
#include <hwasm/http_guest.h>

static char line[1100];

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    i32 n = get_method(line, 16);
    line[n++] = ' ';
    i32 u = get_uri(line + n, 1024);
    if (u > 1024) __builtin_trap();
    n += u;
    set_method("POST", 4);
    set_uri("/v1.0/hello?name=teddy", 22);
    write_body(HTTP_BODY_REQUEST, line, n);
    return 1;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
