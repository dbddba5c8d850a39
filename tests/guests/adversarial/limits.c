/* limits.c — asks the host for more than a guest may have, chosen by the request path:
 *   [/PREFIX]/grow/N grows linear memory to N pages in one memory.grow and writes every
 *                    4 KiB page of it (so it is resident); 200 + body "N", or 507 if refused
 *   /headers/add     adds 256 request headers of 64 KiB (16 MiB)        } each answers 200
 *   /headers/set     sets one response header to 64 KiB, 256 times      } itself when the
 *   /headers/uri     set_uri with 2 MiB                                 } host lets it
 *   /headers/method  set_method with 2 MiB                              }
 *   /headers/some    adds 9 request headers of 64 KiB (576 KiB): under the default budget
 *   /status/N        set_status_code(N), then answers itself
 */
#include <hwasm/http_guest.h>

static char value[65536];
static char uri[256];

static u32 number(const char *p, i32 n) {
    u32 v = 0;
    for (i32 i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
        v = v * 10 + (u32)(p[i] - '0');
    return v;
}

/* n bytes of 'a' somewhere in memory grown for them. */
static char *fresh_bytes(u32 n) {
    int old = __builtin_wasm_memory_grow(0, (n + 65535) / 65536);
    if (old < 0) return 0;
    char *p = (char *)((size_t)old * 65536);
    memset(p, 'a', n);
    return p;
}

static void flood(i32 kind, int set, int times) {
    memset(value, 'v', sizeof value);
    for (int i = 0; i < times; i++)
        (set ? set_header_value : add_header_value)(kind, "x-flood", 7, value, sizeof value);
}

/* Where "/grow/" starts in p[0..n), or -1. */
static i32 grow_at(const char *p, i32 n) {
    for (i32 i = 0; i + 6 <= n; i++)
        if (starts_with(p + i, n - i, "/grow/")) return i;
    return -1;
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    i32 n = get_uri(uri, sizeof uri);
    if (n > (i32)sizeof uri) n = sizeof uri;
    int status = 200;
    i32 g = grow_at(uri, n);
    if (g >= 0) {
        u32 want = number(uri + g + 6, n - g - 6);
        u32 have = (u32)__builtin_wasm_memory_size(0);
        if (want > have && (int)__builtin_wasm_memory_grow(0, want - have) < 0) { /* size_t -1 */
            status = 507;
        } else {
            for (u64 a = (u64)have * 65536; a < (u64)want * 65536; a += 4096)
                *(volatile char *)(size_t)a = 1;
            char digits[10];
            write_body(HTTP_BODY_RESPONSE, digits,
                       fmt_u32(digits, (u32)__builtin_wasm_memory_size(0)));
        }
    } else if (bytes_eq(uri, n, "/headers/add")) {
        flood(HTTP_HEADER_REQUEST, 0, 256);
    } else if (bytes_eq(uri, n, "/headers/set")) {
        flood(HTTP_HEADER_RESPONSE, 1, 256);
    } else if (bytes_eq(uri, n, "/headers/some")) {
        flood(HTTP_HEADER_REQUEST, 0, 9);
    } else if (bytes_eq(uri, n, "/headers/uri")) {
        char *p = fresh_bytes(2u << 20);
        if (!p)
            status = 507;
        else {
            p[0] = '/';
            set_uri(p, 2 << 20);
        }
    } else if (bytes_eq(uri, n, "/headers/method")) {
        char *p = fresh_bytes(2u << 20);
        if (!p)
            status = 507;
        else
            set_method(p, 2 << 20);
    } else if (starts_with(uri, n, "/status/")) {
        status = (int)number(uri + 8, n - 8);
    }
    set_status_code(status);
    return 0;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
