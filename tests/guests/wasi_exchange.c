/* wasi_exchange.c — the upstream hosts' wasi example, reproduced: with buffer_request,
 * buffer_response and trailers it prints the whole exchange to WASI stdout (each line
 * reaches the host's log): in handle_request the request line, its headers, a blank line,
 * the body and the request trailers, then a blank line; in handle_response
 * "HTTP/1.1 STATUS", the response headers, a blank line, the body and then the response
 * trailers. */
#include <hwasm/http_guest.h>

#define WASI(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
WASI(fd_write) i32 fd_write(i32 fd, const void *iovs, i32 iovs_len, u32 *nwritten);

struct iov {
    const void *p;
    u32 n;
};

static char buf[16384], line[4096];

static void print(const char *p, i32 n) {
    struct iov v[2] = {{p, (u32)n}, {"\n", 1}};
    u32 w;
    if (fd_write(1, v, 2, &w) != 0) __builtin_trap();
}

static void print_headers(i32 kind) {
    static char names[4096];
    i64 cl = get_header_names(kind, names, sizeof names);
    if (HTTP_LO(cl) > sizeof names) __builtin_trap();
    char *name = names;
    for (u32 i = 0; i < HTTP_HI(cl); i++) {
        i32 nl = str_len(name);
        i64 vl = get_header_values(kind, name, nl, buf, sizeof buf);
        if (HTTP_LO(vl) > sizeof buf) __builtin_trap();
        char *v = buf;
        for (u32 j = 0; j < HTTP_HI(vl); j++) {
            i32 k = 0, vlen = str_len(v);
            if (nl + vlen + 2 > (i32)sizeof line) __builtin_trap();
            for (i32 c = 0; c < nl; c++) /* lower case, as the upstream example prints */
                line[k++] = name[c] >= 'A' && name[c] <= 'Z' ? (char)(name[c] + 32) : name[c];
            line[k++] = ':', line[k++] = ' ';
            memcpy(line + k, v, (size_t)vlen), k += vlen;
            print(line, k);
            v += vlen + 1;
        }
        name += nl + 1;
    }
}

static void print_body(i32 kind) {
    i64 el = read_body(kind, buf, sizeof buf);
    print(buf, (i32)HTTP_LO(el));
}

HTTP_EXPORT(_initialize) void initialize(void) {
    enable_features(HTTP_FEATURE_BUFFER_REQUEST | HTTP_FEATURE_BUFFER_RESPONSE | HTTP_FEATURE_TRAILERS);
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    i32 k = get_method(line, 16);
    line[k++] = ' ';
    k += get_uri(line + k, 1024);
    line[k++] = ' ';
    k += get_protocol_version(line + k, 16);
    print(line, k);
    print_headers(HTTP_HEADER_REQUEST);
    print("", 0);
    print_body(HTTP_BODY_REQUEST);
    print_headers(HTTP_HEADER_REQUEST_TRAILERS);
    print("", 0);
    return 1;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
    i32 k = 0;
    const char *p = "HTTP/1.1 ";
    while (*p)
        line[k++] = *p++;
    k += fmt_u32(line + k, (u32)get_status_code());
    print(line, k);
    print_headers(HTTP_HEADER_RESPONSE);
    print("", 0);
    print_body(HTTP_BODY_RESPONSE);
    print_headers(HTTP_HEADER_RESPONSE_TRAILERS);
}
