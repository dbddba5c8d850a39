/*
 * fuzz_request.c — libFuzzer target for hwasmd's request path (issue 5 §3). A client's bytes
 * go through hwasmd_conn.c exactly as from an accepted socket (one end of a socketpair):
 * parser, limits (431/413/408/400), routes, compiled guests, and for /up, /b and /raw an
 * app served in the same loop whose answers are also taken from the input, so the reply
 * parser, keep-alive pool and streaming are fuzzed too. Each input runs until every handle
 * is closed: a hang shows as a libFuzzer timeout, a handle left open aborts.
 *
 * Input: FLAGS REQUEST [SEPARATOR ANSWER]. FLAGS is one byte (bits below), REQUEST what the
 * client sends, ANSWER what the app sends to every request it gets (none: it closes).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "hwasmd.h"
#include "hwasmd_conn.h"
#include "hwasmd_request.h"
#include "hwasmd_upstream_conn.h"
#include "hwasmd_workers.h"
#include "sha256.h"

#define SEPARATOR "~~~\n"
#define KEEP_OPEN 1  /* the client never shuts down its side: the idle timeout ends it (408) */
#define APP_CLOSES 2 /* the app closes each connection after one answer */
#define HANG_UP 64   /* the client closes its socket once the first answer bytes arrive */
#define TWIN 128     /* a second client sends the same at the same time (noop: one instance) */
/* bits 2-3 (app) and 4-5 (client): write in pieces of this many bytes, one per loop turn */
static const size_t piece_sizes[4] = {SIZE_MAX, 1, 5, 64};

/* Small limits and timeouts: each limit is reachable by short inputs, a stall costs 20 ms. */
static const char config_text[] =
    "listen: 127.0.0.1:0\n"
    "upstream: builtin:echo\n"
    "workers: 1\n"
    "limits: {header_bytes: 512, body_bytes: 2048, idle_timeout_ms: 20, request_timeout_ms: 40,\n"
    "         upstream_timeout_ms: 20, upstream_body_bytes: 1024}\n"
    "middleware:\n"
    "  - {name: headers, module: %1$s/headers.so, sha256: %3$s}\n"
    "  - {name: redact, module: %1$s/redact.so, sha256: %4$s, config: secret}\n"
    "  - {name: noop, module: %1$s/noop.so, sha256: %5$s, pool_size: 1, pool_wait_ms: 10}\n"
    "routes:\n"
    "  - {prefix: /, chain: [headers]}\n"
    "  - {prefix: /up, chain: [headers, noop], upstream: \"unix:%2$s\"}\n"
    "  - {prefix: /b, chain: [redact], upstream: \"unix:%2$s\"}\n"
    "  - {prefix: /raw, upstream: \"unix:%2$s\"}\n"
    "  - {prefix: /tck, upstream: builtin:tck}\n"
    "  - {prefix: /h, host: fuzz, methods: [GET, HEAD], chain: [noop]}\n";

/* The sha256 of a guest .so, in hex: hwasmd loads a prebuilt .so only when pinned. */
static void pin(const char *name, char out[65]) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.so", HWASMD_FUZZ_GUESTS, name);
    FILE *f = fopen(path, "rb");
    static uint8_t bytes[1 << 22];
    size_t n = f ? fread(bytes, 1, sizeof bytes, f) : 0;
    if (!f || n == sizeof bytes) abort();
    fclose(f);
    uint8_t d[32];
    sha256(bytes, n, d);
    for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

static uv_loop_t loop;
static struct hwd_worker worker;
static char dir[] = "/tmp/hwasmd-fuzz-XXXXXX", sock_path[64], config_path[64];
static char discard[65536]; /* what hwasmd answers the client: read and dropped */
static int verbose;         /* HWASMD_FUZZ_VERBOSE set: hwasmd's answers go to stderr */

/* Bytes written to a stream in pieces, one per loop turn (a zero timer between), so the
 * reader sees them in separate reads; done() once all are written or writing failed. */
struct drip {
    uv_stream_t *to;
    uv_timer_t timer;
    uv_write_t wr;
    const char *p;
    size_t n, sent, piece;
    void (*done)(struct drip *d, int status);
};

static void drip_next(uv_timer_t *t);

static void drip_written(uv_write_t *wr, int status) {
    struct drip *d = wr->data;
    if (status < 0 || d->sent == d->n) return d->done(d, status);
    if (uv_is_closing((uv_handle_t *)&d->timer)) return;
    uv_timer_start(&d->timer, drip_next, 0, 0);
}

static void drip_next(uv_timer_t *t) {
    struct drip *d = t->data;
    size_t n = d->n - d->sent < d->piece ? d->n - d->sent : d->piece;
    uv_buf_t b = uv_buf_init((char *)d->p + d->sent, (unsigned)n);
    d->sent += n;
    d->wr.data = d;
    if (uv_write(&d->wr, d->to, &b, 1, drip_written)) d->done(d, -1);
}

static void drip_init(struct drip *d, uv_stream_t *to, void (*done)(struct drip *, int)) {
    d->to = to;
    d->done = done;
    uv_timer_init(&loop, &d->timer);
    d->timer.data = d;
}

static void drip_start(struct drip *d, const char *p, size_t n, size_t piece) {
    d->p = p;
    d->n = n;
    d->sent = 0;
    d->piece = piece;
    drip_next(&d->timer);
}

/* --- the app: answers each request hwasmd forwards (a head, then Content-Length bytes) ---- */

struct app {
    uv_pipe_t listener;
    const char *answer;
    size_t answer_len, piece;
    int closes;
};

struct app_conn {
    uv_pipe_t pipe;
    struct drip out;
    struct app *app;
    char *in;
    size_t in_len;
    int owed, answering, closing;
};

static void app_conn_freed(uv_handle_t *h) {
    struct app_conn *ac = h->data;
    free(ac->in);
    free(ac);
}

static void app_conn_timer_closed(uv_handle_t *h) {
    struct app_conn *ac = (struct app_conn *)((char *)h - offsetof(struct app_conn, out.timer));
    uv_close((uv_handle_t *)&ac->pipe, app_conn_freed);
}

static void app_conn_close(struct app_conn *ac) {
    if (ac->closing) return;
    ac->closing = 1;
    uv_close((uv_handle_t *)&ac->out.timer, app_conn_timer_closed);
}

static void app_answer(struct app_conn *ac) {
    if (ac->answering || !ac->owed || ac->closing) return;
    if (!ac->app->answer_len) return app_conn_close(ac); /* no answer: hang up instead */
    ac->owed--;
    ac->answering = 1;
    drip_start(&ac->out, ac->app->answer, ac->app->answer_len, ac->app->piece);
}

static void app_answered(struct drip *d, int status) {
    struct app_conn *ac = (struct app_conn *)((char *)d - offsetof(struct app_conn, out));
    ac->answering = 0;
    if (status < 0 || ac->app->closes) return app_conn_close(ac);
    app_answer(ac);
}

/* Counts the complete requests in ac->in (hwasmd always frames bodies by Content-Length). */
static void app_parse(struct app_conn *ac) {
    for (;;) {
        char *end = memmem(ac->in, ac->in_len, "\r\n\r\n", 4);
        if (!end) return;
        size_t head = (size_t)(end + 4 - ac->in), body = 0;
        char *cl = memmem(ac->in, head, "\r\nContent-Length: ", 18);
        if (cl) body = strtoul(cl + 18, NULL, 10);
        if (ac->in_len - head < body) return;
        ac->in_len -= head + body;
        memmove(ac->in, ac->in + head + body, ac->in_len);
        ac->owed++;
    }
}

static void alloc_discard(uv_handle_t *h, size_t hint, uv_buf_t *b) {
    (void)h, (void)hint;
    *b = uv_buf_init(discard, sizeof discard);
}

static void app_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
    struct app_conn *ac = s->data;
    if (n < 0) return app_conn_close(ac);
    char *in = realloc(ac->in, ac->in_len + (size_t)n);
    if (!in) abort();
    memcpy(in + ac->in_len, b->base, (size_t)n);
    ac->in = in;
    ac->in_len += (size_t)n;
    app_parse(ac);
    app_answer(ac);
}

static void app_accept(uv_stream_t *server, int status) {
    struct app *app = server->data;
    struct app_conn *ac = calloc(1, sizeof *ac);
    if (status < 0 || !ac) abort();
    ac->app = app;
    uv_pipe_init(&loop, &ac->pipe, 0);
    ac->pipe.data = ac;
    drip_init(&ac->out, (uv_stream_t *)&ac->pipe, app_answered);
    if (uv_accept(server, (uv_stream_t *)&ac->pipe)) abort();
    uv_read_start((uv_stream_t *)&ac->pipe, alloc_discard, app_read);
}

/* --- the client ----------------------------------------------------------------------- */

struct client {
    uv_pipe_t pipe;
    struct drip out;
    uv_shutdown_t shutdown;
    int keep_open, hang_up, closed;
};

/* One input's clients and app. */
struct run {
    struct app app;
    struct client clients[2];
    int n_clients;
    uv_timer_t watch; /* every 1 ms: are hwasmd's connections all gone? */
};

static void client_close(struct client *c) {
    if (c->closed) return;
    c->closed = 1;
    uv_close((uv_handle_t *)&c->pipe, NULL);
    uv_close((uv_handle_t *)&c->out.timer, NULL);
}

static void client_sent(struct drip *d, int status) {
    struct client *c = (struct client *)((char *)d - offsetof(struct client, out));
    if (status == 0 && !c->keep_open) uv_shutdown(&c->shutdown, (uv_stream_t *)&c->pipe, NULL);
}

static void client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
    struct client *c = s->data;
    if (n > 0 && verbose) fwrite(b->base, 1, (size_t)n, stderr);
    if (n < 0 || (n > 0 && c->hang_up)) client_close(c);
}

/* A client connection to hwasmd, sending req in pieces of piece bytes. */
static void client_start(struct client *c, uint8_t flags, const char *req, size_t len,
                         size_t piece) {
    uv_os_sock_t sv[2];
    if (uv_socketpair(SOCK_STREAM, 0, sv, UV_NONBLOCK_PIPE, UV_NONBLOCK_PIPE)) abort();
    /* the smallest send buffer the kernel allows (some KiB): a longer answer takes several
     * writes, so hwasmd's partial-write paths run too */
    int small = 1;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    c->keep_open = flags & KEEP_OPEN;
    c->hang_up = flags & HANG_UP;
    uv_pipe_init(&loop, &c->pipe, 0);
    c->pipe.data = c;
    if (uv_pipe_open(&c->pipe, sv[1]) || hwd_conn_open(&worker, sv[0], 0)) abort();
    drip_init(&c->out, (uv_stream_t *)&c->pipe, client_sent);
    uv_read_start((uv_stream_t *)&c->pipe, alloc_discard, client_read);
    if (len)
        drip_start(&c->out, req, len, piece);
    else
        client_sent(&c->out, 0);
}

/* hwasmd's connections are gone (freed): the clients, the app's listener and the idle app
 * connections go too, and the loop ends once everything has closed. */
static void watch(uv_timer_t *t) {
    struct run *r = t->data;
    if (worker.conns) return;
    for (int i = 0; i < r->n_clients; i++)
        client_close(&r->clients[i]);
    uv_close((uv_handle_t *)&r->app.listener, NULL);
    uv_close((uv_handle_t *)&r->watch, NULL);
    hwd_upstream_drain(&worker);
}

/* After an input every handle must be closed: one left behind is a leak the loop's own
 * list would hide from LeakSanitizer. */
static void left_open(uv_handle_t *h, void *arg) {
    ++*(int *)arg;
    fprintf(stderr, "fuzz_request: handle left open: %s\n", uv_handle_type_name(h->type));
}

/* --- libFuzzer entry points ------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cleanup(void) {
    unlink(sock_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    char msg[1024];
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir)) abort();
    snprintf(sock_path, sizeof sock_path, "%s/app.sock", dir);
    snprintf(config_path, sizeof config_path, "%s/hwasmd.yaml", dir);
    atexit(cleanup);
    FILE *f = fopen(config_path, "w");
    if (!f) abort();
    char pins[3][65];
    pin("headers", pins[0]);
    pin("redact", pins[1]);
    pin("noop", pins[2]);
    fprintf(f, config_text, HWASMD_FUZZ_GUESTS, sock_path, pins[0], pins[1], pins[2]);
    fclose(f);
    struct hwd_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg || hwd_config_load(config_path, cfg, msg, sizeof msg) ||
        hwd_modules_load(cfg, "hwasmc", msg, sizeof msg)) {
        fprintf(stderr, "fuzz_request: %s\n", msg);
        abort();
    }
    unlink(config_path); /* loaded: only the app's socket stays (a crash leaves the folder) */
    hwd_gen_init(cfg, NULL);
    uv_loop_init(&loop);
    worker.loop = &loop;
    worker.handler = &hwd_request_handler;
    /* guests instantiate on first use, which may take longer than the 20 ms the app gets:
     * done here, every input sees warm pools and behaves the same on each run */
    static const char warm_up[] = "\0POST /up HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"
                                  "POST /b HTTP/1.1\r\nContent-Length: 1\r\n\r\nx" SEPARATOR
                                  "HTTP/1.1 204 No Content\r\n\r\n";
    LLVMFuzzerTestOneInput((const uint8_t *)warm_up, sizeof warm_up - 1);
    verbose = getenv("HWASMD_FUZZ_VERBOSE") != NULL;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char *req = (const char *)data + 1, *sep = memmem(req, size - 1, SEPARATOR, 4);
    size_t req_len = sep ? (size_t)(sep - req) : size - 1;
    struct run r = {.app = {.answer = sep ? sep + 4 : "",
                            .answer_len = sep ? size - 1 - req_len - 4 : 0,
                            .piece = piece_sizes[(data[0] >> 2) & 3],
                            .closes = data[0] & APP_CLOSES},
                    .n_clients = data[0] & TWIN ? 2 : 1};
    unlink(sock_path);
    uv_pipe_init(&loop, &r.app.listener, 0);
    r.app.listener.data = &r.app;
    if (uv_pipe_bind(&r.app.listener, sock_path) ||
        uv_listen((uv_stream_t *)&r.app.listener, 16, app_accept))
        abort();

    uv_update_time(&loop); /* timers count from the loop's clock, stale since the last input */
    for (int i = 0; i < r.n_clients; i++)
        client_start(&r.clients[i], data[0], req, req_len, piece_sizes[(data[0] >> 4) & 3]);
    uv_timer_init(&loop, &r.watch);
    r.watch.data = &r;
    uv_timer_start(&r.watch, watch, 1, 1);

    uv_run(&loop, UV_RUN_DEFAULT);
    int open = 0;
    uv_walk(&loop, left_open, &open);
    if (open || worker.conns) abort();
    return 0;
}
