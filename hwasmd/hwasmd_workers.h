/*
 * hwasmd_workers.h — a worker: its own libuv loop and its own listening socket on the shared
 * port (SO_REUSEPORT), its client connections (hwasmd_conn.c) and its pool of app
 * connections (hwasmd_upstream_conn.c). A request lives on one worker from its first byte
 * to its answer: guests and the app exchange both run on that loop.
 */
#ifndef HWASMD_WORKERS_H
#define HWASMD_WORKERS_H

#include <signal.h>
#include <uv.h>

#include "hwasmd.h"
#include "hwasmd_listen.h"

struct hwd_conn;
/* What a connection hands its complete requests to: the layer above it (hwasmd_request.c's
 * hwd_request_handler), so that the connection never calls up into it by name. */
struct hwd_conn_handler {
    void (*serve)(struct hwd_conn *c);   /* a complete request in c->x */
    void (*abandon)(struct hwd_conn *c); /* c closes: forget it (e.g. a parked request) */
};

struct hwd_worker {
    const struct hwd_conn_handler *handler;
    uv_loop_t loop_storage;
    uv_loop_t *loop;
    struct hwd_listener listener;
    struct hwd_listener admin; /* worker 0 only, when configured (else fd is -1) */
    uv_timer_t admin_linger;   /* draining: closes the admin listener once no client is left */
    uint32_t admin_conns; /* open admin connections (worker 0's loop only) */
    uv_async_t stop;
    uv_thread_t thread;
    struct hwd_conn *conns;                    /* open client connections */
    struct hwd_conn *parked, *parked_tail;     /* requests waiting for a guest instance, oldest first */
    struct hwd_upstream_pool *upstream_pool;   /* idle app connections */
    /* read buffers given back by connections gone idle, for the next request's read: a
     * keep-alive connection holds none while idle, yet a request costs no malloc and free
     * of one (HWD_SPARE_READ_BUFS at most, HWD_READ_BUF bytes each) */
    char *spare_in[32];
    uint32_t n_spare_in;
    /* exchanges of finished requests, reset, for the next ones (hwd_conn.c: exchange_take,
     * exchange_give): what each keeps is bounded (hw_http_exchange_reset) */
    hw_http_exchange *spare_x[16];
    uint32_t n_spare_x;
};
#define HWD_SPARE_READ_BUFS 32
#define HWD_SPARE_EXCHANGES 16
#define HWD_READ_BUF 16384

/* Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and every thread it starts
 * from then on) and ignores SIGPIPE; set: the blocked signals, for sigwait. main calls it
 * before any thread exists (loading modules starts some), so only hwd_serve's sigwait
 * takes them. */
void hwd_signals_block(sigset_t *set);
/* Starts the workers and serves until SIGINT/SIGTERM, then drains for up to drain_ms. */
int hwd_serve(struct hwd_config *cfg, const char *listen_override, const char *admin_override);

#endif /* HWASMD_WORKERS_H */
