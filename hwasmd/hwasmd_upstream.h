/*
 * hwasmd_upstream.h — the end of every chain. The message side (hwasmd_upstream.c: the
 * request head for the app, its reply parsed and merged) and the transport
 * (hwasmd_upstream_conn.c: non-blocking connections on the worker's loop, kept alive in a
 * pool per worker and upstream), so no request ever leaves its worker's thread.
 */
#ifndef HWASMD_UPSTREAM_H
#define HWASMD_UPSTREAM_H

#include "hwasmd.h"
#include "hwasmd_http1.h"
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
    size_t max_body; /* gathered into body: more is an error; streamed: no limit */
    int head_done;  /* status and headers are in */
    int done, status;
    int keep_alive; /* once done: the connection may carry another request */
    /* set once streaming: body bytes go here instead of into body */
    void (*sink)(void *ctx, const char *p, size_t n);
    void *sink_ctx;
};
void hwd_reply_init(struct hwd_reply *r, int head, size_t max_body);
/* Parses n more bytes: 1 the answer is complete, 0 more is needed, -1 malformed. */
int hwd_reply_feed(struct hwd_reply *r, const char *p, size_t n);
/* The app closed: 1 if that ended a complete answer (read-until-close bodies), else -1. */
int hwd_reply_eof(struct hwd_reply *r);
/* Body bytes still to come once the head is in: a count, or -1 (chunked, or until close). */
int64_t hwd_reply_remaining(const struct hwd_reply *r);
/* Status, headers and the body so far into x->resp (§2.3), emptying r->body; 0, or 502
 * when out of memory. */
int hwd_reply_merge(struct hwd_reply *r, hw_http_exchange *x);
void hwd_reply_free(struct hwd_reply *r);

struct hwd_upstream_call;

/* How a request's sender hears back, always on the worker's loop. */
struct hwd_upstream_hooks {
    /* Once per request: 0 when x->resp holds the app's answer (when streaming: when the
     * body has all gone through body()), else the status to answer (502 unreachable,
     * unparsable or cut short, 504 timed out). */
    void (*done)(void *ctx, int status);
    /* NULL: the app's answer is gathered whole into x->resp. Else called when its head and
     * body so far are merged into x->resp while more body is on its way (remaining bytes,
     * or -1 unknown): 0, the rest comes through body(); non-zero, the app's answer is
     * dropped and its connection closed, no done() follows. */
    int (*stream)(void *ctx, struct hwd_upstream_call *call, int64_t remaining);
    void (*body)(void *ctx, const char *p, size_t n);
};
/* Forwards x->req to u without blocking (builtin upstreams answer before returning). */
void hwd_upstream_send(struct hwd_worker *w, struct hwd_upstream *u, hw_http_exchange *x,
                       const struct hwd_upstream_hooks *hooks, void *ctx);
/* While streaming: stop (on = 0) or resume reading the app, for backpressure. */
void hwd_upstream_flow(struct hwd_upstream_call *call, int on);
/* While streaming: drop the rest of the app's answer (the client went away); no done(). */
void hwd_upstream_abort(struct hwd_upstream_call *call);
/* Closes the worker's idle app connections (shutdown): none is pooled from then on. */
void hwd_upstream_drain(struct hwd_worker *w);
/* Frees the worker's pool once its loop has closed every connection. */
void hwd_upstream_free(struct hwd_worker *w);

#endif /* HWASMD_UPSTREAM_H */
