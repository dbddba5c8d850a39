/*
 * http_test_support.h — what the http conformance tests share: loading a guest from
 * HWASM_GUESTS, building an in-memory exchange, the TCK echo backend (§3.1) as the next
 * handler, and a logger that records lines. Header-only: included by test_http_*.c.
 */
#ifndef HTTP_TEST_SUPPORT_H
#define HTTP_TEST_SUPPORT_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hwasm/hwasm_http.h>
#include "unit_support.h"

static inline const char *guest_path(const char *name) {
    static char path[1024];
    const char *dir = getenv("HWASM_GUESTS");
    snprintf(path, sizeof path, "%s/%s.so", dir && *dir ? dir : "tests/guests", name);
    return path;
}

/* Recorded log lines. */
struct logbook {
    char lines[64][256];
    int levels[64];
    int n;
};

static inline void record_log(void *ctx, int32_t level, const char *msg, size_t len) {
    struct logbook *lb = ctx;
    if (lb->n >= 64) return;
    snprintf(lb->lines[lb->n], sizeof lb->lines[0], "%.*s", (int)len, msg);
    lb->levels[lb->n++] = level;
}

static inline int logged(const struct logbook *lb, const char *line) {
    for (int i = 0; i < lb->n; i++)
        if (!strcmp(lb->lines[i], line)) return 1;
    return 0;
}

static inline hw_http_middleware *load_guest(const char *name, const hw_http_config *cfg) {
    hw_http_middleware *mw = NULL;
    hw_error err = {0};
    int rc = hw_http_middleware_new(guest_path(name), cfg, &mw, &err);
    ck_assert_msg(rc == 0, "loading %s: %s", name, err.message);
    return mw;
}

/* Starts an exchange: method, target, then NULL-terminated name/value pairs. */
static inline void exchange(hw_http_exchange *x, const char *method, const char *target, ...) {
    ck_assert_int_eq(hw_http_exchange_init(x), 0);
    hw_http_str_set(&x->req.method, method, strlen(method));
    hw_http_str_set(&x->req.target, target, strlen(target));
    hw_http_str_set(&x->req.source_addr, "127.0.0.1:54321", 15);
    hw_http_headers_add(&x->req.headers, "Host", 4, "localhost", 9);
    va_list ap;
    va_start(ap, target);
    for (const char *n; (n = va_arg(ap, const char *));) {
        const char *v = va_arg(ap, const char *);
        hw_http_headers_add(&x->req.headers, n, strlen(n), v, strlen(v));
    }
    va_end(ap);
}

/* The value of the first header line named name in h, or NULL. */
static inline const char *header(const hw_http_headers *h, const char *name) {
    int64_t i = hw_http_headers_find(h, name, strlen(name), 0);
    return i < 0 ? NULL : h->fields[i].value;
}

static inline int body_is(const hw_http_body *b, const char *s) {
    return b->len == strlen(s) && (b->len == 0 || memcmp(b->data, s, b->len) == 0);
}

/* The TCK backend: echoes method, request-target and every request header line
 * (x-httpwasm-next-header-<name>-<i>) into response headers; no status, empty body. It
 * also keeps what it saw of the body in `seen_body`. */
struct backend {
    char seen_body[16384];
    size_t seen_len;
    int calls;
    const char *reply; /* body to append, or NULL */
    int echo_body;     /* append the request body to the response */
    int fail;          /* report an error (is_error = 1) */
};

static inline int echo_backend(void *ctx, hw_http_exchange *x) {
    struct backend *be = ctx;
    be->calls++;
    hw_http_response *r = &x->resp;
    hw_http_headers_set(&r->headers, "x-httpwasm-next-method", 22, x->req.method.ptr,
                        x->req.method.len);
    hw_http_headers_set(&r->headers, "x-httpwasm-next-uri", 19, x->req.target.ptr,
                        x->req.target.len);
    const hw_http_headers *h = &x->req.headers;
    for (uint32_t i = 0; i < h->count; i++) {
        if (!strcasecmp(h->fields[i].name, "host")) continue;
        int index = 0;
        for (uint32_t j = 0; j < i; j++)
            index += !strcasecmp(h->fields[j].name, h->fields[i].name);
        char name[300];
        int n =
            snprintf(name, sizeof name, "x-httpwasm-next-header-%s-%d", h->fields[i].name, index);
        hw_http_headers_add(&r->headers, name, (size_t)n, h->fields[i].value,
                            h->fields[i].value_len);
    }
    be->seen_len = 0;
    int eof = 0;
    while (!eof && be->seen_len < sizeof be->seen_body) {
        int64_t n = hw_http_body_read(&x->req.body, (uint8_t *)be->seen_body + be->seen_len,
                                      sizeof be->seen_body - be->seen_len, &eof);
        if (n < 0) return 1;
        be->seen_len += (size_t)n;
    }
    if (be->echo_body) hw_http_body_append(&r->body, be->seen_body, be->seen_len);
    if (be->reply) hw_http_body_append(&r->body, be->reply, strlen(be->reply));
    return be->fail;
}

/* A streaming body source of `total` bytes of 'a' in chunks of 1000. */
struct a_source {
    size_t total, sent;
};

static inline int64_t a_read(void *ctx, uint8_t *buf, size_t cap, int *eof) {
    struct a_source *s = ctx;
    size_t n = s->total - s->sent;
    if (n > 1000) n = 1000;
    if (n > cap) n = cap;
    memset(buf, 'a', n);
    s->sent += n;
    *eof = s->sent == s->total;
    return (int64_t)n;
}

#endif /* HTTP_TEST_SUPPORT_H */
