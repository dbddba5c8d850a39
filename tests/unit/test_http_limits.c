/*
 * test_http_limits.c — what an untrusted guest may make the host hold, in process, with
 * the adversarial guests limits, tablegrow and bigtable: the default memory and table
 * caps, the per-request budget of guest-written header bytes, the keep_bytes rule that
 * frees an instance grown too big (tables count), the statuses a guest may not set, and
 * that no request reads another's memory (scribble: reset in place, recycled memories);
 * and, with guests written here in WAT, the time budget of a module's start section, the
 * reset policy's restoring of table elements and dropped segments, the pool's memory
 * budget and the reaping of idle instances, and the cost of an empty header field.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "http_test_support.h"

/* The .so of a guest written in WAT (unit_compile_wat), or a failed check. */
static const char *wat_guest(const char *wat) {
    const char *so = unit_compile_wat(wat, "");
    ck_assert_msg(so != NULL, "the test guest did not compile (see stderr)");
    return so;
}

/* Serves target on mw; returns hw_http_serve's status, the message in *err. */
static int serve_uri(hw_http_middleware *mw, const char *target, hw_http_exchange *x,
                     hw_error *err) {
    struct backend be = {0};
    exchange(x, "GET", target, NULL);
    int rc = hw_http_serve(mw, x, echo_backend, &be, err);
    ck_assert_int_eq(be.calls, 0); /* these guests always answer themselves */
    return rc;
}

/* Expects target to answer status (and body, when not NULL) without a trap. */
static void expect_answer(hw_http_middleware *mw, const char *target, int status,
                          const char *body) {
    hw_http_exchange x;
    hw_error err = {0};
    int rc = serve_uri(mw, target, &x, &err);
    ck_assert_msg(rc == HW_OK, "%s: rc %d: %s", target, rc, err.message);
    ck_assert_msg(x.resp.status == status, "%s: status %d", target, x.resp.status);
    if (body)
        ck_assert_msg(body_is(&x.resp.body, body), "%s: body %.*s", target, (int)x.resp.body.len,
                      x.resp.body.data);
    hw_http_exchange_free(&x);
}

/* Expects target to trap with a message containing why; the answer is then a 500. */
static void expect_trap(hw_http_middleware *mw, const char *target, const char *why) {
    hw_http_exchange x;
    hw_error err = {0};
    int rc = serve_uri(mw, target, &x, &err);
    ck_assert_msg(rc == HW_ETRAP, "%s: rc %d, status %d", target, rc, x.resp.status);
    ck_assert_msg(strstr(err.message, why), "%s: %s", target, err.message);
    ck_assert_int_eq(x.resp.status, 500);
    hw_http_exchange_free(&x);
}

START_TEST(default_memory_cap) {
    hw_http_middleware *mw = load_guest("adversarial/limits", NULL);
    expect_answer(mw, "/grow/257", 507, ""); /* 16 MiB + 1 page: memory.grow says -1 */
    expect_answer(mw, "/grow/256", 200, "256");
    ck_assert_uint_eq(hw_http_middleware_traps(mw), 0);
    hw_http_middleware_free(mw);
    hw_http_config cfg = {.max_memory_pages = 1024};
    mw = load_guest("adversarial/limits", &cfg);
    expect_answer(mw, "/grow/257", 200, "257");
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(header_bytes_budget) {
    hw_http_middleware *mw = load_guest("adversarial/limits", NULL);
    const char *over = "guest-written header bytes over 1048576 in this request";
    expect_trap(mw, "/headers/add", over);
    expect_trap(mw, "/headers/set", over); /* replacing counts too: it is host work */
    expect_trap(mw, "/headers/uri", "set_uri: guest-written header bytes over");
    expect_trap(mw, "/headers/method", "set_method: guest-written header bytes over");
    ck_assert_uint_eq(hw_http_middleware_traps(mw), 4);
    /* 576 KiB per request, twice on the same kept instance: the budget is per request */
    expect_answer(mw, "/headers/some", 200, "");
    expect_answer(mw, "/headers/some", 200, "");
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 1);
    hw_http_middleware_free(mw);
    hw_http_config cfg = {.max_header_bytes = 64 << 20};
    mw = load_guest("adversarial/limits", &cfg);
    expect_answer(mw, "/headers/add", 200, "");
    cfg.max_header_bytes = 500000;
    hw_http_middleware_free(mw);
    mw = load_guest("adversarial/limits", &cfg);
    expect_trap(mw, "/headers/some", "header bytes over 500000");
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(interim_and_invalid_statuses) {
    hw_http_middleware *mw = load_guest("adversarial/limits", NULL);
    static const char *interim[] = {"/status/100", "/status/101", "/status/103", "/status/199"};
    for (int i = 0; i < 4; i++)
        expect_trap(mw, interim[i], "cannot be the final status");
    expect_trap(mw, "/status/101",
                "set_status_code: interim status 101 cannot be the final status");
    expect_trap(mw, "/status/99", "invalid status code 99");
    expect_trap(mw, "/status/0", "invalid status code 0");
    expect_trap(mw, "/status/1000", "invalid status code 1000");
    expect_answer(mw, "/status/200", 200, "");
    expect_answer(mw, "/status/204", 204, "");
    expect_answer(mw, "/status/999", 999, "");
    hw_http_middleware_free(mw);
}
END_TEST

START_TEST(oversized_instance_is_freed) {
    hw_http_config cfg = {.max_memory_pages = 1024, .keep_bytes = 8 << 20};
    hw_http_middleware *mw = load_guest("adversarial/limits", &cfg);
    expect_answer(mw, "/grow/64", 200, "64"); /* 4 MiB: kept */
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 1);
    expect_answer(mw, "/grow/64", 200, "64");   /* the same instance: nothing to grow */
    expect_answer(mw, "/grow/512", 200, "512"); /* 32 MiB > 8 MiB: freed after answering */
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 0);
    ck_assert_uint_eq(hw_http_middleware_traps(mw), 0); /* not a trap */
    expect_answer(mw, "/grow/1", 200, "3");             /* a fresh instance: its initial 3 pages */
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 1);
    hw_http_middleware_free(mw);
    /* born over keep_bytes (3 pages > 100000 bytes): a load error, not a new instance for
     * every request */
    cfg.keep_bytes = 100000;
    hw_error err = {0};
    ck_assert_int_eq(hw_http_middleware_new(guest_path("adversarial/limits"), &cfg, &mw, &err),
                     HW_EINVAL);
    ck_assert_str_eq(
        err.message,
        "an instance holds 196608 bytes once initialised, more than keep_bytes (100000)");
}
END_TEST

START_TEST(table_elements) {
    hw_http_middleware *mw = load_guest("adversarial/tablegrow", NULL);
    /* a million refused; 1 + 127 * 1024 = 130049 elements fit in 131072: 200 + 31 */
    expect_answer(mw, "/", 231, "");
    expect_answer(mw, "/", 231, ""); /* kept (1 MiB of pointers): already full */
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 1);
    hw_http_middleware_free(mw);
    hw_http_config cfg = {.max_table_elements = 2000000};
    mw = load_guest("adversarial/tablegrow", &cfg);
    expect_answer(mw, "/", 201, "");
    hw_http_middleware_free(mw);
    /* elements count in the footprint: 64 KiB of memory + 130049 * 8 bytes > 1 MiB */
    cfg = (hw_http_config){.keep_bytes = 1 << 20};
    mw = load_guest("adversarial/tablegrow", &cfg);
    expect_answer(mw, "/", 231, "");
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 0);
    hw_http_middleware_free(mw);
    /* a declared table over the cap fails the load, naming it */
    hw_http_middleware *bad = NULL;
    hw_error err = {0};
    ck_assert_int_eq(hw_http_middleware_new(guest_path("adversarial/bigtable"), NULL, &bad, &err),
                     HW_ENOMEM);
    ck_assert_str_eq(err.message, "tables of 1000000 elements exceed the cap of 131072 elements");
    ck_assert_ptr_null(bad);
    cfg = (hw_http_config){.max_table_elements = 1000000};
    mw = load_guest("adversarial/bigtable", &cfg);
    hw_http_middleware_free(mw);
}
END_TEST

/* scribble answers the number of MAGIC words it finds, then writes them on every page. */
static void expect_clean(hw_http_middleware *mw, const char *target) {
    hw_http_exchange x;
    hw_error err = {0};
    int rc = serve_uri(mw, target, &x, &err);
    int trap = !strcmp(target, "/trap") || !strcmp(target, "/grow");
    ck_assert_msg(rc == (trap ? HW_ETRAP : HW_OK), "%s: rc %d: %s", target, rc, err.message);
    if (!trap)
        ck_assert_msg(body_is(&x.resp.body, "0"), "%s: %.*s words of an earlier request", target,
                      (int)x.resp.body.len, x.resp.body.data);
    hw_http_exchange_free(&x);
}

/* scribble's memory is 2 pages, scribble_big's over 256 KiB (its snapshot a file view, its
 * spare rewound rather than wiped) */
START_TEST(fresh_memory) {
    const char *guest = _i ? "scribble_big" : "scribble";
    /* reset policy: the same instance, put back in place after every request */
    hw_http_config cfg = {.policy = HW_HTTP_RESET, .pool_size = 1};
    hw_http_middleware *mw = load_guest(guest, &cfg);
    for (int i = 0; i < 3; i++)
        expect_clean(mw, "/");
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 1);
    hw_http_middleware_free(mw);
    /* keep policy: a trapped instance's memory comes back, wiped, to its successor */
    for (uint32_t policy = 0; policy < 2; policy++) {
        cfg.policy = policy;
        mw = load_guest(guest, &cfg);
        for (int i = 0; i < 3; i++) {
            expect_clean(mw, "/trap"); /* scribbles, then traps: the instance is freed */
            ck_assert_uint_eq(hw_http_middleware_instances(mw), 0);
            expect_clean(mw, "/"); /* a new instance: nothing of the trapped one */
        }
        hw_http_middleware_free(mw);
        /* a memory that grew comes back rewound (a new module: no wiped spare is taken
         * first): zero, and its initial size (the 8 grown pages, scribbled on, are out of
         * its bounds again: reading one traps) */
        mw = load_guest(guest, &cfg);
        for (int i = 0; i < 3; i++) {
            expect_clean(mw, "/grow");
            ck_assert_uint_eq(hw_http_middleware_instances(mw), 0);
            expect_clean(mw, "/");
            hw_http_exchange x;
            hw_error err = {0};
            int rc = serve_uri(mw, "/peek", &x, &err);
            ck_assert_msg(rc == HW_ETRAP, "/peek: rc %d, read %.*s past the end", rc,
                          (int)x.resp.body.len, x.resp.body.data);
            hw_http_exchange_free(&x);
            ck_assert_uint_eq(hw_http_middleware_instances(mw), 0);
        }
        hw_http_middleware_free(mw);
    }
}
END_TEST

/* A start section that never returns, loaded with a 100 ms budget, in a thread (so that a
 * load that hangs fails the test instead of holding it). */
struct slow_load {
    const char *so;
    hw_http_middleware *mw;
    hw_error err;
    int rc;
};

static void *slow_load_main(void *arg) {
    struct slow_load *l = arg;
    hw_http_config cfg = {.deadline_ms = 100};
    l->rc = hw_http_middleware_new(l->so, &cfg, &l->mw, &l->err);
    return NULL;
}

START_TEST(start_section_budget) {
    static const char wat[] = "(module (memory (export \"memory\") 1)\n"
                              "  (func $s (loop $l (br $l))) (start $s)\n"
                              "  (func (export \"handle_request\") (result i64) (i64.const 0))\n"
                              "  (func (export \"handle_response\") (param i32 i32)))\n";
    struct slow_load l = {.so = wat_guest(wat)};
    struct timespec t0, t1, until;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, slow_load_main, &l), 0);
    ck_assert_msg(pthread_timedjoin_np(th, NULL, &until) == 0,
                  "the start section still runs after 5 s (budget 100 ms)");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    ck_assert_msg(ms < 1000, "the load took %.0f ms", ms);
    ck_assert_int_eq(l.rc, HW_ETRAP);
    ck_assert_ptr_null(l.mw);
    ck_assert_str_eq(l.err.message, "start function: interrupted");
    unlink(l.so);
}
END_TEST

/* Serves "/" three times on one instance of the WAT guest under the reset policy: each
 * answer must be 201, the state request 1 left undone by the reset before request 2. */
static void expect_reset_in_place(const char *wat) {
    const char *so = wat_guest(wat);
    hw_http_config cfg = {.policy = HW_HTTP_RESET, .pool_size = 1};
    hw_http_middleware *mw = NULL;
    hw_error err = {0};
    ck_assert_msg(hw_http_middleware_new(so, &cfg, &mw, &err) == HW_OK, "%s", err.message);
    unlink(so);
    for (int i = 0; i < 3; i++)
        expect_answer(mw, "/", 201, "");
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 1); /* reset in place, not recreated */
    hw_http_middleware_free(mw);
}

/* Request 1 sets table slot 1, which is null after initialisation; under the reset policy
 * request 2 finds it null again (201: null, 202: set). table.fill and table.copy write
 * elements the same way (through the runtime rather than inline). */
START_TEST(reset_restores_tables) {
    static const char wat[] =
        "(module (import \"http_handler\" \"set_status_code\" (func $status (param i32)))\n"
        "  (memory (export \"memory\") 1)\n"
        "  (table $t 4 funcref) (elem declare func $f) (func $f)\n"
        "  (func (export \"handle_request\") (result i64)\n"
        "    (call $status (select (i32.const 201) (i32.const 202)\n"
        "      (i32.and (ref.is_null (table.get $t (i32.const 1)))\n"
        "               (ref.is_null (table.get $t (i32.const 3))))))\n"
        "    (table.set $t (i32.const 1) (ref.func $f))\n"
        "    (table.fill $t (i32.const 2) (ref.func $f) (i32.const 1))\n"
        "    (table.copy $t $t (i32.const 3) (i32.const 2) (i32.const 1))\n"
        "    (i64.const 0))\n"
        "  (func (export \"handle_response\") (param i32 i32)))\n";
    expect_reset_in_place(wat);
}
END_TEST

/* Each request copies passive data segment 0 into memory and element segment 0 into the
 * table, then drops both; under the reset policy the next request finds them again (a
 * dropped segment has size 0, so memory.init or table.init of one byte would trap). */
START_TEST(reset_restores_dropped_segments) {
    static const char wat[] =
        "(module (import \"http_handler\" \"set_status_code\" (func $status (param i32)))\n"
        "  (memory (export \"memory\") 1) (data \"x\")\n"
        "  (table $t 1 funcref) (elem func $f) (func $f)\n"
        "  (func (export \"handle_request\") (result i64)\n"
        "    (memory.init 0 (i32.const 16) (i32.const 0) (i32.const 1)) (data.drop 0)\n"
        "    (table.init $t 0 (i32.const 0) (i32.const 0) (i32.const 1)) (elem.drop 0)\n"
        "    (call $status (i32.const 201))\n"
        "    (i64.const 0))\n"
        "  (func (export \"handle_response\") (param i32 i32)))\n";
    expect_reset_in_place(wat);
}
END_TEST

/* pool_memory_mb bounds what a middleware's instances hold together, whatever pool_size
 * says: 4-page (256 KiB) instances in a 1 MiB budget, so a fifth request in flight waits
 * (HW_EBUSY under pool_no_wait) until one comes back; memory.grow past the budget answers
 * -1 (/grow: 16 pages, 507; /grow8: 8 pages, 201 while one instance alone is live). */
START_TEST(pool_memory_budget) {
    static const char wat[] =
        "(module (import \"http_handler\" \"set_status_code\" (func $status (param i32)))\n"
        "  (import \"http_handler\" \"get_uri\" (func $uri (param i32 i32) (result i32)))\n"
        "  (memory (export \"memory\") 4)\n"
        "  (func (export \"handle_request\") (result i64) (local $n i32)\n"
        "    (local.set $n (call $uri (i32.const 0) (i32.const 16)))\n"
        "    (if (i32.eq (local.get $n) (i32.const 1)) (then (return (i64.const 1))))\n"
        "    (call $status (select (i32.const 507) (i32.const 201)\n"
        "      (i32.eq (memory.grow (select (i32.const 16) (i32.const 8)\n"
        "                                   (i32.eq (local.get $n) (i32.const 5))))\n"
        "              (i32.const -1))))\n"
        "    (i64.const 0))\n"
        "  (func (export \"handle_response\") (param i32 i32)))\n";
    const char *so = wat_guest(wat);
    hw_http_config cfg = {.pool_memory_mb = 1, .pool_size = 100, .pool_no_wait = 1};
    hw_http_middleware *mw = NULL;
    hw_error err = {0};
    ck_assert_msg(hw_http_middleware_new(so, &cfg, &mw, &err) == HW_OK, "%s", err.message);
    unlink(so);
    expect_answer(mw, "/grow", 507, ""); /* 1 MiB more than the 256 KiB it has */
    expect_answer(mw, "/grow8", 201, ""); /* 512 KiB more: 768 KiB of 1 MiB */
    hw_http_middleware_free(mw);

    ck_assert_msg(hw_http_middleware_new(so = wat_guest(wat), &cfg, &mw, &err) == HW_OK, "%s", err.message);
    unlink(so);
    hw_http_exchange x[5];
    hw_http_call *call[5];
    for (int i = 0; i < 5; i++) {
        exchange(&x[i], "GET", "/", NULL);
        int rc = hw_http_handle_request(mw, &x[i], &call[i], &err);
        ck_assert_msg(rc == (i < 4 ? HW_OK : HW_EBUSY), "request %d: rc %d: %s", i, rc, err.message);
    }
    ck_assert_msg(strstr(err.message, "memory budget of 1048576 bytes used up"), "%s", err.message);
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 4);
    ck_assert_int_eq(hw_http_handle_response(call[0], 0, &err), HW_OK);
    ck_assert_int_eq(hw_http_handle_request(mw, &x[4], &call[4], &err), HW_OK);
    for (int i = 1; i < 5; i++)
        ck_assert_int_eq(hw_http_handle_response(call[i], 0, &err), HW_OK);
    for (int i = 0; i < 5; i++)
        hw_http_exchange_free(&x[i]);
    hw_http_middleware_free(mw);
}
END_TEST

/* pool_idle_ms frees what a burst made once it has been idle that long, with no request
 * coming to trigger it, down to pool_min; a pinned instance is busy however long it is
 * pinned. 1-page instances in a 1 MiB pool_memory_mb: 16 fill it (a 17th: HW_EBUSY);
 * once 13 are reaped a second burst of 16 is made again, so the reaped gave back their
 * memory. Reaping runs every 25 ms here; the test polls for 20 s, ticks come late on a
 * loaded machine. */
START_TEST(pool_idle_reap) {
    static const char wat[] = "(module (memory (export \"memory\") 1)\n"
                              "  (func (export \"handle_request\") (result i64) (i64.const 1))\n"
                              "  (func (export \"handle_response\") (param i32 i32)))\n";
    hw_http_config cfg = {.pool_size = 100, .pool_no_wait = 1, .pool_memory_mb = 1,
                          .pool_idle_ms = 100, .pool_min = 3};
    const char *so = wat_guest(wat);
    hw_http_middleware *mw = NULL;
    hw_error err = {0};
    ck_assert_msg(hw_http_middleware_new(so, &cfg, &mw, &err) == HW_OK, "%s", err.message);
    unlink(so);
    enum { N = 16 };
    hw_http_exchange x[N + 1];
    hw_http_call *call[N + 1];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i <= N; i++) {
            exchange(&x[i], "GET", "/", NULL);
            int rc = hw_http_handle_request(mw, &x[i], &call[i], &err);
            ck_assert_msg(rc == (i < N ? HW_OK : HW_EBUSY), "round %d, request %d: rc %d: %s", round,
                          i, rc, err.message);
        }
        ck_assert_uint_eq(hw_http_middleware_instances(mw), N);
        if (round == 0) { /* pinned for three times pool_idle_ms: busy, not idle */
            nanosleep(&(struct timespec){0, 300 * 1000000}, NULL);
            ck_assert_uint_eq(hw_http_middleware_instances(mw), N);
        }
        for (int i = 0; i <= N; i++) {
            if (i < N) ck_assert_int_eq(hw_http_handle_response(call[i], 0, &err), HW_OK);
            hw_http_exchange_free(&x[i]);
        }
        uint32_t n = N;
        for (int ms = 0; ms < 20000 && (n = hw_http_middleware_instances(mw)) > 3; ms += 10)
            nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
        ck_assert_msg(n == 3, "round %d: %u instances 20 s after the burst, pool_min 3", round, n);
    }
    nanosleep(&(struct timespec){0, 300 * 1000000}, NULL);
    ck_assert_uint_eq(hw_http_middleware_instances(mw), 3);
    hw_http_middleware_free(mw);
}
END_TEST

/* A million add_header_value(request, "a", "") in one request: the budget counts every
 * field line as more than its bytes (the host holds a slot and a buffer for each), so the
 * default 1 MiB traps well before 1 MiB / 32 lines. The request keeps the lines added
 * before the trap: that is what the host held. */
START_TEST(empty_fields_cost) {
    static const char wat[] =
        "(module (import \"http_handler\" \"add_header_value\"\n"
        "    (func $add (param i32 i32 i32 i32 i32)))\n"
        "  (memory (export \"memory\") 1) (data (i32.const 0) \"a\")\n"
        "  (func (export \"handle_request\") (result i64) (local $i i32)\n"
        "    (loop $l (call $add (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 0))\n"
        "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
        "      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000000))))\n"
        "    (i64.const 0))\n"
        "  (func (export \"handle_response\") (param i32 i32)))\n";
    const char *so = wat_guest(wat);
    hw_http_middleware *mw = NULL;
    hw_error err = {0};
    ck_assert_msg(hw_http_middleware_new(so, NULL, &mw, &err) == HW_OK, "%s", err.message);
    unlink(so);
    hw_http_exchange x;
    int rc = serve_uri(mw, "/", &x, &err);
    uint32_t lines = x.req.headers.count - 1; /* Host came with the request */
    ck_assert_msg(rc == HW_ETRAP, "rc %d after %u empty lines", rc, lines);
    ck_assert_msg(strstr(err.message, "add_header_value: guest-written header bytes over 1048576"),
                  "%s", err.message);
    ck_assert_msg(lines > 1000 && lines < (1u << 20) / 32, "%u lines before the trap", lines);
    hw_http_exchange_free(&x);
    hw_http_middleware_free(mw);
}
END_TEST

int main(void) {
    Suite *s = suite_create("http_limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, default_memory_cap);
    tcase_add_test(tc, reset_restores_dropped_segments);
    tcase_add_test(tc, pool_memory_budget);
    tcase_add_test(tc, pool_idle_reap);
    tcase_add_test(tc, header_bytes_budget);
    tcase_add_test(tc, interim_and_invalid_statuses);
    tcase_add_test(tc, oversized_instance_is_freed);
    tcase_add_test(tc, table_elements);
    tcase_add_loop_test(tc, fresh_memory, 0, 2);
    tcase_add_test(tc, start_section_budget);
    tcase_add_test(tc, reset_restores_tables);
    tcase_add_test(tc, empty_fields_cost);
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}
