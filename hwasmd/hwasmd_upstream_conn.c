/*
 * hwasmd_upstream_conn.c — moving a request to the app and its answer back without ever
 * blocking the worker's loop: libuv connects (an app's name looked up in its thread pool,
 * what it found kept for the worker's next connections a few seconds), writes and reads;
 * a timer bounds each wait for the app (504). An answer whose body is still coming after a
 * read may be streamed to the client instead of gathered (the sender decides), with
 * backpressure from the client.
 * Connections the app keeps alive wait in the worker's own pool, in a set per upstream
 * name, so workers never share a socket or a lock. A pooled connection the app closed
 * meanwhile fails before any byte of answer; such a request gets one more try on a fresh
 * connection if its method is idempotent (the app may have acted on it before closing).
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "hwasmd_buf.h"
#include "hwasmd_metrics.h"
#include "hwasmd_upstream_conn.h"
#include "hwasmd_workers.h"

/* One connection to the app: idle in a pool, or carrying one request. */
struct upconn {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    uv_timer_t timer; /* the request's deadline */
    uv_connect_t connect;
    uv_write_t write;
    struct hwd_upstream_pool *pool;
    struct idle_set *set; /* where it waits when idle: its upstream's */
    struct upconn *next;  /* in that set's idle list, or its list waiting for a lookup */
    struct hwd_upstream_call *call; /* NULL while idle */
    struct addrinfo *addrs, *addr; /* while connecting over TCP: all candidates, this one */
    int reused, answered;          /* answered: some bytes of a reply arrived */
    int writing;                   /* the request is not all written yet */
    int reading;                   /* reading started (it never stops, but for backpressure) */
    int waiting;                   /* in set->waiting (or set->serving), for the name's lookup */
    struct hwd_reply reply;
};

/* One request on its way to the app and back. */
struct hwd_upstream_call {
    const struct hwd_upstream_hooks *hooks;
    void *ctx;
    struct upconn *uc; /* the connection carrying it */
    hw_http_exchange *x;
    struct hwd_upstream *up;
    struct hwd_worker *w;
    char *head;              /* the request as the app gets it: head, then body, then tail */
    size_t head_len, body_len, tail_len; /* the tail follows the head in its buffer */
    const uint8_t *body;
    int head_method;         /* HEAD: the answer has no body */
    struct idle_set *set;
    int retried, streaming;
    int idempotent; /* RFC 9110 §9.2.2: sending it twice means what sending it once does */
    struct hwd_budget *budget; /* the sender's, for the bytes gathered */
};

/* The idle connections to one upstream, by name: they outlive a reload that keeps it. Its
 * host's name is looked up here, once for every connection that needs it meanwhile: the
 * lookup belongs to the name, not to a connection, so a connection that gives up (its
 * deadline, its client gone) leaves the list and the others still get the answer. */
struct idle_set {
    char *key;
    struct upconn *head;
    uint32_t n;
    struct addrinfo *addrs; /* the host's addresses as last looked up (a name), or NULL */
    uint64_t addrs_ms;      /* when, in loop time */
    uv_getaddrinfo_t lookup; /* in libuv's thread pool while looking */
    int looking;
    struct upconn *waiting; /* new connections waiting for that lookup */
    struct upconn *serving; /* those its answer is being given to (looked_up) */
    struct idle_set *next;
};

/* How long a name's addresses serve new connections before it is looked up again: Envoy's
 * default DNS refresh rate. An app that moves (a container restarted) is found within it;
 * meanwhile new connections make no lookup, and a burst of them before the first answer
 * one between them. */
#define NAME_TTL_MS 5000

/* A worker's idle app connections and its read buffer: replies are parsed as they arrive,
 * so one buffer serves every connection of the loop. */
struct hwd_upstream_pool {
    struct idle_set *sets; /* a few: one per upstream name ever used */
    char buf[65536];
};

/* The worker's set for upstream name key, made on first use; NULL when out of memory. */
static struct idle_set *idle_set_of(struct hwd_worker *w, const char *key) {
    if (!w->upstream_pool && !(w->upstream_pool = calloc(1, sizeof *w->upstream_pool))) return NULL;
    struct idle_set *set = w->upstream_pool->sets;
    while (set && strcmp(set->key, key)) set = set->next;
    if (set) return set;
    if (!(set = calloc(1, sizeof *set)) || !(set->key = strdup(key))) {
        free(set);
        return NULL;
    }
    set->next = w->upstream_pool->sets;
    w->upstream_pool->sets = set;
    return set;
}

/* Address lists hwasmd owns (a connection's candidates, a name's cached ones) are copies of
 * what getaddrinfo returned: one block per entry, no canonical name. */
static void addrs_free(struct addrinfo *a) {
    while (a) {
        struct addrinfo *next = a->ai_next;
        free(a);
        a = next;
    }
}

/* A copy of a; NULL when out of memory (or a is empty). */
static struct addrinfo *addrs_copy(const struct addrinfo *a) {
    struct addrinfo *head = NULL, **tail = &head;
    for (; a; a = a->ai_next) {
        struct addrinfo *n = malloc(sizeof *n + a->ai_addrlen);
        if (!n) {
            addrs_free(head);
            return NULL;
        }
        *n = *a;
        n->ai_canonname = NULL;
        n->ai_next = NULL;
        n->ai_addr = memcpy(n + 1, a->ai_addr, a->ai_addrlen);
        *tail = n;
        tail = &n->ai_next;
    }
    return head;
}

/* After the worker's loop has ended: no lookup is out (a lookup keeps the loop alive). */
void hwd_upstream_free(struct hwd_worker *w) {
    struct hwd_upstream_pool *p = w->upstream_pool;
    while (p && p->sets) {
        struct idle_set *set = p->sets;
        p->sets = set->next;
        addrs_free(set->addrs);
        free(set->key);
        free(set);
    }
    free(p);
    w->upstream_pool = NULL;
}

static void upconn_freed(uv_handle_t *h) {
    struct upconn *uc = h->data;
    hwd_reply_free(&uc->reply);
    addrs_free(uc->addrs);
    free(uc);
}

/* The timer goes second: the connection is freed once both handles are closed. */
static void upconn_stream_closed(uv_handle_t *h) {
    struct upconn *uc = h->data;
    uv_close((uv_handle_t *)&uc->timer, upconn_freed);
}

static void upconn_close(struct upconn *uc) {
    uv_timer_stop(&uc->timer);
    if (uc->waiting) { /* the lookup goes on for the others */
        struct upconn **at = &uc->set->waiting;
        while (*at && *at != uc) at = &(*at)->next;
        if (!*at)
            for (at = &uc->set->serving; *at != uc; at = &(*at)->next) continue;
        *at = uc->next;
        uc->waiting = 0;
    }
    /* already closing between two addresses: reconnect() sees no call and finishes */
    if (!uv_is_closing(&uc->h.handle)) uv_close(&uc->h.handle, upconn_stream_closed);
}

static void call_end(struct hwd_upstream_call *call, int status) {
    if (status && status != 503) /* 503: buffered_bytes was full, not the app's fault */
        __atomic_fetch_add(&call->up->errors, 1, __ATOMIC_RELAXED);
    const struct hwd_upstream_hooks *hooks = call->hooks;
    void *ctx = call->ctx;
    free(call->head);
    free(call);
    hooks->done(ctx, status);
}

static void attempt(struct hwd_upstream_call *call);

/* The connection failed this request: status to answer, or -1 "before any answer". */
static void upconn_fail(struct upconn *uc, int status) {
    struct hwd_upstream_call *call = uc->call;
    uc->call = NULL;
    upconn_close(uc);
    /* A pooled connection the app closed while idle fails before any answer: the request
     * goes once more on a fresh one. But the app may have acted on it and died before
     * answering: only a request that may be sent twice is (a POST was, and an app that
     * crashed mid-request saw the order twice; nginx sends POST, PATCH and LOCK once). */
    if (status < 0 && uc->reused && !call->retried && call->idempotent) {
        call->retried = 1;
        attempt(call);
        return;
    }
    call_end(call, status < 0 ? 502 : status);
}

/* --- the pool ---------------------------------------------------------------------------- */

/* An idle connection must stay silent: EOF or stray bytes end it. */
static void idle_ended(struct upconn *uc) {
    for (struct upconn **at = &uc->set->head; *at; at = &(*at)->next)
        if (*at == uc) {
            *at = uc->next;
            uc->set->n--;
            break;
        }
    upconn_close(uc);
}

static void alloc_buf(uv_handle_t *h, size_t hint, uv_buf_t *b) {
    struct upconn *uc = h->data;
    (void)hint;
    *b = uv_buf_init(uc->pool->buf, sizeof uc->pool->buf);
}

static void pool_put(struct upconn *uc) {
    struct idle_set *set = uc->set;
    if (set->n >= HWD_POOL_IDLE || __atomic_load_n(&hwd_draining, __ATOMIC_RELAXED)) {
        upconn_close(uc);
        return;
    }
    hwd_reply_trim(&uc->reply);
    uc->next = set->head;
    set->head = uc;
    set->n++;
}

static struct upconn *pool_take(struct idle_set *set) {
    struct upconn *uc = set->head;
    if (uc) {
        set->head = uc->next;
        set->n--;
    }
    return uc;
}

void hwd_upstream_drain(struct hwd_worker *w) {
    for (struct idle_set *set = w->upstream_pool ? w->upstream_pool->sets : NULL; set; set = set->next)
        while (set->head) upconn_close(pool_take(set));
}

/* --- one exchange ------------------------------------------------------------------------ */

static void body_to_sender(void *ctx, const char *p, size_t n) {
    struct hwd_upstream_call *call = ctx;
    call->hooks->body(call->ctx, p, n);
}

static void body_dropped(void *ctx, const char *p, size_t n) {
    (void)ctx, (void)p, (void)n;
}

/* The head is in and more body is coming: offer the sender to stream the rest. 0 when the
 * call goes on (streaming), -1 when it ended here. */
static int stream_start(struct upconn *uc) {
    struct hwd_upstream_call *call = uc->call;
    if (hwd_reply_merge(&uc->reply, call->x)) {
        upconn_fail(uc, 502);
        return -1;
    }
    call->streaming = 1;
    uc->reply.sink = body_to_sender;
    uc->reply.sink_ctx = call;
    if (call->hooks->stream(call->ctx, call, hwd_reply_remaining(&uc->reply)) == 0) return 0;
    hwd_upstream_abort(call);
    return -1;
}

/* A short rest of known length is about to arrive: gathering it makes one write to the
 * client instead of three. Bodies of unknown length (event streams, say) always stream. */
static int worth_streaming(const struct hwd_reply *r) {
    int64_t rest = hwd_reply_remaining(r);
    return rest < 0 || rest > 65536;
}

static void reply_read(struct upconn *uc, ssize_t n, const uv_buf_t *b) {
    int rc;
    if (n < 0) {
        /* a connection the app closed before answering: retryable if it was a pooled one */
        if (!uc->answered) return upconn_fail(uc, -1);
        rc = n == UV_EOF ? hwd_reply_eof(&uc->reply) : -1;
    } else {
        uc->answered = 1;
        uv_timer_again(&uc->timer); /* the deadline is for each wait on the app */
        rc = hwd_reply_feed(&uc->reply, b->base, (size_t)n);
        if (!uc->call) return; /* the sender aborted from body() */
    }
    struct hwd_upstream_call *call = uc->call;
    if (rc == 0 && uc->reply.head_done && !call->streaming && call->hooks->stream && worth_streaming(&uc->reply) &&
        stream_start(uc))
        return;
    if (rc == 0) return;
    if (rc < 0) return upconn_fail(uc, uc->reply.over_budget ? 503 : 502);
    uc->call = NULL;
    uv_timer_stop(&uc->timer);
    int status = call->streaming ? hwd_reply_merge_trailers(&uc->reply, call->x) : hwd_reply_merge(&uc->reply, call->x);
    /* an app may answer before reading all of the request: then the socket is done */
    if (uc->reply.keep_alive && n > 0 && !uc->writing) pool_put(uc);
    else upconn_close(uc);
    call_end(call, status);
}

/* A connection reads all its life, idle or not: stopping and restarting a read costs
 * epoll_ctl calls on every request. */
static void upconn_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
    struct upconn *uc = s->data;
    if (n == 0) return;
    if (uc->call) reply_read(uc, n, b);
    else idle_ended(uc);
}

void hwd_upstream_flow(struct hwd_upstream_call *call, int on) {
    struct upconn *uc = call->uc;
    if (on) {
        uv_timer_again(&uc->timer);
        uv_read_start(&uc->h.stream, alloc_buf, upconn_read);
    } else {
        uv_timer_stop(&uc->timer); /* a slow client is not the app's fault */
        uv_read_stop(&uc->h.stream);
    }
    uc->reading = on;
}

void hwd_upstream_abort(struct hwd_upstream_call *call) {
    struct upconn *uc = call->uc;
    uc->call = NULL;
    uc->reply.sink = body_dropped; /* the rest of the read being parsed */
    upconn_close(uc);
    free(call->head);
    free(call);
}

static void written(uv_write_t *wr, int status) {
    struct upconn *uc = wr->data;
    uc->writing = 0;
    if (status < 0 && uc->call) upconn_fail(uc, -1);
}

static void timed_out(uv_timer_t *t) {
    upconn_fail(t->data, 504);
}

/* Sends the call's request on a connected uc and waits for the answer. */
static void exchange(struct upconn *uc, struct hwd_upstream_call *call) {
    uc->call = call;
    call->uc = uc;
    uc->answered = 0;
    hwd_reply_init(&uc->reply, call->head_method, call->up, call->budget);
    uv_buf_t bufs[3] = {uv_buf_init(call->head, (unsigned)call->head_len)};
    unsigned nbufs = 1;
    if (call->body_len) bufs[nbufs++] = uv_buf_init((char *)call->body, (unsigned)call->body_len);
    if (call->tail_len) bufs[nbufs++] = uv_buf_init(call->head + call->head_len, (unsigned)call->tail_len);
    size_t total = call->head_len + call->body_len + call->tail_len;
    if (!uc->reading && uv_read_start(&uc->h.stream, alloc_buf, upconn_read)) return upconn_fail(uc, -1);
    uc->reading = 1;
    /* written at once, most requests spare libuv a write watcher (and its epoll_ctl calls) */
    int n = uv_try_write(&uc->h.stream, bufs, nbufs);
    if (n >= 0 && (size_t)n == total) return;
    if (n < 0 && n != UV_EAGAIN) return upconn_fail(uc, -1);
    uv_buf_t *rest = hwd_bufs_skip(bufs, &nbufs, n > 0 ? (size_t)n : 0);
    uc->write.data = uc;
    uc->writing = 1;
    if (uv_write(&uc->write, &uc->h.stream, rest, nbufs, written)) return upconn_fail(uc, -1);
}

static void connected(uv_connect_t *req, int status);

static void connect_next(struct upconn *uc) {
    uc->connect.data = uc;
    if (uv_tcp_connect(&uc->connect, &uc->h.tcp, uc->addr->ai_addr, connected)) upconn_fail(uc, 502);
}

/* The socket of a refused address is closed: the next address gets a new one, unless the
 * request timed out meanwhile. */
static void reconnect(uv_handle_t *h) {
    struct upconn *uc = h->data;
    if (!uc->call) return upconn_stream_closed(h);
    uv_tcp_init(uc->call->w->loop, &uc->h.tcp);
    uc->h.handle.data = uc;
    connect_next(uc);
}

static void connected(uv_connect_t *req, int status) {
    struct upconn *uc = req->data;
    if (status == UV_ECANCELED) return; /* closed meanwhile (timeout) */
    if (status < 0 && uc->addr && uc->addr->ai_next) {
        /* e.g. "localhost" as ::1 first while the app listens on 127.0.0.1 only */
        uc->addr = uc->addr->ai_next;
        return uv_close(&uc->h.handle, reconnect);
    }
    if (status < 0) {
        /* none of a name's addresses answers: the app may have moved; the next connection
         * looks the name up again instead of trying these for the rest of NAME_TTL_MS */
        addrs_free(uc->set->addrs);
        uc->set->addrs = NULL;
        return upconn_fail(uc, 502);
    }
    if (uc->addrs) {
        addrs_free(uc->addrs);
        uc->addrs = uc->addr = NULL;
        uv_tcp_nodelay(&uc->h.tcp, 1);
    }
    exchange(uc, uc->call);
}

/* The name's lookup is back: its addresses serve the waiting connections (each tries
 * them in turn on its own copy) and the next ones for NAME_TTL_MS. A connection that
 * failed meanwhile has left the list. */
static void looked_up(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
    struct idle_set *set = req->data;
    set->looking = 0;
    struct addrinfo *found = status < 0 ? NULL : addrs_copy(res);
    if (res) uv_freeaddrinfo(res);
    if (found) {
        addrs_free(set->addrs);
        set->addrs = found;
        set->addrs_ms = uv_now(req->loop);
    }
    /* Served one at a time from set->serving: a request failed here may end others (they
     * leave that list as they close), or dial again (it waits in set->waiting anew). */
    set->serving = set->waiting;
    set->waiting = NULL;
    struct upconn *uc;
    while ((uc = set->serving)) {
        set->serving = uc->next;
        uc->next = NULL;
        uc->waiting = 0;
        if (!found || !(uc->addrs = uc->addr = addrs_copy(found))) upconn_fail(uc, 502);
        else connect_next(uc);
    }
}

/* A fresh connection for call (or the call ends with 502 at once). */
static void dial(struct hwd_upstream_call *call) {
    struct hwd_upstream *u = call->up;
    struct upconn *uc = calloc(1, sizeof *uc);
    if (!uc) return call_end(call, 502);
    uc->pool = call->w->upstream_pool;
    uc->set = call->set;
    uc->call = call;
    uv_timer_init(call->w->loop, &uc->timer);
    uc->timer.data = uc;
    uv_timer_start(&uc->timer, timed_out, u->timeout_ms, u->timeout_ms); /* repeat: for uv_timer_again */
    if (u->unix_path) {
        uv_pipe_init(call->w->loop, &uc->h.pipe, 0);
        uc->h.handle.data = uc;
        uc->connect.data = uc;
        uv_pipe_connect(&uc->connect, &uc->h.pipe, u->unix_path, connected);
        return;
    }
    uv_tcp_init(call->w->loop, &uc->h.tcp);
    uc->h.handle.data = uc;
    /* An address is read at once, and a name looked up less than NAME_TTL_MS ago serves
     * as it was found; else the name is looked up in the thread pool: getaddrinfo blocks,
     * and on the loop a slow DNS server (an app's name in Docker or Kubernetes) froze every
     * connection of the worker for as long as it took. */
    static const struct addrinfo numeric = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
    struct addrinfo *res = NULL;
    int known = !getaddrinfo(u->host, u->port, &numeric, &res);
    if (known) {
        uc->addrs = addrs_copy(res);
        freeaddrinfo(res);
    } else if ((known = uc->set->addrs && uv_now(call->w->loop) - uc->set->addrs_ms < NAME_TTL_MS)) {
        uc->addrs = addrs_copy(uc->set->addrs); /* looked up moments ago */
    }
    if (known) {
        if (!(uc->addr = uc->addrs)) return upconn_fail(uc, 502); /* out of memory */
        return connect_next(uc);
    }
    struct idle_set *set = uc->set;
    uc->waiting = 1;
    uc->next = set->waiting;
    set->waiting = uc;
    if (set->looking) return; /* asked already: this connection waits for the same answer */
    static const struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
    set->lookup.data = set;
    set->looking = !uv_getaddrinfo(call->w->loop, &set->lookup, looked_up, u->host, u->port, &hints);
    if (!set->looking) upconn_fail(uc, 502);
}

static void attempt(struct hwd_upstream_call *call) {
    struct upconn *uc = call->retried ? NULL : pool_take(call->set);
    if (!uc) return dial(call);
    uc->reused = 1;
    uv_timer_start(&uc->timer, timed_out, call->up->timeout_ms, call->up->timeout_ms);
    exchange(uc, call);
}

/* RFC 9110 §9.2.2's idempotent methods (a method is case-sensitive: "get" is not GET). */
static int idempotent(const hw_http_str *m) {
    switch (m->len) {
    case 3: return !memcmp(m->ptr, "GET", 3) || !memcmp(m->ptr, "PUT", 3);
    case 4: return !memcmp(m->ptr, "HEAD", 4);
    case 5: return !memcmp(m->ptr, "TRACE", 5);
    case 6: return !memcmp(m->ptr, "DELETE", 6);
    case 7: return !memcmp(m->ptr, "OPTIONS", 7);
    default: return 0;
    }
}

void hwd_upstream_send(struct hwd_worker *w, struct hwd_upstream *u, hw_http_exchange *x,
                       const struct hwd_upstream_hooks *hooks, void *ctx, struct hwd_budget *budget) {
    if (hw_http_body_slurp(&x->req.body)) return hooks->done(ctx, 502);
    if (u->builtin) return hooks->done(ctx, u->builtin(x, budget));
    /* An app answering TRACE echoes the request: to the client, the fields guests added
     * on the way (an identity, a token). Guests may answer it; the app is not asked
     * (nginx answers 405 before anything). */
    if (x->req.method.len == 5 && !memcmp(x->req.method.ptr, "TRACE", 5)) return hooks->done(ctx, 405);
    uv_update_time(w->loop); /* guests may have run since the loop last read the clock */
    struct idle_set *set = idle_set_of(w, u->name);
    struct hwd_upstream_call *call = set ? calloc(1, sizeof *call) : NULL;
    if (!call) return hooks->done(ctx, 502);
    *call = (struct hwd_upstream_call){.hooks = hooks, .ctx = ctx, .x = x, .up = u, .w = w, .set = set, .budget = budget};
    hw_http_request *q = &x->req;
    call->body = hw_http_body_unread(&q->body, &call->body_len);
    call->head_method = q->method.len == 4 && !memcmp(q->method.ptr, "HEAD", 4);
    call->idempotent = idempotent(&q->method);
    call->head = hwd_upstream_head(x, u->authority, call->body_len, &call->head_len, &call->tail_len);
    if (!call->head) return call_end(call, 502);
    attempt(call);
}
