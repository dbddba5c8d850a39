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
/* One JSON line on stdout for an answered request (access_log: true). */
void hwd_access_log(const struct hwd_route *r, const hw_http_exchange *x, const char *target,
                    uint64_t ns);
/* Open client connections (gauge) and whether the server is draining (readyz). */
extern int64_t hwd_stat_connections;
extern int hwd_draining;
/* The Prometheus text for /metrics: every counter above, the routes, middleware and
 * upstreams of c. */
void hwd_metrics_write(const struct hwd_config *c, FILE *f);

#endif /* HWASMD_METRICS_H */
