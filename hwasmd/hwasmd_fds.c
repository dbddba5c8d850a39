/*
 * hwasmd_fds.c — file descriptors. A process starts with a soft RLIMIT_NOFILE (often 1024)
 * far below its hard one: hwasmd raises it at start. Each client connection may hold a
 * second descriptor, its app connection, and idle app connections wait in every worker's
 * pool; so max_connections is lowered to what the limit leaves once that and a fixed
 * headroom (listeners, loops, module files, the cache, hwasmc's pipes) are set aside. Should
 * descriptors run out anyway, the listeners pause (hwasmd_listen.c).
 */
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hwasmd_fds.h"
#include "hwasmd_upstream_conn.h"

#define FIXED_HEADROOM 64  /* stdio, the cache and module files, hwasmc's pipes, admin */
#define WORKER_HEADROOM 8  /* per worker: epoll, eventfd, listeners, timerfd */

void hwd_fds_raise(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max) return;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

void hwd_fds_clamp(struct hwd_config *cfg) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY) return;
    uint64_t workers = hwd_worker_count(cfg);
    uint64_t apps = 0;
    for (uint32_t i = 0; i < cfg->n_upstreams; i++) apps += !cfg->upstreams[i]->builtin;
    uint64_t headroom = FIXED_HEADROOM + workers * (WORKER_HEADROOM + HWD_POOL_IDLE * apps);
    uint64_t fit = rl.rlim_cur > headroom + 2 ? (rl.rlim_cur - headroom) / 2 : 1;
    if (cfg->max_connections <= fit) return;
    fprintf(stderr,
            "hwasmd: %s: max_connections %u lowered to %llu: RLIMIT_NOFILE %llu, %llu kept for app connections "
            "pooled by %llu workers and the server itself, 2 per client connection\n",
            cfg->path, cfg->max_connections, (unsigned long long)fit, (unsigned long long)rl.rlim_cur,
            (unsigned long long)headroom, (unsigned long long)workers);
    cfg->max_connections = (uint32_t)fit;
}
