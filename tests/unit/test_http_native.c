/*
 * test_http_native.c — every http_handler function called directly with exact arguments,
 * through the real runtime, from the hand-made module tests/guests/native/native_guest.c
 * (its handle_request/handle_response run the hooks set here): the buf_limit rule, exact
 * count_len / eof_len values of §1.1 and §1.6, features, bodies, status, bounds checks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>

#include "http_test_support.h"

enum {
    F_ENABLE,
    F_CONFIG,
    F_LOG,
    F_LOG_EN,
    F_GET_METHOD,
    F_SET_METHOD,
    F_GET_URI,
    F_SET_URI,
    F_PROTO,
    F_SRC,
    F_NAMES,
    F_VALUES,
    F_SET_HDR,
    F_ADD_HDR,
    F_RM_HDR,
    F_READ,
    F_WRITE,
    F_GET_STATUS,
    F_SET_STATUS,
    F_FD_WRITE
};

typedef int64_t (*req_hook)(hwasm_vmctx *vm);
typedef void (*resp_hook)(hwasm_vmctx *vm, int32_t ctx, int32_t is_error);

#define CALL(vm, f, type, ...) ((type)(vm)->funcs[f]->code)((vm)->funcs[f]->env, (vm), __VA_ARGS__)
#define CALL0(vm, f, type) ((type)(vm)->funcs[f]->code)((vm)->funcs[f]->env, (vm))
typedef int32_t (*fn_i_i)(void *, hwasm_vmctx *, int32_t);
typedef int32_t (*fn_ii_i)(void *, hwasm_vmctx *, int32_t, int32_t);
typedef void (*fn_ii_)(void *, hwasm_vmctx *, int32_t, int32_t);
typedef void (*fn_iii_)(void *, hwasm_vmctx *, int32_t, int32_t, int32_t);
typedef int64_t (*fn_iii_I)(void *, hwasm_vmctx *, int32_t, int32_t, int32_t);
typedef int64_t (*fn_iiiii_I)(void *, hwasm_vmctx *, int32_t, int32_t, int32_t, int32_t, int32_t);
typedef void (*fn_iiiii_)(void *, hwasm_vmctx *, int32_t, int32_t, int32_t, int32_t, int32_t);
typedef int32_t (*fn__i)(void *, hwasm_vmctx *);
typedef int32_t (*fn_iiii_i)(void *, hwasm_vmctx *, int32_t, int32_t, int32_t, int32_t);

static hw_http_middleware *mw;
static req_hook *on_request;
static resp_hook *on_response;
static struct logbook lb;

/* libhwasm dlopens a sealed copy (/proc/self/fd/N), not the file: find that copy by the
 * symbol only the native guest defines. */
static void *native_handle;
static int find_native(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size, (void)arg;
    if (strncmp(info->dlpi_name, "/proc/self/fd/", 14)) return 0;
    void *h = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD);
    if (h && dlsym(h, "native_guest_on_request")) return native_handle = h, 1;
    if (h) dlclose(h);
    return 0;
}

static void setup(void) {
    memset(&lb, 0, sizeof lb);
    hw_http_config cfg = {.log = record_log,
                          .log_ctx = &lb,
                          .guest_config = (const uint8_t *)"cfg!",
                          .guest_config_len = 4};
    mw = load_guest("native_guest", &cfg);
    native_handle = NULL;
    dl_iterate_phdr(find_native, NULL);
    void *h = native_handle;
    ck_assert_ptr_nonnull(h);
    on_request = dlsym(h, "native_guest_on_request");
    on_response = dlsym(h, "native_guest_on_response");
    ck_assert(on_request && on_response);
    *on_request = NULL;
    *on_response = NULL;
    dlclose(h);
}

static void teardown(void) {
    hw_http_middleware_free(mw);
}

static uint8_t *mem(hwasm_vmctx *vm) {
    return vm->memory->base;
}
static int32_t put(hwasm_vmctx *vm, int32_t at, const char *s) {
    memcpy(mem(vm) + at, s, strlen(s));
    return (int32_t)strlen(s);
}

/* Serves one GET / request with extra headers h (NULL-ended pairs) through the hooks. */
static int run(req_hook rq, resp_hook rs, hw_http_exchange *x, hw_error *err) {
    *on_request = rq;
    *on_response = rs;
    struct backend be = {.reply = "NEXT"};
    return hw_http_serve(mw, x, echo_backend, &be, err);
}

/* --- the buf_limit rule and request line ---------------------------------------------- */

static int64_t strings_hook(hwasm_vmctx *vm) {
    uint8_t *m = mem(vm);
    memset(m, 0x55, 256);
    /* target "/a?b=c" (6 bytes) */
    ck_assert_int_eq(CALL(vm, F_GET_URI, fn_ii_i, 0, 5), 6); /* too small: nothing written */
    ck_assert_int_eq(m[0], 0x55);
    ck_assert_int_eq(CALL(vm, F_GET_URI, fn_ii_i, 0, 0), 6); /* probe */
    ck_assert_int_eq(CALL(vm, F_GET_URI, fn_ii_i, 0, 6), 6); /* exact: no terminator */
    ck_assert(!memcmp(m, "/a?b=c", 6));
    ck_assert_int_eq(m[6], 0x55);
    ck_assert_int_eq(CALL(vm, F_GET_METHOD, fn_ii_i, 16, 16), 3);
    ck_assert(!memcmp(m + 16, "GET", 3));
    ck_assert_int_eq(CALL(vm, F_PROTO, fn_ii_i, 32, 16), 8);
    ck_assert(!memcmp(m + 32, "HTTP/1.1", 8));
    ck_assert_int_eq(CALL(vm, F_SRC, fn_ii_i, 48, 32), 15);
    ck_assert(!memcmp(m + 48, "127.0.0.1:54321", 15));
    ck_assert_int_eq(CALL(vm, F_CONFIG, fn_ii_i, 96, 16), 4);
    ck_assert(!memcmp(m + 96, "cfg!", 4));
    /* set_uri: "" reads back as "/", a space is escaped, other bytes kept */
    CALL(vm, F_SET_URI, fn_ii_, 0, 0);
    ck_assert_int_eq(CALL(vm, F_GET_URI, fn_ii_i, 128, 64), 1);
    ck_assert_int_eq(m[128], '/');
    int32_t n = put(vm, 200, "/a b?q=%26");
    CALL(vm, F_SET_URI, fn_ii_, 200, n);
    ck_assert_int_eq(CALL(vm, F_GET_URI, fn_ii_i, 128, 64), 12);
    ck_assert(!memcmp(m + 128, "/a%20b?q=%26", 12));
    n = put(vm, 200, "/foo?");
    CALL(vm, F_SET_URI, fn_ii_, 200, n);
    ck_assert_int_eq(CALL(vm, F_GET_URI, fn_ii_i, 128, 64), 5);
    n = put(vm, 200, "PATCH");
    CALL(vm, F_SET_METHOD, fn_ii_, 200, n);
    return 1;
}

static int64_t origin_hook(hwasm_vmctx *vm) {
    int32_t n = CALL(vm, F_GET_URI, fn_ii_i, 0, 64);
    const char *want = n == 4 ? "/p?q" : "/";
    ck_assert_int_eq(n, (int32_t)strlen(want));
    ck_assert(!memcmp(mem(vm), want, (size_t)n));
    return 0;
}

START_TEST(strings_and_buf_limit) {
    hw_http_exchange x;
    hw_error err = {0};
    exchange(&x, "GET", "/a?b=c", NULL);
    ck_assert_msg(run(strings_hook, NULL, &x, &err) == 0, "%s", err.message);
    ck_assert_str_eq(header(&x.resp.headers, "x-httpwasm-next-method"), "PATCH");
    ck_assert_str_eq(header(&x.resp.headers, "x-httpwasm-next-uri"), "/foo?");
    hw_http_exchange_free(&x);
    /* absolute-form targets read back in origin form; an empty path as "/" */
    exchange(&x, "GET", "http://example.com/p?q", NULL);
    ck_assert_msg(run(origin_hook, NULL, &x, &err) == 0, "%s", err.message);
    hw_http_exchange_free(&x);
    exchange(&x, "GET", "https://example.com", NULL);
    ck_assert_msg(run(origin_hook, NULL, &x, &err) == 0, "%s", err.message);
    hw_http_exchange_free(&x);
}
END_TEST

/* --- header lists: exact count_len ------------------------------------------------------ */

static int64_t names_hook(hwasm_vmctx *vm) {
    uint8_t *m = mem(vm);
    /* request: Host, Content-Type, Content-Length, X-Dup x2 */
    int64_t r = CALL(vm, F_NAMES, fn_iii_I, 0, 0, 1024);
    const char want[] = "content-length\0content-type\0host\0x-dup\0";
    ck_assert_int_eq(r, (int64_t)4 << 32 | (sizeof want - 1));
    ck_assert(!memcmp(m, want, sizeof want - 1));
    memset(m, 0x55, 64);
    ck_assert_int_eq(CALL(vm, F_NAMES, fn_iii_I, 0, 0, 10), (int64_t)4 << 32 | (sizeof want - 1));
    ck_assert_int_eq(m[0], 0x55);                               /* too small: nothing written */
    ck_assert_int_eq(CALL(vm, F_NAMES, fn_iii_I, 2, 0, 64), 0); /* no request trailers */
    int32_t n = put(vm, 512, "x-DUP");
    ck_assert_int_eq(CALL(vm, F_VALUES, fn_iiiii_I, 0, 512, n, 0, 64), (int64_t)2 << 32 | 8);
    ck_assert(!memcmp(m, "a=b\0c=d\0", 8));
    n = put(vm, 512, "Content-Type");
    ck_assert_int_eq(CALL(vm, F_VALUES, fn_iiiii_I, 0, 512, n, 0, 64), (int64_t)1 << 32 | 1);
    ck_assert_int_eq(m[0], 0);
    n = put(vm, 512, "absent");
    ck_assert_int_eq(CALL(vm, F_VALUES, fn_iiiii_I, 0, 512, n, 0, 64), 0);
    /* set / add / remove, then read back */
    n = put(vm, 512, "X-New");
    put(vm, 600, "v1");
    CALL(vm, F_ADD_HDR, fn_iiiii_, 0, 512, n, 600, 2);
    CALL(vm, F_ADD_HDR, fn_iiiii_, 0, 512, n, 600, 0);
    ck_assert_int_eq(CALL(vm, F_VALUES, fn_iiiii_I, 0, 512, n, 0, 64), (int64_t)2 << 32 | 4);
    CALL(vm, F_SET_HDR, fn_iiiii_, 0, 512, n, 600, 1);
    ck_assert_int_eq(CALL(vm, F_VALUES, fn_iiiii_I, 0, 512, n, 0, 64), (int64_t)1 << 32 | 2);
    n = put(vm, 512, "x-dup");
    CALL(vm, F_RM_HDR, fn_iii_, 0, 512, n);
    ck_assert_int_eq(CALL(vm, F_VALUES, fn_iiiii_I, 0, 512, n, 0, 64), 0);
    /* response side and trailers */
    n = put(vm, 512, "Set-Cookie");
    put(vm, 600, "a=b");
    CALL(vm, F_ADD_HDR, fn_iiiii_, 1, 512, n, 600, 3);
    CALL(vm, F_ADD_HDR, fn_iiiii_, 3, 512, n, 600, 3);
    ck_assert_int_eq(CALL(vm, F_NAMES, fn_iii_I, 3, 0, 64), (int64_t)1 << 32 | 11);
    return 1;
}

START_TEST(header_lists) {
    hw_http_exchange x;
    hw_error err = {0};
    exchange(&x, "GET", "/", "Content-Type", "", "Content-Length", "0", "X-Dup", "a=b", "x-dup",
             "c=d", NULL);
    ck_assert_msg(run(names_hook, NULL, &x, &err) == 0, "%s", err.message);
    ck_assert_str_eq(header(&x.resp.headers, "x-httpwasm-next-header-X-New-0"), "v");
    ck_assert_str_eq(header(&x.resp.headers, "set-cookie"), "a=b");
    ck_assert_str_eq(header(&x.resp.trailers, "set-cookie"), "a=b");
    hw_http_exchange_free(&x);
}
END_TEST

/* --- bodies --------------------------------------------------------------------------- */

static int64_t body_hook(hwasm_vmctx *vm) {
    uint8_t *m = mem(vm);
    ck_assert_int_eq(CALL(vm, F_ENABLE, fn_i_i, 1), 1);
    ck_assert_int_eq(CALL(vm, F_READ, fn_iii_I, 0, 0, 2048), 2048); /* full, no EOF */
    ck_assert_int_eq(CALL(vm, F_READ, fn_iii_I, 0, 0, 2048), (int64_t)1 << 32 | 952);
    ck_assert_int_eq(CALL(vm, F_READ, fn_iii_I, 0, 0, 2048), (int64_t)1 << 32); /* stays at EOF */
    ck_assert_int_eq(m[951], 'a');
    put(vm, 4000, "guest");
    CALL(vm, F_WRITE, fn_iii_, 1, 4000, 5); /* response body: first write replaces */
    CALL(vm, F_WRITE, fn_iii_, 1, 4000, 2); /* then appends */
    return 1;
}

static void body_response_hook(hwasm_vmctx *vm, int32_t ctx, int32_t is_error) {
    ck_assert_int_eq(ctx, 0);
    ck_assert_int_eq(is_error, 0);
    /* buffer_request: the whole request body again */
    int64_t total = 0, r;
    do
        total += (uint32_t)(r = CALL(vm, F_READ, fn_iii_I, 0, 0, 1000));
    while (!(r >> 32));
    ck_assert_int_eq(total, 3000);
    (void)mem(vm);
}

START_TEST(bodies) {
    hw_http_exchange x;
    hw_error err = {0};
    struct a_source src = {3000, 0};
    exchange(&x, "POST", "/", NULL);
    x.req.body.src = (hw_http_body_source){a_read, &src};
    x.req.body.src_eof = 0;
    *on_request = body_hook;
    *on_response = body_response_hook;
    struct backend be = {.reply = "NEXT"};
    ck_assert_msg(hw_http_serve(mw, &x, echo_backend, &be, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(be.seen_len, 3000); /* replayed in full to the next handler */
    ck_assert(body_is(&x.resp.body, "guestguNEXT"));
    hw_http_exchange_free(&x);
}
END_TEST

/* --- features, status, log ------------------------------------------------------------- */

static int64_t misc_hook(hwasm_vmctx *vm) {
    ck_assert_int_eq(CALL(vm, F_ENABLE, fn_i_i, 0), 0);
    ck_assert_int_eq(CALL(vm, F_ENABLE, fn_i_i, 2 | 0x100), 2);
    ck_assert_int_eq(CALL(vm, F_ENABLE, fn_i_i, 4), 6);
    ck_assert_int_eq(CALL0(vm, F_GET_STATUS, fn__i), 200);
    CALL(vm, F_SET_STATUS, fn_iii_, 404, 0, 0);
    ck_assert_int_eq(CALL0(vm, F_GET_STATUS, fn__i), 404);
    ck_assert_int_eq(CALL(vm, F_LOG_EN, fn_i_i, -1), 0);
    ck_assert_int_eq(CALL(vm, F_LOG_EN, fn_i_i, 0), 1);
    ck_assert_int_eq(CALL(vm, F_LOG_EN, fn_i_i, 3), 0);
    int32_t n = put(vm, 0, "hi");
    CALL(vm, F_LOG, fn_iii_, 1, 0, n);
    CALL(vm, F_LOG, fn_iii_, -1, 0x7ffffff0, 100); /* disabled: memory not even read */
    n = put(vm, 100, "line one\nline");
    int32_t iov[4] = {100, n, 100, 5};
    memcpy(mem(vm) + 200, iov, sizeof iov);
    ck_assert_int_eq(CALL(vm, F_FD_WRITE, fn_iiii_i, 1, 200, 2, 300), 0);
    int32_t written;
    memcpy(&written, mem(vm) + 300, 4);
    ck_assert_int_eq(written, n + 5);
    ck_assert_int_eq(CALL(vm, F_FD_WRITE, fn_iiii_i, 9, 200, 2, 300), 8); /* EBADF */
    return 0;
}

START_TEST(features_status_log) {
    hw_http_exchange x;
    hw_error err = {0};
    exchange(&x, "GET", "/", NULL);
    ck_assert_msg(run(misc_hook, NULL, &x, &err) == 0, "%s", err.message);
    ck_assert_int_eq(x.resp.status, 404);
    ck_assert(logged(&lb, "hi"));
    ck_assert_int_eq(lb.levels[0], 1);
    ck_assert(logged(&lb, "line one"));
    ck_assert(logged(&lb, "lineline ")); /* flushed at the end of the call */
    hw_http_exchange_free(&x);
}
END_TEST

/* --- bounds: every guest range is checked, overflow-safe --------------------------------- */

static int bounds_case;

static int64_t bounds_hook(hwasm_vmctx *vm) {
    uint32_t size = (uint32_t)vm->memory->size; /* 65536 */
    switch (bounds_case) {
    case 0: CALL(vm, F_GET_URI, fn_ii_i, (int32_t)(size - 2), 4); break;
    case 1: CALL(vm, F_GET_URI, fn_ii_i, -1, 2); break;  /* 0xffffffff + 2 wraps */
    case 2: CALL(vm, F_SET_URI, fn_ii_, 16, -16); break; /* huge length */
    case 3: CALL(vm, F_VALUES, fn_iiiii_I, 0, (int32_t)size, 1, 0, 8); break;
    case 4: CALL(vm, F_READ, fn_iii_I, 0, (int32_t)size - 8, 16); break;
    case 5: CALL(vm, F_FD_WRITE, fn_iiii_i, 1, 0, 0x20000000, 0); break;
    case 6: CALL(vm, F_FD_WRITE, fn_iiii_i, 1, 0, 1, (int32_t)size - 2); break;
    default: /* the edges themselves are fine */
        ck_assert_int_eq(CALL(vm, F_GET_URI, fn_ii_i, (int32_t)size - 1, 1), 1);
        ck_assert_int_eq(CALL(vm, F_GET_URI, fn_ii_i, (int32_t)size, 0), 1);
        return 0;
    }
    ck_abort_msg("case %d did not trap", bounds_case);
    return 0;
}

START_TEST(bounds) {
    for (bounds_case = 0; bounds_case <= 7; bounds_case++) {
        hw_http_exchange x;
        hw_error err = {0};
        exchange(&x, "GET", "/", NULL);
        int rc = run(bounds_hook, NULL, &x, &err);
        if (bounds_case < 7) {
            ck_assert_msg(rc == HW_ETRAP, "case %d: rc %d", bounds_case, rc);
            ck_assert_msg(strstr(err.message, "out of bounds"), "case %d: %s", bounds_case,
                          err.message);
            ck_assert_str_eq(x.req.target.ptr, "/");
        } else {
            ck_assert_msg(rc == 0, "%s", err.message);
        }
        hw_http_exchange_free(&x);
    }
}
END_TEST

/* --- the request line a guest may set: origin-form targets, token methods -------------- */

static const struct line_case {
    int fn; /* F_SET_URI or F_SET_METHOD */
    const char *value;
    size_t len;       /* 0: strlen(value) */
    const char *trap; /* NULL: accepted */
} line_cases[] = {
    {F_SET_URI, "http://evil/x", 0, "set_uri: invalid request target (not a path"},
    {F_SET_URI, "*", 0, "set_uri: invalid request target (not a path"},
    {F_SET_URI, "abc", 0, "set_uri: invalid request target (not a path"},
    {F_SET_URI, "#", 0, "set_uri: invalid request target (not a path"},
    {F_SET_URI, "?#", 0, "set_uri: invalid request target (a fragment"},
    {F_SET_URI, "/a#b", 0, "set_uri: invalid request target (a fragment"},
    {F_SET_URI, "/a?b#", 0, "set_uri: invalid request target (a fragment"},
    {F_SET_METHOD, "G:ET", 0, "set_method: invalid HTTP method (not a token)"},
    {F_SET_METHOD, "GET/", 0, "set_method: invalid HTTP method (not a token)"},
    {F_SET_METHOD, "(GET)", 0, "set_method: invalid HTTP method (not a token)"},
    {F_SET_METHOD, "G\x80T", 0, "set_method: invalid HTTP method (not a token)"},
    {F_SET_METHOD, "GET\0", 4, "set_method: invalid HTTP method (not a token)"},
    {F_SET_METHOD, "CONNECT", 0, "set_method: CONNECT is not allowed"},
    {F_SET_METHOD, "connect", 0, "set_method: CONNECT is not allowed"},
    {F_SET_URI, "/a?b=c", 0, NULL},
    {F_SET_URI, "?q", 0, NULL}, /* reads as "/?q" */
    {F_SET_URI, "", 0, NULL},   /* reads as "/" */
    {F_SET_METHOD, "PROPFIND", 0, NULL},
    {F_SET_METHOD, "M-SEARCH", 0, NULL},
};
static const struct line_case *line_case;

static int64_t line_hook(hwasm_vmctx *vm) {
    const struct line_case *c = line_case;
    size_t n = c->len ? c->len : strlen(c->value);
    memcpy(mem(vm), c->value, n);
    CALL(vm, c->fn, fn_ii_, 0, (int32_t)n);
    return 1;
}

START_TEST(request_line) {
    for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
        line_case = &line_cases[i];
        hw_http_exchange x;
        hw_error err = {0};
        exchange(&x, "GET", "/orig", NULL);
        int rc = run(line_hook, NULL, &x, &err);
        if (line_case->trap) {
            ck_assert_msg(rc == HW_ETRAP, "%s: rc %d, not a trap", line_case->value, rc);
            ck_assert_msg(strstr(err.message, line_case->trap), "%s: %s", line_case->value,
                          err.message);
            ck_assert_str_eq(x.req.target.ptr, "/orig"); /* nothing changed */
            ck_assert_str_eq(x.req.method.ptr, "GET");
        } else {
            ck_assert_msg(rc == 0, "%s: %s", line_case->value, err.message);
            const char *want = line_case->fn == F_SET_METHOD ? line_case->value
                               : line_case->value[0] == '/' ? line_case->value
                               : line_case->value[0] == '?' ? "/?q"
                                                            : "/";
            ck_assert_str_eq(header(&x.resp.headers, line_case->fn == F_SET_METHOD
                                                         ? "x-httpwasm-next-method"
                                                         : "x-httpwasm-next-uri"),
                             want);
        }
        hw_http_exchange_free(&x);
    }
}
END_TEST

int main(void) {
    Suite *s = suite_create("http_native");
    TCase *tc = tcase_create("host functions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, strings_and_buf_limit);
    tcase_add_test(tc, header_lists);
    tcase_add_test(tc, bodies);
    tcase_add_test(tc, features_status_log);
    tcase_add_test(tc, bounds);
    tcase_add_test(tc, request_line);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}
