/* trailers.c — a guest that works on trailers both ways (http-wasm feature 4, with
 * buffer_response so it may change them after next): before next it adds the request
 * trailer x-guest-req and removes x-drop-req; after next it adds the response trailer
 * x-guest-resp, sets x-app-trailer (the app's) to "rewritten" when present and removes
 * x-drop-resp. It also reports the features it got in the response header x-features,
 * so a test sees whether the host granted trailers. */
#include <hwasm/http_guest.h>

static i32 features;

HTTP_EXPORT(_initialize) void initialize(void) {
    features = enable_features(HTTP_FEATURE_BUFFER_RESPONSE | HTTP_FEATURE_TRAILERS);
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    add_header(HTTP_HEADER_REQUEST_TRAILERS, "x-guest-req", "1");
    remove_header(HTTP_HEADER_REQUEST_TRAILERS, "x-drop-req", 10);
    return 1;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
    static char v[16];
    i32 n = fmt_u32(v, (u32)features);
    v[n] = 0;
    set_header(HTTP_HEADER_RESPONSE, "x-features", v);
    add_header(HTTP_HEADER_RESPONSE_TRAILERS, "x-guest-resp", "1");
    static char buf[64];
    if (HTTP_HI(get_header_values(HTTP_HEADER_RESPONSE_TRAILERS, "x-app-trailer", 13, buf, sizeof buf)))
        set_header(HTTP_HEADER_RESPONSE_TRAILERS, "x-app-trailer", "rewritten");
    remove_header(HTTP_HEADER_RESPONSE_TRAILERS, "x-drop-resp", 11);
}
