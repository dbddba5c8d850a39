/*
 * hwasmd_listen.c — a worker's listening socket, accepted from by hand rather than through
 * uv_listen. When the process runs out of file descriptors, libuv's accept loop closes one
 * descriptor it keeps in reserve to accept and drop a connection; if another thread takes
 * that slot meanwhile, its loop retries accept() at once, forever: a worker spun at full
 * CPU and served nothing. Here an accept that fails for want of descriptors (or kernel
 * memory) stops watching the socket for HWD_ACCEPT_PAUSE_MS; connections wait in the
 * backlog meanwhile and are served once descriptors are free again, as nginx does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hwasmd_buf.h"
#include "hwasmd_conn.h"
#include "hwasmd_listen.h"

/* Accepts per readable event: other handles of the loop get their turn, and what is left
 * in the backlog makes the socket readable again. */
#define ACCEPT_BATCH 64

static void acceptable(uv_poll_t *p, int status, int events);

static void resume(uv_timer_t *t) {
    struct hwd_listener *l = t->data;
    uv_poll_start(&l->poll, UV_READABLE, acceptable);
}

/* Out of descriptors: said once per minute at most (the workers share the clock). */
static void say_paused(void) {
    static uint64_t said_ms;
    if (!hwd_say_rarely(&said_ms)) return;
    struct rlimit rl = {0};
    getrlimit(RLIMIT_NOFILE, &rl);
    fprintf(stderr,
            "hwasmd: out of file descriptors (RLIMIT_NOFILE %llu): new connections wait in the backlog, "
            "accepts retried every %d ms\n",
            (unsigned long long)rl.rlim_cur, HWD_ACCEPT_PAUSE_MS);
}

static void acceptable(uv_poll_t *p, int status, int events) {
    struct hwd_listener *l = p->data;
    (void)events;
    if (status < 0) return;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            hwd_conn_open(l->w, fd, l->admin);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            uv_poll_stop(&l->poll);
            uv_timer_start(&l->resume, resume, HWD_ACCEPT_PAUSE_MS, 0);
            say_paused();
        }
        return; /* EAGAIN: the backlog is empty */
    }
}

/* A socket bound to sa (SO_REUSEADDR: a port in TIME_WAIT is free; reuse_port as asked),
 * or -errno. */
static int bind_to(const struct sockaddr *sa, int reuse_port) {
    int one = 1, fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    socklen_t len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    int zero = 0; /* [::] takes IPv4 too, as libuv's bind made it */
    if (sa->sa_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one)) || bind(fd, sa, len)) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

int hwd_listen_check(const struct sockaddr *sa) {
    in_port_t port = sa->sa_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_port
                                               : ((const struct sockaddr_in *)sa)->sin_port;
    if (!port) return 0;
    int fd = bind_to(sa, 0);
    if (fd < 0) return fd;
    close(fd);
    return 0;
}

int hwd_listen(struct hwd_worker *w, struct hwd_listener *l, const struct sockaddr *sa, int admin) {
    int rc;
    l->w = w;
    l->admin = admin;
    l->fd = bind_to(sa, !admin);
    if (l->fd < 0) return l->fd;
    if (listen(l->fd, 1024)) {
        rc = -errno;
        close(l->fd);
        l->fd = -1;
        return rc;
    }
    if ((rc = uv_poll_init_socket(w->loop, &l->poll, l->fd))) {
        close(l->fd);
        l->fd = -1;
        return rc;
    }
    uv_timer_init(w->loop, &l->resume);
    l->poll.data = l->resume.data = l;
    return uv_poll_start(&l->poll, UV_READABLE, acceptable);
}

int hwd_listen_name(const struct hwd_listener *l, struct sockaddr_storage *ss) {
    socklen_t len = sizeof *ss;
    return getsockname(l->fd, (struct sockaddr *)ss, &len) ? -errno : 0;
}

void hwd_listen_close(struct hwd_listener *l) {
    if (l->fd < 0) return;
    uv_close((uv_handle_t *)&l->poll, NULL);
    uv_close((uv_handle_t *)&l->resume, NULL);
    close(l->fd); /* the poll handle stopped watching it as it closed */
    l->fd = -1;
}
