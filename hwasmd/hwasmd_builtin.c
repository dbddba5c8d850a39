/*
 * hwasmd_builtin.c — the upstreams that need no app: builtin:echo answers the request as
 * JSON (the demo's), builtin:tck answers what the http-wasm TCK's backend does. Both run
 * synchronously on the worker's loop: they only format what the exchange holds.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwasmd_buf.h"
#include "hwasmd_builtin.h"

int hwd_builtin_echo(hw_http_exchange *x) {
    hw_http_request *q = &x->req;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return 502;
    fputs("{\"method\": ", f);
    hwd_json_string(f, q->method.ptr, q->method.len);
    fputs(", \"uri\": ", f);
    hwd_json_string(f, q->target.ptr, q->target.len);
    fputs(", \"headers\": {", f);
    for (uint32_t i = 0; i < q->headers.count; i++) {
        const hw_http_field *h = &q->headers.fields[i];
        fputs(i ? ",\n  " : "\n  ", f);
        hwd_json_string(f, h->name, h->name_len);
        fputs(": ", f);
        hwd_json_string(f, h->value, h->value_len);
    }
    fputs("}, \"body\": ", f);
    size_t body_len;
    const uint8_t *body = hw_http_body_unread(&q->body, &body_len);
    hwd_json_string(f, (const char *)body, body_len);
    fputs("}\n", f);
    if (fclose(f)) return 502;
    x->resp.status = 200;
    hw_http_headers_set(&x->resp.headers, "Content-Type", 12, "application/json", 16);
    int rc = hw_http_body_append(&x->resp.body, buf, n);
    free(buf);
    return rc ? 502 : 0;
}

/* The http-wasm TCK's backend: what it received comes back as x-httpwasm-next-* response
 * headers (method, uri, each request header line numbered per name; Host left out). */
int hwd_builtin_tck(hw_http_exchange *x) {
    hw_http_request *q = &x->req;
    hw_http_response *r = &x->resp;
    char name[300], len[24];
    if (hw_http_headers_set(&r->headers, "x-httpwasm-next-method", 22, q->method.ptr, q->method.len) ||
        hw_http_headers_set(&r->headers, "x-httpwasm-next-uri", 19, q->target.ptr, q->target.len))
        return 502;
    for (uint32_t i = 0; i < q->headers.count; i++) {
        const hw_http_field *h = &q->headers.fields[i];
        if (h->name_len == 4 && !strncasecmp(h->name, "host", 4)) continue;
        int index = 0;
        for (uint32_t j = 0; j < i; j++) index += !strcasecmp(q->headers.fields[j].name, h->name);
        int n = snprintf(name, sizeof name, "x-httpwasm-next-header-%.200s-%d", h->name, index);
        for (int k = 0; k < n; k++) name[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
        if (hw_http_headers_add(&r->headers, name, (size_t)n, h->value, h->value_len)) return 502;
    }
    int n = snprintf(len, sizeof len, "%zu", q->body.len - q->body.pos);
    return hw_http_headers_set(&r->headers, "x-httpwasm-next-body-length", 27, len, (size_t)n) ? 502 : 0;
}
