/*
 * hwasmd_conn.c — one client connection on a worker's loop: llhttp parses requests into an
 * exchange (limits answered 414/431/413, garbage 400 then close); a complete request pauses
 * the parser and goes to hwasmd_request.c; once its answer is written, parsing resumes on
 * whatever was pipelined behind it. A request is read one way only: what loose llhttp
 * would let two parsers read differently (hwasmd_http1.c's strict checks, several or
 * unknown transfer codings, versions other than 1.0 and 1.1, an ambiguous target or host,
 * hwasmd_target.c) is refused, trailers are kept apart from the headers (the request's
 * own trailer list, never any request's headers), Upgrade is not acted on. A method of
 * capital letters, '_' and '-' that llhttp does not know goes on as it came (BAN, QUERY:
 * parse_more, hwd_h1_method_scan), as nginx passes it; another token is answered 501.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <uv.h>

#include "hwasmd_conn.h"
#include "hwasmd_buf.h"
#include "hwasmd_metrics.h"
#include "hwasmd_response.h"

/* A request's exchange: one its worker kept from an earlier request, else a new one. */
static hw_http_exchange *exchange_take(struct hwd_worker *w) {
    if (w->n_spare_x) return w->spare_x[--w->n_spare_x];
    hw_http_exchange *x = malloc(sizeof *x);
    if (x && hw_http_exchange_init(x)) {
        free(x);
        x = NULL;
    }
    return x;
}

/* A finished request's exchange: reset and kept for the next request, or freed. */
static void exchange_give(struct hwd_worker *w, hw_http_exchange *x) {
    if (w->n_spare_x < HWD_SPARE_EXCHANGES && hw_http_exchange_reset(x) == HW_OK) {
        w->spare_x[w->n_spare_x++] = x;
        return;
    }
    hw_http_exchange_free(x);
    free(x);
}

static void timer_closed(uv_handle_t *h) {
    struct hwd_conn *c = h->data;
    if (c->admin) c->w->admin_conns--;
    else __atomic_fetch_sub(&hwd_stat_connections, 1, __ATOMIC_RELAXED);
    if (c->prev) c->prev->next = c->next;
    else c->w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    if (c->x) exchange_give(c->w, c->x);
    free(c->in);
    hwd_header_free(&c->hdr);
    hwd_target_free(&c->tgt);
    free(c->url);
    free(c->out);
    hwd_budget_release(&c->budget);
    free(c);
}

/* The timer goes second: the connection is freed once both handles are closed. */
static void closed(uv_handle_t *h) {
    struct hwd_conn *c = h->data;
    uv_close((uv_handle_t *)&c->timer, timer_closed);
}

void hwd_conn_close(struct hwd_conn *c) {
    if (c->closing) return;
    c->closing = 1;
    c->w->handler->abandon(c);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->tcp, closed);
}

/* --- parser callbacks: fill c->x ------------------------------------------------------- */

static int too_big(struct hwd_conn *c, size_t n) {
    c->header_bytes += n;
    if (c->header_bytes <= c->max_header) return 0;
    c->error = 431;
    return -1;
}

/* How long an admin connection may idle, or take to send its request: admin_connections
 * (16) of them held open kept every probe out for idle_timeout_ms (60 s). */
#define HWD_ADMIN_IDLE_MS 5000

static int budget_charge(void *budget, size_t n) {
    return hwd_budget_take(budget, n);
}

static int on_begin(llhttp_t *p) {
    struct hwd_conn *c = p->data;
    if (!(c->x = exchange_take(c->w))) return -1;
    c->x->charge = budget_charge; /* what its guests write counts in buffered_bytes too */
    c->x->charge_ctx = &c->budget;
    c->header_bytes = c->url_len = 0;
    c->header_lines = c->singletons = 0;
    c->chunks = 0;
    c->method_bytes = 0;
    c->window_ms = 0;
    c->window_bytes = 0;
    if (!c->request_start_ms) c->request_start_ms = uv_now(c->w->loop); /* pipelined */
    c->trailers = 0;
    hwd_header_drop(&c->hdr);
    hwd_target_free(&c->tgt);
    hw_http_str_set(&c->x->req.source_addr, c->peer, strlen(c->peer));
    return 0;
}

/* llhttp reports a method when it ends, or when a read ends inside it: what a refused
 * method began with in earlier reads is counted here (unknown_method). */
static int on_method(llhttp_t *p, const char *at, size_t n) {
    (void)at;
    struct hwd_conn *c = p->data;
    c->method_bytes += n;
    return 0;
}

/* A target that alone fills header_bytes is 414 (RFC 9110 §15.5.15), as nginx answers a
 * request line longer than its buffer: the client learns it is the URI, not its fields. */
static int on_url(llhttp_t *p, const char *at, size_t n) {
    struct hwd_conn *c = p->data;
    if (too_big(c, n)) return c->error = 414, -1;
    return hwd_append(&c->url, &c->url_len, at, n) ? -1 : 0;
}

/* The header line read so far joins the request's headers; past the last chunk it joins
 * the request's trailers instead, never its headers (there it would slip past guests that
 * read headers, or be taken for the next request's). Trailers count in header_bytes, and
 * in header_count: 16,000 empty lines are 16,000 bytes but a megabyte of field list. */
static int commit_field(struct hwd_conn *c) {
    struct hwd_header_acc *a = &c->hdr;
    if (!hwd_header_pending(a)) return hwd_header_commit(a, NULL); /* nothing to add */
    if (++c->header_lines > c->max_header_lines) {
        c->error = 431;
        return -1;
    }
    /* loose llhttp takes "X A" for a name: 400, as nginx. "X_User" beside the "X-User" an
     * auth guest sets is one variable to a CGI, WSGI, PHP or Rack app: names other than
     * letters, digits and '-' go before anyone reads the request (nginx), or 400. */
    int name = hw_http_field_name_valid(a->field, a->field_len);
    if (!name) return -1;
    if (name != HW_HTTP_NAME_PLAIN && c->header_names != HWD_HEADER_NAMES_PASS) {
        if (c->header_names == HWD_HEADER_NAMES_REJECT) return -1;
        hwd_header_drop(a);
        return 0;
    }
    unsigned once = c->trailers ? 0 : hwd_h1_singleton(a->field, a->field_len);
    if (once & c->singletons) return -1; /* 400 */
    c->singletons |= once;
    return hwd_header_add(a, c->trailers ? &c->x->req.trailers : &c->x->req.headers);
}

static int on_field(llhttp_t *p, const char *at, size_t n) {
    struct hwd_conn *c = p->data;
    if (too_big(c, n) || (c->hdr.in_value && commit_field(c))) return -1;
    return hwd_append(&c->hdr.field, &c->hdr.field_len, at, n);
}

/* An empty name (": v"), which llhttp takes, is refused here (no on_field came for this
 * line if hdr still holds the last one's value); a name that is not a token ("X A",
 * "X-A :") when the line is committed (hwd_header_commit). */
static int on_field_done(llhttp_t *p) {
    struct hwd_conn *c = p->data;
    return c->hdr.in_value || !c->hdr.field_len ? -1 : 0;
}

static int on_value(llhttp_t *p, const char *at, size_t n) {
    struct hwd_conn *c = p->data;
    c->hdr.in_value = 1;
    if (too_big(c, n) || hwd_h1_strict_value(&c->strict, at, n)) return -1;
    return hwd_append(&c->hdr.value, &c->hdr.value_len, at, n);
}

static int on_value_done(llhttp_t *p) {
    struct hwd_conn *c = p->data;
    hwd_h1_strict_value_done(&c->strict);
    return 0;
}

/* Framing as nginx reads it: one Transfer-Encoding line, in HTTP/1.1, saying exactly
 * "chunked", never with a Content-Length (llhttp has refused a list not ending in chunked,
 * and repeated Content-Lengths). 0, or the status to refuse with. */
static int framing_status(const llhttp_t *p, const hw_http_headers *h) {
    int te = p->flags & F_TRANSFER_ENCODING ? hwd_h1_transfer_encoding(h) : 0; /* llhttp saw one */
    if (te == 0) return 0;
    if (te == -1 || p->http_minor == 0 || (p->flags & F_CONTENT_LENGTH)) return 400;
    return te == 1 ? 0 : 501;
}

static int on_headers_done(llhttp_t *p) {
    struct hwd_conn *c = p->data;
    hw_http_request *q = &c->x->req;
    if (commit_field(c)) return -1;
    if (p->http_major != 1 || p->http_minor > 1) {
        c->error = 505;
        return -1;
    }
    const char *m = c->ext_len ? c->ext_method : llhttp_method_name((llhttp_method_t)p->method);
    if (hw_http_str_set(&q->method, m, strlen(m)) ||
        hw_http_str_set(&q->protocol, p->http_minor ? "HTTP/1.1" : "HTTP/1.0", 8) ||
        hw_http_str_set(&q->target, c->url_len ? c->url : "/", c->url_len ? c->url_len : 1))
        return -1;
    hwd_append_reset(&c->url, &c->url_len);
    c->head = p->method == HTTP_HEAD;
    /* hwasmd tunnels nothing: an Upgrade request is served as a plain one (Upgrade is
     * hop-by-hop, the app never sees it) and the bytes after it are the next request */
    p->upgrade = 0;
    if (p->method == HTTP_CONNECT || (c->error = framing_status(p, &q->headers)) ||
        (c->error = hwd_target_parse(q, p->http_minor == 1, &c->tgt)))
        return -1;
    /* an encoded '/' (%2F) is 400 here, as the head arrives, unless some route of the
     * current configuration keeps them; which route may take it is decided when the
     * request is served (hwasmd_request.c). The admin listener keeps none. */
    if (c->tgt.slash) {
        struct hwd_config *g = hwd_gen_acquire();
        int keep = !c->admin && g->any_keep_encoded_slashes;
        hwd_gen_release(g);
        if (!keep) return c->error = 400, -1;
    }
    /* what Connection names is this hop's: gone before any guest looks (the framing and
     * the host were read above, and stay) */
    if (hwd_connection_options_drop(&q->headers)) return -1;
    /* what proxies before hwasmd said, believed from a trusted one only */
    if (!c->trusted_peer && hwd_forwarded_strip(&q->headers)) return -1;
    if ((p->flags & F_CONTENT_LENGTH) && p->content_length > c->max_body) {
        c->error = 413;
        return -1;
    }
    int64_t e = hw_http_headers_find(&q->headers, "expect", 6, 0);
    if (e >= 0 && !strcasecmp(q->headers.fields[e].value, "100-continue") && p->http_minor >= 1) {
        static char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        uv_buf_t b = uv_buf_init(cont, sizeof cont - 1);
        uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    }
    return 0;
}

static void body_window(struct hwd_conn *c);

static int on_body(llhttp_t *p, const char *at, size_t n) {
    struct hwd_conn *c = p->data;
    if (c->x->req.body.len + n > c->max_body) {
        c->error = 413;
        return -1;
    }
    /* Request bodies share limits.buffered_bytes with gathered answers: many connections
     * each under body_bytes must not add up to more than the process may hold. */
    if (hwd_budget_take(&c->budget, n)) {
        c->error = 503;
        return -1;
    }
    int chunk_done = (p->flags & F_CHUNKED) && p->content_length == 0;
    if (hwd_h1_strict_body(&c->strict, at, n, chunk_done)) return -1;
    if (hw_http_body_append(&c->x->req.body, at, n)) return -1;
    body_window(c);
    return 0;
}

/* The last chunk (size 0): what follows up to the empty line are trailers. */
static int on_chunk_header(llhttp_t *p) {
    struct hwd_conn *c = p->data;
    c->chunks++;
    if (p->content_length == 0) c->trailers = 1;
    return 0;
}

/* Chunk extensions (";name=value" after a chunk's size) mean nothing to hwasmd and are not
 * forwarded (the body is framed anew), but llhttp reads any amount of them: a client could
 * stream gigabytes within one chunk header, never reaching body_bytes (CVE-2024-22019 in
 * Node.js, which caps them since). They count in header_bytes; past it, 413. */
static int on_chunk_extension(llhttp_t *p, const char *at, size_t n) {
    (void)at;
    struct hwd_conn *c = p->data;
    if (!too_big(c, n)) return 0;
    c->error = 413;
    return -1;
}

/* A value counts as a name does; one followed by another extension needs llhttp helped. */
static int on_chunk_extension_value(llhttp_t *p, const char *at, size_t n) {
    struct hwd_conn *c = p->data;
    return on_chunk_extension(p, at, n) ? -1 : hwd_h1_chunk_ext_value(&c->strict, at, n);
}

/* A chunked body is whole once the request is: the app gets it with a Content-Length
 * (hwd_upstream_head; nginx, buffering it, sends the same), so guests see that framing
 * too, the gathered length and no Transfer-Encoding (they saw "chunked" while the app got
 * a length). A GET or HEAD without a body gets no length, as the app gets none. */
static int gathered_framing(hw_http_request *q) {
    hw_http_headers_remove(&q->headers, "transfer-encoding", 17);
    if (!q->body.len && hwd_h1_lengthless(&q->method)) return 0;
    char len[24];
    int n = snprintf(len, sizeof len, "%zu", q->body.len);
    return hw_http_headers_add(&q->headers, "Content-Length", 14, len, (size_t)n);
}

static int on_done(llhttp_t *p) {
    struct hwd_conn *c = p->data;
    if (commit_field(c)) return -1; /* the last trailer */
    if ((p->flags & F_CHUNKED) && gathered_framing(&c->x->req)) return -1;
    c->keep_alive = !llhttp_should_keep_alive(p) ? 0 : p->http_minor ? 1 : HWD_KEEP_ALIVE_SAID;
    return HPE_PAUSED; /* one request at a time: the rest waits in c->in */
}

static llhttp_settings_t request_settings;
static pthread_once_t request_settings_once = PTHREAD_ONCE_INIT;

static void request_settings_init(void) {
    llhttp_settings_init(&request_settings);
    request_settings.on_message_begin = on_begin;
    request_settings.on_method = on_method;
    request_settings.on_url = on_url;
    request_settings.on_header_field = on_field;
    request_settings.on_header_field_complete = on_field_done;
    request_settings.on_header_value = on_value;
    request_settings.on_header_value_complete = on_value_done;
    request_settings.on_headers_complete = on_headers_done;
    request_settings.on_chunk_header = on_chunk_header;
    request_settings.on_chunk_extension_name = on_chunk_extension;
    request_settings.on_chunk_extension_value = on_chunk_extension_value;
    request_settings.on_body = on_body;
    request_settings.on_message_complete = on_done;
}

/* --- serving --------------------------------------------------------------------------- */

static void parse_more(struct hwd_conn *c);
static void idle_expired(uv_timer_t *t);
static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b);
static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b);

/* When a request under way gets 408: request_timeout_ms after its first byte, or, once
 * its body brought a window's worth (body_window), request_timeout_ms after the last
 * window was full. A head must come whole in time however it trickles (slowloris); an
 * upload may take as long as it keeps moving at body_min_rate (4 MB at 100 KB/s took 40 s
 * and got 408 at 30 s; nginx times only the gaps between reads). A body slower than the
 * rate over any window gets 408. Measured per window, not since the start (Apache's
 * mod_reqtimeout MinRate credits every byte at once: 1 MB sent at once, then a byte a
 * minute, held the connection and its megabyte for 35 minutes). */
static uint64_t request_deadline(const struct hwd_conn *c) {
    return (c->window_ms ? c->window_ms : c->request_start_ms) + c->request_ms;
}

/* body_min_rate's window: request_timeout_ms worth of bytes at that rate (at least one). */
static void body_window(struct hwd_conn *c) {
    if (!c->body_min_rate) return;
    uint64_t quota = (uint64_t)c->body_min_rate * c->request_ms / 1000u;
    if (c->x->req.body.len - c->window_bytes < (quota ? quota : 1)) return;
    c->window_ms = uv_now(c->w->loop);
    c->window_bytes = c->x->req.body.len;
    hwd_conn_idle_restart(c); /* the timer holds the old deadline */
}

void hwd_conn_idle_restart(struct hwd_conn *c) {
    uint64_t ms = c->idle_ms;
    if (c->request_start_ms) { /* a request under way: its own deadline may come first */
        uint64_t now = uv_now(c->w->loop), end = request_deadline(c);
        if (end <= now) ms = 1;
        else if (end - now < ms) ms = end - now;
    }
    uv_timer_start(&c->timer, idle_expired, ms, c->idle_ms);
}

/* The answer is out (status < 0: it could not be): on to the next request, or close. */
static void answered(struct hwd_conn *c, int status) {
    free(c->out);
    c->out = NULL;
    hwd_budget_release(&c->budget);
    if (c->x) {
        exchange_give(c->w, c->x);
        c->x = NULL;
    }
    hwd_target_free(&c->tgt);
    c->busy = 0;
    c->request_start_ms = 0;
    if (status < 0 || !c->keep_alive || __atomic_load_n(&hwd_draining, __ATOMIC_RELAXED)) {
        hwd_conn_close(c);
        return;
    }
    hwd_conn_idle_restart(c);
    if (!c->parsing) parse_more(c); /* else parse_more's own loop goes on */
}

static void written(uv_write_t *wr, int status) {
    answered(wr->data, status);
}

/* A queued answer that the client took nothing of for idle_ms: the client is dropped (as
 * nginx's send_timeout drops it), so its answer, and the request body and gathered bytes it
 * holds in limits.buffered_bytes, are not held for good by a client that never reads. One
 * that reads, however slowly, keeps its connection. */
static void send_stalled(uv_timer_t *t) {
    struct hwd_conn *c = t->data;
    size_t left = uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp);
    if (left < c->send_left) {
        c->send_left = left;
        return;
    }
    hwd_conn_close(c);
}

/* Most answers fit the socket buffer: written at once, in one writev of head, body and
 * what follows it, they spare libuv a write watcher (and the epoll_ctl calls to arm and
 * disarm it). */
void hwd_conn_send(struct hwd_conn *c, char *buf, size_t len, size_t split, const uint8_t *body, size_t body_len) {
    c->out = buf;
    c->out_len = len;
    c->out_split = split;
    c->out_body = body;
    c->out_body_len = body_len;
    uv_buf_t b[3] = {uv_buf_init(buf, (unsigned)split), uv_buf_init((char *)body, (unsigned)body_len),
                     uv_buf_init(buf + split, (unsigned)(len - split))};
    unsigned nb = 3;
    int n = uv_try_write((uv_stream_t *)&c->tcp, b, nb);
    if (n == (int)(len + body_len)) return answered(c, 0);
    if (n < 0 && n != UV_EAGAIN) return answered(c, n);
    uv_buf_t *rest = hwd_bufs_skip(b, &nb, n > 0 ? (size_t)n : 0);
    c->wr.data = c;
    if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, rest, nb, written)) return hwd_conn_close(c);
    c->send_left = uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp);
    uv_timer_start(&c->timer, send_stalled, c->idle_ms, c->idle_ms);
}

/* llhttp's errors for a method it does not know: any other ("FOO"), or one of RTSP's in an
 * HTTP request ("DESCRIBE / HTTP/1.1"). */
static int method_error(const llhttp_t *p, llhttp_errno_t e) {
    const char *why = llhttp_get_error_reason(p);
    return e == HPE_INVALID_METHOD ||
           (e == HPE_INVALID_CONSTANT && why && !strcmp(why, "Invalid method for HTTP/x.x request"));
}

static const char *error_text(const struct hwd_conn *c, int status) {
    switch (status) {
    case 408: return "request timeout\n";
    case 413: return "request body too large\n";
    case 414: return "request target too long\n";
    case 431: return "request headers too large\n";
    case 501: return method_error(&c->parser, llhttp_get_errno(&c->parser)) ? "method not implemented\n"
                                                                           : "transfer coding not implemented\n";
    case 503: return "server busy: too many bytes buffered\n";
    case 505: return "HTTP version not supported\n";
    default: return "bad request\n";
    }
}

/* A request refused before any route has its access log line too (nginx logs its 400, 413
 * and 431): what was read of it, route null. */
static void log_refused(struct hwd_conn *c, const hw_http_response *r) {
    struct hwd_config *g = hwd_gen_acquire();
    if (g->access_log) {
        hw_http_exchange e = {.resp = *r};
        const hw_http_request *q = c->x ? &c->x->req : NULL;
        e.req.source_addr = (hw_http_str){c->peer, (uint32_t)strlen(c->peer)};
        const char *target = q ? q->target.ptr : "", *m = q ? q->method.ptr : "";
        if (c->url_len) { /* refused within the head: the request line as llhttp read it */
            target = c->url;
            m = c->ext_len ? c->ext_method : llhttp_method_name((llhttp_method_t)c->parser.method);
        }
        e.req.method = (hw_http_str){(char *)m, (uint32_t)strlen(m)};
        uint64_t ms = c->request_start_ms ? uv_now(c->w->loop) - c->request_start_ms : 0;
        hwd_access_log(NULL, &e, target, ms * 1000000);
    }
    hwd_gen_release(g);
}

/* An answer made here, not by a chain: errors of the request itself. Closes after. */
static void send_error(struct hwd_conn *c, int status) {
    hw_http_response r = {0};
    hwd_response_simple(&r, status, error_text(c, status));
    if (!c->admin) { /* answered before any route: counted and logged too */
        hwd_stats_refused(status);
        log_refused(c, &r);
    }
    c->keep_alive = 0;
    c->busy = 1;
    size_t len;
    char *out = hwd_response_format(&r, 0, 0, HWD_BODY_WHOLE, &len, NULL, NULL);
    hw_http_headers_free(&r.headers);
    hw_http_body_free(&r.body);
    if (out) hwd_conn_send(c, out, len, len, NULL, 0);
    else hwd_conn_close(c);
}

/* 505 is for a version that is well formed but not 1.0 or 1.1 (HTTP/1.2, HTTP/3.0: llhttp's
 * "Invalid HTTP version"); llhttp gives the same error code to a broken request line
 * ("HTTP/1.1 x", "HTTP/01.1", a bare CR after the version), which is a 400. */
static int unsupported_version(const llhttp_t *p, llhttp_errno_t e) {
    const char *why = llhttp_get_error_reason(p);
    return e == HPE_INVALID_VERSION && why && !strcmp(why, "Invalid HTTP version");
}

static int tchar(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Whether s[0..n), what follows a method, is the rest of a request line, "SP target SP
 * HTTP/d.d CRLF", or the beginning of one (a read may end anywhere): "NOT HTTP AT ALL" is
 * no request with an unknown method but garbage, 400 as nginx answers it. */
static int line_rest_plausible(const char *s, size_t n) {
    size_t i = 0;
    if (i == n) return 1;
    if (s[i++] != ' ') return 0;
    size_t target = i;
    while (i < n && (unsigned char)s[i] > ' ' && s[i] != 0x7f) i++;
    if (i == n) return 1;
    if (i == target || s[i++] != ' ') return 0;
    static const char version[] = "HTTP/d.d\r\n";
    for (size_t k = 0; k < sizeof version - 1; k++, i++) {
        if (i == n) return 1;
        if (version[k] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != version[k]) return 0;
    }
    return 1;
}

/* Whether llhttp refused a well-formed method it does not know: a token (RFC 9110 §9.1)
 * followed by the rest of a request line, or by the end of what came so far. Those of
 * capital letters, '_' and '-' never reach llhttp (method_start); what is left ("get",
 * "M3", 33 letters and more) is not malformed, its method is unimplemented: 501 (RFC 9110
 * §9.1, §15.6.2; Apache httpd answers so). Anything else stays 400: "G@T", a tab after the
 * method, no method. at: where llhttp stopped, inside the method or at its end, within
 * c->in; what llhttp took of the method before it is letters, earlier reads' in
 * c->method_bytes. */
static int unknown_method(const struct hwd_conn *c, llhttp_errno_t e, const char *at) {
    if (!method_error(&c->parser, e)) return 0;
    if (e == HPE_INVALID_CONSTANT) return 1; /* a method llhttp parsed: a token */
    const char *start = at, *end = at, *in_end = c->in + c->in_len;
    while (start > c->in && tchar((unsigned char)start[-1])) start--;
    while (end < in_end && tchar((unsigned char)*end)) end++;
    int method = end > start || (start == c->in && c->method_bytes);
    return method && line_rest_plausible(end, (size_t)(in_end - end));
}

/* At the start of a request: how many of the bytes held llhttp may parse now. An extension
 * method is kept in c->ext_method and llhttp reads GET in its place (hwd_h1_method_scan);
 * while the bytes held may still be the beginning of one, llhttp parses only the empty
 * lines before it (at most HWD_H1_METHOD_MAX bytes wait for the rest). */
static size_t method_start(struct hwd_conn *c) {
    size_t skip, len;
    switch (hwd_h1_method_scan(c->in, c->in_len, &skip, &len)) {
    case HWD_H1_METHOD_MORE: return skip;
    case HWD_H1_METHOD_PARSER: c->ext_len = 0; break;
    case HWD_H1_METHOD_EXTENSION:
        memcpy(c->ext_method, c->in + skip, len);
        c->ext_method[len] = 0;
        c->ext_len = len;
        if (len < 3) { /* "GET" is longer: make room (a read leaves 4 KiB, a parse less) */
            char *n = c->in_cap - c->in_len < 3 ? realloc(c->in, c->in_cap + 3) : c->in;
            if (!n) return c->error = 503, 0;
            if (n != c->in) c->in = n, c->in_cap += 3;
        }
        memmove(c->in + skip + 3, c->in + skip + len, c->in_len - skip - len);
        memcpy(c->in + skip, "GET", 3);
        c->in_len = c->in_len - len + 3;
        break;
    }
    c->at_start = 0;
    return c->in_len;
}

static void parse_more(struct hwd_conn *c) {
    c->parsing = 1;
    while (!c->busy && !c->closing && c->in_len > 0) {
        /* an extension method rewrites c->in first: the strict checks see what llhttp reads */
        size_t n = c->at_start ? method_start(c) : c->in_len;
        if (c->error) {
            c->parsing = 0;
            send_error(c, c->error);
            return;
        }
        if (!n) break; /* the rest of the method is still to come */
        if (hwd_h1_strict_input(&c->strict, c->in, n)) { /* not the CRLF due */
            c->parsing = 0;
            send_error(c, 400);
            return;
        }
        llhttp_errno_t e = hwd_h1_execute(&c->parser, &c->strict, c->in, n);
        size_t used = e == HPE_OK ? n : (size_t)(llhttp_get_error_pos(&c->parser) - c->in);
        if (!c->error && unknown_method(c, e, c->in + used)) c->error = 501; /* before the bytes go */
        memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
        c->wire += used;
        if ((e == HPE_OK || e == HPE_PAUSED) &&
            hwd_h1_wire_over(c->wire, c->max_header, c->x ? c->x->req.body.len : 0, c->chunks))
            e = HPE_USER; /* bytes that mean nothing, and no limit saw: 400 */
        if (e == HPE_OK) break;
        if (e == HPE_PAUSED) c->wire = 0, c->at_start = 1; /* a request is complete: the next one starts */
        if (e != HPE_PAUSED) {
            c->parsing = 0;
            send_error(c, c->error ? c->error : unsupported_version(&c->parser, e) ? 505 : 400);
            return;
        }
        llhttp_resume(&c->parser);
        c->w->handler->serve(c);
    }
    c->parsing = 0;
    if (c->in_len == 0) { /* idle keep-alive connections hold no buffer */
        if (c->in_cap == HWD_READ_BUF && c->w->n_spare_in < HWD_SPARE_READ_BUFS)
            c->w->spare_in[c->w->n_spare_in++] = c->in; /* the worker's, for the next read */
        else
            free(c->in);
        c->in = NULL;
        c->in_cap = 0;
    }
    if (!c->closing && !c->busy) uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
}

/* Requests mostly fit a small buffer, which an idle connection gives back to its worker's
 * spares (a few, freed beyond): 16 KiB stays below glibc's 64 KiB free threshold, above
 * which every free() of it would consolidate the heap. Larger requests double it as they
 * come. */
static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b) {
    struct hwd_conn *c = h->data;
    (void)hint;
    if (!c->in && c->w->n_spare_in) {
        c->in = c->w->spare_in[--c->w->n_spare_in];
        c->in_cap = HWD_READ_BUF;
    }
    if (c->in_cap - c->in_len < 4096) {
        size_t cap = c->in_cap ? c->in_cap * 2 : HWD_READ_BUF;
        char *n = realloc(c->in, cap);
        if (n) {
            c->in = n;
            c->in_cap = cap;
        }
    }
    *b = uv_buf_init(c->in + c->in_len, (unsigned)(c->in_cap - c->in_len));
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
    struct hwd_conn *c = s->data;
    (void)b;
    if (n < 0) {
        /* EOF or error: a request in flight still gets its answer written first (the read
         * restarts after it and sees the EOF again) */
        if (!c->busy) hwd_conn_close(c);
        else uv_read_stop(s);
        return;
    }
    c->in_len += (size_t)n;
    if (c->busy) {
        uv_read_stop(s); /* pipelined: parsed once the current answer is out */
        return;
    }
    /* the next request's first byte, or an empty line before it (llhttp skips those
     * without a callback: each kept the idle timer at bay, for days) */
    if (!c->request_start_ms) c->request_start_ms = uv_now(c->w->loop);
    else if (uv_now(c->w->loop) >= request_deadline(c)) return send_error(c, 408);
    hwd_conn_idle_restart(c);
    parse_more(c);
}

static void idle_expired(uv_timer_t *t) {
    struct hwd_conn *c = t->data;
    if (c->busy) return;
    if (c->request_start_ms) send_error(c, 408); /* a request started and stalled */
    else hwd_conn_close(c);
}

/* A connection on w, not yet reading; the generation current now sets its limits. Returns
 * NULL when out of memory; *open is the number of open connections of its kind (client or
 * admin, each with its own limit), this one included. */
static struct hwd_conn *conn_new(struct hwd_worker *w, int admin, int64_t *open) {
    struct hwd_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->w = w;
    c->admin = admin;
    uv_tcp_init(w->loop, &c->tcp);
    uv_timer_init(w->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    /* admin connections are only ever on worker 0's loop: a plain count there */
    *open = admin ? ++w->admin_conns : __atomic_add_fetch(&hwd_stat_connections, 1, __ATOMIC_RELAXED);
    struct hwd_config *g = hwd_gen_acquire();
    c->max_header = g->max_header_bytes;
    c->max_header_lines = g->max_header_count;
    c->header_names = g->invalid_header_names;
    c->max_body = g->max_body_bytes;
    c->budget.cap = g->buffered_bytes;
    c->max_connections = admin ? g->admin_connections : g->max_connections;
    c->idle_ms = g->idle_timeout_ms;
    c->request_ms = g->request_timeout_ms;
    c->body_min_rate = g->body_min_rate;
    if (admin) { /* probes and scrapes ask and go: 16 idle connections held it 60 s */
        if (c->idle_ms > HWD_ADMIN_IDLE_MS) c->idle_ms = HWD_ADMIN_IDLE_MS;
        if (c->request_ms > HWD_ADMIN_IDLE_MS) c->request_ms = HWD_ADMIN_IDLE_MS;
    }
    hwd_gen_release(g);
    return c;
}

static void conn_start(struct hwd_conn *c) {
    uv_tcp_nodelay(&c->tcp, 1);
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        struct hwd_config *g = hwd_gen_acquire();
        c->trusted_peer = hwd_cidr_match(g->trusted_proxies, g->n_trusted_proxies, (struct sockaddr *)&ss);
        hwd_gen_release(g);
        hwd_peer_name((struct sockaddr *)&ss, c->peer, sizeof c->peer);
    }
    pthread_once(&request_settings_once, request_settings_init);
    llhttp_init(&c->parser, HTTP_REQUEST, &request_settings);
    c->parser.data = c;
    c->at_start = 1;
    hwd_conn_idle_restart(c);
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
}

int hwd_conn_open(struct hwd_worker *w, uv_os_sock_t fd, int admin) {
    int64_t open;
    struct hwd_conn *c = conn_new(w, admin, &open);
    if (!c) return close(fd), UV_ENOMEM;
    int rc = uv_tcp_open(&c->tcp, fd);
    if (rc) {
        close(fd);
        hwd_conn_close(c);
        return rc;
    }
    /* over the limit: accepted only to be closed, so the backlog does not fill up */
    if (open > (int64_t)c->max_connections) hwd_conn_close(c);
    else conn_start(c);
    return 0;
}

void hwd_conn_drain(struct hwd_worker *w) {
    for (struct hwd_conn *c = w->conns; c; c = c->next)
        if (!c->busy) hwd_conn_close(c); /* busy ones close once their answer is written */
}
