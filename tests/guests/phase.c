/* phase.c — drives the phase table (http-wasm-abi.md §1.7): the URI names a call to make
 * in handle_response ("/S/...") or in handle_request ("/R/..."); "?buffer" enables
 * buffer_request|buffer_response first. Legal calls answer normally, illegal ones trap. */
#include <hwasm/http_guest.h>

static char uri[256];
static i32 uri_len;
static char buf[64];

static void act(const char *what, i32 n) {
    if (bytes_eq(what, n, "set_method"))
        set_method("PUT", 3);
    else if (bytes_eq(what, n, "set_uri"))
        set_uri("/x", 2);
    else if (bytes_eq(what, n, "set_req_header"))
        set_header(HTTP_HEADER_REQUEST, "x-a", "1");
    else if (bytes_eq(what, n, "add_req_trailer"))
        add_header(HTTP_HEADER_REQUEST_TRAILERS, "x-a", "1");
    else if (bytes_eq(what, n, "remove_req_header"))
        remove_header(HTTP_HEADER_REQUEST, "x-a", 3);
    else if (bytes_eq(what, n, "set_resp_header"))
        set_header(HTTP_HEADER_RESPONSE, "x-late", "1");
    else if (bytes_eq(what, n, "write_req_body"))
        write_str(HTTP_BODY_REQUEST, "late");
    else if (bytes_eq(what, n, "write_resp_body"))
        write_str(HTTP_BODY_RESPONSE, "late");
    else if (bytes_eq(what, n, "read_req_body"))
        read_body(HTTP_BODY_REQUEST, buf, sizeof buf);
    else if (bytes_eq(what, n, "read_resp_body"))
        read_body(HTTP_BODY_RESPONSE, buf, sizeof buf);
    else if (bytes_eq(what, n, "get_status")) {
        if (get_status_code() < 100) __builtin_trap();
    } else if (bytes_eq(what, n, "set_status"))
        set_status_code(404);
    else if (bytes_eq(what, n, "get_uri"))
        get_uri(buf, sizeof buf);
    else if (bytes_eq(what, n, "get_names"))
        get_header_names(HTTP_HEADER_RESPONSE, buf, sizeof buf);
    else
        __builtin_trap();
}

/* The part of the URI after "/R/" or "/S/", up to '?'. */
static i32 what_len(void) {
    i32 n = 3;
    while (n < uri_len && uri[n] != '?')
        n++;
    return n - 3;
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    uri_len = get_uri(uri, sizeof uri);
    i32 n = what_len();
    if (n + 3 < uri_len && uri[n + 3] == '?')
        enable_features(HTTP_FEATURE_BUFFER_REQUEST | HTTP_FEATURE_BUFFER_RESPONSE);
    if (starts_with(uri, uri_len, "/R/")) act(uri + 3, n);
    return 1;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
    if (starts_with(uri, uri_len, "/S/")) act(uri + 3, what_len());
}
