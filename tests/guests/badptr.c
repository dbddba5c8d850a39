/* badptr.c — hands the host out-of-bounds pointers and lengths, chosen by the request's
 * URI; every case must trap before the host touches anything. "/ok" is the control. */
#include <hwasm/http_guest.h>

#define WASI(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
WASI(fd_write) i32 fd_write(i32 fd, const void *iovs, i32 iovs_len, u32 *nwritten);

static char uri[256];
#define FAR ((char *)0xfffffff0u) /* far beyond a small memory; p + 32 wraps in 32 bits */

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    i32 n = get_uri(uri, sizeof uri);
    if (bytes_eq(uri, n, "/get_uri"))
        get_uri(FAR, 32);
    else if (bytes_eq(uri, n, "/get_method"))
        get_method(FAR, 1);
    else if (bytes_eq(uri, n, "/get_config"))
        get_config(FAR, 1);
    else if (bytes_eq(uri, n, "/log"))
        log_message(HTTP_LOG_INFO, FAR, 32);
    else if (bytes_eq(uri, n, "/set_uri"))
        set_uri(FAR, 32);
    else if (bytes_eq(uri, n, "/set_method"))
        set_method(FAR, 3);
    else if (bytes_eq(uri, n, "/names"))
        get_header_names(HTTP_HEADER_REQUEST, FAR, 64);
    else if (bytes_eq(uri, n, "/values_name"))
        get_header_values(HTTP_HEADER_REQUEST, FAR, 32, uri, 8);
    else if (bytes_eq(uri, n, "/values_buf"))
        get_header_values(HTTP_HEADER_REQUEST, "host", 4, FAR, 64);
    else if (bytes_eq(uri, n, "/set_value"))
        set_header_value(HTTP_HEADER_REQUEST, "x-a", 3, FAR, 32);
    else if (bytes_eq(uri, n, "/set_name_len"))
        set_header_value(HTTP_HEADER_REQUEST, "x-a", -1, "b", 1);
    else if (bytes_eq(uri, n, "/read_body"))
        read_body(HTTP_BODY_REQUEST, FAR, 64);
    else if (bytes_eq(uri, n, "/write_body"))
        write_body(HTTP_BODY_RESPONSE, FAR, 32);
    else if (bytes_eq(uri, n, "/fd_write")) {
        u32 w;
        fd_write(1, FAR, 4, &w);
    } else if (bytes_eq(uri, n, "/fd_write_iov")) {
        u32 w;
        struct {
            const char *p;
            u32 n;
        } v = {FAR, 32};
        fd_write(1, &v, 1, &w);
    } else if (bytes_eq(uri, n, "/header_kind"))
        get_header_names(7, uri, 8);
    else if (bytes_eq(uri, n, "/body_kind"))
        read_body(2, uri, 8);
    else if (bytes_eq(uri, n, "/empty_name"))
        remove_header(HTTP_HEADER_REQUEST, "", 0);
    else if (bytes_eq(uri, n, "/empty_method"))
        set_method("", 0);
    else if (bytes_eq(uri, n, "/status"))
        set_status_code(1000);
    else if (bytes_eq(uri, n, "/zero_limit"))
        read_body(HTTP_BODY_REQUEST, uri, 0);
    else if (bytes_eq(uri, n, "/crlf"))
        set_header(HTTP_HEADER_RESPONSE, "x-a", "b\r\nx-b: c");
    /* names that are not tokens, values with other control bytes: a lenient app parser
     * could read "Content-Length " as Content-Length on a connection other clients share */
    else if (bytes_eq(uri, n, "/name_space"))
        set_header(HTTP_HEADER_REQUEST, "Content-Length ", "5");
    else if (bytes_eq(uri, n, "/name_inner_space"))
        set_header(HTTP_HEADER_REQUEST, "x a", "b");
    else if (bytes_eq(uri, n, "/name_colon"))
        set_header(HTTP_HEADER_REQUEST, "x:a", "b");
    else if (bytes_eq(uri, n, "/value_ctl"))
        set_header(HTTP_HEADER_REQUEST, "x-a", "b\x01c");
    else if (bytes_eq(uri, n, "/value_del"))
        set_header(HTTP_HEADER_REQUEST, "x-a", "b\x7f");
    /* Probing with buf_limit 0 is legal whatever the pointer. */
    else if (bytes_eq(uri, n, "/ok"))
        return get_uri(FAR, 0) == 3 ? 0 : 1;
    write_str(HTTP_BODY_RESPONSE, "not trapped");
    return 0;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
