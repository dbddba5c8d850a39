/*
 * test_http_deadline.c — what deadline_ms counts: the CPU time of the guest call's thread,
 * not the time that passed. A call whose thread waits for a core (pinned to one CPU with
 * busy threads) is not interrupted for the waiting; a guest that spins is, once its own
 * CPU time reaches the budget; a call that waits in a host call (a body source's read) is
 * stopped by the wall-clock ceiling, HW_HTTP_DEADLINE_WALL_FACTOR budgets. No timing is
 * asserted tighter than the budget's own guarantees (never early; late by a tick) allow,
 * and the margins are several times what a shared 2-core machine needs.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "http_test_support.h"

/* handle_request runs an LCG for the number of rounds its guest config holds (8 bytes,
 * little-endian), stores the result and answers 200 itself. */
static const char burn_wat[] =
    "(module\n"
    "  (import \"http_handler\" \"get_config\" (func $get_config (param i32 i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"handle_request\") (result i64) (local $n i64) (local $x i64)\n"
    "    (drop (call $get_config (i32.const 0) (i32.const 8)))\n"
    "    (local.set $n (i64.load (i32.const 0)))\n"
    "    (local.set $x (i64.const 1))\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (i64.eqz (local.get $n)))\n"
    "      (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005))\n"
    "                             (i64.const 1442695040888963407)))\n"
    "      (local.set $n (i64.sub (local.get $n) (i64.const 1)))\n"
    "      (br $l)))\n"
    "    (i64.store (i32.const 8) (local.get $x))\n"
    "    (i64.const 0))\n"
    "  (func (export \"handle_response\") (param i32 i32)))\n";

/* handle_request reads the request body a byte at a time to its end, then answers 200. */
static const char reader_wat[] =
    "(module\n"
    "  (import \"http_handler\" \"read_body\" (func $read_body (param i32 i32 i32) (result i64)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"handle_request\") (result i64)\n"
    "    (loop $l\n"
    "      (br_if $l (i64.eqz (i64.shr_u (call $read_body (i32.const 0) (i32.const 0)\n"
    "                                                      (i32.const 1)) (i64.const 32)))))\n"
    "    (i64.const 0))\n"
    "  (func (export \"handle_response\") (param i32 i32)))\n";

static const char *guest_so(const char *wat) {
    const char *so = unit_compile_wat(wat, "");
    ck_assert_msg(so != NULL, "the test guest did not compile (see stderr)");
    return so;
}

static hw_http_middleware *burner(const char *so, uint32_t deadline_ms, uint64_t rounds) {
    hw_http_config cfg = {.deadline_ms = deadline_ms,
                          .guest_config = (const uint8_t *)&rounds, /* little-endian hosts */
                          .guest_config_len = sizeof rounds};
    hw_http_middleware *mw = NULL;
    hw_error err = {0};
    ck_assert_msg(hw_http_middleware_new(so, &cfg, &mw, &err) == HW_OK, "%s", err.message);
    return mw;
}

static uint64_t clock_ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Requests served on a thread of its own, pinned to `cpu` when cpu >= 0, one or `times`
 * (the instance made by the first): the last one's result, and the wall and CPU time (the
 * thread's) its serve took. */
struct served {
    hw_http_middleware *mw;
    hw_http_body_source body;
    int cpu, times;
    int rc, status, pinned;
    uint32_t trap; /* enum hwasm_trap */
    char message[sizeof(hw_error){0}.message];
    uint64_t wall_ns, cpu_ns;
};

static int pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0; /* 0: the calling thread */
}

static void *serve_main(void *arg) {
    struct served *s = arg;
    s->pinned = s->cpu < 0 || pin(s->cpu);
    for (int i = 0; i < (s->times ? s->times : 1); i++) {
        hw_http_exchange x;
        hw_error err = {0};
        struct backend be = {0};
        hw_http_exchange_init(&x);
        x.req.body.src = s->body;
        x.req.body.src_eof = !s->body.read;
        uint64_t w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        s->rc = hw_http_serve(s->mw, &x, echo_backend, &be, &err);
        s->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
        s->wall_ns = clock_ns(CLOCK_MONOTONIC) - w0;
        s->status = x.resp.status;
        s->trap = err.trap;
        memcpy(s->message, err.message, sizeof s->message);
        hw_http_exchange_free(&x);
    }
    return NULL;
}

/* Threads that only spin, all pinned to one CPU, until stop. */
struct hogs {
    int cpu, n, stop, running, pinned;
    pthread_t th[32];
};

static void *hog_main(void *arg) {
    struct hogs *h = arg;
    if (pin(h->cpu)) __atomic_add_fetch(&h->pinned, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&h->running, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED))
        ;
    return NULL;
}

static void hogs_start(struct hogs *h, int cpu, int n) {
    h->cpu = cpu, h->n = n;
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(pthread_create(&h->th[i], NULL, hog_main, h), 0);
    while (__atomic_load_n(&h->running, __ATOMIC_SEQ_CST) < n)
        sched_yield();
    ck_assert_msg(h->pinned == n, "could not pin the busy threads to CPU %d", cpu);
}

static void hogs_stop(struct hogs *h) {
    __atomic_store_n(&h->stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < h->n; i++)
        pthread_join(h->th[i], NULL);
}

/* Serves one request on mw from a thread pinned to cpu (-1: unpinned) while n busy
 * threads spin on that CPU. The middleware, and so its timer thread, was made before
 * anything was pinned: the timer may run on any CPU. */
static struct served serve_among_hogs(hw_http_middleware *mw, int cpu, int n, int times) {
    struct hogs h = {0};
    struct served s = {.mw = mw, .cpu = cpu, .times = times};
    if (n) hogs_start(&h, cpu, n);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, serve_main, &s), 0);
    pthread_join(th, NULL);
    if (n) hogs_stop(&h);
    ck_assert_msg(s.pinned, "could not pin the serving thread to CPU %d", cpu);
    return s;
}

/* A CPU this process may run on. */
static int some_cpu(void) {
    cpu_set_t set;
    ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set)) return c;
    ck_abort_msg("no CPU in the affinity mask");
    return -1;
}

/* Rounds of burn_wat that take about target_ns of CPU here (no deadline, unloaded): the
 * second call of an instance, timed, until one takes 20 ms. */
static uint64_t calibrate(const char *so, uint64_t target_ns) {
    for (uint64_t rounds = 1u << 20;; rounds *= 4) {
        hw_http_middleware *mw = burner(so, 0, rounds);
        struct served s = serve_among_hogs(mw, -1, 0, 2);
        hw_http_middleware_free(mw);
        ck_assert_msg(s.rc == HW_OK, "calibration: %s", s.message);
        if (s.cpu_ns >= 20000000u || rounds >= (1ull << 40))
            return (uint64_t)((double)rounds * (double)target_ns / (double)(s.cpu_ns | 1));
    }
}

/* The test that failed when the budget counted wall-clock time: a call of a fifth of the
 * budget in CPU, its thread sharing one CPU with 15 spinning threads, so it takes about
 * 16 times as long (three budgets) to finish. The serve must succeed; and the waiting
 * must have happened (else the test proved nothing) without reaching the ceiling. */
START_TEST(waiting_for_a_core_is_not_counted) {
    const uint32_t budget_ms = 250;
    const char *so = guest_so(burn_wat);
    uint64_t rounds = calibrate(so, budget_ms * 1000000ull / 5);
    hw_http_middleware *mw = burner(so, budget_ms, rounds);
    struct served s = serve_among_hogs(mw, some_cpu(), 15, 1);
    double wall = s.wall_ns / 1e6, cpu = s.cpu_ns / 1e6;
    ck_assert_msg(s.rc == HW_OK && s.status == 200,
                  "the call was stopped (rc %d, %s) after %.0f ms, %.0f ms of its own CPU time "
                  "(budget %u ms of CPU)",
                  s.rc, s.message, wall, cpu, budget_ms);
    ck_assert_msg(cpu < budget_ms, "the call used %.0f ms of CPU (budget %u)", cpu, budget_ms);
    ck_assert_msg(wall > budget_ms,
                  "the busy threads did not delay the call: %.0f ms wall, "
                  "%.0f ms CPU; the test shows nothing",
                  wall, cpu);
    hw_http_middleware_free(mw);
    unlink(so);
}
END_TEST

/* A guest that never returns is still interrupted, by its own CPU time: sharing its CPU
 * with one spinning thread, it has used at least the budget of CPU when stopped (not the
 * half of it it gets in a budget of wall-clock time), well before the ceiling. */
START_TEST(spinning_guest_is_interrupted) {
    const uint32_t budget_ms = 100;
    const char *so = guest_so(burn_wat);
    hw_http_middleware *mw = burner(so, budget_ms, UINT64_MAX);
    for (int hogs = 0; hogs <= 1; hogs++) {
        struct served s = serve_among_hogs(mw, some_cpu(), hogs, 1);
        double wall = s.wall_ns / 1e6, cpu = s.cpu_ns / 1e6;
        ck_assert_msg(s.rc == HW_ETRAP && s.trap == HWASM_TRAP_INTERRUPTED,
                      "rc %d: %s after %.0f ms", s.rc, s.message, wall);
        ck_assert_msg(cpu >= budget_ms,
                      "interrupted after %.0f ms of CPU (%.0f ms wall), budget %u ms of CPU", cpu,
                      wall, budget_ms);
        ck_assert_msg(wall < 5000, "interrupted only after %.0f ms (budget %u ms)", wall,
                      budget_ms);
    }
    hw_http_middleware_free(mw);
    unlink(so);
}
END_TEST

/* A body source that gives a byte every 5 ms, its end after 2,000 (10 s). */
static int64_t slow_read(void *ctx, uint8_t *buf, size_t cap, int *eof) {
    int *left = ctx;
    (void)cap;
    nanosleep(&(struct timespec){0, 5000000}, NULL);
    buf[0] = 'a';
    *eof = --*left == 0;
    return 1;
}

/* A call waiting in read_body uses no CPU: the wall-clock ceiling stops it, not before
 * HW_HTTP_DEADLINE_WALL_FACTOR budgets have passed (nor after 10 s: then it answers 200). */
START_TEST(wall_clock_ceiling) {
    const uint32_t budget_ms = 50;
    const char *so = guest_so(reader_wat);
    hw_http_config cfg = {.deadline_ms = budget_ms};
    hw_http_middleware *mw = NULL;
    hw_error err = {0};
    ck_assert_msg(hw_http_middleware_new(so, &cfg, &mw, &err) == HW_OK, "%s", err.message);
    int left = 2000;
    struct served s = {.mw = mw, .cpu = -1, .body = {slow_read, &left}};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, serve_main, &s), 0);
    pthread_join(th, NULL);
    double wall = s.wall_ns / 1e6;
    ck_assert_msg(s.rc == HW_ETRAP && s.trap == HWASM_TRAP_INTERRUPTED,
                  "rc %d (%s), status %d after %.0f ms", s.rc, s.message, s.status, wall);
    ck_assert_msg(wall >= budget_ms * HW_HTTP_DEADLINE_WALL_FACTOR,
                  "interrupted after %.0f ms: before the ceiling (%u ms), with %.1f ms of CPU",
                  wall, budget_ms * HW_HTTP_DEADLINE_WALL_FACTOR, s.cpu_ns / 1e6);
    hw_http_middleware_free(mw);
    unlink(so);
}
END_TEST

int main(void) {
    Suite *s = suite_create("http_deadline");
    TCase *tc = tcase_create("deadline");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, waiting_for_a_core_is_not_counted);
    tcase_add_test(tc, spinning_guest_is_interrupted);
    tcase_add_test(tc, wall_clock_ceiling);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}
