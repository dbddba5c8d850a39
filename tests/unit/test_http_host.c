/*
 * test_http_host.c — the http host end to end, in process, with the guests of tests/guests:
 * the §3.6 scenarios (auth, router, redact, log, config/features, uri/method rewrite,
 * handle_response pinning, WASI console), error guests and load errors, the phase table
 * (§1.7), out-of-bounds guest pointers, and the instance lifecycle (pool bound, trap
 * discards, deadline and its timer's wake-ups, memory cap, the ctx_next high-word edge).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "http_test_support.h"

/* Row tables name only the fields they need. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* Serves one request; returns hw_http_serve's status. err may be NULL. */
static int serve(hw_http_middleware *mw, hw_http_exchange *x, struct backend *be, hw_error *err) {
    hw_error local;
    return hw_http_serve(mw, x, echo_backend, be, err ? err : &local);
}

/* --- §3.6 scenarios ---------------------------------------------------------------------- */

START_TEST(auth) {
    hw_http_middleware *mw = load_guest("auth", NULL);
    struct {
        const char *auth;
        int status;
        int www;
        int next;
    } rows[] = {
        {NULL, 401, 1, 0},
        {"", 401, 0, 0},
        {"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", 200, 0, 1},
        {"0", 401, 0, 0},
    };
    for (int i = 0; i < 4; i++) {
        hw_http_exchange x;
        struct backend be = {.reply = "{\"hello\": \"world\"}"};
        exchange(&x, "GET", "/", rows[i].auth ? "Authorization" : NULL, rows[i].auth, NULL);
        ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
        ck_assert_int_eq(x.resp.status, rows[i].status);
        const char *www = header(&x.resp.headers, "www-authenticate");
        if (rows[i].www)
            ck_assert_str_eq(www, "Basic realm=\"test\"");
        else
            ck_assert_ptr_null(www);
        ck_assert_int_eq(be.calls, rows[i].next);
        hw_http_exchange_free(&x);
    }
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(router) {
    hw_http_middleware *mw = load_guest("router", NULL);
    struct {
        const char *target, *body, *next_uri;
    } rows[] = {
        {"/", "hello world", NULL}, {"/nothosst", "hello world", NULL}, {"/host/a", "", "/a"},
        {"/host", "", "/"},         {"/host?x=1", "", "/?x=1"},
    };
    for (int i = 0; i < 5; i++) {
        hw_http_exchange x;
        struct backend be = {0};
        exchange(&x, "GET", rows[i].target, NULL);
        ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
        ck_assert_int_eq(x.resp.status, 200);
        ck_assert_msg(body_is(&x.resp.body, rows[i].body), "%s", rows[i].target);
        const char *uri = header(&x.resp.headers, "x-httpwasm-next-uri");
        if (rows[i].next_uri)
            ck_assert_str_eq(uri, rows[i].next_uri);
        else
            ck_assert_ptr_null(uri);
        hw_http_exchange_free(&x);
    }
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(redact) {
    hw_http_config cfg = {.guest_config = (const uint8_t *)"open sesame", .guest_config_len = 11};
    hw_http_middleware *mw = load_guest("redact", &cfg);
    ck_assert_uint_eq(hw_http_middleware_features(mw), 3);
    struct {
        const char *in, *out;
    } rows[] = {
        {"open sesame", "###########"},
        {"hello world", "hello world"},
        {"hello open sesame world", "hello ########### world"},
    };
    for (int i = 0; i < 3; i++) {
        hw_http_exchange x;
        struct backend be = {.echo_body = 1};
        exchange(&x, "POST", "/", "Content-Length", "99", NULL);
        hw_http_body_set(&x.req.body, rows[i].in, strlen(rows[i].in));
        ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
        ck_assert_uint_eq(be.seen_len, strlen(rows[i].out));
        ck_assert(!memcmp(be.seen_body, rows[i].out, be.seen_len));
        ck_assert(body_is(&x.resp.body, rows[i].out));
        /* the rewritten request body got a fresh Content-Length */
        char len[24];
        snprintf(len, sizeof len, "%zu", strlen(rows[i].out));
        ck_assert_str_eq(header(&x.req.headers, "content-length"), len);
        hw_http_exchange_free(&x);
    }
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(log_levels) {
    struct logbook lb = {0};
    hw_http_config cfg = {.log = record_log, .log_ctx = &lb};
    hw_http_middleware *mw = load_guest("log", &cfg);
    hw_http_exchange x;
    struct backend be = {0};
    exchange(&x, "GET", "/", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
    ck_assert(logged(&lb, "hello world"));
    ck_assert(logged(&lb, "before"));
    ck_assert(logged(&lb, "after"));
    ck_assert(!logged(&lb, "invisible"));
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
    /* with debug enabled the guest traps (examples/log.wat) */
    cfg.log_level = HTTP_LOG_DEBUG;
    mw = load_guest("log", &cfg);
    exchange(&x, "GET", "/", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, NULL), HW_ETRAP);
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
}
END_TEST

/* config echo + enable_features: module-wide from _initialize, per request additive. */
START_TEST(config_features) {
    static const struct {
        const char *config, *enable, *features;
    } rows[] = {
        {"plain", NULL, ""},
        {"features:0", NULL, ""},
        {"features:1", NULL, "buffer_request"},
        {"features:3", NULL, "buffer_request|buffer_response"},
        {"features:7", NULL, "buffer_request|buffer_response|trailers"},
        {"features:4", "3", "buffer_request|buffer_response|trailers"},
        {"features:1", "2", "buffer_request|buffer_response"},
    };
    for (int i = 0; i < 7; i++) {
        hw_http_config cfg = {.guest_config = (const uint8_t *)rows[i].config,
                              .guest_config_len = strlen(rows[i].config)};
        hw_http_middleware *mw = load_guest("config", &cfg);
        for (int rep = 0; rep < 2; rep++) { /* per-request features do not stick */
            hw_http_exchange x;
            struct backend be = {0};
            exchange(&x, "GET", "/", rep == 0 && rows[i].enable ? "x-enable" : NULL, rows[i].enable,
                     NULL);
            ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
            ck_assert(body_is(&x.resp.body, rows[i].config));
            if (rep == 0 || !rows[i].enable)
                ck_assert_str_eq(header(&x.resp.headers, "x-features"), rows[i].features);
            else
                ck_assert_uint_eq(
                    strlen(header(&x.resp.headers, "x-features")) < strlen(rows[i].features), 1);
            hw_http_exchange_free(&x);
        }
        hw_http_middleware_free(mw);
    }
    /* enable_features from a start section, unknown bits masked */
    hw_http_middleware *mw = load_guest("start_features", NULL);
    ck_assert_uint_eq(hw_http_middleware_features(mw), 3);
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(uri_method_rewrite) {
    hw_http_middleware *mw = load_guest("rewrite", NULL);
    hw_http_exchange x;
    struct backend be = {.reply = "from next"};
    exchange(&x, "GET", "/v1.0/hi?name=panda", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
    ck_assert_str_eq(header(&x.resp.headers, "x-httpwasm-next-method"), "POST");
    ck_assert_str_eq(header(&x.resp.headers, "x-httpwasm-next-uri"), "/v1.0/hello?name=teddy");
    ck_assert_uint_eq(be.seen_len, strlen("GET /v1.0/hi?name=panda"));
    ck_assert(!memcmp(be.seen_body, "GET /v1.0/hi?name=panda", be.seen_len));
    ck_assert(body_is(&x.resp.body, "from next"));
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(headers_set_add_remove) {
    hw_http_middleware *mw = load_guest("headers", NULL);
    hw_http_exchange x;
    struct backend be = {0};
    exchange(&x, "GET", "/", "Existing-Header", "bear", "X-Remove", "1", "x-remove", "2", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
    const hw_http_headers *r = &x.resp.headers;
    ck_assert_str_eq(header(r, "x-httpwasm-next-header-x-set-0"), "set");
    ck_assert_str_eq(header(r, "x-httpwasm-next-header-Existing-Header-0"), "replaced");
    ck_assert_ptr_null(header(r, "x-httpwasm-next-header-Existing-Header-1"));
    ck_assert_str_eq(header(r, "x-httpwasm-next-header-x-add-0"), "a1");
    ck_assert_str_eq(header(r, "x-httpwasm-next-header-x-add-1"), "a2");
    ck_assert_ptr_null(header(r, "x-httpwasm-next-header-x-remove-0"));
    ck_assert_str_eq(header(r, "x-resp"), "1");
    int64_t i = hw_http_headers_find(r, "set-cookie", 10, 0);
    ck_assert_str_eq(r->fields[i].value, "a=b");
    i = hw_http_headers_find(r, "set-cookie", 10, (uint32_t)i + 1);
    ck_assert_str_eq(r->fields[i].value, "c=d");
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
}
END_TEST

/* Two overlapping requests get two instances; each handle_response runs on its own
 * instance with its own reqCtx; later requests continue each instance's count. */
START_TEST(handle_response_pinning) {
    hw_http_middleware *mw = load_guest("counter", NULL);
    hw_http_exchange a, b;
    hw_http_call *ca, *cb;
    hw_error err;
    exchange(&a, "GET", "/", NULL);
    exchange(&b, "GET", "/", NULL);
    ck_assert_int_eq(hw_http_handle_request(mw, &a, &ca, &err), 0);
    ck_assert_int_eq(hw_http_handle_request(mw, &b, &cb, &err), 0);
    ck_assert_ptr_nonnull(ca);
    ck_assert_ptr_nonnull(cb);
    ck_assert_ptr_ne(ca, cb);
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 2);
    ck_assert_int_eq(hw_http_handle_response(cb, 0, &err), 0);
    ck_assert_int_eq(hw_http_handle_response(ca, 0, &err), 0);
    ck_assert(body_is(&a.resp.body, "42"));
    ck_assert(body_is(&b.resp.body, "42"));
    hw_http_exchange_free(&a);
    hw_http_exchange_free(&b);
    for (int i = 0; i < 2; i++) { /* sequential requests reuse one instance: 43, 44 */
        struct backend be = {0};
        exchange(&a, "GET", "/", NULL);
        ck_assert_int_eq(serve(mw, &a, &be, &err), 0);
        ck_assert(body_is(&a.resp.body, i ? "44" : "43"));
        hw_http_exchange_free(&a);
    }
    ck_assert_uint_eq(hw_http_middleware_traps(mw), 0);
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(wasi_console) {
    struct logbook lb = {0};
    const char *env[] = {"A=1", "HELLO=world", NULL};
    hw_http_config cfg = {.log = record_log, .log_ctx = &lb, .environ = env};
    hw_http_middleware *mw = load_guest("wasi", &cfg);
    hw_http_exchange x;
    struct backend be = {0};
    exchange(&x, "POST", "/v1.0/hi?name=panda", "Content-Type", "application/json",
             "Content-Length", "18", NULL);
    hw_http_body_set(&x.req.body, "{\"hello\": \"panda\"}", 18);
    ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
    static const char *want[] = {"POST /v1.0/hi?name=panda HTTP/1.1",
                                 "content-length: 18",
                                 "content-type: application/json",
                                 "host: localhost",
                                 "",
                                 "{\"hello\": \"panda\"}",
                                 "to stderr"};
    ck_assert_int_eq(lb.n, 7);
    for (int i = 0; i < 7; i++)
        ck_assert_str_eq(lb.lines[i], want[i]);
    ck_assert_int_eq(lb.levels[6], HTTP_LOG_WARN);
    ck_assert_msg(body_is(&x.resp.body, "args=0000 env=02 A=1 HELLO=world clock=000ok282828 random=0ok "
                                        "yield=0 enosys=52 badf=8"),
                  "%.*s", (int)x.resp.body.len, (char *)x.resp.body.data);
    hw_http_exchange_free(&x);
    /* proc_exit ends the call as a trap "exit N" */
    hw_error err;
    exchange(&x, "GET", "/exit", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, &err), HW_ETRAP);
    ck_assert_msg(strstr(err.message, "exit 3"), "%s", err.message);
    ck_assert_int_eq(x.resp.status, 500);
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
}
END_TEST

/* --- errors ---------------------------------------------------------------------------- */

static void expect_load_error(const char *name, const char *needle, const char *needle2) {
    hw_http_middleware *mw = NULL;
    hw_error err = {0};
    int rc = hw_http_middleware_new(guest_path(name), NULL, &mw, &err);
    ck_assert_msg(rc != 0, "%s loaded", name);
    ck_assert_ptr_null(mw);
    ck_assert_msg(strstr(err.message, needle), "%s: %s", name, err.message);
    if (needle2) ck_assert_msg(strstr(err.message, needle2), "%s: %s", name, err.message);
}

START_TEST(load_errors) {
    expect_load_error("obsolete_next", "http_handler.next", NULL);
    expect_load_error("unknown_module", "env", "abort");
    expect_load_error("bad_signature", "handle_request", NULL);
    expect_load_error("no_memory", "memory", NULL);
    expect_load_error("panic_on_start", "panic!", NULL);
    expect_load_error("start_get_uri", "http_handler.get_uri", "initialisation");
    hw_http_middleware *mw = NULL;
    hw_error err;
    ck_assert_int_ne(hw_http_middleware_new("/nonexistent.so", NULL, &mw, &err), 0);
    mw = load_guest("exit_in_start", NULL);
    ck_assert_uint_eq(hw_http_middleware_features(mw), 1);
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(error_guests) {
    hw_error err;
    hw_http_exchange x;
    struct backend be = {0};
    hw_http_middleware *mw = load_guest("panic_on_handle_request", NULL);
    exchange(&x, "GET", "/", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, &err), HW_ETRAP);
    ck_assert_int_eq(x.resp.status, 500);
    ck_assert_int_eq(be.calls, 0);
    ck_assert_uint_eq(hw_http_middleware_traps(mw), 1);
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 0); /* discarded, not reused */
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);

    mw = load_guest("panic_on_handle_response", NULL);
    exchange(&x, "GET", "/", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, &err), HW_ETRAP);
    ck_assert_int_eq(be.calls, 1);
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);

    mw = load_guest("set_request_header_after_next", NULL);
    exchange(&x, "GET", "/", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, &err), HW_ETRAP);
    ck_assert_msg(strstr(err.message, "can't set request header after next handler"), "%s",
                  err.message);
    ck_assert_msg(strstr(err.message, "set_header_value"), "%s", err.message);
    ck_assert_msg(strstr(err.message, "handle_response"), "%s", err.message);
    hw_http_exchange_free(&x);
    /* the pool recovers: a fresh instance serves the next request */
    exchange(&x, "GET", "/", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, &err), HW_ETRAP);
    ck_assert_uint_eq(hw_http_middleware_traps(mw), 2);
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
}
END_TEST

/* Every bad pointer, length, kind or value traps naming the function; the host changed nothing. */
START_TEST(bad_pointers) {
    static const struct {
        const char *uri, *fn;
    } rows[] = {
        {"/get_uri", "get_uri"},
        {"/get_method", "get_method"},
        {"/get_config", "get_config"},
        {"/log", "log"},
        {"/set_uri", "set_uri"},
        {"/set_method", "set_method"},
        {"/names", "get_header_names"},
        {"/values_name", "get_header_values"},
        {"/values_buf", "get_header_values"},
        {"/set_value", "set_header_value"},
        {"/set_name_len", "set_header_value"},
        {"/read_body", "read_body"},
        {"/write_body", "write_body"},
        {"/fd_write", "fd_write"},
        {"/fd_write_iov", "fd_write"},
        {"/header_kind", "unsupported header kind"},
        {"/body_kind", "unsupported body kind"},
        {"/empty_name", "cannot be empty"},
        {"/empty_method", "cannot be empty"},
        {"/status", "invalid status code"},
        {"/zero_limit", "buf_limit==0"},
        {"/crlf", "invalid HTTP header value"},
        {"/name_space", "invalid HTTP header name"},
        {"/name_inner_space", "invalid HTTP header name"},
        {"/name_colon", "invalid HTTP header name"},
        {"/value_ctl", "invalid HTTP header value"},
        {"/value_del", "invalid HTTP header value"},
    };
    struct logbook lb = {0};
    hw_http_config cfg = {.log = record_log, .log_ctx = &lb};
    hw_http_middleware *mw = load_guest("badptr", &cfg);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hw_http_exchange x;
        struct backend be = {0};
        hw_error err = {0};
        exchange(&x, "GET", rows[i].uri, NULL);
        int rc = serve(mw, &x, &be, &err);
        ck_assert_msg(rc == HW_ETRAP, "%s: rc %d", rows[i].uri, rc);
        ck_assert_msg(strstr(err.message, rows[i].fn), "%s: %s", rows[i].uri, err.message);
        ck_assert_str_eq(x.req.target.ptr, rows[i].uri);
        ck_assert_uint_eq(x.req.headers.count, 1);
        hw_http_exchange_free(&x);
    }
    ck_assert_int_eq(lb.n, 0);
    hw_http_exchange x;
    struct backend be = {0};
    exchange(&x, "GET", "/ok", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
    ck_assert_int_eq(be.calls, 0);
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
}
END_TEST

/* Looking up or removing a name no field can have ("a b: c", as a published Traefik plugin
 * asks for) is not an error: nothing found, nothing removed (201), as in the reference
 * host; writing one still traps (bad_pointers). */
START_TEST(lookup_of_impossible_name) {
    static const char wat[] =
        "(module\n"
        "  (import \"http_handler\" \"get_header_values\"\n"
        "    (func $values (param i32 i32 i32 i32 i32) (result i64)))\n"
        "  (import \"http_handler\" \"remove_header\" (func $remove (param i32 i32 i32)))\n"
        "  (import \"http_handler\" \"set_status_code\" (func $status (param i32)))\n"
        "  (memory (export \"memory\") 1) (data (i32.const 0) \"a b: c\")\n"
        "  (func (export \"handle_request\") (result i64)\n"
        "    (call $remove (i32.const 0) (i32.const 0) (i32.const 6))\n"
        "    (call $status (select (i32.const 201) (i32.const 500)\n"
        "      (i64.eqz (call $values (i32.const 0) (i32.const 0) (i32.const 6)\n"
        "                             (i32.const 64) (i32.const 64)))))\n"
        "    (i64.const 0))\n"
        "  (func (export \"handle_response\") (param i32 i32)))\n";
    const char *so = unit_compile_wat(wat, "");
    ck_assert_msg(so != NULL, "the test guest did not compile (see stderr)");
    hw_http_middleware *mw = NULL;
    hw_error err = {0};
    ck_assert_msg(hw_http_middleware_new(so, NULL, &mw, &err) == HW_OK, "%s", err.message);
    unlink(so);
    hw_http_exchange x;
    struct backend be = {0};
    exchange(&x, "GET", "/", NULL);
    ck_assert_msg(serve(mw, &x, &be, &err) == HW_OK, "%s", err.message);
    ck_assert_int_eq(x.resp.status, 201);
    ck_assert_uint_eq(x.req.headers.count, 1); /* Host stays */
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
}
END_TEST

/* A guest appending to its response body forever is stopped by the host's bound, with no
 * deadline configured, and its instance is discarded. */
START_TEST(written_body_bound) {
    hw_http_middleware *mw = load_guest("adversarial/body_flood", NULL);
    hw_http_exchange x;
    struct backend be = {0};
    hw_error err = {0};
    exchange(&x, "GET", "/", NULL);
    ck_assert_int_eq(serve(mw, &x, &be, &err), HW_ETRAP);
    ck_assert_msg(strstr(err.message, "write_body: body larger than"), "%s", err.message);
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 0);
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
}
END_TEST

/* The phase table: "/R/x" calls x in handle_request, "/S/x" in handle_response; "?b"
 * enables buffer_request|buffer_response first. */
START_TEST(phase_table) {
    static const struct {
        const char *uri;
        int ok;
    } rows[] = {
        {"/S/set_method", 0},        {"/S/set_uri", 0},           {"/S/set_req_header", 0},
        {"/S/add_req_trailer", 0},   {"/S/remove_req_header", 0}, {"/S/write_req_body", 0},
        {"/S/set_method?b", 0},      {"/S/set_req_header?b", 0},  {"/S/write_req_body?b", 0},
        {"/S/set_resp_header", 0},   {"/S/set_resp_header?b", 1}, {"/S/write_resp_body", 0},
        {"/S/write_resp_body?b", 1}, {"/S/read_req_body", 0},     {"/S/read_req_body?b", 1},
        {"/S/read_resp_body", 0},    {"/S/read_resp_body?b", 1},  {"/S/get_status", 0},
        {"/S/get_status?b", 1},      {"/S/set_status", 0},        {"/S/set_status?b", 1},
        {"/S/get_uri", 1},           {"/S/get_names", 1},         {"/R/set_method", 1},
        {"/R/set_uri", 1},           {"/R/set_req_header", 1},    {"/R/add_req_trailer", 1},
        {"/R/write_req_body", 1},    {"/R/write_resp_body", 1},   {"/R/read_req_body", 1},
        {"/R/read_resp_body", 0},    {"/R/read_resp_body?b", 1},  {"/R/get_status", 0},
        {"/R/get_status?b", 1},      {"/R/set_status", 1},        {"/R/set_resp_header", 1},
    };
    hw_http_middleware *mw = load_guest("phase", NULL);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hw_http_exchange x;
        struct backend be = {0};
        hw_error err = {0};
        exchange(&x, "GET", rows[i].uri, NULL);
        int rc = serve(mw, &x, &be, &err);
        if (rows[i].ok)
            ck_assert_msg(rc == 0, "%s: %s", rows[i].uri, err.message);
        else
            ck_assert_msg(rc == HW_ETRAP && strstr(err.message, "phase handle_"), "%s: rc %d %s",
                          rows[i].uri, rc, err.message);
        hw_http_exchange_free(&x);
    }
    hw_http_middleware_free(mw);
}
END_TEST

/* --- lifecycle -------------------------------------------------------------------------- */

/* One instance, two requests: the second is refused with busy_rc while the first holds
 * it, without running guest code, and succeeds on the same exchange once it is back. */
static void pool_of_one(const hw_http_config *cfg, int busy_rc) {
    hw_http_middleware *mw = load_guest("counter", cfg);
    hw_http_exchange a, b;
    hw_http_call *ca, *cb;
    hw_error err;
    exchange(&a, "GET", "/", NULL);
    exchange(&b, "GET", "/", NULL);
    ck_assert_int_eq(hw_http_handle_request(mw, &a, &ca, &err), 0);
    ck_assert_int_eq(hw_http_handle_request(mw, &b, &cb, &err), busy_rc);
    ck_assert_msg(strstr(err.message, "busy"), "%s", err.message);
    ck_assert_ptr_null(cb);
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 1);
    ck_assert_uint_eq(hw_http_middleware_traps(mw), 0);
    ck_assert_int_eq(hw_http_handle_response(ca, 0, &err), 0);
    ck_assert_int_eq(hw_http_handle_request(mw, &b, &cb, &err), 0);
    ck_assert_int_eq(hw_http_handle_response(cb, 0, &err), 0);
    ck_assert(body_is(&b.resp.body, "43"));
    hw_http_exchange_free(&a);
    hw_http_exchange_free(&b);
    hw_http_middleware_free(mw);
}

START_TEST(pool_bound_and_wait) {
    hw_http_config cfg = {.pool_size = 1, .pool_wait_ms = 50};
    pool_of_one(&cfg, HW_ENOMEM); /* after waiting 50 ms */
}
END_TEST

/* An event loop must never block: under pool_no_wait a busy pool says so at once. */
START_TEST(pool_no_wait_busy) {
    hw_http_config cfg = {.pool_size = 1, .pool_no_wait = 1, .pool_wait_ms = 60000};
    pool_of_one(&cfg, HW_EBUSY);
}
END_TEST

START_TEST(ctx_next_high_word) {
    hw_http_config cfg = {.pool_size = 1, .pool_wait_ms = 50};
    hw_http_middleware *mw = load_guest("ctx_high", &cfg);
    for (int i = 0; i < 3; i++) { /* 16<<32|0: no next, instance back in the pool */
        hw_http_exchange x;
        struct backend be = {0};
        hw_error err;
        exchange(&x, "GET", "/", NULL);
        ck_assert_int_eq(serve(mw, &x, &be, &err), 0);
        ck_assert_int_eq(be.calls, 0);
        hw_http_exchange_free(&x);
    }
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(deadline_interrupts) {
    hw_http_config cfg = {.deadline_ms = 50};
    hw_http_middleware *mw = load_guest("loop", &cfg);
    hw_http_exchange x;
    struct backend be = {0};
    hw_error err;
    /* never early: the call ran its whole budget (a deadline read off a coarse clock
     * without the tick's slack would fire up to a tick sooner) */
    for (int i = 0; i < 5; i++) {
        exchange(&x, "GET", "/", NULL);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ck_assert_int_eq(serve(mw, &x, &be, &err), HW_ETRAP);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ck_assert_int_eq(err.trap, HWASM_TRAP_INTERRUPTED);
        int64_t ns = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec);
        ck_assert_int_ge(ns, 50 * 1000000);
        hw_http_exchange_free(&x);
    }
    hw_http_middleware_free(mw);
    /* a healthy guest under a deadline keeps working */
    mw = load_guest("counter", &cfg);
    for (int i = 0; i < 3; i++) {
        exchange(&x, "GET", "/", NULL);
        ck_assert_int_eq(serve(mw, &x, &be, &err), 0);
        hw_http_exchange_free(&x);
    }
    hw_http_middleware_free(mw);
}
END_TEST

/* Context switches of this process's thread named `name` (the first one), or -1. */
static long thread_switches(const char *name) {
    DIR *d = opendir("/proc/self/task");
    long n = -1;
    for (struct dirent *e; d && n < 0 && (e = readdir(d));) {
        char path[300], comm[32] = "", line[128];
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        if (!fgets(comm, sizeof comm, f)) comm[0] = 0;
        fclose(f);
        comm[strcspn(comm, "\n")] = 0;
        if (strcmp(comm, name)) continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
        if (!(f = fopen(path, "r"))) continue;
        for (n = 0; fgets(line, sizeof line, f);) {
            long v;
            if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1 ||
                sscanf(line, "nonvoluntary_ctxt_switches: %ld", &v) == 1)
                n += v;
        }
        fclose(f);
    }
    if (d) closedir(d);
    return n;
}

/* Calls of microseconds do not wake the deadline timer one by one: it slept whenever its
 * scan found no call running, so most arms paid a futex wake and the timer two context
 * switches (18 % of hwasmd's CPU per request with three guests). */
START_TEST(deadline_timer_not_woken_per_call) {
    hw_http_config cfg = {.deadline_ms = 1000};
    hw_http_middleware *mw = load_guest("noop", &cfg);
    struct backend be = {0};
    hw_http_exchange x;
    long before = thread_switches("hwasm-deadline");
    ck_assert_int_ge(before, 0);
    for (int i = 0; i < 10000; i++) { /* paced as a proxy's requests are: the timer could sleep */
        exchange(&x, "GET", "/", NULL);
        ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
        hw_http_exchange_free(&x);
        nanosleep(&(struct timespec){0, 20000}, NULL);
    }
    long woken = thread_switches("hwasm-deadline") - before;
    /* a tick every 62.5 ms over the ~0.7 s this takes: about a dozen (a timer that slept
     * whenever no call ran: 160 and more) */
    ck_assert_msg(woken < 50, "the deadline timer switched %ld times in 10000 requests", woken);
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(memory_cap) {
    hw_http_config cfg = {.max_memory_pages = 20};
    hw_http_middleware *mw = load_guest("grow", &cfg);
    int statuses[4];
    for (int i = 0; i < 4; i++) {
        hw_http_exchange x;
        struct backend be = {0};
        exchange(&x, "GET", "/", NULL);
        ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
        statuses[i] = x.resp.status;
        hw_http_exchange_free(&x);
    }
    ck_assert_int_eq(statuses[0], 201); /* 1 page, grows to 9 */
    ck_assert_int_eq(statuses[1], 209); /* grows to 17 */
    ck_assert_int_eq(statuses[2], 507); /* 25 > 20 */
    ck_assert_int_eq(statuses[3], 507);
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(reset_policy) {
    hw_http_config cfg = {.policy = HW_HTTP_RESET};
    hw_http_middleware *mw = load_guest("counter", &cfg);
    for (int i = 0; i < 3; i++) { /* state never survives: always 42 */
        hw_http_exchange x;
        struct backend be = {0};
        exchange(&x, "GET", "/", NULL);
        ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
        ck_assert(body_is(&x.resp.body, "42"));
        ck_assert_uint_eq(hw_http_middleware_instances(mw), 1); /* reset in place, not recreated */
        hw_http_exchange_free(&x);
    }
    hw_http_middleware_free(mw);
    /* a larger memory (copy-on-write snapshot) and a global; keep policy for contrast */
    for (uint32_t policy = 0; policy < 2; policy++) {
        cfg.policy = policy;
        mw = load_guest("state", &cfg);
        for (int i = 0; i < 3; i++) {
            hw_http_exchange x;
            struct backend be = {0};
            exchange(&x, "GET", "/", NULL);
            ck_assert_int_eq(serve(mw, &x, &be, NULL), 0);
            ck_assert_int_eq(x.resp.status, policy == HW_HTTP_RESET ? 200 : 200 + 11 * i);
            hw_http_exchange_free(&x);
        }
        hw_http_middleware_free(mw);
    }
}
END_TEST

/* Many threads, one small pool: every request served exactly once, no trap. */
struct hammer {
    hw_http_middleware *mw;
    int ok;
    int n; /* requests to make */
    int busy; /* answered HW_EBUSY (pool_no_wait) */
};

static void *hammer_main(void *arg) {
    struct hammer *h = arg;
    for (int i = 0; i < h->n; i++) {
        hw_http_exchange x;
        struct backend be = {0};
        hw_error err;
        exchange(&x, "GET", "/", NULL);
        int rc = hw_http_serve(h->mw, &x, echo_backend, &be, &err);
        if (rc == 0 && x.resp.body.len >= 2) h->ok++;
        if (rc == HW_EBUSY) h->busy++;
        hw_http_exchange_free(&x);
    }
    return NULL;
}

/* Runs n threads of `requests` requests each on mw; h[i] says what thread i got. */
static void hammer_run(hw_http_middleware *mw, int n, int requests, struct hammer *h) {
    pthread_t t[8];
    ck_assert_int_le(n, 8);
    for (int i = 0; i < n; i++) {
        h[i] = (struct hammer){.mw = mw, .n = requests};
        pthread_create(&t[i], NULL, hammer_main, &h[i]);
    }
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
}

START_TEST(concurrent_pool) {
    hw_http_config cfg = {.pool_size = 2, .pool_wait_ms = 5000};
    hw_http_middleware *mw = load_guest("counter", &cfg);
    struct hammer h[4];
    hammer_run(mw, 4, 200, h);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(h[i].ok, 200);
    ck_assert_uint_le(hw_http_middleware_instances(mw), 2);
    ck_assert_uint_eq(hw_http_middleware_traps(mw), 0);
    hw_http_middleware_free(mw);
}
END_TEST

/* One instance for three threads: it moves between them on every turn (taken from another
 * thread's slot), and counter traps if two requests ever ran on it at once. */
START_TEST(pool_handover) {
    for (int no_wait = 0; no_wait < 2; no_wait++) {
        hw_http_config cfg = {.pool_size = 1, .pool_wait_ms = 10000, .pool_no_wait = no_wait};
        hw_http_middleware *mw = load_guest("counter", &cfg);
        struct hammer h[3];
        hammer_run(mw, 3, 1000, h);
        for (int i = 0; i < 3; i++) {
            /* waiting: every request served; no wait: served or refused busy, never lost */
            ck_assert_int_eq(h[i].ok + h[i].busy, 1000);
            if (!no_wait) ck_assert_int_eq(h[i].ok, 1000);
        }
        ck_assert_uint_eq(hw_http_middleware_instances(mw), 1);
        ck_assert_uint_eq(hw_http_middleware_traps(mw), 0);
        hw_http_middleware_free(mw);
    }
}
END_TEST

/* More threads than pool slots (HTTP_POOL_SLOTS, 64): the later ones share slots and own
 * no hot entry; eight at a time, every request served once, none on a busy instance. */
START_TEST(many_threads) {
    hw_http_config cfg = {.pool_size = 4, .pool_wait_ms = 10000};
    hw_http_middleware *mw = load_guest("counter", &cfg);
    for (int round = 0; round < 10; round++) {
        struct hammer h[8];
        hammer_run(mw, 8, 50, h);
        for (int i = 0; i < 8; i++) ck_assert_int_eq(h[i].ok, 50);
    }
    ck_assert_uint_le(hw_http_middleware_instances(mw), 4);
    ck_assert_uint_eq(hw_http_middleware_traps(mw), 0);
    hw_http_middleware_free(mw);
}
END_TEST

int main(void) {
    Suite *s = suite_create("http_host");
    TCase *sc = tcase_create("scenarios");
    tcase_set_timeout(sc, 60);
    tcase_add_test(sc, auth);
    tcase_add_test(sc, router);
    tcase_add_test(sc, redact);
    tcase_add_test(sc, log_levels);
    tcase_add_test(sc, config_features);
    tcase_add_test(sc, uri_method_rewrite);
    tcase_add_test(sc, headers_set_add_remove);
    tcase_add_test(sc, handle_response_pinning);
    tcase_add_test(sc, wasi_console);
    suite_add_tcase(s, sc);
    TCase *ec = tcase_create("errors");
    tcase_set_timeout(ec, 60);
    tcase_add_test(ec, load_errors);
    tcase_add_test(ec, error_guests);
    tcase_add_test(ec, bad_pointers);
    tcase_add_test(ec, lookup_of_impossible_name);
    tcase_add_test(ec, written_body_bound);
    tcase_add_test(ec, phase_table);
    suite_add_tcase(s, ec);
    TCase *lc = tcase_create("lifecycle");
    tcase_set_timeout(lc, 60);
    tcase_add_test(lc, pool_bound_and_wait);
    tcase_add_test(lc, pool_no_wait_busy);
    tcase_add_test(lc, ctx_next_high_word);
    tcase_add_test(lc, deadline_interrupts);
    tcase_add_test(lc, deadline_timer_not_woken_per_call);
    tcase_add_test(lc, memory_cap);
    tcase_add_test(lc, reset_policy);
    tcase_add_test(lc, concurrent_pool);
    tcase_add_test(lc, pool_handover);
    tcase_add_test(lc, many_threads);
    suite_add_tcase(s, lc);
    return unit_run_suite(s);
}
