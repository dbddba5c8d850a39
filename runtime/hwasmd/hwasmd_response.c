/*
 * hwasmd_response.c — what goes on the wire to the client: the composed response with its
 * hop-by-hop headers dropped and its body's framing recomputed: a Content-Length for a
 * body whole in memory or of a known streamed length, else chunked (or, for HTTP/1.0
 * clients, until the connection closes).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwasmd.h"

int hwd_is_hop_header(const char *name, size_t len) {
    static const char *const hop[] = {"connection", "keep-alive", "proxy-connection", "te",
                                      "trailer", "transfer-encoding", "upgrade", "content-length"};
    for (size_t i = 0; i < sizeof hop / sizeof hop[0]; i++)
        if (strlen(hop[i]) == len && !strncasecmp(hop[i], name, len)) return 1;
    return 0;
}

static const char *reason(int s) {
    switch (s) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

char *hwd_response_format(hw_http_response *r, int head, int keep_alive, int64_t more, size_t *len) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return NULL;
    int st = r->status >= 100 && r->status <= 999 ? r->status : 500;
    fprintf(f, "HTTP/1.1 %d %s\r\n", st, reason(st));
    for (uint32_t i = 0; i < r->headers.count; i++) {
        const hw_http_field *h = &r->headers.fields[i];
        if (hwd_is_hop_header(h->name, h->name_len)) continue;
        fprintf(f, "%.*s: %.*s\r\n", (int)h->name_len, h->name, (int)h->value_len, h->value);
    }
    size_t body = r->body.len;
    int no_body = st == 204 || st == 304 || st < 200;
    int64_t cl = head ? hw_http_headers_find(&r->headers, "content-length", 14, 0) : -1;
    if (cl >= 0) fprintf(f, "Content-Length: %s\r\n", r->headers.fields[cl].value);
    else if (!no_body && more == HWD_BODY_CHUNKED) fputs("Transfer-Encoding: chunked\r\n", f);
    else if (!no_body && more != HWD_BODY_UNTIL_CLOSE)
        fprintf(f, "Content-Length: %llu\r\n", (unsigned long long)body + (unsigned long long)(more > 0 ? more : 0));
    if (!keep_alive) fputs("Connection: close\r\n", f);
    fputs("\r\n", f);
    if (!head && !no_body && body) {
        if (more == HWD_BODY_CHUNKED) fprintf(f, "%zx\r\n", body);
        fwrite(r->body.data, 1, body, f);
        if (more == HWD_BODY_CHUNKED) fputs("\r\n", f);
    }
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}
