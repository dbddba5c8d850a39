/*
 * hwasmd_request.c — one request, from complete to answered, on its worker's loop: the
 * generation current now, the route, the chain walk (guest calls are bounded by their time
 * budget; a busy instance pool and the app are waited for, never blocked on), the answer.
 * When no guest of the chain buffers the response, an app's answer that is still arriving
 * is streamed to the client as it comes (handle_response runs on its head; it may read
 * but not change it), with backpressure both ways. Trailers cross a chain only when all
 * its guests that ask for next enabled them (hwasmd_chain.h), and reach an HTTP/1.1
 * client in a chunked answer (docs/hwasmd.md, "Trailers"). Only admin requests leave the
 * loop, for libuv's thread pool: a reload compiles modules.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwasmd_admin.h"
#include "hwasmd_chain.h"
#include "hwasmd_conn.h"
#include "hwasmd_metrics.h"
#include "hwasmd_request.h"
#include "hwasmd_response.h"
#include "hwasmd_trailers.h"
#include "hwasmd_upstream_conn.h"

/* --- parked requests ---------------------------------------------------------------------- */

/* A request whose guest had no free instance waits in its worker's list, oldest first. A
 * request ending on the worker has returned its instances to the worker's own pool slots
 * (libhwasm keeps them per thread): the oldest parked request then tries again on the
 * next turn of the loop. Instances freed on other workers are found by a retry every
 * PARK_POLL_MS, which also ends the wait after pool_wait_ms. */
#define PARK_POLL_MS 5

static void pool_retry(uv_timer_t *t);

/* Takes c out of its worker's parked requests, if it is there (it is being closed). */
static void hwd_request_unpark(struct hwd_conn *c) {
    if (!c->parked) return;
    struct hwd_worker *w = c->w;
    if (c->park_prev) c->park_prev->park_next = c->park_next;
    else w->parked = c->park_next;
    if (c->park_next) c->park_next->park_prev = c->park_prev;
    else w->parked_tail = c->park_prev;
    c->park_prev = c->park_next = NULL;
    c->parked = 0;
}

static void park(struct hwd_conn *c) {
    struct hwd_worker *w = c->w;
    c->park_prev = w->parked_tail;
    c->park_next = NULL;
    if (w->parked_tail) w->parked_tail->park_next = c;
    else w->parked = c;
    w->parked_tail = c;
    c->parked = 1;
    uv_timer_start(&c->timer, pool_retry, PARK_POLL_MS, 0);
}

static void wake_parked(struct hwd_worker *w) {
    struct hwd_conn *p = w->parked;
    if (!p) return;
    hwd_request_unpark(p);
    uv_timer_start(&p->timer, pool_retry, 0, 0); /* not from inside this request's answer */
}

/* Counted and logged; the request's generation released. */
static void request_end(struct hwd_conn *c) {
    hw_http_exchange *x = c->x;
    if (!c->admin) {
        uint64_t ns = uv_hrtime() - c->t0;
        hwd_stats_request(c->route, x->resp.status, ns);
        if (c->target) hwd_access_log(c->route, x, c->target, ns);
        free(c->target);
        c->target = NULL;
    }
    hwd_gen_release(c->gen);
    c->gen = NULL;
    c->route = NULL;
    wake_parked(c->w);
}

/* Whether the answer's trailers go to the client: they crossed the chain, the client
 * speaks HTTP/1.1 (an HTTP/1.0 one cannot read a chunked body) and there is one to send. */
static int trailers_out(const struct hwd_conn *c) {
    return c->chain.trailers && c->parser.http_minor >= 1 && hwd_trailers_any(&c->x->resp.trailers);
}

/* Whether the connection stays open after this answer, as its head will say: not once the
 * server drains (it closes after the answer; a client told nothing would send its next
 * request into that close, and lose it). */
static int keep_alive_now(struct hwd_conn *c) {
    if (__atomic_load_n(&hwd_draining, __ATOMIC_RELAXED)) c->keep_alive = 0;
    return c->keep_alive;
}

/* The answer is whole in c->x->resp: sent with a Content-Length, or chunked when trailers
 * go with it. */
static void answer(struct hwd_conn *c) {
    request_end(c);
    int64_t more = trailers_out(c) ? HWD_BODY_WHOLE_CHUNKED : HWD_BODY_WHOLE;
    size_t len, split, body_len;
    char *out = hwd_response_format(&c->x->resp, c->head, keep_alive_now(c), more, &len, &split, &body_len);
    if (out) hwd_conn_send(c, out, len, split, c->x->resp.body.data, body_len); /* the body from x: one copy */
    else hwd_conn_close(c);
}

/* --- streaming the app's body ------------------------------------------------------------ */

/* Bytes queued to the client above which the app is not read (c->stream_high, from
 * limits.stream_buffer_bytes) until they drain to a quarter of that: a slow client holds a
 * bounded buffer (that plus one read from the app), not the whole body. */

struct stream_write {
    uv_write_t wr;
    struct hwd_conn *c;
    char data[];
};

/* The client went away or stopped reading for idle_ms: the app's answer is dropped. */
static void stream_fail(struct hwd_conn *c) {
    if (c->stream) hwd_upstream_abort(c->stream);
    c->stream = NULL;
    request_end(c);
    hwd_conn_close(c);
}

static void stream_stalled(uv_timer_t *t) {
    stream_fail(t->data);
}

static void stream_written(uv_write_t *wr, int status) {
    struct stream_write *sw = (struct stream_write *)wr;
    struct hwd_conn *c = sw->c;
    free(sw);
    if (!c->stream) return; /* the answer is over (or dropped) */
    if (status < 0) return stream_fail(c);
    if (c->stream_paused && uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) <= c->stream_high / 4) {
        c->stream_paused = 0;
        uv_timer_stop(&c->timer);
        hwd_upstream_flow(c->stream, 1);
    }
}

/* Queues n bytes for the client, framed as a chunk when chunked. */
static void stream_out(struct hwd_conn *c, const char *p, size_t n, int chunk) {
    char frame[24] = "";
    int fl = chunk ? snprintf(frame, sizeof frame, "%zx\r\n", n) : 0;
    struct stream_write *sw = malloc(sizeof *sw + (size_t)fl + n + 2);
    if (!sw) return stream_fail(c);
    sw->c = c;
    memcpy(sw->data, frame, (size_t)fl);
    memcpy(sw->data + fl, p, n);
    memcpy(sw->data + fl + n, "\r\n", chunk ? 2 : 0);
    uv_buf_t b = uv_buf_init(sw->data, (unsigned)((size_t)fl + n + (chunk ? 2 : 0)));
    if (uv_write(&sw->wr, (uv_stream_t *)&c->tcp, &b, 1, stream_written)) {
        free(sw);
        return stream_fail(c);
    }
    if (!c->stream_paused && uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > c->stream_high) {
        c->stream_paused = 1;
        hwd_upstream_flow(c->stream, 0);
        uv_timer_start(&c->timer, stream_stalled, c->idle_ms, 0);
    }
}

/* The app's body goes on, but never to a client that asked HEAD: a guest may have made the
 * request a GET (a method override), and a body after the head of an answer to HEAD is read
 * as the answer to the client's next request, one the app wrote. */
static void stream_body(void *ctx, const char *p, size_t n) {
    struct hwd_conn *c = ctx;
    if (c->stream && n && !c->head) stream_out(c, p, n, c->chunked);
}

/* The app's head is in x->resp, more body is coming: the guests see the head, then it goes
 * out with the body so far (a guest that failed closed answers instead). */
static int stream_head(void *ctx, struct hwd_upstream_call *call, int64_t remaining) {
    struct hwd_conn *c = ctx;
    hwd_chain_response(&c->chain, 0);
    if (c->chain.is_error) {
        answer(c);
        return -1;
    }
    int http10 = c->parser.http_major == 1 && c->parser.http_minor == 0;
    int64_t more = remaining >= 0 ? remaining : http10 ? HWD_BODY_UNTIL_CLOSE : HWD_BODY_CHUNKED;
    if (more == HWD_BODY_UNTIL_CLOSE) c->keep_alive = 0;
    c->chunked = more == HWD_BODY_CHUNKED;
    size_t len;
    char *head = hwd_response_format(&c->x->resp, c->head, keep_alive_now(c), more, &len, NULL, NULL);
    if (!head) {
        request_end(c);
        hwd_conn_close(c);
        return -1;
    }
    c->stream = call;
    hw_http_body_free(&c->x->resp.body); /* the body so far is in head: no second copy */
    stream_out(c, head, len, 0);
    free(head);
    return 0;
}

static void upstream_done(void *ctx, int status) {
    struct hwd_conn *c = ctx;
    if (!c->stream) {
        hwd_chain_response(&c->chain, status);
        return answer(c);
    }
    /* streamed: the head is out, so an app that failed midway can only be cut short */
    c->stream = NULL;
    if (c->stream_paused) uv_timer_stop(&c->timer);
    c->stream_paused = 0;
    request_end(c);
    if (status) return hwd_conn_close(c);
    struct hwd_buf b = {0};
    hw_http_headers none = {0};
    if (c->chunked && !c->head) hwd_trailers_last_chunk(&b, trailers_out(c) ? &c->x->resp.trailers : &none);
    else hwd_buf_put(&b, "", 0);
    size_t len;
    char *out = hwd_buf_take(&b, &len);
    if (out) hwd_conn_send(c, out, len, len, NULL, 0); /* after the queued body, in order */
    else hwd_conn_close(c);
}

/* Streaming is for chains whose guests all leave the response body alone, and do not
 * read trailers (which come after the body, once handle_response has run on the head). */
static int streamable(const struct hwd_chain *ch) {
    for (uint32_t i = 0; i < ch->n_pinned; i++)
        if (hw_http_call_features(ch->calls[i]) & (HTTP_FEATURE_BUFFER_RESPONSE | HTTP_FEATURE_TRAILERS)) return 0;
    return 1;
}

/* --- the walk ----------------------------------------------------------------------------- */

/* Walks the chain as far as it goes now: to the app, to the answer, or to the parked list. */
static void walk(struct hwd_conn *c) {
    switch (hwd_chain_request(&c->chain, uv_now(c->w->loop))) {
    case HWD_CHAIN_BUSY:
        return park(c);
    case HWD_CHAIN_ANSWERED:
        hwd_chain_response(&c->chain, 0);
        return answer(c);
    case HWD_CHAIN_UPSTREAM: {
        static const struct hwd_upstream_hooks whole = {.done = upstream_done};
        static const struct hwd_upstream_hooks streamed = {.done = upstream_done, .stream = stream_head,
                                                           .body = stream_body};
        /* request trailers no guest of the chain could see never reach the app */
        if (!c->chain.trailers) hw_http_headers_clear(&c->x->req.trailers);
        return hwd_upstream_send(c->w, c->route->up, c->x, streamable(&c->chain) ? &streamed : &whole, c,
                                 &c->budget);
    }
    }
}

static void pool_retry(uv_timer_t *t) {
    hwd_request_unpark(t->data);
    walk(t->data);
}

static void admin_work(uv_work_t *w) {
    struct hwd_conn *c = w->data;
    hwd_admin_serve(c->gen, c->x);
}

static void admin_done(uv_work_t *w, int status) {
    (void)status;
    answer(w->data);
}

static void answer_oom(struct hwd_conn *c) {
    hwd_response_simple(&c->x->resp, 500, "out of memory\n");
    answer(c);
}

/* Whether a path with an encoded '/' (c->tgt.slash) is refused (400): it may take only a
 * route with encoded_slashes: keep, and only one its two readings choose alike, %2F an
 * ordinary byte (what routes match) and %2F a '/' (what an app that decodes it first
 * sees). So "/api%2Fadmin" is 400 next to a route /api/admin, whichever route would take
 * it read as one segment: an app that decodes %2F must not reach /api/admin past its
 * chain. */
static int slash_refused(struct hwd_conn *c) {
    if (!c->route || !c->route->keep_encoded_slashes) return 1;
    struct hwd_target d = c->tgt;
    d.path = d.slash_path;
    d.path_len = d.slash_len;
    return hwd_route_find(c->gen, &d, &c->x->req) != c->route;
}

/* A complete request: the generation current now serves it to the end. Its target was
 * read when its head arrived (c->tgt, hwasmd_target.c): routes match that reading. */
static void hwd_serve_request(struct hwd_conn *c) {
    hw_http_exchange *x = c->x;
    c->busy = 1;
    c->chain.trailers = 0; /* until a chain walk says otherwise (none for admin, 404) */
    uv_timer_stop(&c->timer);
    c->gen = hwd_gen_acquire();
    c->budget.cap = c->gen->buffered_bytes;
    c->stream_high = c->gen->stream_buffer_bytes;
    if (c->admin) {
        if (hwd_target_forward(&x->req, &c->tgt, 0)) return answer_oom(c);
        if (!hwd_admin_slow(x)) { /* probes and scrapes answer on the loop, at once */
            hwd_admin_serve(c->gen, x);
            return answer(c);
        }
        c->work.data = c;
        if (uv_queue_work(c->w->loop, &c->work, admin_work, admin_done)) answer(c);
        return;
    }
    c->t0 = uv_hrtime();
    /* the log shows what the client asked for, not what guests rewrote */
    c->target = c->gen->access_log ? strdup(x->req.target.ptr) : NULL;
    c->route = hwd_route_find(c->gen, &c->tgt, &x->req);
    int refused = c->tgt.slash && slash_refused(c);
    if (refused) c->route = NULL; /* logged as refused before any route, as at the head */
    /* from here on the target is what the guests and the app get: origin-form, and the
     * normalised path if so configured */
    if (hwd_target_forward(&x->req, &c->tgt, c->gen->forward_normalized_path)) return answer_oom(c);
    if (refused) {
        hwd_response_simple(&x->resp, 400, "encoded slash\n");
        return answer(c);
    }
    if (!c->route) {
        hwd_response_simple(&x->resp, 404, "no route\n");
        return answer(c);
    }
    hwd_chain_init(&c->chain, c->route, x);
    walk(c);
}

const struct hwd_conn_handler hwd_request_handler = {hwd_serve_request, hwd_request_unpark};
