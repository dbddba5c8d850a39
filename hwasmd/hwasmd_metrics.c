/*
 * hwasmd_metrics.c — the counters behind /metrics and the access log: requests by route and
 * status class, a latency histogram, per-middleware guest time, traps and instances,
 * upstream errors, open connections, and their Prometheus text. Counters are relaxed
 * atomics in per-thread slots (hwasmd.h): every worker bumps its own (my_slot), the admin
 * sums them into a consistent-enough snapshot. The
 * text passes `promtool check metrics` whatever the names in the configuration: label
 * values are escaped, and series that would carry the same labels (two routes alike, two
 * routes' identical upstreams) are summed into one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hwasmd_buf.h"
#include "hwasmd_metrics.h"
#include "io_util.h"

int64_t hwd_stat_connections;
int hwd_draining;

/* Bucket bounds in seconds: whole requests (the app included), and single guest calls. */
static const double request_s[HWD_HIST_BUCKETS] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
static const double guest_s[HWD_HIST_BUCKETS] = {1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 1e-2, 0.1, 1};
static struct hwd_histogram requests;
static struct hwd_codes no_route;

/* The calling thread's counter slot, threads numbered as they first count. The first
 * HWD_STAT_SLOTS - 1 threads own a slot each and add to it with a plain load and store (a
 * worker counts several times per request, and a locked add costs ~20 cycles); any later
 * threads share the last slot and add atomically. Readers load either way. */
static _Thread_local unsigned my_number; /* 0: not numbered yet, else number + 1 */

static unsigned my_slot(void) {
    static unsigned threads;
    if (!my_number) my_number = __atomic_add_fetch(&threads, 1, __ATOMIC_RELAXED);
    return my_number < HWD_STAT_SLOTS ? my_number - 1 : HWD_STAT_SLOTS - 1;
}

static void bump(uint64_t *counter, uint64_t v, unsigned slot) {
    if (slot < HWD_STAT_SLOTS - 1) __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
    else __atomic_fetch_add(counter, v, __ATOMIC_RELAXED);
}

static void histogram_add(struct hwd_histogram *h, const double *bounds, uint64_t ns) {
    size_t b = 0;
    double secs = (double)ns / 1e9;
    while (b < HWD_HIST_BUCKETS && secs > bounds[b]) b++;
    unsigned s = my_slot();
    bump(&h->slot[s].count[b], 1, s);
    bump(&h->slot[s].sum_ns, ns, s);
}

static void codes_add(struct hwd_codes *c, int status) {
    int cls = status >= 100 && status <= 599 ? status / 100 : 0;
    unsigned s = my_slot();
    bump(&c->slot[s].n[cls], 1, s);
}

void hwd_stats_request(const struct hwd_route *r, int status, uint64_t ns) {
    codes_add(r ? &((struct hwd_route *)r)->codes : &no_route, status);
    histogram_add(&requests, request_s, ns);
}

void hwd_stats_refused(int status) {
    codes_add(&no_route, status);
}

void hwd_stats_guest(struct hwd_middleware *m, uint64_t ns) {
    histogram_add(&m->guest_time, guest_s, ns);
}

/* The access log's files, by path; never closed (see hwd_access_log_use). */
static struct log_file {
    char *path;
    FILE *f;
    struct log_file *next;
} *log_files;
static pthread_mutex_t log_files_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_out; /* NULL: stdout (atomic) */

/* The access log, opened to append; a path that exists and is not a regular file is
 * refused: O_NONBLOCK keeps a FIFO without a reader from blocking the open (a start or a
 * reload hung there, SIGTERM with it), fstat refuses one with a reader, a device or a
 * folder. */
static FILE *log_open(const char *path, char *why, size_t cap) {
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0640);
    struct stat st;
    const char *kind = NULL;
    if (fd < 0 && errno == ENXIO && !stat(path, &st)) kind = file_kind_refused((unsigned)st.st_mode);
    if (fd >= 0 && !fstat(fd, &st)) kind = file_kind_refused((unsigned)st.st_mode);
    int fl = fd >= 0 && !kind ? fcntl(fd, F_GETFL) : -1;
    FILE *f = fl >= 0 && !fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) ? fdopen(fd, "a") : NULL;
    if (!f) {
        snprintf(why, cap, "%.200s: %s", path, kind ? kind : strerror(errno));
        if (fd >= 0) close(fd);
    }
    return f;
}

int hwd_access_log_check(const char *path, char *why, size_t cap) {
    FILE *f = log_open(path, why, cap);
    return f ? fclose(f), 0 : -1;
}

void hwd_access_log_use(const char *path) {
    FILE *f = NULL;
    pthread_mutex_lock(&log_files_mu);
    for (struct log_file *l = log_files; path && l && !f; l = l->next)
        if (!strcmp(l->path, path)) f = l->f;
    if (path && !f) {
        char why[300];
        struct log_file *l = calloc(1, sizeof *l);
        if (l && (l->f = log_open(path, why, sizeof why)) && (l->path = strdup(path))) {
            l->next = log_files;
            log_files = l;
            f = l->f;
        } else {
            fprintf(stderr, "hwasmd: access_log: %s: lines go to stdout\n", l && !l->f ? why : "out of memory");
            if (l && l->f) fclose(l->f);
            free(l);
        }
    }
    __atomic_store_n(&log_out, f, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&log_files_mu);
}

void hwd_access_log_reopen(void) {
    pthread_mutex_lock(&log_files_mu);
    for (struct log_file *l = log_files; l; l = l->next) {
        char why[300];
        FILE *f = log_open(l->path, why, sizeof why);
        if (!f) {
            fprintf(stderr, "hwasmd: access_log: %s: the old file stays\n", why);
            continue;
        }
        flockfile(l->f); /* between two lines */
        fflush(l->f);
        dup2(fileno(f), fileno(l->f)); /* the FILE the workers hold now writes to the new one */
        funlockfile(l->f);
        fclose(f);
    }
    pthread_mutex_unlock(&log_files_mu);
}

/* A line that could not be written (a full disk): said once a minute at most. */
static void log_lost(void) {
    static uint64_t said_ms;
    if (!hwd_say_rarely(&said_ms)) return;
    fprintf(stderr, "hwasmd: access_log: a line could not be written (%s); lines are lost until it can\n",
            strerror(errno));
}

void hwd_access_log(const struct hwd_route *r, const hw_http_exchange *x, const char *target,
                    uint64_t ns) {
    struct timespec now;
    struct tm tm;
    char when[40];
    FILE *f = __atomic_load_n(&log_out, __ATOMIC_ACQUIRE);
    if (!f) f = stdout;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    flockfile(f); /* whole lines, whichever thread writes */
    fprintf(f, "{\"time\":\"%s.%03ldZ\",\"remote\":", when, now.tv_nsec / 1000000);
    hwd_json_string(f, x->req.source_addr.ptr ? x->req.source_addr.ptr : "", x->req.source_addr.len);
    fputs(",\"method\":", f);
    hwd_json_string(f, x->req.method.ptr, x->req.method.len);
    fputs(",\"uri\":", f);
    hwd_json_string(f, target, strlen(target));
    fputs(",\"route\":", f);
    if (r) hwd_json_string(f, r->prefix, r->prefix_len);
    else fputs("null", f);
    fprintf(f, ",\"status\":%d,\"bytes\":%zu,\"ms\":%.3f}\n", x->resp.status, x->resp.body.len, (double)ns / 1e6);
    if (fflush(f) || ferror(f)) {
        log_lost();
        clearerr(f);
    }
    funlockfile(f);
}

static uint64_t load(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

/* A status class's count, summed over the thread slots. */
static uint64_t codes_sum(const struct hwd_codes *c, int cls) {
    uint64_t n = 0;
    for (int s = 0; s < HWD_STAT_SLOTS; s++) n += load(&c->slot[s].n[cls]);
    return n;
}

/* A label value, escaped as the text format wants: backslash, double quote, newline. */
static void label(FILE *f, const char *s) {
    for (; s && *s; s++) {
        if (*s == '\\' || *s == '"') fputc('\\', f), fputc(*s, f);
        else if (*s == '\n') fputs("\\n", f);
        else fputc(*s, f);
    }
}

static int same(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static int same_methods(char **a, char **b) {
    for (; a && b && *a && *b; a++, b++)
        if (strcmp(*a, *b)) return 0;
    return (!a || !*a) && (!b || !*b);
}

/* Two routes whose series would carry the same labels (only the first can match). */
static int same_route(const struct hwd_route *a, const struct hwd_route *b) {
    return same(a->prefix, b->prefix) && same(a->host, b->host) && same_methods(a->methods, b->methods);
}

static void codes(FILE *f, const struct hwd_route *r, const uint64_t *c) {
    static const char *const cls[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 0; i < 6; i++) {
        if (!c[i]) continue;
        fputs("hwasmd_requests_total{route=\"", f);
        label(f, r ? r->prefix : "");
        fputs("\",host=\"", f);
        label(f, r ? r->host : "");
        fputs("\",methods=\"", f);
        for (char **m = r ? r->methods : NULL; m && *m; m++) {
            if (m != r->methods) fputc(',', f);
            label(f, *m);
        }
        fprintf(f, "\",code=\"%s\"} %llu\n", cls[i], (unsigned long long)c[i]);
    }
}

/* mw: the middleware whose histogram this is (a label on every sample), NULL for none. */
static void histogram_print(FILE *f, const char *metric, const char *mw, const struct hwd_histogram *h,
                            const double *bounds) {
    uint64_t cum = 0, sum_ns = 0, n = 0;
    for (int s = 0; s < HWD_STAT_SLOTS; s++) {
        sum_ns += load(&h->slot[s].sum_ns);
        for (size_t b = 0; b <= HWD_HIST_BUCKETS; b++) n += load(&h->slot[s].count[b]);
    }
    for (size_t b = 0; b <= HWD_HIST_BUCKETS; b++) {
        for (int s = 0; s < HWD_STAT_SLOTS; s++) cum += load(&h->slot[s].count[b]);
        fprintf(f, "%s_bucket{", metric);
        if (mw) fputs("middleware=\"", f), label(f, mw), fputs("\",", f);
        if (b < HWD_HIST_BUCKETS) fprintf(f, "le=\"%g\"} %llu\n", bounds[b], (unsigned long long)cum);
        else fprintf(f, "le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    }
    for (int sum = 1; sum >= 0; sum--) {
        fprintf(f, "%s_%s", metric, sum ? "sum" : "count");
        if (mw) fputs("{middleware=\"", f), label(f, mw), fputs("\"}", f);
        if (sum) fprintf(f, " %.9f\n", (double)sum_ns / 1e9);
        else fprintf(f, " %llu\n", (unsigned long long)n);
    }
}

void hwd_metrics_write(const struct hwd_config *c, FILE *f) {
    fputs("# HELP hwasmd_requests_total Requests answered, by route prefix and status class.\n"
          "# TYPE hwasmd_requests_total counter\n", f);
    for (uint32_t i = 0; i < c->n_routes; i++) {
        uint64_t sum[6] = {0};
        int first = 1;
        for (uint32_t j = 0; j < c->n_routes; j++)
            if (same_route(&c->routes[i], &c->routes[j])) {
                if (j < i) first = 0;
                for (int k = 0; k < 6; k++) sum[k] += codes_sum(&c->routes[j].codes, k);
            }
        if (first) codes(f, &c->routes[i], sum);
    }
    uint64_t refused[6];
    for (int k = 0; k < 6; k++) refused[k] = codes_sum(&no_route, k);
    codes(f, NULL, refused);
    fputs("# HELP hwasmd_request_duration_seconds Time from a complete request to its answer.\n"
          "# TYPE hwasmd_request_duration_seconds histogram\n", f);
    histogram_print(f, "hwasmd_request_duration_seconds", NULL, &requests, request_s);
    fputs("# HELP hwasmd_guest_duration_seconds One handle_request or handle_response call, by middleware.\n"
          "# TYPE hwasmd_guest_duration_seconds histogram\n", f);
    for (uint32_t i = 0; i < c->n_mws; i++)
        histogram_print(f, "hwasmd_guest_duration_seconds", c->mws[i].name, &c->mws[i].guest_time, guest_s);
    fputs("# HELP hwasmd_middleware_traps_total Guest traps and interrupts, by middleware.\n"
          "# TYPE hwasmd_middleware_traps_total counter\n", f);
    for (uint32_t i = 0; i < c->n_mws; i++) {
        fputs("hwasmd_middleware_traps_total{middleware=\"", f);
        label(f, c->mws[i].name);
        fprintf(f, "\"} %llu\n", (unsigned long long)hw_http_middleware_traps(c->mws[i].mw));
    }
    fputs("# HELP hwasmd_middleware_instances Guest instances alive (busy and idle).\n"
          "# TYPE hwasmd_middleware_instances gauge\n", f);
    for (uint32_t i = 0; i < c->n_mws; i++) {
        fputs("hwasmd_middleware_instances{middleware=\"", f);
        label(f, c->mws[i].name);
        fprintf(f, "\"} %u\n", hw_http_middleware_instances(c->mws[i].mw));
    }
    fputs("# HELP hwasmd_upstream_errors_total Upstream failures answered 502 or 504.\n"
          "# TYPE hwasmd_upstream_errors_total counter\n", f);
    for (uint32_t i = 0; i < c->n_upstreams; i++) {
        uint64_t sum = 0;
        int first = 1;
        for (uint32_t j = 0; j < c->n_upstreams; j++)
            if (same(c->upstreams[i]->name, c->upstreams[j]->name)) {
                if (j < i) first = 0;
                sum += load(&c->upstreams[j]->errors);
            }
        if (!first) continue; /* the same upstream named by several routes: one series */
        fputs("hwasmd_upstream_errors_total{upstream=\"", f);
        label(f, c->upstreams[i]->name);
        fprintf(f, "\"} %llu\n", (unsigned long long)sum);
    }
    fprintf(f, "# HELP hwasmd_connections Open client connections.\n# TYPE hwasmd_connections gauge\n"
               "hwasmd_connections %lld\n",
            (long long)__atomic_load_n(&hwd_stat_connections, __ATOMIC_RELAXED));
}
