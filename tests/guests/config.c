/* config.c — configuration and features: _initialize reads the guest config and, when it
 * reads "features:N", enables N module-wide; a request header x-enable: N enables more for
 * that request. The response body echoes the config, header x-features names the set. */
#include <hwasm/http_guest.h>

static char config[1024];
static i32 config_len;
static char out[128];

HTTP_EXPORT(_initialize) void initialize(void) {
    config_len = get_config(config, sizeof config);
    if (config_len > (i32)sizeof config) config_len = 0; /* longer than we keep: ignore */
    if (starts_with(config, config_len, "features:") && config_len == 10) {
        i32 want = config[9] - '0';
        if (enable_features(want) != (want & 7)) __builtin_trap();
    }
    if (enable_features(0) == -1) __builtin_trap();
}

static i32 feature_names(u32 f, char *p) {
    static const char *names[] = {"buffer_request", "buffer_response", "trailers"};
    i32 n = 0;
    for (u32 i = 0; i < 3; i++) {
        if (!(f & (1u << i))) continue;
        if (n) p[n++] = '|';
        for (const char *s = names[i]; *s; s++)
            p[n++] = *s;
    }
    return n;
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    char v[8];
    i64 cl = get_header_values(HTTP_HEADER_REQUEST, "x-enable", 8, v, sizeof v);
    u32 f = (u32)enable_features(HTTP_HI(cl) == 1 && HTTP_LO(cl) == 2 ? v[0] - '0' : 0);
    i32 n = feature_names(f, out);
    set_header_value(HTTP_HEADER_RESPONSE, "x-features", 10, out, n);
    write_body(HTTP_BODY_RESPONSE, config, config_len);
    return 0;
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
