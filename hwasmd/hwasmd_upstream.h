/*
 * hwasmd_upstream.h — the end of every chain, its message side (hwasmd_upstream.c): what an
 * upstream: value means, the request head for the app, its reply parsed and merged. The
 * transport is hwasmd_upstream_conn.h.
 */
#ifndef HWASMD_UPSTREAM_H
#define HWASMD_UPSTREAM_H

#include "hwasmd.h"
#include "hwasmd_budget.h"
#include "hwasmd_http1.h"
#include "llhttp.h"

/* Parses "http://host:port", "unix:/path", "builtin:echo" or "builtin:tck"; NULL when
 * malformed (an empty host, a port outside 1..65535). The host is looked up when a
 * connection to it is made, not here: whether a name resolves is a runtime matter. */
struct hwd_upstream *hwd_upstream_parse(const char *s);
/* Frees what hwd_upstream_parse made. */
void hwd_upstream_destroy(struct hwd_upstream *u);

/* The request head for the app: the client's headers minus hop-by-hop ones (and those the
 * client's Connection header names), plus X-Forwarded-*, Host: authority when the request
 * has no Host (HTTP/1.0, or a guest removed it), a fresh Content-Length for the body of
 * body_len bytes sent after it. When x->req.trailers has a forwardable field the request
 * goes chunked instead: the head ends with the size line of the body's one chunk, and
 * *tail_len bytes after the head in the same buffer go after the body (the chunk's end,
 * the last chunk with the trailers); the body itself is never copied. *tail_len is 0
 * otherwise. Returns a malloc'd buffer of *len + *tail_len bytes, NULL when out of
 * memory. */
char *hwd_upstream_head(hw_http_exchange *x, const char *authority, size_t body_len, size_t *len, size_t *tail_len);

/* The app's answer, as it arrives. */
struct hwd_reply {
    llhttp_t parser;
    hw_http_headers headers;
    hw_http_headers trailers; /* after a chunked body's last chunk */
    hw_http_body body;
    struct hwd_header_acc hdr;
    struct hwd_h1_strict strict; /* the checks loose llhttp does not make, across reads */
    int in_trailers; /* past the last chunk: header lines are trailers */
    uint32_t lines;  /* header and trailer lines of this answer so far */
    uint64_t wire, body_bytes, chunks; /* its bytes parsed, body bytes and chunks so far */
    int head;       /* answers a HEAD: no body, whatever the headers say */
    size_t max_body; /* gathered into body: more is an error; streamed: no limit */
    size_t header_bytes, max_header_bytes; /* the reason, names, values so far; their cap */
    uint32_t max_headers;                  /* header (and trailer) lines: more is an error */
    struct hwd_budget *budget; /* the request's share of buffered_bytes (gathered bytes) */
    int over_budget;           /* the error was that share: answer 503, not 502 */
    int head_done;  /* status and headers are in */
    int done, status;
    int body_announced; /* no body by rule, yet the head gives a length or chunked */
    int length_ignored; /* Transfer-Encoding framed it, a Content-Length was ignored */
    int keep_alive; /* once done: the connection may carry another request */
    /* set once streaming: body bytes go here instead of into body */
    void (*sink)(void *ctx, const char *p, size_t n);
    void *sink_ctx;
};
/* A reply to a request (head: a HEAD request) within u's limits (body gathered, head);
 * the bytes it gathers are counted in budget (may be NULL: not counted). r is zeroed or
 * a previous reply trimmed by hwd_reply_trim, whose storage it reuses. */
void hwd_reply_init(struct hwd_reply *r, int head, const struct hwd_upstream *u, struct hwd_budget *budget);
/* Parses n more bytes: 1 the answer is complete, 0 more is needed, -1 malformed. */
int hwd_reply_feed(struct hwd_reply *r, const char *p, size_t n);
/* The app closed: 1 if that ended a complete answer (read-until-close bodies), else -1. */
int hwd_reply_eof(struct hwd_reply *r);
/* Body bytes still to come once the head is in: a count, or -1 (chunked, or until close). */
int64_t hwd_reply_remaining(const struct hwd_reply *r);
/* Status, headers (Trailer included, other hop-by-hop ones and those the app's Connection
 * named left out), the body so far and the trailers so far into x->resp (§2.3), emptying
 * r->body; 0, or 502 when out of memory. */
int hwd_reply_merge(struct hwd_reply *r, hw_http_exchange *x);
/* The app's trailers into x->resp.trailers, replacing same-named ones a guest set before
 * next (a streamed answer's, once it is complete); 0 or 502. */
int hwd_reply_merge_trailers(struct hwd_reply *r, hw_http_exchange *x);
/* Drops r's content, keeping a bounded part of its storage for the next reply. */
void hwd_reply_trim(struct hwd_reply *r);
void hwd_reply_free(struct hwd_reply *r);

#endif /* HWASMD_UPSTREAM_H */
