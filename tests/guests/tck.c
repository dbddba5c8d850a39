/*
 * tck.c — the http-wasm TCK guest (host-go tck/guest, HEAD) in C: dispatches on the request
 * header x-httpwasm-tck-testid, runs that case's checks, and signals failure the same way
 * (status 500 + x-httpwasm-tck-failed). Cases that pass call the next handler.
 */
#include <hwasm/http_guest.h>

static char id[256], buf[8192], body[8192];
static i32 id_len;

static i64 fail(const char *msg) {
    set_status_code(500);
    set_header(HTTP_HEADER_RESPONSE, "x-httpwasm-tck-failed", msg);
    return 0;
}

static int is(const char *s) {
    return bytes_eq(id, id_len, s);
}

/* A single string from a get_* function equals s. */
#define EXPECT_STRING(getter, s, what)                                                             \
    do {                                                                                           \
        i32 n_ = getter(buf, sizeof buf);                                                          \
        if (n_ > (i32)sizeof buf || !bytes_eq(buf, n_, s)) return fail(what);                      \
    } while (0)

/* The values of request header `name` equal the NUL-separated list want (count entries). */
static int values_are(const char *name, const char *want, u32 want_count, u32 want_len) {
    i64 cl = get_header_values(HTTP_HEADER_REQUEST, name, str_len(name), buf, sizeof buf);
    if (HTTP_HI(cl) != want_count || HTTP_LO(cl) != want_len) return 0;
    return want_len == 0 || memcmp(buf, want, want_len) == 0;
}

static int names_contain(const char *names, u32 len, const char *want) {
    for (u32 i = 0; i < len;) {
        i32 n = str_len(names + i);
        if (bytes_eq(names + i, n, want)) return 1;
        i += (u32)n + 1;
    }
    return 0;
}

/* The SDK's body loop: 2048-byte reads until EOF or a 0-byte read. */
static i64 check_body(u32 expect) {
    u32 got = 0;
    for (;;) {
        i64 el = read_body(HTTP_BODY_REQUEST, buf, 2048);
        u32 n = HTTP_LO(el);
        if (got + n > sizeof body) return fail("body too large");
        memcpy(body + got, buf, n);
        got += n;
        if (HTTP_HI(el) || n == 0) break;
    }
    if (got != expect) return fail("unexpected body length");
    for (u32 i = 0; i < got; i++)
        if (body[i] != 'a') return fail("unexpected body content");
    return 1;
}

static i64 source_addr(void) {
    i32 n = get_source_addr(buf, sizeof buf);
    if (n > (i32)sizeof buf) return fail("source addr too long");
    i32 colon = -1, colons = 0;
    for (i32 i = 0; i < n; i++)
        if (buf[i] == ':') colon = i, colons++;
    if (colons != 1) return fail("source addr must be ip:port");
    if (!bytes_eq(buf, colon, "127.0.0.1")) return fail("source addr ip must be 127.0.0.1");
    i32 port = n - colon - 1;
    if (port < 1 || port > 5) return fail("source addr port must be 1-5 characters");
    return 1;
}

static i64 dispatch(void) {
    static const char *methods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                    "CONNECT", "OPTIONS", "TRACE", "PATCH"};
    if (is("get_protocol_version")) {
        i32 n = get_protocol_version(buf, sizeof buf);
        write_body(HTTP_BODY_RESPONSE, buf, n);
        return 1;
    }
    for (u32 i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (id_len == 11 + str_len(methods[i]) && starts_with(id, id_len, "get_method/") &&
            bytes_eq(id + 11, id_len - 11, methods[i])) {
            EXPECT_STRING(get_method, methods[i], "unexpected method");
            return 1;
        }
    }
    if (is("set_method")) return set_method("POST", 4), 1;
    if (is("get_uri/simple")) {
        EXPECT_STRING(get_uri, "/simple", "unexpected uri");
        return 1;
    }
    if (is("get_uri/simple/escaping")) {
        EXPECT_STRING(get_uri, "/simple%26clean", "unexpected uri");
        return 1;
    }
    if (is("get_uri/query")) {
        EXPECT_STRING(get_uri, "/animal?name=panda", "unexpected uri");
        return 1;
    }
    if (is("get_uri/query/escaping")) {
        EXPECT_STRING(get_uri, "/disney?name=chip%26dale", "unexpected uri");
        return 1;
    }
    if (is("set_uri/simple")) return set_uri("/simple", 7), 1;
    if (is("set_uri/simple/escaping")) return set_uri("/simple%26clean", 15), 1;
    if (is("set_uri/query")) return set_uri("/animal?name=panda", 18), 1;
    if (is("set_uri/query/escaping")) return set_uri("/disney?name=chip%26dale", 24), 1;
    if (is("get_header_values/request/lowercase-key"))
        return values_are("single-header", "value", 1, 6) ? 1 : fail("unexpected header values");
    if (is("get_header_values/request/mixedcase-key"))
        return values_are("Single-Header", "value", 1, 6) ? 1 : fail("unexpected header values");
    if (is("get_header_values/request/not-exists"))
        return values_are("not-header", "", 0, 0) ? 1 : fail("unexpected header values");
    if (is("get_header_values/request/multiple-values"))
        return values_are("multi-header", "value1\0value2", 2, 14)
                   ? 1
                   : fail("unexpected header values");
    if (is("get_header_names/request")) {
        i64 cl = get_header_names(HTTP_HEADER_REQUEST, buf, sizeof buf);
        u32 len = HTTP_LO(cl), nuls = 0;
        if (len > sizeof buf) return fail("header names too long");
        for (u32 i = 0; i < len; i++)
            nuls += buf[i] == 0;
        if (nuls != HTTP_HI(cl)) return fail("header names count mismatch");
        if (!names_contain(buf, len, "a-header") || !names_contain(buf, len, "b-header"))
            return fail("missing header names");
        return 1;
    }
    if (is("set_header_value/request/new"))
        return set_header(HTTP_HEADER_REQUEST, "new-header", "value"), 1;
    if (is("set_header_value/request/existing"))
        return set_header(HTTP_HEADER_REQUEST, "existing-header", "value"), 1;
    if (is("add_header_value/request/new"))
        return add_header(HTTP_HEADER_REQUEST, "new-header", "value"), 1;
    if (is("add_header_value/request/existing"))
        return add_header(HTTP_HEADER_REQUEST, "existing-header", "value"), 1;
    if (is("remove_header/request/new"))
        return remove_header(HTTP_HEADER_REQUEST, "new-header", 10), 1;
    if (is("remove_header/request/existing"))
        return remove_header(HTTP_HEADER_REQUEST, "existing-header", 15), 1;
    if (is("read_body/request/empty")) return check_body(0);
    if (is("read_body/request/small")) return check_body(5);
    if (is("read_body/request/medium")) return check_body(2048);
    if (is("read_body/request/large")) return check_body(4096);
    if (is("read_body/request/xlarge")) return check_body(5000);
    if (is("get_source_addr")) return source_addr();
    return fail("unknown x-httpwasm-test-id");
}

HTTP_EXPORT(_initialize) void initialize(void) {
    enable_features(HTTP_FEATURE_BUFFER_REQUEST | HTTP_FEATURE_BUFFER_RESPONSE |
                    HTTP_FEATURE_TRAILERS);
}

HTTP_EXPORT(handle_request) i64 handle_request(void) {
    i64 cl = get_header_values(HTTP_HEADER_REQUEST, "x-httpwasm-tck-testid", 21, id, sizeof id);
    if (HTTP_HI(cl) != 1 || HTTP_LO(cl) > sizeof id) {
        set_status_code(500);
        write_str(HTTP_BODY_RESPONSE, "missing x-httpwasm-tck-testid header");
        return 0;
    }
    id_len = (i32)HTTP_LO(cl) - 1;
    set_header(HTTP_HEADER_RESPONSE, "x-httpwasm-tck-handled", "1");
    return dispatch();
}

HTTP_EXPORT(handle_response) void handle_response(i32 ctx, i32 is_error) {
    (void)ctx, (void)is_error;
}
