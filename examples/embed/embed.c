/*
 * embed.c — the smallest C embedder of libhwasm: loads one compiled http-wasm guest
 * (hwasmc's .so) and serves one request through it, with a next handler of its own that
 * plays the app. Prints the answer: status, the guest's x-guest header, the body.
 * Build against an installed hwasm: cc embed.c $(pkg-config --cflags --libs hwasm)
 * or with CMake: find_package(hwasm) and link hwasm::hwasm (CMakeLists.txt here).
 * Usage: embed GUEST.so PATH
 */
#include <stdio.h>
#include <string.h>

#include <hwasm/hwasm_http.h>

/* The app behind the guest: answers "app saw x-guest=VALUE". */
static int app(void *ctx, hw_http_exchange *x) {
    (void)ctx;
    char body[128];
    int64_t i = hw_http_headers_find(&x->req.headers, "x-guest", 7, 0);
    int n = snprintf(body, sizeof body, "app saw x-guest=%s\n",
                     i < 0 ? "(none)" : x->req.headers.fields[i].value);
    x->resp.status = 200;
    return hw_http_body_set(&x->resp.body, body, (size_t)n);
}

int main(int argc, char **argv) {
    if (argc != 3) return fputs("usage: embed GUEST.so PATH\n", stderr), 2;
    hw_error err = {0};
    hw_http_middleware *mw;
    if (hw_http_middleware_new(argv[1], NULL, &mw, &err) != 0)
        return fprintf(stderr, "embed: %s: %s\n", argv[1], err.message), 1;

    hw_http_exchange x;
    hw_http_exchange_init(&x);
    hw_http_str_set(&x.req.target, argv[2], strlen(argv[2]));
    int rc = hw_http_serve(mw, &x, app, NULL, &err);
    if (rc != 0) {
        fprintf(stderr, "embed: %s (%s)\n", err.message, hw_strerror(rc));
    } else {
        size_t len;
        const uint8_t *body = hw_http_body_unread(&x.resp.body, &len);
        int64_t h = hw_http_headers_find(&x.resp.headers, "x-guest", 7, 0);
        printf("status %d\nx-guest %s\n%.*s", x.resp.status,
               h < 0 ? "(none)" : x.resp.headers.fields[h].value, (int)len, body ? (const char *)body : "");
    }
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
    return rc != 0;
}
