/*
 * hwasmd_request.c — one request, from complete to answered, on its worker's loop: the
 * generation current now, the route, the chain walk (guest calls are bounded by their time
 * budget; a busy instance pool and the app are waited for, never blocked on), the answer.
 * When no guest of the chain buffers the response, an app's answer that is still arriving
 * is streamed to the client as it comes (handle_response runs on its head; it may read
 * but not change it), with backpressure both ways. Only admin requests leave the loop, for
 * libuv's thread pool: a reload compiles modules.
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
#include "hwasmd_upstream_conn.h"

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
}

/* The answer is whole in c->x->resp. */
static void answer(struct hwd_conn *c) {
    request_end(c);
    c->out = hwd_response_format(&c->x->resp, c->head, c->keep_alive, HWD_BODY_WHOLE, &c->out_len);
    /* the body is in c->out now: a slow client holds one copy of it, not two */
    hw_http_body_free(&c->x->resp.body);
    if (c->out) hwd_conn_send(c);
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

static void stream_body(void *ctx, const char *p, size_t n) {
    struct hwd_conn *c = ctx;
    if (c->stream && n) stream_out(c, p, n, c->chunked);
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
    char *head = hwd_response_format(&c->x->resp, c->head, c->keep_alive, more, &len);
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
    c->out = strdup(c->chunked ? "0\r\n\r\n" : "");
    c->out_len = strlen(c->out ? c->out : "");
    if (c->out) hwd_conn_send(c); /* after the queued body, in order */
    else hwd_conn_close(c);
}

/* Streaming is for chains whose guests all leave the response body alone. */
static int streamable(const struct hwd_chain *ch) {
    for (uint32_t i = 0; i < ch->n_pinned; i++)
        if (hw_http_call_features(ch->calls[i]) & HTTP_FEATURE_BUFFER_RESPONSE) return 0;
    return 1;
}

/* --- the walk ----------------------------------------------------------------------------- */

static void pool_retry(uv_timer_t *t);

/* Walks the chain as far as it goes now: to the app, to the answer, or to a retry timer. */
static void walk(struct hwd_conn *c) {
    switch (hwd_chain_request(&c->chain, uv_now(c->w->loop))) {
    case HWD_CHAIN_BUSY:
        uv_timer_start(&c->timer, pool_retry, 1, 0);
        return;
    case HWD_CHAIN_ANSWERED:
        hwd_chain_response(&c->chain, 0);
        return answer(c);
    case HWD_CHAIN_UPSTREAM: {
        static const struct hwd_upstream_hooks whole = {.done = upstream_done};
        static const struct hwd_upstream_hooks streamed = {.done = upstream_done, .stream = stream_head,
                                                           .body = stream_body};
        return hwd_upstream_send(c->w, c->route->up, c->x, streamable(&c->chain) ? &streamed : &whole, c,
                                 &c->budget);
    }
    }
}

static void pool_retry(uv_timer_t *t) {
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

/* A complete request: the generation current now serves it to the end. Its target was
 * read when its head arrived (c->tgt, hwasmd_target.c): routes match that reading. */
void hwd_serve_request(struct hwd_conn *c) {
    hw_http_exchange *x = c->x;
    c->busy = 1;
    uv_timer_stop(&c->timer);
    c->gen = hwd_gen_acquire();
    c->budget.cap = c->gen->buffered_bytes;
    c->stream_high = c->gen->stream_buffer_bytes;
    if (c->admin) {
        if (hwd_target_forward(&x->req, &c->tgt, 0)) return answer_oom(c);
        c->work.data = c;
        if (uv_queue_work(c->w->loop, &c->work, admin_work, admin_done)) answer(c);
        return;
    }
    c->t0 = uv_hrtime();
    /* the log shows what the client asked for, not what guests rewrote */
    c->target = c->gen->access_log ? strdup(x->req.target.ptr) : NULL;
    c->route = hwd_route_find(c->gen, &c->tgt, &x->req);
    /* from here on the target is what the guests and the app get: origin-form, and the
     * normalised path if so configured */
    if (hwd_target_forward(&x->req, &c->tgt, c->gen->forward_normalized_path)) return answer_oom(c);
    if (!c->route) {
        hwd_response_simple(&x->resp, 404, "no route\n");
        return answer(c);
    }
    hwd_chain_init(&c->chain, c->route, x);
    walk(c);
}

