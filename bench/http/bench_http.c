/*
 * bench_http.c — in-process cost of the http host (not a test): ns per request for a no-op
 * guest and for a guest making one host call of each common kind, instance creation,
 * reset under the snapshot policy, and RSS per idle instance. Each figure is the median of
 * 21 batches. Usage: bench_http GUEST_DIR (the folder with noop.so, hostcalls.so, counter.so).
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

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
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

/* Median ns per request of `iters` requests on one reused exchange. */
static double per_request(const char *guest, uint32_t policy, int iters) {
    hw_http_config cfg = {.policy = policy};
    hw_http_middleware *mw;
    hw_error err;
    if (hw_http_middleware_new(path(guest), &cfg, &mw, &err)) {
        fprintf(stderr, "%s: %s\n", guest, err.message);
        exit(1);
    }
    hw_http_exchange x;
    hw_http_exchange_init(&x);
    hw_http_headers_add(&x.req.headers, "Host", 4, "localhost", 9);
    double t[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++) {
            x.req.body.pos = 0;
            if (hw_http_serve(mw, &x, next_noop, NULL, &err)) {
                fprintf(stderr, "%s: %s\n", guest, err.message);
                exit(1);
            }
        }
        t[b] = (now_ns() - t0) / iters;
    }
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
    qsort(t, BATCHES, sizeof t[0], cmp_double);
    return t[BATCHES / 2];
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
        qsort(base, BATCHES, sizeof base[0], cmp_double);
        qsort(with, BATCHES, sizeof with[0], cmp_double);
        qsort(base_cpu, BATCHES, sizeof base_cpu[0], cmp_double);
        qsort(with_cpu, BATCHES, sizeof with_cpu[0], cmp_double);
        printf("CASE %s %.1f %.1f %.1f %.1f\n", name, base[BATCHES / 2], with[BATCHES / 2],
               base_cpu[BATCHES / 2], with_cpu[BATCHES / 2]);
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

int main(int argc, char **argv) {
    if (argc > 1 && !strncmp(argv[1], "--", 2)) return run_cases(argc, argv);
    dir = argc > 1 ? argv[1] : "build/tests/guests";
    double noop = per_request("noop", HW_HTTP_KEEP, 100000);
    double calls = per_request("hostcalls", HW_HTTP_KEEP, 100000);
    double keep = per_request("counter", HW_HTTP_KEEP, 20000);
    double reset = per_request("counter", HW_HTTP_RESET, 20000);
    printf("trivial request (noop, next=1):     %8.1f ns\n", noop);
    printf("request with 6 host calls:          %8.1f ns  (%.1f ns per call)\n", calls,
           (calls - noop) / 6);
    printf("counter request, keep policy:       %8.1f ns\n", keep);
    printf("counter request, reset policy:      %8.1f ns  (reset %.1f ns)\n", reset, reset - keep);

    /* instance creation and idle RSS: raw instances of the no-op module */
    hw_module *m;
    hw_error err;
    if (hw_module_load(path("noop"), NULL, &m, &err))
        return fprintf(stderr, "%s\n", err.message), 1;
    enum { N = 200 };
    static hw_instance *insts[N];
    double t[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < N; i++)
            if (hw_instance_new(m, NULL, 0, NULL, &insts[i], &err))
                return fprintf(stderr, "%s\n", err.message), 1;
        t[b] = (now_ns() - t0) / N;
        if (b < BATCHES - 1)
            for (int i = 0; i < N; i++)
                hw_instance_free(insts[i]);
    }
    qsort(t, BATCHES, sizeof t[0], cmp_double);
    printf("instance creation (noop):           %8.1f ns\n", t[BATCHES / 2]);
    long before = rss_kib();
    for (int i = 0; i < N; i++)
        hw_instance_free(insts[i]);
    long after = rss_kib();
    printf("RSS per idle instance (noop):       %8.1f KiB\n", (double)(before - after) / N);
    hw_module_free(m);
    return 0;
}
