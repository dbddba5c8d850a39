/*
 * hwasmd_builtin.c — the upstreams that need no app: builtin:echo answers the request as
 * JSON (the demo's), builtin:tck answers what the http-wasm TCK's backend does. Both run
 * synchronously on the worker's loop: they only format what the exchange holds, in time
 * linear in it; echo's answer counts in limits.buffered_bytes, as an app's gathered one.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwasmd_buf.h"
#include "hwasmd_builtin.h"

/* Where the answer's JSON goes: counted only (sink NULL), or appended to the body. */
struct echo_out {
    hw_http_body *sink;
    size_t n;
    int failed;
};

static ssize_t echo_write(void *cookie, const char *p, size_t n) {
    struct echo_out *o = cookie;
    if (o->sink && hw_http_body_append(o->sink, p, n)) {
        o->failed = 1;
        return -1;
    }
    o->n += n;
    return (ssize_t)n;
}

/* The request as JSON on f. */
static void echo_format(FILE *f, hw_http_request *q) {
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
}

/* The answer (up to 6 bytes per body byte: \u00XX) is held until written, as an app's
 * gathered answer is: its length, counted first without storing it, is taken from
 * limits.buffered_bytes (503 past it), then it is written straight into the body. */
int hwd_builtin_echo(hw_http_exchange *x, struct hwd_budget *budget) {
    struct echo_out count = {0}, out = {.sink = &x->resp.body};
    cookie_io_functions_t io = {.write = echo_write};
    FILE *f = fopencookie(&count, "w", io);
    if (!f) return 502;
    echo_format(f, &x->req);
    if (fclose(f) || count.failed) return 502;
    if (hwd_budget_take(budget, count.n)) return 503;
    x->resp.status = 200;
    if (hw_http_headers_set(&x->resp.headers, "Content-Type", 12, "application/json", 16)) return 502;
    if (!(f = fopencookie(&out, "w", io))) return 502;
    echo_format(f, &x->req);
    return fclose(f) || out.failed ? 502 : 0;
}

/* A header name's hash, case folded. */
static uint32_t name_hash(const char *s, size_t n) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i])) * 16777619u;
    return h;
}

/* The http-wasm TCK's backend: what it received comes back as x-httpwasm-next-* response
 * headers (method, uri, each request header line numbered per name; Host left out). The
 * lines before each one of its name are counted in one pass over a table of the names
 * seen (comparing each line with all those before it made n lines n²/2 comparisons). */
int hwd_builtin_tck(hw_http_exchange *x, struct hwd_budget *budget) {
    (void)budget; /* its answer is header lines, bounded by the request's */
    hw_http_request *q = &x->req;
    hw_http_response *r = &x->resp;
    char name[300], len[24];
    if (hw_http_headers_set(&r->headers, "x-httpwasm-next-method", 22, q->method.ptr, q->method.len) ||
        hw_http_headers_set(&r->headers, "x-httpwasm-next-uri", 19, q->target.ptr, q->target.len))
        return 502;
    /* open addressing: first line of the name + 1 (0: free), and how many lines had it */
    size_t cap = 16;
    while (cap < 2 * (size_t)q->headers.count) cap *= 2;
    struct {
        uint32_t first, seen;
    } *names = calloc(cap, sizeof *names);
    if (!names) return 502;
    int rc = 0;
    for (uint32_t i = 0; i < q->headers.count && !rc; i++) {
        const hw_http_field *h = &q->headers.fields[i];
        if (h->name_len == 4 && !strncasecmp(h->name, "host", 4)) continue;
        size_t k = name_hash(h->name, h->name_len) & (cap - 1);
        for (const hw_http_field *f; names[k].first; k = (k + 1) & (cap - 1)) {
            f = &q->headers.fields[names[k].first - 1];
            if (f->name_len == h->name_len && !strncasecmp(f->name, h->name, h->name_len)) break;
        }
        if (!names[k].first) names[k].first = i + 1;
        int n = snprintf(name, sizeof name, "x-httpwasm-next-header-%.200s-%u", h->name, names[k].seen++);
        for (int c = 0; c < n; c++) name[c] = (char)(name[c] >= 'A' && name[c] <= 'Z' ? name[c] + 32 : name[c]);
        rc = hw_http_headers_add(&r->headers, name, (size_t)n, h->value, h->value_len);
    }
    free(names);
    if (rc) return 502;
    int n = snprintf(len, sizeof len, "%zu", q->body.len - q->body.pos);
    return hw_http_headers_set(&r->headers, "x-httpwasm-next-body-length", 27, len, (size_t)n) ? 502 : 0;
}
