/*
 * hwasmd_admin.c — the admin listener's answers: /healthz, /readyz (503 while draining),
 * POST /reload, and /metrics (its text from hwasmd_metrics.c). A reload compiles modules:
 * it runs on libuv's thread pool, one at a time (the pool also looks up the apps' names:
 * queued reloads held all four of its threads and the requests to named apps waited); the
 * rest answers on the worker's loop, so probes never wait behind a reload. With admin_token set, POST /reload needs
 * "Authorization: Bearer TOKEN" (401 without it, 403 with another token), compared in
 * constant time; the GET endpoints stay open (probes and scrapers hold no secret, and the
 * listener is on loopback unless configured otherwise).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwasmd_admin.h"
#include "hwasmd_metrics.h"
#include "hwasmd_response.h"
#include "sha256.h"

/* 0 when token is NULL or q carries "Authorization: Bearer TOKEN"; else 401 (no such
 * header) or 403 (another token). Constant time in where the tokens differ. */
static int hwd_admin_authorize(const char *token, const hw_http_request *q) {
    if (!token) return 0;
    int64_t i = hw_http_headers_find(&q->headers, "authorization", 13, 0);
    if (i < 0) return 401;
    const char *v = q->headers.fields[i].value;
    size_t n = q->headers.fields[i].value_len;
    if (n < 7 || strncasecmp(v, "Bearer ", 7)) return 401;
    for (v += 7, n -= 7; n && *v == ' '; v++, n--) {}
    /* digests of both, compared whole: the time taken does not depend on where they differ */
    uint8_t want[32], got[32], diff = 0;
    sha256((const uint8_t *)token, strlen(token), want);
    sha256((const uint8_t *)v, n, got);
    for (int k = 0; k < 32; k++) diff |= (uint8_t)(want[k] ^ got[k]);
    return diff ? 403 : 0;
}

int hwd_admin_slow(const hw_http_exchange *x) {
    const hw_http_str *t = &x->req.target;
    return strcspn(t->ptr, "?") == 7 && !memcmp(t->ptr, "/reload", 7) && x->req.method.len == 4 &&
           !memcmp(x->req.method.ptr, "POST", 4);
}

void hwd_admin_serve(const struct hwd_config *c, hw_http_exchange *x) {
    const hw_http_str *t = &x->req.target;
    size_t path = strcspn(t->ptr, "?");
    if (path == 8 && !memcmp(t->ptr, "/healthz", 8)) {
        hwd_response_simple(&x->resp, 200, "ok\n");
    } else if (path == 7 && !memcmp(t->ptr, "/readyz", 7)) {
        int d = __atomic_load_n(&hwd_draining, __ATOMIC_RELAXED);
        hwd_response_simple(&x->resp, d ? 503 : 200, d ? "draining\n" : "ready\n");
    } else if (path == 7 && !memcmp(t->ptr, "/reload", 7)) {
        char msg[1024];
        if (x->req.method.len != 4 || memcmp(x->req.method.ptr, "POST", 4))
            return hwd_response_simple(&x->resp, 405, "POST /reload\n");
        int denied = hwd_admin_authorize(c->admin_token, &x->req);
        if (denied == 401) {
            hwd_response_simple(&x->resp, 401, "POST /reload needs Authorization: Bearer TOKEN\n");
            hw_http_headers_set(&x->resp.headers, "WWW-Authenticate", 16, "Bearer realm=\"hwasmd\"", 21);
            return;
        }
        if (denied) return hwd_response_simple(&x->resp, 403, "wrong token\n");
        static int reloading; /* a POST /reload running: the next ones do not queue */
        if (__atomic_exchange_n(&reloading, 1, __ATOMIC_ACQ_REL))
            return hwd_response_simple(&x->resp, 503, "a reload is running: try again once it is done\n");
        int rc = hwd_gen_reload(msg, sizeof msg);
        __atomic_store_n(&reloading, 0, __ATOMIC_RELEASE);
        fprintf(stderr, "%s%s\n", msg, rc ? " (reload failed: the running configuration stays)" : "");
        char body[1100];
        snprintf(body, sizeof body, "%s\n", msg);
        hwd_response_simple(&x->resp, rc ? 500 : 200, body);
    } else if (path == 8 && !memcmp(t->ptr, "/metrics", 8)) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        if (!f) return hwd_response_simple(&x->resp, 500, "out of memory\n");
        hwd_metrics_write(c, f);
        if (fclose(f)) return hwd_response_simple(&x->resp, 500, "out of memory\n");
        hwd_response_simple(&x->resp, 200, "");
        hw_http_headers_set(&x->resp.headers, "Content-Type", 12, "text/plain; version=0.0.4", 25);
        hw_http_body_set(&x->resp.body, buf, n);
        free(buf);
    } else {
        hwd_response_simple(&x->resp, 404, "admin: /healthz, /readyz, /metrics, POST /reload\n");
    }
}
