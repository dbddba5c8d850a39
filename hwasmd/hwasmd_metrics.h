/*
 * hwasmd_metrics.h — counters, histograms, gauges and the access log (hwasmd_metrics.c).
 */
#ifndef HWASMD_METRICS_H
#define HWASMD_METRICS_H

#include <stdio.h>

#include "hwasmd.h"

/* Counts one answered request (r NULL: no route) and its time in nanoseconds. */
void hwd_stats_request(const struct hwd_route *r, int status, uint64_t ns);
/* Counts one guest call (handle_request or handle_response) of m and its time. */
void hwd_stats_guest(struct hwd_middleware *m, uint64_t ns);
/* Counts an answer made before any route was chosen (400, 408, 413, 431 of the
 * connection itself): route "" in hwasmd_requests_total. */
void hwd_stats_refused(int status);
/* One JSON line for an answered request (access_log), on stdout or the current file. */
void hwd_access_log(const struct hwd_route *r, const hw_http_exchange *x, const char *target,
                    uint64_t ns);
/* Whether path can be the access log (opened for appending, created 0640); 0 or -1 and why. */
int hwd_access_log_check(const char *path, char *why, size_t cap);
/* Where access log lines go from now on: path (NULL: stdout). Files stay open for the
 * process's life (a line being written to the old one is never cut), one per path. */
void hwd_access_log_use(const char *path);
/* Opens every access log file again at its path, in place (lines in flight go whole to
 * one file or the other): after logrotate moved it, SIGUSR1 (nginx's signal for this) or
 * a reload. A path that cannot be opened keeps its old file, and says so on stderr. */
void hwd_access_log_reopen(void);
/* Open client connections (gauge) and whether the server is draining (readyz). */
extern int64_t hwd_stat_connections;
extern int hwd_draining;
/* The Prometheus text for /metrics: every counter above, the routes, middleware and
 * upstreams of c. */
void hwd_metrics_write(const struct hwd_config *c, FILE *f);

#endif /* HWASMD_METRICS_H */
