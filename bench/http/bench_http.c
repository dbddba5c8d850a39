/*
 * bench_http.c — in-process cost of the http host (not a test): ns per request for a
 * baseline without any guest (what hw_http_serve's caller does alone: call its next
 * handler on the exchange), a no-op guest (also under a time budget, as hwasmd runs every
 * guest) and a guest making one host call of each common kind, reset under the snapshot
 * policy, instance creation and freeing, and RSS per idle instance. Each figure is the
 * median of 21 batches. Usage: bench_http GUEST_DIR [SCALE]
 * (GUEST_DIR holds noop.so, hostcalls.so, counter.so; SCALE divides the iteration counts,
 * e.g. 100 under callgrind).
 * bench_http [--iters N] --case NAME FILE.so KIND... is the reference-host comparison's half
 * (bench/http/refhost/run-inproc): per case, a fresh request per iteration without and with
 * the guest, as bench/http/refhost/inproc/main.go does for http-wasm-host-go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hwasm/hwasm_http.h>

#define BATCHES 21

static int scale = 1;

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t) {
    qsort(t, BATCHES, sizeof t[0], cmp_double);
    return t[BATCHES / 2];
}

static const char *dir;
static const char *path(const char *name) {
    static char p[1024];
    snprintf(p, sizeof p, "%s/%s.so", dir, name);
    return p;
}

static int next_noop(void *ctx, hw_http_exchange *x) {
    (void)ctx, (void)x;
    return 0;
}
/* Called through a volatile pointer, as an embedder calls its handler: not inlined away. */
static hw_http_next_fn volatile next_fn = next_noop;

static hw_http_exchange *new_exchange(void) {
    static hw_http_exchange x;
    hw_http_exchange_init(&x);
    hw_http_headers_add(&x.req.headers, "Host", 4, "localhost", 9);
    return &x;
}

/* Median ns per request of `iters` requests through the guest on one reused exchange,
 * each guest call under a time budget of deadline_ms (0: none); guest NULL: the baseline,
 * the embedder alone (its next handler on the exchange). */
static double per_request(const char *guest, uint32_t policy, uint32_t deadline_ms, int iters) {
    hw_http_config cfg = {.policy = policy, .deadline_ms = deadline_ms};
    hw_http_middleware *mw = NULL;
    hw_error err;
    if (guest && hw_http_middleware_new(path(guest), &cfg, &mw, &err)) {
        fprintf(stderr, "%s: %s\n", guest, err.message);
        exit(1);
    }
    hw_http_exchange *x = new_exchange();
    double t[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++) {
            x->req.body.pos = 0;
            if (mw ? hw_http_serve(mw, x, next_fn, NULL, &err) : next_fn(NULL, x)) {
                fprintf(stderr, "%s: %s\n", guest ? guest : "baseline", mw ? err.message : "next failed");
                exit(1);
            }
        }
        t[b] = (now_ns() - t0) / iters;
    }
    hw_http_exchange_free(x);
    if (mw) hw_http_middleware_free(mw);
    return median(t);
}

/* The request kinds of the guest SDK's benchmark (see refhost/inproc/main.go). */
typedef struct request_kind {
    const char *name, *method, *target;
} request_kind;
static const request_kind KINDS[] = {
    {"get", "GET", "/v1.0/hi"}, {"query", "GET", "/v1.0/hi?name=panda"},
    {"post", "POST", "/"},      {"root", "GET", "/"},
    {"host", "GET", "/host"},
};

static const request_kind *find_kind(const char *name) {
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(KINDS[i].name, name)) return &KINDS[i];
    fprintf(stderr, "bench_http: unknown request kind %s\n", name);
    exit(2);
}

/* A fresh exchange per request, as refhost-inproc makes a fresh *http.Request. */
static void new_request(hw_http_exchange *x, const request_kind *k) {
    hw_http_exchange_init(x);
    hw_http_str_set(&x->req.method, k->method, strlen(k->method));
    hw_http_str_set(&x->req.target, k->target, strlen(k->target));
    hw_http_headers_add(&x->req.headers, "Host", 4, "localhost", 9);
    if (k->method[0] == 'P') hw_http_body_set(&x->req.body, "hello world", 11);
}

static double cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Wall ns per request of one batch, its CPU ns in *cpu; mw NULL: the baseline (the next
 * handler called directly). */
static double case_batch(hw_http_middleware *mw, const request_kind *kind, int iters, double *cpu) {
    hw_error err;
    double t0 = now_ns(), c0 = cpu_ns();
    for (int i = 0; i < iters; i++) {
        hw_http_exchange x;
        new_request(&x, kind);
        if (!mw)
            next_noop(NULL, &x);
        else if (hw_http_serve(mw, &x, next_noop, NULL, &err)) {
            fprintf(stderr, "bench_http: %s\n", err.message);
            exit(1);
        }
        hw_http_exchange_free(&x);
    }
    *cpu = (cpu_ns() - c0) / iters;
    return (now_ns() - t0) / iters;
}

/* --case mode: prints "CASE NAME BASE_WALL_NS MW_WALL_NS BASE_CPU_NS MW_CPU_NS" (medians of
 * batches run alternately), as refhost-inproc does. */
static int run_cases(int argc, char **argv) {
    int iters = 20000, i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "--iters")) iters = atoi(argv[i + 1]), i += 2;
    for (; i < argc; i += 4) {
        if (strcmp(argv[i], "--case") || i + 3 >= argc) {
            fprintf(stderr, "usage: bench_http [--iters N] --case NAME FILE.so KIND...\n");
            return 2;
        }
        const char *name = argv[i + 1], *file = argv[i + 2];
        const request_kind *kind = find_kind(argv[i + 3]);
        hw_http_middleware *mw;
        hw_error err;
        if (hw_http_middleware_new(file, NULL, &mw, &err)) {
            fprintf(stderr, "bench_http: %s: %s\n", file, err.message);
            return 1;
        }
        double base[BATCHES], with[BATCHES], base_cpu[BATCHES], with_cpu[BATCHES];
        case_batch(NULL, kind, iters / 10, base_cpu); /* warm-up */
        case_batch(mw, kind, iters / 10, base_cpu);
        for (int b = 0; b < BATCHES; b++) {
            base[b] = case_batch(NULL, kind, iters, &base_cpu[b]);
            with[b] = case_batch(mw, kind, iters, &with_cpu[b]);
        }
        printf("CASE %s %.1f %.1f %.1f %.1f\n", name, median(base), median(with), median(base_cpu),
               median(with_cpu));
        hw_http_middleware_free(mw);
    }
    return 0;
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (f && fscanf(f, "%ld %ld", &pages, &res) != 2) res = 0;
    if (f) fclose(f);
    return res * 4;
}

static void new_instance(hw_module *m, hw_instance **out) {
    hw_error err;
    if (hw_instance_new(m, NULL, 0, NULL, out, &err)) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
}

/* Instance creation and freeing with N instances live at once (as a pool filling up),
 * then one at a time (as a pool replacing a trapped instance), and idle RSS. */
static void instances(void) {
    hw_module *m;
    hw_error err;
    if (hw_module_load(path("noop"), NULL, &m, &err)) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    enum { N = 200 };
    static hw_instance *insts[N];
    double tc[BATCHES], tf[BATCHES], tr[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < N; i++)
            new_instance(m, &insts[i]);
        double t1 = now_ns();
        tc[b] = (t1 - t0) / N;
        if (b == BATCHES - 1) break;
        for (int i = 0; i < N; i++)
            hw_instance_free(insts[i]);
        tf[b] = (now_ns() - t1) / N;
    }
    tf[BATCHES - 1] = tf[0];
    printf("instance creation, %d live (noop):  %8.1f ns  (free %.1f ns)\n", N, median(tc),
           median(tf));
    long before = rss_kib();
    for (int i = 0; i < N; i++)
        hw_instance_free(insts[i]);
    long after = rss_kib();
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < N; i++) {
            hw_instance *inst;
            new_instance(m, &inst);
            hw_instance_free(inst);
        }
        tr[b] = (now_ns() - t0) / N;
    }
    printf("instance creation + free, 1 live:   %8.1f ns\n", median(tr));
    printf("RSS per idle instance (noop):       %8.1f KiB\n", (double)(before - after) / N);
    hw_module_free(m);
}

int main(int argc, char **argv) {
    if (argc > 1 && !strncmp(argv[1], "--", 2)) return run_cases(argc, argv);
    dir = argc > 1 ? argv[1] : "build/tests/guests";
    scale = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
    double base = per_request(NULL, HW_HTTP_KEEP, 0, 100000 / scale);
    double noop = per_request("noop", HW_HTTP_KEEP, 0, 100000 / scale);
    double timed = per_request("noop", HW_HTTP_KEEP, 1000, 100000 / scale);
    double calls = per_request("hostcalls", HW_HTTP_KEEP, 0, 100000 / scale);
    double keep = per_request("counter", HW_HTTP_KEEP, 0, 20000 / scale);
    double reset = per_request("counter", HW_HTTP_RESET, 0, 20000 / scale);
    printf("baseline request (next only):       %8.1f ns\n", base);
    printf("trivial request (noop, next=1):     %8.1f ns  (added %.1f ns)\n", noop, noop - base);
    /* hwasmd's default: every guest call under time_budget_ms 1000 */
    printf("the same, 1000 ms time budget:      %8.1f ns  (budget %.1f ns)\n", timed, timed - noop);
    printf("request with 6 host calls:          %8.1f ns  (%.1f ns per call)\n", calls,
           (calls - noop) / 6);
    printf("counter request, keep policy:       %8.1f ns\n", keep);
    printf("counter request, reset policy:      %8.1f ns  (reset %.1f ns)\n", reset, reset - keep);
    instances();
    return 0;
}
