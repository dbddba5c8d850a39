/* redact.c — body rewriting with buffering (examples/redact.wat): the secret from the guest
 * config is replaced by '#' in the request body before next and in the response body after.
 * The app is asked for the whole representation, uncoded: a guest that rewrites an
 * answer's body sees only the bytes the app sends, so a client's Range would split the
 * secret over two answers and its Accept-Encoding: gzip hide it in compressed bytes. */
#include <hwasm/http_guest.h>

static char secret[128];
static i32 secret_len;
static char body[65536];

HTTP_EXPORT(_initialize) void initialize(void) {
    enable_features(HTTP_FEATURE_BUFFER_REQUEST | HTTP_FEATURE_BUFFER_RESPONSE);
    secret_len = get_config(secret, sizeof secret);
    if (secret_len > (i32)sizeof secret) __builtin_trap();
}

/* Reads a whole body into `body` and redacts it in place; returns its length. */
static i32 read_redacted(i32 kind) {
    i32 n = 0;
    for (;;) {
        if (n == (i32)sizeof body) __builtin_trap();
        i64 el = read_body(kind, body + n, (i32)sizeof body - n);
        n += (i32)HTTP_LO(el);
        if (HTTP_HI(el)) break;
    }
    for (i32 i = 0; secret_len && i + secret_len <= n; i++)
        if (memcmp(body + i, secret, (size_t)secret_len) == 0)
            memset(body + i, '#', (size_t)secret_len);
    return n;
}

static void drop(const char *name) {
    remove_header(HTTP_HEADER_REQUEST, name, str_len(name));
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    drop("range");
    drop("if-range");
    drop("accept-encoding");
    i32 n = read_redacted(HTTP_BODY_REQUEST);
    write_body(HTTP_BODY_REQUEST, body, n);
    return 1;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx;
    if (is_error) return;
    i32 n = read_redacted(HTTP_BODY_RESPONSE);
    write_body(HTTP_BODY_RESPONSE, body, n);
}
