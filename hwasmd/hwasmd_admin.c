/*
 * hwasmd_admin.c — the admin listener's answers: /healthz, /readyz (503 while draining),
 * POST /reload, and /metrics (its text from hwasmd_metrics.c). Runs on libuv's thread
 * pool: a reload compiles modules.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwasmd_admin.h"
#include "hwasmd_metrics.h"
#include "hwasmd_response.h"

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
        int rc = hwd_gen_reload(msg, sizeof msg);
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
