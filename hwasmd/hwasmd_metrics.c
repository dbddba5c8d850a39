/*
 * hwasmd_metrics.c — the counters behind /metrics and the access log: requests by route and
 * status class, a latency histogram, per-middleware guest time, traps and instances,
 * upstream errors, open connections, and their Prometheus text. Counters are relaxed
 * atomics: every worker bumps them, the admin reads a consistent-enough snapshot.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hwasmd_buf.h"
#include "hwasmd_metrics.h"

int64_t hwd_stat_connections;
int hwd_draining;

/* Bucket bounds in seconds: whole requests (the app included), and single guest calls. */
static const double request_s[HWD_HIST_BUCKETS] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
static const double guest_s[HWD_HIST_BUCKETS] = {1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 1e-2, 0.1, 1};
static struct hwd_histogram requests;
static uint64_t no_route[6];

static void histogram_add(struct hwd_histogram *h, const double *bounds, uint64_t ns) {
    size_t b = 0;
    while (b < HWD_HIST_BUCKETS && (double)ns / 1e9 > bounds[b]) b++;
    __atomic_fetch_add(&h->count[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->sum_ns, ns, __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->n, 1, __ATOMIC_RELAXED);
}

void hwd_stats_request(const struct hwd_route *r, int status, uint64_t ns) {
    int cls = status >= 100 && status <= 599 ? status / 100 : 0;
    uint64_t *codes = r ? ((struct hwd_route *)r)->codes : no_route;
    __atomic_fetch_add(&codes[cls], 1, __ATOMIC_RELAXED);
    histogram_add(&requests, request_s, ns);
}

void hwd_stats_guest(struct hwd_middleware *m, uint64_t ns) {
    histogram_add(&m->guest_time, guest_s, ns);
}

void hwd_access_log(const struct hwd_route *r, const hw_http_exchange *x, const char *target,
                    uint64_t ns) {
    struct timespec now;
    struct tm tm;
    char when[40];
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    flockfile(stdout); /* whole lines, whichever thread writes */
    printf("{\"time\":\"%s.%03ldZ\",\"remote\":", when, now.tv_nsec / 1000000);
    hwd_json_string(stdout, x->req.source_addr.ptr ? x->req.source_addr.ptr : "", x->req.source_addr.len);
    fputs(",\"method\":", stdout);
    hwd_json_string(stdout, x->req.method.ptr, x->req.method.len);
    fputs(",\"uri\":", stdout);
    hwd_json_string(stdout, target, strlen(target));
    fputs(",\"route\":", stdout);
    if (r) hwd_json_string(stdout, r->prefix, r->prefix_len);
    else fputs("null", stdout);
    printf(",\"status\":%d,\"bytes\":%zu,\"ms\":%.3f}\n", x->resp.status, x->resp.body.len, (double)ns / 1e6);
    fflush(stdout);
    funlockfile(stdout);
}

static uint64_t load(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

static void codes(FILE *f, const char *route, const uint64_t *c) {
    static const char *const cls[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 0; i < 6; i++)
        if (load(&c[i]))
            fprintf(f, "hwasmd_requests_total{route=\"%s\",code=\"%s\"} %llu\n", route, cls[i],
                    (unsigned long long)load(&c[i]));
}

/* mw: the middleware whose histogram this is (a label on every sample), NULL for none. */
static void histogram_print(FILE *f, const char *metric, const char *mw, const struct hwd_histogram *h,
                            const double *bounds) {
    char label[300] = "";
    if (mw) snprintf(label, sizeof label, "middleware=\"%s\"", mw);
    const char *comma = mw ? "," : "", *lbrace = mw ? "{" : "", *rbrace = mw ? "}" : "";
    uint64_t cum = 0;
    for (size_t b = 0; b <= HWD_HIST_BUCKETS; b++) {
        cum += load(&h->count[b]);
        if (b < HWD_HIST_BUCKETS)
            fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", metric, label, comma, bounds[b], (unsigned long long)cum);
        else fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", metric, label, comma, (unsigned long long)cum);
    }
    fprintf(f, "%s_sum%s%s%s %.9f\n%s_count%s%s%s %llu\n", metric, lbrace, label, rbrace,
            (double)load(&h->sum_ns) / 1e9, metric, lbrace, label, rbrace, (unsigned long long)load(&h->n));
}

void hwd_metrics_write(const struct hwd_config *c, FILE *f) {
    fputs("# HELP hwasmd_requests_total Requests answered, by route prefix and status class.\n"
          "# TYPE hwasmd_requests_total counter\n", f);
    for (uint32_t i = 0; i < c->n_routes; i++) codes(f, c->routes[i].prefix, c->routes[i].codes);
    codes(f, "", no_route);
    fputs("# HELP hwasmd_request_duration_seconds Time from a complete request to its answer.\n"
          "# TYPE hwasmd_request_duration_seconds histogram\n", f);
    histogram_print(f, "hwasmd_request_duration_seconds", NULL, &requests, request_s);
    fputs("# HELP hwasmd_guest_duration_seconds One handle_request or handle_response call, by middleware.\n"
          "# TYPE hwasmd_guest_duration_seconds histogram\n", f);
    for (uint32_t i = 0; i < c->n_mws; i++)
        histogram_print(f, "hwasmd_guest_duration_seconds", c->mws[i].name, &c->mws[i].guest_time, guest_s);
    fputs("# HELP hwasmd_middleware_traps_total Guest traps and interrupts, by middleware.\n"
          "# TYPE hwasmd_middleware_traps_total counter\n", f);
    for (uint32_t i = 0; i < c->n_mws; i++)
        fprintf(f, "hwasmd_middleware_traps_total{middleware=\"%s\"} %llu\n", c->mws[i].name,
                (unsigned long long)hw_http_middleware_traps(c->mws[i].mw));
    fputs("# HELP hwasmd_middleware_instances Guest instances alive (busy and idle).\n"
          "# TYPE hwasmd_middleware_instances gauge\n", f);
    for (uint32_t i = 0; i < c->n_mws; i++)
        fprintf(f, "hwasmd_middleware_instances{middleware=\"%s\"} %u\n", c->mws[i].name,
                hw_http_middleware_instances(c->mws[i].mw));
    fputs("# HELP hwasmd_upstream_errors_total Upstream failures answered 502 or 504.\n"
          "# TYPE hwasmd_upstream_errors_total counter\n", f);
    for (uint32_t i = 0; i < c->n_upstreams; i++)
        fprintf(f, "hwasmd_upstream_errors_total{upstream=\"%s\"} %llu\n", c->upstreams[i]->name,
                (unsigned long long)load(&c->upstreams[i]->errors));
    fprintf(f, "# HELP hwasmd_connections Open client connections.\n# TYPE hwasmd_connections gauge\n"
               "hwasmd_connections %lld\n",
            (long long)__atomic_load_n(&hwd_stat_connections, __ATOMIC_RELAXED));
}
