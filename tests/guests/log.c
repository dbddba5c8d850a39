/* log.c — logging (examples/log.wat plus the TinyGo e2e): traps if debug is enabled, logs
 * "hello world" and "before" in handle_request, "after" in handle_response. */
#include <hwasm/http_guest.h>

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    if (log_enabled(HTTP_LOG_DEBUG)) __builtin_trap();
    log_str(HTTP_LOG_INFO, "hello world");
    if (log_enabled(HTTP_LOG_INFO)) log_str(HTTP_LOG_INFO, "before");
    log_str(HTTP_LOG_DEBUG, "invisible");
    return 1;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
    log_str(HTTP_LOG_INFO, "after");
}
