/*
 * hwasmd_upstream.c — the HTTP side of talking to the app, apart from any socket: what an
 * "upstream:" value means, the request head the app gets (hop-by-hop headers out,
 * X-Forwarded-* in, a fresh Content-Length, or chunked framing when trailers go with it),
 * and the app's reply, parsed with llhttp and merged into the exchange as §2.3 asks (the
 * app's status, headers and trailers win, a body the guests wrote before next comes
 * first). The reply is read as strictly as a client's request (hwasmd_http1.c): an answer
 * that another parser could end elsewhere fails, and its connection is never reused for
 * another client's request. hwasmd_upstream_conn.c moves the bytes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "hwasmd_buf.h"
#include "hwasmd_builtin.h"
#include "hwasmd_http1.h"
#include "hwasmd_response.h"
#include "hwasmd_trailers.h"
#include "hwasmd_upstream.h"

struct hwd_upstream *hwd_upstream_parse(const char *s) {
    struct hwd_upstream *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    u->name = strdup(s);
    u->timeout_ms = 60000; /* nginx's proxy_read_timeout and proxy_connect_timeout: long polls of 30-55 s pass */
    u->max_body = 64u << 20;
    u->max_header_bytes = 64u << 10;
    u->max_headers = 256;
    u->builtin = !strcmp(s, "builtin:echo") ? hwd_builtin_echo : !strcmp(s, "builtin:tck") ? hwd_builtin_tck : NULL;
    const char *h = !strncmp(s, "http://", 7) ? s + 7 : NULL;
    const char *colon = h ? strrchr(h, ':') : NULL;
    const char *end = colon ? colon + 1 + strspn(colon + 1, "0123456789") : NULL;
    int port = end && end - colon - 1 <= 5 ? atoi(colon + 1) : 0; /* 0 also when too long */
    if (u->builtin) {
        if (u->name) return u;
    } else if (!strncmp(s, "unix:/", 6) && strlen(s + 5) < sizeof ((struct sockaddr_un *)0)->sun_path) {
        u->unix_path = strdup(s + 5);
        u->authority = strdup("localhost");
        if (u->name && u->unix_path && u->authority) return u;
    } else if (colon && colon != h && !(*h == '[' && colon - h < 3) && port >= 1 && port <= 65535 &&
               (!*end || !strcmp(end, "/"))) {
        if (*h == '[' && colon[-1] == ']') u->host = strndup(h + 1, (size_t)(colon - h - 2));
        else u->host = strndup(h, (size_t)(colon - h));
        u->port = strndup(colon + 1, (size_t)(end - colon - 1));
        u->authority = strndup(h, (size_t)(end - h));
        if (u->name && u->host && u->port && u->authority) return u;
    }
    hwd_upstream_destroy(u);
    return NULL;
}

void hwd_upstream_destroy(struct hwd_upstream *u) {
    free(u->name);
    free(u->unix_path);
    free(u->host);
    free(u->port);
    free(u->authority);
    free(u);
}

/* --- the app over HTTP/1.1 ---------------------------------------------------------------- */

/* The request head for the app: the request's headers minus hop-by-hop ones and Expect
 * (those the client's Connection header named went as the request arrived, before the
 * guests: hwd_connection_options_drop, as did the forwarding fields of a client that is no
 * trusted proxy: hwd_forwarded_strip), plus X-Forwarded-For and -Proto, a fresh
 * Content-Length, and a Host when there is none: an HTTP/1.1 app refuses a request without
 * one (nginx sends its $proxy_host there; a Host the client or a guest set goes as it is). */
char *hwd_upstream_head(hw_http_exchange *x, const char *authority, size_t body_len, size_t *len, size_t *tail_len) {
    hw_http_request *q = &x->req;
    struct hwd_buf b = {0};
    *tail_len = 0;
    hwd_buf_put(&b, q->method.ptr, q->method.len);
    hwd_buf_put(&b, " ", 1);
    hwd_buf_put(&b, q->target.len ? q->target.ptr : "/", q->target.len ? q->target.len : 1);
    hwd_buf_str(&b, " HTTP/1.1\r\n");
    int host = 0, xff = 0, xfp = 0;
    for (uint32_t i = 0; i < q->headers.count; i++) {
        const hw_http_field *h = &q->headers.fields[i];
        if (hwd_is_hop_header(h->name, h->name_len)) continue;
        host |= h->name_len == 4 && !strncasecmp(h->name, "host", 4);
        if (h->name_len == 15 && !strncasecmp(h->name, "x-forwarded-for", 15)) {
            xff = 1;
            continue;
        }
        /* a trusted proxy's (or a guest's) X-Forwarded-Proto stays: it knows the scheme */
        xfp |= h->name_len == 17 && !strncasecmp(h->name, "x-forwarded-proto", 17);
        /* hwasmd answered 100-continue itself (or the body came anyway): the app gets the
         * whole body with the head, without the Expect, as nginx sends it */
        if (h->name_len == 6 && !strncasecmp(h->name, "expect", 6)) continue;
        hwd_buf_field(&b, h->name, h->name_len, h->value, h->value_len);
    }
    const char *src = q->source_addr.ptr ? q->source_addr.ptr : "";
    const char *colon = strrchr(src, ':');
    size_t ip_len = colon ? (size_t)(colon - src) : strlen(src);
    if (*src == '[' && ip_len >= 2) src++, ip_len -= 2;
    hwd_buf_str(&b, "X-Forwarded-For: ");
    /* every X-Forwarded-For line the request has (a trusted proxy's, or a guest's), in
     * order, as one list (RFC 9110 §5.3), as nginx's $proxy_add_x_forwarded_for: then the
     * client's address */
    for (uint32_t i = 0; xff && i < q->headers.count; i++) {
        const hw_http_field *h = &q->headers.fields[i];
        if (h->name_len == 15 && !strncasecmp(h->name, "x-forwarded-for", 15))
            hwd_buf_put(&b, h->value, h->value_len), hwd_buf_put(&b, ", ", 2);
    }
    hwd_buf_put(&b, src, ip_len);
    hwd_buf_str(&b, xfp ? "\r\n" : "\r\nX-Forwarded-Proto: http\r\n");
    if (!host) hwd_buf_field(&b, "Host", 4, authority, strlen(authority));
    if (hwd_trailers_any(&q->trailers)) {
        /* trailers only exist in a chunked body: the whole body is one chunk, sent from
         * where it is held (copied here, it was memory limits.buffered_bytes did not
         * count), and the trailers its last chunk, after it */
        hwd_buf_str(&b, "Transfer-Encoding: chunked\r\n\r\n");
        if (body_len) {
            hwd_buf_num(&b, body_len, 16);
            hwd_buf_put(&b, "\r\n", 2);
        }
        size_t head_len = b.len;
        if (body_len) hwd_buf_put(&b, "\r\n", 2);
        hwd_trailers_last_chunk(&b, &q->trailers);
        char *p = hwd_buf_take(&b, len);
        if (p) *tail_len = *len - head_len, *len = head_len;
        return p;
    }
    if (body_len || !hwd_h1_lengthless(&q->method)) {
        hwd_buf_str(&b, "Content-Length: ");
        hwd_buf_num(&b, body_len, 10);
        hwd_buf_put(&b, "\r\n", 2);
    }
    hwd_buf_put(&b, "\r\n", 2);
    return hwd_buf_take(&b, len);
}

/* The app's head (and trailers) within its upstream's limits: a flood of header lines
 * answers 502 as soon as it passes them, before it costs more than they allow. */
static int head_bytes(struct hwd_reply *r, size_t n) {
    r->header_bytes += n;
    return r->header_bytes > r->max_header_bytes ? -1 : 0;
}

static int on_status(llhttp_t *p, const char *at, size_t n) {
    (void)at;
    return head_bytes(p->data, n);
}

/* The pending line joins the headers, or past the last chunk the trailers; both count
 * against max_headers together. */
static int commit_line(struct hwd_reply *r) {
    if (!hwd_header_pending(&r->hdr)) return 0;
    if (r->lines++ >= r->max_headers) return -1; /* counted apart: merged headers move away */
    return hwd_header_commit(&r->hdr, r->in_trailers ? &r->trailers : &r->headers);
}

static int on_field(llhttp_t *p, const char *at, size_t n) {
    struct hwd_reply *r = p->data;
    if (head_bytes(r, n)) return -1;
    if (r->hdr.in_value && commit_line(r)) return -1;
    return hwd_append(&r->hdr.field, &r->hdr.field_len, at, n);
}

/* An obs-fold (a line that begins with SP or HT) fails the answer (502): RFC 9112 §5.2 lets
 * a proxy refuse it so, as nginx does, and a request's is refused too. llhttp joined it to
 * the value, and the client got "1\tfolded". */
static int on_value(llhttp_t *p, const char *at, size_t n) {
    struct hwd_reply *r = p->data;
    r->hdr.in_value = 1;
    if (head_bytes(r, n) || hwd_h1_strict_value(&r->strict, at, n)) return -1;
    return hwd_append(&r->hdr.value, &r->hdr.value_len, at, n) ? -1 : 0;
}

static int on_value_done(llhttp_t *p) {
    struct hwd_reply *r = p->data;
    hwd_h1_strict_value_done(&r->strict);
    return 0;
}

static int on_headers_done(llhttp_t *p) {
    struct hwd_reply *r = p->data;
    if (commit_line(r) || p->status_code < 100) return -1; /* 000..099: no status at all */
    r->head_done = p->status_code >= 200;
    r->status = p->status_code;
    /* An answer to HEAD, a 1xx, a 204 or a 304 has no body whatever its head says (RFC 9112
     * §6.3; this llhttp skips only HEAD's on its own: a 304 with its representation's
     * length waited for bytes that never come, a 103 with one took the real answer's first
     * bytes for its body). An app that sends such a body anyway, in a later segment, would
     * have it read as the answer to the next request on the connection, an answer forged
     * for another client: a connection whose final head announced one is not reused. (A
     * 101 still ends the parse: llhttp stops at an upgrade, and hwasmd answers 502.) */
    int bodyless = r->head || p->status_code < 200 || p->status_code == 204 || p->status_code == 304;
    r->body_announced = bodyless && ((p->flags & F_CHUNKED) || ((p->flags & F_CONTENT_LENGTH) && p->content_length));
    /* Transfer-Encoding and Content-Length both: the coding frames the body (RFC 9112 §6.3;
     * llhttp, told so in hwd_reply_init, no longer refuses the answer: 502 before) and the
     * length goes, as nginx and HAProxy do; but an app that sends both may mean the length
     * to another parser on its way: the connection is not reused */
    r->length_ignored = (p->flags & F_TRANSFER_ENCODING) && (p->flags & F_CONTENT_LENGTH);
    if (r->length_ignored) hw_http_headers_remove(&r->headers, "content-length", 14);
    /* What the app's Connection names is this hop's (RFC 9110 §7.6.1): gone before any guest
     * sees the answer ("Connection: close, X-Secret" sent X-Secret on to the client) */
    if (p->status_code >= 200 && hwd_connection_options_drop(&r->headers)) return -1;
    /* a coding other than chunked ("gzip, chunked"): hwasmd would take the coded bytes for
     * the body, and Transfer-Encoding does not go on to the client (nginx 1.22 passes them
     * so, coded, as the body) */
    if (!bodyless && (p->flags & F_TRANSFER_ENCODING) && hwd_h1_transfer_encoding(&r->headers) < 0) return -1;
    return bodyless ? 1 : 0; /* 1: no body */
}

static int on_body(llhttp_t *p, const char *at, size_t n) {
    struct hwd_reply *r = p->data;
    /* chunk data must end with CRLF: llhttp skips any two bytes there, and what follows
     * them could be read as the answer to the next request put on this connection */
    int chunk_done = (p->flags & F_CHUNKED) && p->content_length == 0;
    if (hwd_h1_strict_body(&r->strict, at, n, chunk_done)) return -1;
    r->body_bytes += n;
    if (r->sink) {
        r->sink(r->sink_ctx, at, n);
        return 0;
    }
    if (r->body.len + n > r->max_body) return -1; /* gathered whole: bounded */
    if (r->budget && hwd_budget_take(r->budget, n)) {
        r->over_budget = 1;
        return -1;
    }
    return hw_http_body_append(&r->body, at, n) ? -1 : 0;
}

/* The last chunk (size 0): what follows up to the empty line are trailers. */
static int on_chunk_header(llhttp_t *p) {
    struct hwd_reply *r = p->data;
    r->chunks++;
    if (p->content_length == 0) r->in_trailers = 1;
    return 0;
}

/* Chunk extensions are not forwarded (the body is framed anew) but count in
 * upstream_header_bytes: llhttp would read any amount of them inside one chunk header. */
static int on_chunk_extension(llhttp_t *p, const char *at, size_t n) {
    (void)at;
    return head_bytes(p->data, n);
}

static int on_chunk_extension_value(llhttp_t *p, const char *at, size_t n) {
    struct hwd_reply *r = p->data;
    return head_bytes(r, n) ? -1 : hwd_h1_chunk_ext_value(&r->strict, at, n);
}

static int on_begin(llhttp_t *p) {
    struct hwd_reply *r = p->data;
    hw_http_headers_clear(&r->headers);
    hw_http_headers_clear(&r->trailers);
    r->in_trailers = 0;
    r->lines = 0;
    hw_http_body_set(&r->body, NULL, 0);
    return 0;
}

static int on_done(llhttp_t *p) {
    struct hwd_reply *r = p->data;
    if (commit_line(r)) return -1; /* the last trailer */
    if (p->status_code < 200) return 0; /* 1xx: the real answer follows */
    r->done = 1;
    r->status = p->status_code;
    return HPE_PAUSED;
}

static llhttp_settings_t reply_settings;
static pthread_once_t reply_settings_once = PTHREAD_ONCE_INIT;

static void reply_settings_init(void) {
    llhttp_settings_init(&reply_settings);
    reply_settings.on_message_begin = on_begin;
    reply_settings.on_status = on_status;
    reply_settings.on_header_field = on_field;
    reply_settings.on_header_value = on_value;
    reply_settings.on_header_value_complete = on_value_done;
    reply_settings.on_headers_complete = on_headers_done;
    reply_settings.on_chunk_header = on_chunk_header;
    reply_settings.on_chunk_extension_name = on_chunk_extension;
    reply_settings.on_chunk_extension_value = on_chunk_extension_value;
    reply_settings.on_body = on_body;
    reply_settings.on_message_complete = on_done;
}

/* An idle connection's reply keeps no content and little storage: its header sections
 * as bounded by hw_http_headers_clear, a body buffer up to this size. */
#define REPLY_KEEP_BODY (16u << 10)

void hwd_reply_trim(struct hwd_reply *r) {
    hwd_header_drop(&r->hdr);
    hw_http_headers_clear(&r->headers);
    hw_http_headers_clear(&r->trailers);
    if (r->body.cap > REPLY_KEEP_BODY) hw_http_body_free(&r->body);
    r->body = (hw_http_body){.data = r->body.data, .cap = r->body.cap, .src_eof = 1};
}

void hwd_reply_init(struct hwd_reply *r, int head, const struct hwd_upstream *u, struct hwd_budget *budget) {
    pthread_once(&reply_settings_once, reply_settings_init);
    struct hwd_header_acc hdr = r->hdr; /* a trimmed reply's storage serves this one */
    hw_http_headers headers = r->headers, trailers = r->trailers;
    hw_http_body body = r->body;
    memset(r, 0, sizeof *r);
    r->hdr = hdr;
    r->headers = headers;
    r->trailers = trailers;
    r->body = body;
    r->head = head;
    r->max_body = u->max_body;
    r->max_header_bytes = u->max_header_bytes;
    r->max_headers = u->max_headers;
    r->budget = budget;
    llhttp_init(&r->parser, HTTP_RESPONSE, &reply_settings);
    llhttp_set_lenient_chunked_length(&r->parser, 1); /* Content-Length with chunked: on_headers_done */
    r->parser.data = r;
}

int hwd_reply_feed(struct hwd_reply *r, const char *p, size_t n) {
    if (hwd_h1_strict_input(&r->strict, p, n)) return -1; /* not the CRLF due after chunk data */
    llhttp_errno_t e = hwd_h1_execute(&r->parser, &r->strict, p, n);
    r->wire += e == HPE_OK ? n : (size_t)(llhttp_get_error_pos(&r->parser) - p);
    if (hwd_h1_wire_over(r->wire, r->max_header_bytes, r->body_bytes, r->chunks)) return -1;
    if (e == HPE_PAUSED && r->done) {
        /* reusable only if the app meant it and sent nothing after its answer */
        r->keep_alive = llhttp_should_keep_alive(&r->parser) && llhttp_get_error_pos(&r->parser) == p + n &&
                        !r->body_announced && !r->length_ignored;
        return 1;
    }
    return e == HPE_OK ? 0 : -1;
}

int hwd_reply_eof(struct hwd_reply *r) {
    r->keep_alive = 0;
    if (r->done) return 1;
    /* a body that ends with the connection completes here: on_done pauses, as it does for
     * every complete answer */
    llhttp_errno_t e = llhttp_finish(&r->parser);
    return (e == HPE_OK || e == HPE_PAUSED) && r->done ? 1 : -1;
}

void hwd_reply_free(struct hwd_reply *r) {
    hwd_header_free(&r->hdr);
    hw_http_headers_free(&r->headers);
    hw_http_headers_free(&r->trailers);
    hw_http_body_free(&r->body);
}

int64_t hwd_reply_remaining(const struct hwd_reply *r) {
    /* llhttp counts a Content-Length body down as it goes */
    return (r->parser.flags & F_CONTENT_LENGTH) && !(r->parser.flags & F_CHUNKED) ? (int64_t)r->parser.content_length
                                                                                  : -1;
}

int hwd_reply_merge_trailers(struct hwd_reply *r, hw_http_exchange *x) {
    hw_http_headers *out = &x->resp.trailers;
    for (uint32_t i = 0; out->count && i < r->trailers.count; i++)
        hw_http_headers_remove(out, r->trailers.fields[i].name, r->trailers.fields[i].name_len);
    for (uint32_t i = 0; i < r->trailers.count; i++) {
        const hw_http_field *h = &r->trailers.fields[i];
        if (hw_http_headers_add(out, h->name, h->name_len, h->value, h->value_len)) return 502;
    }
    hw_http_headers_clear(&r->trailers);
    return 0;
}

/* Whether the app's line stays out of x->resp: hop is what hwd_hop_header says of its
 * name. Hop-by-hop lines do, but for two that guests see as the reference host shows them
 * (hwd_response_format still writes neither from x->resp: the client gets the framing of
 * what is sent): Trailer, which trailers the app announced, and Content-Length, the length
 * of the app's body (of the answer to GET, for HEAD). */
static int left_out(const char *hop) {
    return hop && strcmp(hop, "trailer") && strcmp(hop, "content-length");
}

static const char *hop_of(const hw_http_field *h) {
    return hwd_hop_header(h->name, h->name_len);
}

int hwd_reply_merge(struct hwd_reply *r, hw_http_exchange *x) {
    hw_http_response *out = &x->resp;
    out->status = r->status;
    if (out->headers.count == 0) {
        /* no line set by a guest, the usual case: the app's section becomes the answer's
         * (each keeps its spare storage), minus what stays out */
        hw_http_headers mine = out->headers;
        out->headers = r->headers;
        r->headers = mine;
        for (uint32_t i = 0; i < out->headers.count;) {
            /* removed by the constant name: the line's own goes with the first line removed */
            const char *hop = hop_of(&out->headers.fields[i]);
            if (left_out(hop)) hw_http_headers_remove(&out->headers, hop, strlen(hop));
            else i++;
        }
    } else {
        /* the app's header lines replace same-named ones a guest set before next. Removing
         * is idempotent, so each line removes its name without first looking for an
         * earlier line of the same name (that search made 40,000 lines take seconds). */
        for (uint32_t i = 0; i < r->headers.count; i++) {
            const hw_http_field *h = &r->headers.fields[i];
            if (left_out(hop_of(h))) continue;
            if (!(h->name_len == 10 && !strncasecmp(h->name, "set-cookie", 10)))
                hw_http_headers_remove(&out->headers, h->name, h->name_len);
        }
        for (uint32_t i = 0; i < r->headers.count; i++) {
            const hw_http_field *h = &r->headers.fields[i];
            if (!left_out(hop_of(h)) && hw_http_headers_add(&out->headers, h->name, h->name_len, h->value, h->value_len))
                return 502;
        }
    }
    int rc = 0;
    if (out->body.len == 0 && !out->body.src.read) { /* the app's bytes move, not copied */
        hw_http_body mine = out->body;
        out->body = r->body;
        out->body.pos = 0;
        out->body.src = (hw_http_body_source){0};
        out->body.src_eof = 1;
        out->body.retain = mine.retain;
        r->body = (hw_http_body){.data = mine.data, .cap = mine.cap, .src_eof = 1};
    } else {
        rc = hw_http_body_append(&out->body, r->body.data, r->body.len) ? 502 : 0;
        hw_http_body_set(&r->body, NULL, 0);
    }
    return rc || hwd_reply_merge_trailers(r, x) ? 502 : 0;
}
