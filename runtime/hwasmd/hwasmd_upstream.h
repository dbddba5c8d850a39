/*
 * hwasmd_upstream.h — the end of every chain. The message side (hwasmd_upstream.c: the
 * request head for the app, its reply parsed and merged) and the transport
 * (hwasmd_upstream_conn.c: non-blocking connections on the worker's loop, kept alive in a
 * pool per worker and upstream), so no request ever leaves its worker's thread.
 */
#ifndef HWASMD_UPSTREAM_H
#define HWASMD_UPSTREAM_H

#include "hwasmd.h"
#include "llhttp.h"

struct hwd_worker;

/* The request head for the app: the client's headers minus hop-by-hop ones (and those the
 * client's Connection header names), plus X-Forwarded-*, a fresh Content-Length for body
 * bytes. Returns a malloc'd buffer, NULL when out of memory. */
char *hwd_upstream_head(hw_http_exchange *x, size_t body, size_t *len);

/* The app's answer, as it arrives. */
struct hwd_reply {
    llhttp_t parser;
    hw_http_headers headers;
    hw_http_body body;
    struct hwd_header_acc hdr;
    int head;       /* answers a HEAD: no body, whatever the headers say */
    int done, status;
    int keep_alive; /* once done: the connection may carry another request */
};
void hwd_reply_init(struct hwd_reply *r, int head);
/* Parses n more bytes: 1 the answer is complete, 0 more is needed, -1 malformed. */
int hwd_reply_feed(struct hwd_reply *r, const char *p, size_t n);
/* The app closed: 1 if that ended a complete answer (read-until-close bodies), else -1. */
int hwd_reply_eof(struct hwd_reply *r);
/* Into x->resp (§2.3); 0, or 502 when out of memory. */
int hwd_reply_merge(const struct hwd_reply *r, hw_http_exchange *x);
void hwd_reply_free(struct hwd_reply *r);

/* Called once per hwd_upstream_send, on the worker's loop: 0 when x->resp holds the app's
 * answer, else the status to answer (502 unreachable or unparsable, 504 timed out). */
typedef void (*hwd_upstream_cb)(void *ctx, int status);
/* Forwards x->req to u without blocking (builtin upstreams answer before returning). */
void hwd_upstream_send(struct hwd_worker *w, struct hwd_upstream *u, hw_http_exchange *x,
                       hwd_upstream_cb cb, void *ctx);
/* Closes the worker's idle app connections (shutdown): none is pooled from then on. */
void hwd_upstream_drain(struct hwd_worker *w);

#endif /* HWASMD_UPSTREAM_H */
