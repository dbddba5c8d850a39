/* router.c — prefix routing (as examples/router.wat): "/host..." has the prefix stripped
 * and goes to the next handler; anything else gets a static "hello world". */
#include <hwasm/http_guest.h>

static char uri[2048];

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    i32 n = get_uri(uri, sizeof uri);
    if (n > (i32)sizeof uri) n = 0;
    if (starts_with(uri, n, "/host")) {
        set_uri(uri + 5, n - 5); /* "" becomes "/" in the host */
        return 1;
    }
    set_header(HTTP_HEADER_RESPONSE, "Content-Type", "text/plain");
    write_str(HTTP_BODY_RESPONSE, "hello world");
    return 0;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
