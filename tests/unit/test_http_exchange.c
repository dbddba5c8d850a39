/*
 * test_http_exchange.c — the exchange without any guest: header sections (the header-store
 * half of host-go's handlertest, §3.5) and body cursors (EOF with the last bytes, never 0
 * bytes without EOF, replay of retained bytes).
 */
#include <check.h>
#include <string.h>

#include <hwasm/hwasm_http.h>
#include "unit_support.h"

static int values(const hw_http_headers *h, const char *name, const char **out, int max) {
    int n = 0;
    for (int64_t i = hw_http_headers_find(h, name, strlen(name), 0); i >= 0 && n < max;
         i = hw_http_headers_find(h, name, strlen(name), (uint32_t)i + 1))
        out[n++] = h->fields[i].value;
    return n;
}

#define ADD(h, n, v) ck_assert_int_eq(hw_http_headers_add(h, n, strlen(n), v, strlen(v)), 0)
#define SET(h, n, v) ck_assert_int_eq(hw_http_headers_set(h, n, strlen(n), v, strlen(v)), 0)

START_TEST(defaults) {
    hw_http_exchange x;
    ck_assert_int_eq(hw_http_exchange_init(&x), 0);
    ck_assert_str_eq(x.req.method.ptr, "GET");
    ck_assert_str_eq(x.req.target.ptr, "/");
    ck_assert_str_eq(x.req.protocol.ptr, "HTTP/1.1");
    ck_assert_int_eq(x.resp.status, 200);
    ck_assert_uint_eq(x.req.headers.count, 0);
    ck_assert_uint_eq(x.resp.trailers.count, 0);
    hw_http_exchange_free(&x);
}
END_TEST

START_TEST(header_lines) {
    hw_http_headers h = {0};
    const char *v[4];
    ADD(&h, "Content-Type", "text/plain");
    ADD(&h, "X-Forwarded-For", "client, proxy1");
    ADD(&h, "X-Forwarded-For", "proxy2");
    ADD(&h, "Empty", "");
    ck_assert_int_eq(values(&h, "x-forwarded-for", v, 4), 2);
    ck_assert_str_eq(v[0], "client, proxy1");
    ck_assert_str_eq(v[1], "proxy2");
    ck_assert_int_eq(values(&h, "EMPTY", v, 4), 1);
    ck_assert_str_eq(v[0], "");
    /* set collapses every line into one, at the first one's place */
    SET(&h, "x-forwarded-for", "one");
    ck_assert_int_eq(values(&h, "X-Forwarded-For", v, 4), 1);
    ck_assert_str_eq(v[0], "one");
    ck_assert_uint_eq(h.count, 3);
    ck_assert_str_eq(h.fields[1].value, "one");
    SET(&h, "content-type", "");
    ck_assert_int_eq(values(&h, "Content-Type", v, 4), 1);
    ck_assert_str_eq(v[0], "");
    SET(&h, "New", "n");
    ck_assert_uint_eq(h.count, 4);
    /* remove: absent, by another case, multi-line */
    ck_assert_uint_eq(hw_http_headers_remove(&h, "nope", 4), 0);
    ADD(&h, "Set-Cookie", "a=b");
    ADD(&h, "set-cookie", "c=d");
    ck_assert_uint_eq(hw_http_headers_remove(&h, "SET-COOKIE", 10), 2);
    ck_assert_uint_eq(hw_http_headers_remove(&h, "empty", 5), 1);
    ck_assert_int_eq(hw_http_headers_find(&h, "empty", 5, 0), -1);
    ck_assert_uint_eq(h.count, 3);
    hw_http_headers_free(&h);
}
END_TEST

/* A source delivering `total` bytes of 'a' in chunks of `chunk`, EOF with the last one or
 * (late_eof) only on a later call that returns 0. */
struct src {
    size_t total, sent, chunk;
    int late_eof, calls;
};

static int64_t src_read(void *ctx, uint8_t *buf, size_t cap, int *eof) {
    struct src *s = ctx;
    s->calls++;
    size_t n = s->total - s->sent;
    if (n > s->chunk) n = s->chunk;
    if (n > cap) n = cap;
    memset(buf, 'a', n);
    s->sent += n;
    *eof = s->sent == s->total && (!s->late_eof || n == 0);
    return (int64_t)n;
}

START_TEST(body_eof_with_last_bytes) {
    static const size_t sizes[] = {0, 5, 2048, 4096, 5000};
    for (int late = 0; late < 2; late++)
        for (size_t i = 0; i < 5; i++) {
            struct src s = {sizes[i], 0, 700, late, 0};
            hw_http_body b = {0};
            b.src = (hw_http_body_source){src_read, &s};
            uint8_t buf[2048];
            size_t got = 0;
            int eof = 0, reads = 0;
            while (!eof) {
                int64_t n = hw_http_body_read(&b, buf, sizeof buf, &eof);
                ck_assert_int_ge(n, 0);
                ck_assert(n > 0 || eof); /* never 0 bytes without EOF */
                got += (size_t)n;
                reads++;
            }
            ck_assert_uint_eq(got, sizes[i]);
            /* a body that does not fill the buffer ends in one call */
            if (sizes[i] < sizeof buf) ck_assert_int_eq(reads, 1);
            if (sizes[i] == 5000) ck_assert_int_eq(reads, 3);
            hw_http_body_free(&b);
        }
}
END_TEST

START_TEST(body_retain_replays) {
    struct src s = {5000, 0, 999, 0, 0};
    hw_http_body b = {0};
    b.src = (hw_http_body_source){src_read, &s};
    b.retain = 1;
    uint8_t buf[3000];
    int eof;
    ck_assert_int_eq(hw_http_body_read(&b, buf, 1000, &eof), 1000);
    ck_assert_int_eq(eof, 0);
    b.pos = 0; /* the next handler replays from the start */
    size_t got = 0;
    do
        got += (size_t)hw_http_body_read(&b, buf, sizeof buf, &eof);
    while (!eof);
    ck_assert_uint_eq(got, 5000);
    ck_assert_uint_eq(b.len, 5000);
    /* without retain, consumed bytes are gone for the next reader */
    struct src s2 = {3000, 0, 3000, 0, 0};
    hw_http_body c = {0};
    c.src = (hw_http_body_source){src_read, &s2};
    ck_assert_int_eq(hw_http_body_read(&c, buf, 1000, &eof), 1000);
    c.pos = 0;
    ck_assert_int_eq(hw_http_body_read(&c, buf, sizeof buf, &eof), 2000);
    ck_assert_int_eq(eof, 1);
    hw_http_body_free(&b);
    hw_http_body_free(&c);
}
END_TEST

START_TEST(body_in_memory) {
    hw_http_body b = {0};
    uint8_t buf[8];
    int eof;
    ck_assert_int_eq(hw_http_body_read(&b, buf, sizeof buf, &eof), 0);
    ck_assert_int_eq(eof, 1);
    ck_assert_int_eq(hw_http_body_set(&b, "hello world", 11), 0);
    ck_assert_int_eq(hw_http_body_read(&b, buf, sizeof buf, &eof), 8);
    ck_assert_int_eq(eof, 0);
    ck_assert_int_eq(hw_http_body_read(&b, buf, sizeof buf, &eof), 3);
    ck_assert_int_eq(eof, 1);
    ck_assert_int_eq(hw_http_body_append(&b, "!", 1), 0);
    ck_assert_int_eq(hw_http_body_read(&b, buf, 1, &eof), 1);
    ck_assert_int_eq(buf[0], '!');
    ck_assert_int_eq(eof, 1);
    hw_http_body_free(&b);
}
END_TEST

int main(void) {
    Suite *s = suite_create("http_exchange");
    TCase *tc = tcase_create("exchange");
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, header_lines);
    tcase_add_test(tc, body_eof_with_last_bytes);
    tcase_add_test(tc, body_retain_replays);
    tcase_add_test(tc, body_in_memory);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}
