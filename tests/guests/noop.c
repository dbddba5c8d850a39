/* noop.c — the cheapest middleware: next=1 and no host calls (benchmarks, pool tests). */
#include <hwasm/http_guest.h>

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    return 1;
}
HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
