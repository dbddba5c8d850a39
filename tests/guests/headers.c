/* headers.c — header mutation: sets, adds and removes request and response headers before
 * calling next (the next handler and the client see the result). */
#include <hwasm/http_guest.h>

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    set_header(HTTP_HEADER_REQUEST, "x-set", "set");
    set_header(HTTP_HEADER_REQUEST, "Existing-Header", "replaced");
    add_header(HTTP_HEADER_REQUEST, "x-add", "a1");
    add_header(HTTP_HEADER_REQUEST, "X-Add", "a2");
    remove_header(HTTP_HEADER_REQUEST, "x-remove", 8);
    set_header(HTTP_HEADER_RESPONSE, "x-resp", "1");
    add_header(HTTP_HEADER_RESPONSE, "Set-Cookie", "a=b");
    add_header(HTTP_HEADER_RESPONSE, "Set-Cookie", "c=d");
    return 1;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
