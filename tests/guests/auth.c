/* auth.c — Basic authentication (as http-wasm's examples/auth.wat): no Authorization
 * header -> 401 with WWW-Authenticate; a wrong or empty one -> 401; the right one -> next. */
#include <hwasm/http_guest.h>

static const char expected[] = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
static char buf[256];

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    i64 cl = get_header_values(HTTP_HEADER_REQUEST, "Authorization", 13, buf, sizeof buf);
    u32 count = HTTP_HI(cl), len = HTTP_LO(cl);
    if (count == 0) {
        set_header(HTTP_HEADER_RESPONSE, "WWW-Authenticate", "Basic realm=\"test\"");
        set_status_code(401);
        return 0;
    }
    /* exactly one value equal to the expected one (len counts the NUL) */
    if (count == 1 && len == sizeof expected && memcmp(buf, expected, sizeof expected) == 0)
        return 1;
    set_status_code(401);
    return 0;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
