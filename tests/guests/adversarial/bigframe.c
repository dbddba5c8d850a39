/* bigframe.c — a 4 MiB local array, far more than the guest's shadow stack and its whole
 * memory: the stack pointer wraps below 0, so both the guest's own store into the frame
 * and the host call that receives a pointer into it must trap. */
#include <hwasm/http_guest.h>

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    char frame[4 << 20];
    i32 n = get_uri(frame, sizeof frame); /* the frame escapes: it must really exist */
    frame[sizeof frame - 1] = (char)n;
    return frame[0] + frame[sizeof frame - 1];
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
