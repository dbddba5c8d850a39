/*
 * test_http_tck.c — the http-wasm TCK (host-go HEAD, §3.4), in process: each of the 35
 * requests goes through the C TCK guest (tests/guests/tck.c) with the TCK echo backend as
 * the next handler; a case passes when x-httpwasm-tck-handled is 1, the status is not 500,
 * no x-httpwasm-tck-failed header is present, and its extra check holds.
 */
#include "http_test_support.h"

/* Case tables name only the fields they need. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct tck_case {
    const char *id, *method, *target;
    const char *h1, *v1, *h2, *v2;          /* extra request headers */
    size_t body;                            /* bytes of 'a' (POST cases) */
    const char *check_header, *check_value; /* response header the backend must echo */
    const char *absent_header;
    const char *check_body;
};

static const struct tck_case cases[] = {
    {"get_protocol_version", "GET", "/get_protocol_version", .check_body = "HTTP/1.1"},
    {"get_method/GET", "GET", "/"},
    {"get_method/HEAD", "HEAD", "/", .check_body = ""},
    {"get_method/POST", "POST", "/"},
    {"get_method/PUT", "PUT", "/"},
    {"get_method/DELETE", "DELETE", "/"},
    {"get_method/OPTIONS", "OPTIONS", "/"},
    {"get_method/TRACE", "TRACE", "/"},
    {"get_method/PATCH", "PATCH", "/"},
    {"set_method", "GET", "/", .check_header = "x-httpwasm-next-method", .check_value = "POST"},
    {"get_uri/simple", "GET", "/simple"},
    {"get_uri/simple/escaping", "GET", "/simple%26clean"},
    {"get_uri/query", "GET", "/animal?name=panda"},
    {"get_uri/query/escaping", "GET", "/disney?name=chip%26dale"},
    {"set_uri/simple", "GET", "/", .check_header = "x-httpwasm-next-uri", .check_value = "/simple"},
    {"set_uri/simple/escaping", "GET", "/", .check_header = "x-httpwasm-next-uri",
     .check_value = "/simple%26clean"},
    {"set_uri/query", "GET", "/", .check_header = "x-httpwasm-next-uri",
     .check_value = "/animal?name=panda"},
    {"set_uri/query/escaping", "GET", "/", .check_header = "x-httpwasm-next-uri",
     .check_value = "/disney?name=chip%26dale"},
    {"get_header_values/request/lowercase-key", "GET", "/", "Single-Header", "value"},
    {"get_header_values/request/mixedcase-key", "GET", "/", "Single-Header", "value"},
    {"get_header_values/request/not-exists", "GET", "/"},
    {"get_header_values/request/multiple-values", "GET", "/", "Multi-Header", "value1",
     "Multi-Header", "value2"},
    {"get_header_names/request", "GET", "/", "A-Header", "value1", "B-Header", "2"},
    {"set_header_value/request/new", "GET", "/", "Existing-Header", "bear",
     .check_header = "x-httpwasm-next-header-new-header-0", .check_value = "value"},
    {"set_header_value/request/existing", "GET", "/", "Existing-Header", "bear",
     .check_header = "x-httpwasm-next-header-existing-header-0", .check_value = "value"},
    {"add_header_value/request/new", "GET", "/", "Existing-Header", "bear",
     .check_header = "x-httpwasm-next-header-new-header-0", .check_value = "value"},
    {"add_header_value/request/existing", "GET", "/", "Existing-Header", "bear",
     .check_header = "x-httpwasm-next-header-existing-header-1", .check_value = "value"},
    {"remove_header/request/new", "GET", "/", "Existing-Header", "bear",
     .check_header = "x-httpwasm-next-header-existing-header-0", .check_value = "bear"},
    {"remove_header/request/existing", "GET", "/", "Existing-Header", "bear",
     .absent_header = "x-httpwasm-next-header-existing-header-0"},
    {"read_body/request/empty", "POST", "/", .body = 0},
    {"read_body/request/small", "POST", "/", .body = 5},
    {"read_body/request/medium", "POST", "/", .body = 2048},
    {"read_body/request/large", "POST", "/", .body = 4096},
    {"read_body/request/xlarge", "POST", "/", .body = 5000},
    {"get_source_addr", "GET", "/"},
};
#define NUM_CASES (sizeof cases / sizeof cases[0])

static hw_http_middleware *tck;
static void setup(void) {
    tck = load_guest("tck", NULL);
}
static void teardown(void) {
    hw_http_middleware_free(tck);
}

/* Runs case i; returns NULL or why it failed. */
static const char *run_case(const struct tck_case *c, char *why, size_t cap) {
    hw_http_exchange x;
    exchange(&x, c->method, c->target, "x-httpwasm-tck-testid", c->id, c->h1, c->v1, c->h2, c->v2,
             NULL);
    struct a_source src = {c->body, 0};
    if (!strcmp(c->method, "POST")) {
        char len[16];
        snprintf(len, sizeof len, "%zu", c->body);
        hw_http_headers_add(&x.req.headers, "Content-Length", 14, len, strlen(len));
        x.req.body.src = (hw_http_body_source){a_read, &src};
        x.req.body.src_eof = 0;
    }
    struct backend be = {0};
    hw_error err = {0};
    int rc = hw_http_serve(tck, &x, echo_backend, &be, &err);
    const char *handled = header(&x.resp.headers, "x-httpwasm-tck-handled");
    const char *failed = header(&x.resp.headers, "x-httpwasm-tck-failed");
    const char *v = c->check_header ? header(&x.resp.headers, c->check_header) : NULL;
    why[0] = 0;
    if (rc != 0)
        snprintf(why, cap, "host error: %.300s", err.message);
    else if (failed)
        snprintf(why, cap, "guest failed: %s", failed);
    else if (x.resp.status == 500)
        snprintf(why, cap, "status 500");
    else if (!handled || strcmp(handled, "1"))
        snprintf(why, cap, "x-httpwasm-tck-handled missing");
    else if (c->check_header && (!v || strcmp(v, c->check_value)))
        snprintf(why, cap, "%s = %s, want %s", c->check_header, v ? v : "(absent)", c->check_value);
    else if (c->absent_header && header(&x.resp.headers, c->absent_header))
        snprintf(why, cap, "%s present", c->absent_header);
    else if (c->check_body && !body_is(&x.resp.body, c->check_body))
        snprintf(why, cap, "body \"%.*s\", want \"%s\"", (int)x.resp.body.len,
                 (char *)x.resp.body.data, c->check_body);
    else if (be.calls != 1)
        snprintf(why, cap, "next handler called %d times", be.calls);
    else if (c->body && be.seen_len != c->body)
        snprintf(why, cap, "next handler saw %zu body bytes, want %zu", be.seen_len, c->body);
    hw_http_exchange_free(&x);
    return why[0] ? why : NULL;
}

START_TEST(tck_all_cases) {
    int passed = 0;
    char why[512];
    for (size_t i = 0; i < NUM_CASES; i++) {
        if (!run_case(&cases[i], why, sizeof why))
            passed++;
        else
            fprintf(stderr, "TCK FAIL %s: %s\n", cases[i].id, why);
    }
    printf("TCK: %d/%zu cases passed\n", passed, NUM_CASES);
    ck_assert_int_eq(passed, (int)NUM_CASES);
    /* every case reused the pool: no trap, no growth past one instance (sequential) */
    ck_assert_uint_eq(hw_http_middleware_traps(tck), 0);
    ck_assert_uint_eq(hw_http_middleware_instances(tck), 1);
}
END_TEST

START_TEST(tck_missing_and_unknown_id) {
    hw_http_exchange x;
    struct backend be = {0};
    hw_error err;
    exchange(&x, "GET", "/", NULL);
    ck_assert_int_eq(hw_http_serve(tck, &x, echo_backend, &be, &err), 0);
    ck_assert_int_eq(x.resp.status, 500);
    ck_assert(body_is(&x.resp.body, "missing x-httpwasm-tck-testid header"));
    ck_assert_ptr_null(header(&x.resp.headers, "x-httpwasm-tck-handled"));
    ck_assert_int_eq(be.calls, 0);
    hw_http_exchange_free(&x);
    exchange(&x, "GET", "/", "x-httpwasm-tck-testid", "nope", NULL);
    ck_assert_int_eq(hw_http_serve(tck, &x, echo_backend, &be, &err), 0);
    ck_assert_int_eq(x.resp.status, 500);
    ck_assert_str_eq(header(&x.resp.headers, "x-httpwasm-tck-failed"),
                     "unknown x-httpwasm-test-id");
    hw_http_exchange_free(&x);
}
END_TEST

int main(void) {
    Suite *s = suite_create("http_tck");
    TCase *tc = tcase_create("tck");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, tck_all_cases);
    tcase_add_test(tc, tck_missing_and_unknown_id);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}
