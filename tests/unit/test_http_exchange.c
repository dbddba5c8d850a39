/*
 * test_http_exchange.c — the exchange without any guest: header sections (the header-store
 * half of host-go's handlertest, §3.5) and body cursors (EOF with the last bytes, never 0
 * bytes without EOF, replay of retained bytes); reuse: a cleared section or a reset
 * exchange shows nothing of what it held and keeps a bounded part of its storage.
 */
#include <check.h>
#include <malloc.h>
#include <stdio.h>
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

/* The exchange as hw_http_exchange_init leaves it. */
static void assert_fresh(hw_http_exchange *x) {
    ck_assert_str_eq(x->req.method.ptr, "GET");
    ck_assert_uint_eq(x->req.method.len, 3);
    ck_assert_str_eq(x->req.target.ptr, "/");
    ck_assert_str_eq(x->req.protocol.ptr, "HTTP/1.1");
    ck_assert_str_eq(x->req.source_addr.ptr, "127.0.0.1:0");
    ck_assert_int_eq(x->resp.status, 200);
    const hw_http_headers *sections[] = {&x->req.headers, &x->req.trailers, &x->resp.headers, &x->resp.trailers};
    for (int i = 0; i < 4; i++) ck_assert_uint_eq(sections[i]->count, 0);
    hw_http_body *bodies[] = {&x->req.body, &x->resp.body};
    for (int i = 0; i < 2; i++) {
        hw_http_body *b = bodies[i];
        ck_assert_uint_eq(b->len, 0);
        ck_assert_uint_eq(b->pos, 0);
        ck_assert_ptr_null(b->src.read);
        ck_assert_int_eq(b->retain, 0);
        uint8_t buf[8];
        int eof = 0;
        ck_assert_int_eq(hw_http_body_read(b, buf, sizeof buf, &eof), 0);
        ck_assert_int_eq(eof, 1);
    }
}

/* Spares of a section (slots past count) are few and small: what reuse may hold. */
static void assert_spares_bounded(const hw_http_headers *h) {
    ck_assert_uint_le(h->cap, 128);
    for (uint32_t i = h->count; i < h->cap; i++) {
        if (!h->fields[i].name) continue;
        ck_assert_uint_lt(i, 32);
        ck_assert_uint_le(malloc_usable_size(h->fields[i].name), 256 + 32);
    }
}

static int64_t fake_source(void *ctx, uint8_t *buf, size_t cap, int *eof) {
    (void)ctx, (void)buf, (void)cap;
    *eof = 1;
    return 0;
}

START_TEST(exchange_reset_forgets_everything) {
    hw_http_exchange x;
    char big[3000];
    memset(big, 'b', sizeof big);
    ck_assert_int_eq(hw_http_exchange_init(&x), 0);
    for (int round = 0; round < 3; round++) {
        ck_assert_int_eq(hw_http_str_set(&x.req.method, "PROPFIND", 8), 0);
        ck_assert_int_eq(hw_http_str_set(&x.req.target, big, sizeof big), 0);
        ck_assert_int_eq(hw_http_str_set(&x.req.source_addr, "[::1]:65535", 11), 0);
        x.resp.status = 418;
        for (int i = 0; i < 40; i++) {
            char name[16];
            snprintf(name, sizeof name, "X-Secret-%d", i);
            ck_assert_int_eq(hw_http_headers_add(&x.req.headers, name, strlen(name), big, (size_t)(i * 70)), 0);
            ADD(&x.resp.headers, name, "v");
        }
        ADD(&x.req.trailers, "T", "t");
        ADD(&x.resp.trailers, "T", "t");
        ck_assert_int_eq(hw_http_body_set(&x.req.body, big, sizeof big), 0);
        ck_assert_int_eq(hw_http_body_append(&x.resp.body, big, 100), 0);
        x.req.body.retain = 1;
        x.resp.body.src = (hw_http_body_source){fake_source, NULL};
        x.resp.body.src_eof = 0;
        ck_assert_int_eq(hw_http_exchange_reset(&x), 0);
        assert_fresh(&x);
        assert_spares_bounded(&x.req.headers);
        assert_spares_bounded(&x.resp.headers);
        /* what a next request writes reads back whole, nothing of the last one with it */
        ADD(&x.req.headers, "Host", "a");
        ck_assert_uint_eq(x.req.headers.count, 1);
        ck_assert_str_eq(x.req.headers.fields[0].value, "a");
        ck_assert_int_eq(hw_http_headers_find(&x.req.headers, "x-secret-1", 10, 0), -1);
        ck_assert_int_eq(hw_http_exchange_reset(&x), 0);
    }
    hw_http_exchange_free(&x);
}
END_TEST

START_TEST(section_reuse_after_clear) {
    hw_http_headers h = {0};
    const char *v[4];
    char big[1000];
    memset(big, 'z', sizeof big);
    ADD(&h, "A", "1");
    ck_assert_int_eq(hw_http_headers_add(&h, "Big", 3, big, sizeof big), 0);
    ADD(&h, "C", "3");
    hw_http_headers_clear(&h);
    ck_assert_uint_eq(h.count, 0);
    assert_spares_bounded(&h);
    ck_assert_ptr_null(h.fields[1].name); /* the 1000-byte line's buffer went */
    /* spares reused by longer and shorter lines, then moved by remove and set */
    ADD(&h, "Longer-Than-Before", "0123456789012345678901234567890123456789");
    ADD(&h, "B", "");
    ADD(&h, "A", "x");
    ADD(&h, "D", "4");
    ck_assert_uint_eq(hw_http_headers_remove(&h, "b", 1), 1);
    SET(&h, "a", "y");
    ADD(&h, "E", "5");
    ck_assert_uint_eq(h.count, 4);
    ck_assert_str_eq(h.fields[0].value, "0123456789012345678901234567890123456789");
    ck_assert_str_eq(h.fields[1].name, "a");
    ck_assert_str_eq(h.fields[1].value, "y");
    ck_assert_str_eq(h.fields[2].name, "D");
    ck_assert_str_eq(h.fields[3].name, "E");
    ck_assert_int_eq(values(&h, "c", v, 4), 0);
    /* a large section is let go whole */
    for (int i = 0; i < 300; i++) ADD(&h, "N", "v");
    hw_http_headers_clear(&h);
    ck_assert_uint_eq(h.cap, 0);
    ADD(&h, "After", "ok");
    ck_assert_str_eq(h.fields[0].value, "ok");
    hw_http_headers_free(&h);
}
END_TEST

START_TEST(str_set_reuses_and_slices) {
    hw_http_str s = {0};
    ck_assert_int_eq(hw_http_str_set(&s, "/a/long/path?query", 18), 0);
    ck_assert_int_eq(hw_http_str_set(&s, "/b", 2), 0);
    ck_assert_str_eq(s.ptr, "/b");
    ck_assert_uint_eq(s.len, 2);
    ck_assert_int_eq(hw_http_str_set(&s, "0123456789abcdef", 16), 0);
    ck_assert_int_eq(hw_http_str_set(&s, s.ptr + 10, 6), 0); /* a slice of itself */
    ck_assert_str_eq(s.ptr, "abcdef");
    ck_assert_int_eq(hw_http_str_set(&s, "", 0), 0);
    ck_assert_str_eq(s.ptr, "");
    hw_http_str_free(&s);
}
END_TEST


/* Lookups compare names a word at a time (http_name_eq): every length up to 24 against a
 * byte-at-a-time reference, with one byte changed at each place: its case (equal), or to
 * a byte that differs only in bit 5 without being a letter ('@' '`', '[' '{', 0xc1 0xe1)
 * or in another bit (not equal). */
static int ref_eq(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return 0;
    }
    return 1;
}

START_TEST(name_lookup_every_length) {
    static const char base[] = "x-Forwarded-@[`{ZzAa\xc1\xe1Q";
    static const unsigned char swaps[][2] = {{'a', 'A'}, {'@', '`'}, {'[', '{'}, {0xc1, 0xe1},
                                              {'a', 'b'}, {'Z', 'z'}, {'a', 'a' ^ 0x40}};
    for (size_t n = 0; n <= 24; n++) {
        for (size_t at = 0; at < (n ? n : 1); at++) {
            for (size_t k = 0; k < sizeof swaps / sizeof swaps[0]; k++) {
                char stored[32], asked[32];
                memcpy(stored, base, n);
                memcpy(asked, base, n);
                if (n) {
                    stored[at] = (char)swaps[k][0];
                    asked[at] = (char)swaps[k][1];
                }
                hw_http_headers h = {0};
                ck_assert_int_eq(hw_http_headers_add(&h, "other", 5, "1", 1), HW_OK);
                ck_assert_int_eq(hw_http_headers_add(&h, stored, n, "v", 1), HW_OK);
                int64_t want = ref_eq(stored, asked, n) ? 1 : (n == 5 && ref_eq("other", asked, 5)) ? 0 : -1;
                ck_assert_msg(hw_http_headers_find(&h, asked, n, 0) == want,
                              "length %zu, byte %zu, %02x/%02x: want %lld", n, at, swaps[k][0],
                              swaps[k][1], (long long)want);
                hw_http_headers_free(&h);
            }
        }
    }
}
END_TEST

/* Short copies (http_copy: overlapping words up to 16 bytes): bodies of every length up
 * to 40 bytes come back byte for byte, written whole and read back in pieces. */
START_TEST(body_bytes_every_length) {
    char src[41], out[41];
    for (int i = 0; i < 41; i++)
        src[i] = (char)('a' + i % 26);
    for (size_t n = 0; n <= 40; n++) {
        for (size_t piece = 1; piece <= 17; piece += 4) {
            hw_http_body b = {0};
            ck_assert_int_eq(hw_http_body_set(&b, src, n), HW_OK);
            memset(out, 0, sizeof out);
            size_t got = 0;
            int eof = 0;
            while (!eof) {
                int64_t k = hw_http_body_read(&b, (uint8_t *)out + got, piece, &eof);
                ck_assert_int_ge(k, 0);
                got += (size_t)k;
            }
            ck_assert_uint_eq(got, n);
            ck_assert_msg(!memcmp(out, src, n) && !out[n], "length %zu, pieces of %zu", n, piece);
            hw_http_body_free(&b);
        }
    }
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
    tcase_add_test(tc, exchange_reset_forgets_everything);
    tcase_add_test(tc, section_reuse_after_clear);
    tcase_add_test(tc, str_set_reuses_and_slices);
    tcase_add_test(tc, name_lookup_every_length);
    tcase_add_test(tc, body_bytes_every_length);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}
