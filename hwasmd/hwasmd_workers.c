/*
 * hwasmd_workers.c — starts the workers: one thread and one libuv loop each, every one with
 * its own listening socket bound to the same address (SO_REUSEPORT lets the kernel spread
 * connections), worker 0 also serving the admin listener. SIGHUP reloads the configuration
 * (hwasmd_gen.c); SIGINT/SIGTERM stop accepting, let answers in flight finish and wait up to
 * drain_ms for the workers. Listen addresses and worker count are fixed at start. Only the
 * main thread takes those signals, in sigwait: every other thread (workers, libuv's pool,
 * guests' deadline timers) inherits them blocked from main, which blocks them first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hwasmd_addr.h"
#include "hwasmd_budget.h"
#include "hwasmd_conn.h"
#include "hwasmd_metrics.h"
#include "hwasmd_request.h"
#include "hwasmd_upstream_conn.h"
#include "hwasmd_workers.h"

/* The address a socket got (port 0 becomes the real one), printed as a URL. */
static void bound(const struct hwd_listener *l, struct sockaddr_storage *ss, char *url, size_t cap) {
    char ip[64];
    hwd_listen_name(l, ss);
    if (ss->ss_family == AF_INET6) {
        uv_ip6_name((struct sockaddr_in6 *)ss, ip, sizeof ip);
        snprintf(url, cap, "http://[%s]:%d", ip, ntohs(((struct sockaddr_in6 *)ss)->sin6_port));
    } else {
        uv_ip4_name((struct sockaddr_in *)ss, ip, sizeof ip);
        snprintf(url, cap, "http://%s:%d", ip, ntohs(((struct sockaddr_in *)ss)->sin_port));
    }
}

/* While the others drain, the admin listener answers on: /readyz says 503 (draining),
 * probes get an answer rather than a refused connection. It closes once no client
 * connection is left in the process, and the loop can end. */
static void admin_linger(uv_timer_t *t) {
    struct hwd_worker *w = t->data;
    if (__atomic_load_n(&hwd_stat_connections, __ATOMIC_RELAXED) > 0) return;
    hwd_listen_close(&w->admin);
    uv_close((uv_handle_t *)t, NULL);
}

/* Draining: no new connections; the loop ends once in-flight answers are written. */
static void stop_cb(uv_async_t *a) {
    struct hwd_worker *w = a->data;
    hwd_listen_close(&w->listener);
    if (w->admin.fd >= 0) {
        uv_timer_init(w->loop, &w->admin_linger);
        w->admin_linger.data = w;
        uv_timer_start(&w->admin_linger, admin_linger, 0, 50);
    }
    uv_close((uv_handle_t *)&w->stop, NULL);
    hwd_conn_drain(w);
    hwd_upstream_drain(w);
}

/* Frees w's spare read buffers and exchanges (its loop has ended). */
static void hwd_worker_spares_free(struct hwd_worker *w) {
    while (w->n_spare_in) free(w->spare_in[--w->n_spare_in]);
    while (w->n_spare_x) {
        hw_http_exchange *x = w->spare_x[--w->n_spare_x];
        hw_http_exchange_free(x);
        free(x);
    }
}

static void run(void *arg) {
    struct hwd_worker *w = arg;
    uv_run(w->loop, UV_RUN_DEFAULT);
}

void hwd_signals_block(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* an access log past RLIMIT_FSIZE: EFBIG, said, not a kill */
}

int hwd_serve(struct hwd_config *cfg, const char *listen_override, const char *admin_override) {
    const char *addr = listen_override ? listen_override : cfg->listen;
    const char *admin = admin_override ? admin_override : cfg->admin;
    struct sockaddr_storage ss, as;
    int bad_listen = hwd_addr_parse(addr, HWD_LISTEN_HOST, &ss);
    if (bad_listen || (admin && hwd_addr_parse(admin, HWD_ADMIN_HOST, &as))) {
        /* the configuration's addresses were checked when it loaded: an override then */
        fprintf(stderr, "hwasmd: %s: expected HOST:PORT, [V6]:PORT or PORT, got \"%s\"\n", cfg->path,
                bad_listen ? addr : admin);
        return 2;
    }
    int taken = hwd_listen_check((const struct sockaddr *)&ss);
    if (taken) {
        fprintf(stderr, "hwasmd: listen on %s: %s\n", addr, uv_strerror(taken));
        return 1;
    }
    uint32_t drain_ms = cfg->drain_ms; /* cfg may be replaced (and freed) by a reload */
    uint32_t n = hwd_worker_count(cfg);
    struct hwd_worker *ws = calloc(n, sizeof *ws);
    if (!ws) return 1;
    sigset_t sigs;
    hwd_signals_block(&sigs); /* main did already, before any thread: this gives the set */
    char url[128], admin_url[128];
    for (uint32_t i = 0; i < n; i++) {
        struct hwd_worker *w = &ws[i];
        w->handler = &hwd_request_handler;
        w->loop = &w->loop_storage;
        uv_loop_init(w->loop);
        uv_async_init(w->loop, &w->stop, stop_cb);
        w->stop.data = w;
        w->admin.fd = -1;
        int rc = hwd_listen(w, &w->listener, (const struct sockaddr *)&ss, 0);
        if (!rc && i == 0 && admin) {
            if ((rc = hwd_listen(w, &w->admin, (const struct sockaddr *)&as, 1)) == 0)
                bound(&w->admin, &as, admin_url, sizeof admin_url);
            else addr = admin;
        }
        if (rc) {
            fprintf(stderr, "hwasmd: listen on %s: %s\n", addr, uv_strerror(rc));
            return 1;
        }
        if (i == 0) bound(&w->listener, &ss, url, sizeof url); /* port 0: the others share it */
    }
    printf("hwasmd: listening on %s (%u workers)\n", url, n);
    if (admin) printf("hwasmd: admin on %s\n", admin_url);
    fflush(stdout);
    for (uint32_t i = 0; i < n; i++) uv_thread_create(&ws[i].thread, run, &ws[i]);
    int sig = 0;
    char msg[1024];
    /* the one place the stop and reload signals are taken: one arriving during a reload
     * waits for it (pending, blocked everywhere), and SIGHUPs pending together are one.
     * Between signals, once a second: memory freed after a load goes back to the system */
    const struct timespec tick = {1, 0};
    while ((sig = sigtimedwait(&sigs, NULL, &tick)) == SIGHUP || sig == SIGUSR1 ||
           (sig < 0 && (errno == EAGAIN || errno == EINTR))) {
        if (sig < 0) {
            hwd_memory_tick(__atomic_load_n(&hwd_stat_connections, __ATOMIC_RELAXED));
            continue;
        }
        if (sig == SIGUSR1) { /* logrotate moved the access log (a reload reopens it too) */
            hwd_access_log_reopen();
            continue;
        }
        int rc = hwd_gen_reload(msg, sizeof msg);
        fprintf(stderr, "%s%s\n", msg, rc ? " (reload failed: the running configuration stays)" : "");
    }
    fprintf(stderr, "hwasmd: signal %d, draining (up to %u ms)\n", sig, drain_ms);
    __atomic_store_n(&hwd_draining, 1, __ATOMIC_RELAXED);
    for (uint32_t i = 0; i < n; i++) uv_async_send(&ws[i].stop);
    struct timespec end;
    clock_gettime(CLOCK_REALTIME, &end);
    end.tv_sec += drain_ms / 1000;
    end.tv_nsec += (long)(drain_ms % 1000) * 1000000;
    if (end.tv_nsec >= 1000000000) end.tv_sec++, end.tv_nsec -= 1000000000;
    for (uint32_t i = 0; i < n; i++)
        if (pthread_timedjoin_np(ws[i].thread, NULL, &end) == ETIMEDOUT) {
            fprintf(stderr, "hwasmd: drain deadline passed, stopping anyway\n");
            return 0; /* workers still run: their memory stays until the process ends */
        }
    /* every loop ran dry: freeing them keeps leak checkers' reports to real leaks */
    for (uint32_t i = 0; i < n; i++) {
        uv_loop_close(ws[i].loop);
        hwd_upstream_free(&ws[i]);
        hwd_worker_spares_free(&ws[i]);
    }
    free(ws);
    return 0;
}
