/* flaky.c — traps on every 100th request an instance handles (the soak test's 1% of bad
 * requests). The counter lives in the instance, so the middleware must use `policy: keep`;
 * a trapped instance is discarded and its replacement counts again from 0, so each instance
 * serves 99 requests, traps on one, and the ratio stays 1% however requests are spread. */
#include <hwasm/http_guest.h>

#define TRAP_EVERY 100

static u32 handled;

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    if (++handled == TRAP_EVERY) __builtin_trap();
    return 1;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
