/* greet.c — the example guest in C, with the installed SDK only (<hwasm/http_guest.h>):
 * GET /hello is answered by the guest itself; every other request goes on to the next
 * handler with a request header x-guest: c, and comes back with the same response header.
 * Build: clang --target=wasm32 -nostdlib -O2 -I PREFIX/include -Wl,--no-entry -o greet.wasm greet.c */
#include <hwasm/http_guest.h>

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    char uri[64];
    i32 n = get_uri(uri, sizeof uri);
    if (n <= (i32)sizeof uri && bytes_eq(uri, n, "/hello")) {
        set_header(HTTP_HEADER_RESPONSE, "content-type", "text/plain");
        write_str(HTTP_BODY_RESPONSE, "hello from c\n");
        return 0; /* answered here: the next handler does not run */
    }
    set_header(HTTP_HEADER_REQUEST, "x-guest", "c");
    set_header(HTTP_HEADER_RESPONSE, "x-guest", "c");
    return 1; /* next, with request context 0 */
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
