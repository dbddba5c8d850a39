/*
 * hwasmd_conn.h — a client connection, shared by the file that reads requests and writes
 * answers (hwasmd_conn.c) and the one that serves each request (hwasmd_request.c).
 *
 * A connection's life. There is no state field: the state is the combination of flags on
 * the right. Each arrow names the function that makes the move; "timer" is what c->timer
 * means while in that state.
 *
 *            conn_start
 *                |
 *                v
 *   +-------> IDLE            !busy, request_start_ms == 0 (no byte of a next request
 *   |            |            yet); reading. timer: idle timeout (idle_expired: close),
 *   |            |            restarted by hwd_conn_idle_restart on every read
 *   |            | read_cb (any byte, an empty line too: request_start_ms) -> parse_more
 *   |            v            (llhttp on_begin allocates x)
 *   |         PARSING         !busy, request_start_ms != 0; reading. timer: the idle
 *   |            |            timeout or the request's deadline (request_deadline:
 *   |            |            request_timeout_ms, more as its body comes), whichever comes
 *   |            |            first (hwd_conn_idle_restart, on each read); idle_expired here
 *   |            |            answers 408.
 *   |            |            c->parsing is 1 only inside parse_more's loop (a guard
 *   |            |            against re-entering it, not a state of its own).
 *   |            |            A parse error or limit: send_error (busy = 1,
 *   |            |            keep_alive = 0) -> SENDING -> CLOSING.
 *   |            | parse_more -> w->handler->serve = hwd_serve_request (on_done paused llhttp)
 *   |            v
 *   |         SERVING         busy = 1; reads stop once more bytes arrive (pipelined
 *   |            |            bytes wait in c->in). timer: stopped by hwd_serve_request;
 *   |            |            while a guest's pool is busy, the one-shot pool_retry
 *   |            |            (walk again). Waiting for the app: no timer here (the
 *   |            |            upstream call has its own timeout). Admin requests run on
 *   |            |            libuv's thread pool (admin_work), no timer.
 *   |            |\
 *   |            | \ stream_head (the app's answer is still arriving, chain streamable)
 *   |            |  v
 *   |            | STREAMING  busy = 1, stream != NULL, stream_paused = 0. timer: stopped.
 *   |            |  |   ^
 *   |            |  |   | stream_written (queue down to stream_high / 4): hwd_upstream_flow on,
 *   |            |  v   | timer stopped
 *   |            | PAUSED     busy = 1, stream != NULL, stream_paused = 1 (stream_out: queue
 *   |            |  |         above stream_high; the app is not read). timer: one-shot
 *   |            |  |         stream_stalled after idle_ms -> stream_fail -> CLOSING.
 *   |            |  | upstream_done (stream = NULL, stream_paused = 0, timer stopped)
 *   |            v  v
 *   |         SENDING         busy = 1, out != NULL (answer() or upstream_done's last
 *   |            |            chunk); hwd_conn_send writes it. timer: when the write is
 *   |            |            queued, send_stalled every idle_ms: closes unless the queue
 *   |            |            shrank since its last look (-> CLOSING); else stopped (after
 *   |            |            send_error the idle timer may still run: idle_expired
 *   |            |            ignores a busy connection).
 *   |            | written / hwd_conn_send -> answered (busy = 0, x freed)
 *   |            |
 *   +------------+ keep_alive and not draining: hwd_conn_idle_restart, parse_more on
 *                |                            what was pipelined
 *                | else (or: a write error, a stream failure, the client's EOF or a
 *                v       read error while not busy, hwd_conn_drain on a connection not
 *                        busy, an accept over max_connections)
 *             CLOSING         closing = 1 (hwd_conn_close; every path above ends here).
 *                             timer: stopped, then closed after the socket (closed ->
 *                             timer_closed frees c).
 */
#ifndef HWASMD_CONN_H
#define HWASMD_CONN_H

#include <uv.h>

#include "hwasmd_budget.h"
#include "hwasmd_chain.h"
#include "hwasmd_http1.h"
#include "hwasmd_target.h"
#include "hwasmd_workers.h"
#include "llhttp.h"

struct hwd_upstream_call;

struct hwd_conn {
    uv_tcp_t tcp;
    /* one timer, four jobs: the idle timeout while no request is being served; while one
     * is, the retry of a chain whose guest had no free instance, the deadline of a client
     * that stopped reading a streamed answer, or of one that takes nothing of a queued
     * answer (send_left: what was still queued at its last check) */
    uv_timer_t timer;
    uv_work_t work;
    uv_write_t wr;
    struct hwd_worker *w;
    struct hwd_conn *prev, *next; /* in w->conns */
    llhttp_t parser;
    char *in; /* received, not yet parsed */
    size_t in_len, in_cap;
    hw_http_exchange *x; /* the request being parsed or served */
    struct hwd_header_acc hdr;
    struct hwd_h1_strict strict; /* what loose llhttp lets through, checked across reads */
    struct hwd_target tgt;       /* the path and host routes see, from the head on */
    int trailers;                /* past the last chunk: header lines are trailers */
    char *url;
    size_t url_len, header_bytes;
    uint32_t header_lines;       /* header and trailer lines so far */
    uint64_t wire, chunks;       /* the request's bytes parsed so far, its chunks so far */
    size_t method_bytes;         /* of its method, reported by llhttp so far (on_method) */
    int at_start;                /* the next bytes begin a request: its method is scanned */
    size_t ext_len;              /* an extension method (hwd_h1_method_scan), else 0 */
    char ext_method[HWD_H1_METHOD_MAX + 1];
    size_t max_header, max_body; /* from the generation current at accept time */
    uint32_t max_header_lines;
    enum hwd_header_names header_names; /* what becomes of "X_User" (hwasmd.h) */
    int trusted_peer;    /* the client is a trusted proxy (trusted_proxies) */
    unsigned singletons; /* the request's fields that must not come again (hwd_h1_singleton) */
    uint32_t idle_ms, request_ms, max_connections, body_min_rate;
    uint64_t request_start_ms; /* loop time of the next request's first byte (empty lines
                                  before it count), 0 while none has come */
    uint64_t window_ms, window_bytes; /* when the body last brought a window's worth, its
                                         length then (request_deadline) */
    int busy, closing, keep_alive, head, error, admin;
    int parsing; /* in parse_more's loop: an answer sent at once must not re-enter it */
    /* while serving: the request's generation, route, chain walk, start, logged target */
    struct hwd_config *gen;
    const struct hwd_route *route;
    struct hwd_chain chain;
    uint64_t t0;
    char *target;
    struct hwd_upstream_call *stream; /* the app's answer being streamed to the client */
    int chunked, stream_paused;       /* its framing; the app is not read meanwhile */
    size_t stream_high;               /* pause above this many bytes queued to the client */
    char peer[64];
    /* the answer on its way: out[0..out_split), then out_body (the exchange's own body,
     * sent without a copy), then out[out_split..out_len) (hwd_conn_send) */
    char *out;
    size_t out_len, out_split, send_left;
    const uint8_t *out_body;
    size_t out_body_len;
    struct hwd_budget budget; /* the request body's and the gathered answer's bytes, held until answered */
    /* parked: its chain waits for a guest instance, in w->parked (hwasmd_request.c) */
    int parked;
    struct hwd_conn *park_prev, *park_next;
};

/* Closes the connection (its memory goes once libuv is done with both handles). */
void hwd_conn_close(struct hwd_conn *c);
/* Writes buf (len bytes, malloc'd; c owns it from here), the request's last bytes, with
 * body_len bytes of body (which must outlive the write: the exchange's) inserted at
 * split; once written the connection reads on or closes. */
void hwd_conn_send(struct hwd_conn *c, char *buf, size_t len, size_t split, const uint8_t *body, size_t body_len);
void hwd_conn_idle_restart(struct hwd_conn *c);
/* Serves a connected stream socket on w's loop: one a listener accepted (admin: the admin
 * listener's), or any other (the fuzz harness passes one end of a socketpair). Closed at
 * once when its kind's connection limit is reached. 0, or a libuv error, the socket being
 * closed then. */
int hwd_conn_open(struct hwd_worker *w, uv_os_sock_t fd, int admin);
/* Closes the loop's idle client connections (draining: busy ones close after answering). */
void hwd_conn_drain(struct hwd_worker *w);

#endif /* HWASMD_CONN_H */
