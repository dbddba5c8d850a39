/*
 * hwasmd_workers.h — a worker: its own libuv loop and its own listening socket on the shared
 * port (SO_REUSEPORT), its client connections (hwasmd_conn.c) and its pool of app
 * connections (hwasmd_upstream_conn.c). A request lives on one worker from its first byte
 * to its answer: guests and the app exchange both run on that loop.
 */
#ifndef HWASMD_WORKERS_H
#define HWASMD_WORKERS_H

#include <uv.h>

#include "hwasmd.h"

struct hwd_worker {
    uv_loop_t loop_storage;
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_tcp_t admin; /* worker 0 only, when configured */
    int has_admin;
    uv_async_t stop;
    uv_thread_t thread;
    struct hwd_conn *conns;                    /* open client connections */
    struct hwd_upstream_pool *upstream_pool;   /* idle app connections */
};

void hwd_conn_accept(uv_stream_t *server, int status);
/* Serves an already connected stream socket (any family; the fuzz harness passes one end
 * of a socketpair) on w's loop; 0 or a libuv error, the socket being closed then. */
int hwd_conn_open(struct hwd_worker *w, uv_os_sock_t fd);
/* Closes the loop's idle client connections (draining: busy ones close after answering). */
void hwd_conn_drain(struct hwd_worker *w);

#endif /* HWASMD_WORKERS_H */
