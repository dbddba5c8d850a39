/*
 * hwasmd_listen.h — a worker's listening socket, accepted from by hand (hwasmd_listen.c).
 */
#ifndef HWASMD_LISTEN_H
#define HWASMD_LISTEN_H

#include <sys/socket.h>
#include <uv.h>

/* How long a listener stops accepting after the process ran out of file descriptors. */
#define HWD_ACCEPT_PAUSE_MS 100

struct hwd_worker;

struct hwd_listener {
    uv_poll_t poll;     /* readable: connections wait in the backlog */
    uv_timer_t resume;  /* while paused: when to watch the socket again */
    struct hwd_worker *w;
    int fd;             /* -1: not listening */
    int admin;          /* its connections are the admin endpoint's */
};

/* Binds sa and accepts on w's loop; 0 or a libuv error code (nothing is left open then).
 * A client listener binds with SO_REUSEPORT (every worker has its own socket on the
 * port), the admin one (worker 0 only) without. */
int hwd_listen(struct hwd_worker *w, struct hwd_listener *l, const struct sockaddr *sa, int admin);
/* Before the workers bind sa with SO_REUSEPORT: UV_EADDRINUSE when another socket listens
 * there (another hwasmd, with SO_REUSEPORT too, would else share the port, each taking a
 * share of the connections with its own configuration), else 0. Port 0 is always free. */
int hwd_listen_check(const struct sockaddr *sa);
/* The address it got (port 0 becomes the real one); 0 or a libuv error code. */
int hwd_listen_name(const struct hwd_listener *l, struct sockaddr_storage *ss);
/* Stops accepting and closes the socket (draining). */
void hwd_listen_close(struct hwd_listener *l);

#endif /* HWASMD_LISTEN_H */
