/*
 * http_internal.h — what the http host's files share: the middleware and per-instance
 * state, the import binding table, guest-memory checks and the trap helper. Internal to
 * libhwasm; embedders use hwasm_http.h.
 *
 * The phases of one guest instance (enum http_phase, hi->phase), and the function behind
 * each move (http_middleware.c creates instances, http_pool.c lends them, http_serve.c
 * runs requests):
 *
 *   http_pool_get, no idle instance and fewer than pool_size live:
 *     inst_create --> INIT --_start/_initialize ok--> IDLE --+
 *                      |                                     |
 *                      +--trap or error--> freed (inst_free) |
 *                                                            v
 *   hw_http_handle_request: http_pool_get --> REQUEST, guest handle_request
 *       +--trap or error--> trapped(): IDLE, freed (http_pool_discard)
 *       +--next = 0------> finish(): IDLE   (next: low word of the guest's result)
 *       +--next = 1------> stays REQUEST, pinned to the hw_http_call; the host runs
 *                          the next handler, then
 *   hw_http_handle_response --> RESPONSE, guest handle_response
 *       +--trap or error--> trapped(): IDLE, freed (http_pool_discard)
 *       +--ok-------------> finish(): IDLE
 *
 *   finish(): back to the pool (http_pool_put); under the reset policy first restored
 *   from its snapshot (http_snapshot_reset), or freed when it outgrew it. Idle instances
 *   are freed by hw_http_middleware_free. The http_handler functions check hi->phase:
 *   those that touch the exchange trap ("no request in flight") outside REQUEST and
 *   RESPONSE; enable_features in INIT sets the middleware's features for every call.
 */
#ifndef HTTP_INTERNAL_H
#define HTTP_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <hwasm/hwasm_http.h>

/* The core's error setter (rt_error): with rt_zero.h (http_snapshot.c), the only core
 * headers this layer includes. */
#include "rt_error.h"

/* Where an instance is: initialising (no request), inside handle_request, inside
 * handle_response, or idle in the pool. */
enum http_phase { PHASE_INIT, PHASE_REQUEST, PHASE_RESPONSE, PHASE_IDLE };

/* A host function the guest may import: its wasm type and its native code. */
struct host_fn {
    const char *name;
    const char *params; /* one char per value type: 'i' i32, 'I' i64 */
    const char *results;
    void *code;
};

/* WASI console: complete lines go to the logger; the tail of everything written is kept
 * for error messages (a trap during initialisation reports what the guest printed). */
struct console {
    char line[1024];
    uint32_t line_len;
    char tail[512];
    uint32_t tail_len;
};

struct http_mw;

struct http_inst {
    struct http_mw *mw;
    hw_instance *inst;
    hwasm_vmctx *vm;
    hwasm_memory *memory; /* vm->memory (never changes), or NULL */
    hwasm_funcref handle_request, handle_response;
    hw_extern *imports;
    uint32_t num_imports;

    /* per request */
    int phase;
    uint32_t features;
    hw_http_exchange *x;
    int req_body_written; /* first write_body replaces, later ones append */
    int resp_body_written;
    int next_called;
    uint32_t req_ctx;
    uint64_t header_bytes; /* written by the guest in this request (http_header_bytes) */
    int console_used;      /* this guest call printed or logged: console_flush is due */

    int exited; /* proc_exit was called, with exit_code */
    int32_t exit_code;
    struct console out, err;
    uint64_t log_used, log_lines, log_dropped; /* this guest call's log: bytes and lines
                                                  kept, lines over budget */
    char trap_msg[320];
    /* strict sandbox (cfg.strict_sandbox): the fake monotonic clock and random state */
    uint64_t fake_ns;
    uint64_t fake_rand;

    /* deadline (http_deadline.c): DEADLINE_OFF, DEADLINE_FIRING, DEADLINE_FIRED or the
     * monotonic ns the running call must end by (atomic: the worker arms and disarms it
     * without a lock, the timer thread fires it with a compare-and-swap) */
    uint64_t deadline_ns;
    /* every live instance, for the timer thread's scan (guarded by mw->lock) */
    struct http_inst *all_next, *all_prev;

    /* reset policy: the post-initialisation state (http_snapshot.c) */
    int snap_ready;
    uint64_t snap_mem_size;
    uint8_t *snap_copy; /* small memories: a plain copy (else a CoW memfd view) */
    uint64_t *snap_zero; /* with snap_copy: one bit per 4 KiB page, set when all zero */
    hwasm_global *snap_globals;
    uint32_t *snap_table_sizes;

    struct http_inst *idle_next;
    uint8_t *scratch;
    size_t scratch_cap;
};

/* How an import of the module is satisfied (computed once per middleware). */
struct import_bind {
    void *code;
    const uint8_t *params;
    const uint8_t *results;
    uint32_t num_params, num_results;
};

struct http_mw {
    hw_module *mod;
    const hwasm_descriptor *d; /* mod's, kept at hand for every request's checks */
    uint32_t own_tables_from, own_tables_to; /* d's defined tables, for the footprint */
    hw_http_config cfg;
    uint8_t *guest_config;
    char **environ;
    uint32_t num_environ;
    size_t environ_bytes;

    struct import_bind *binds;
    uint32_t num_binds;
    uint32_t handle_request_index, handle_response_index;
    int64_t start_index, initialize_index;

    uint32_t features; /* module-wide, from initialisation (atomic) */

    /* The pool: idle instances wait in the slot of the thread that last used them (a
     * worker's requests never take a lock another worker holds); a thread with an empty
     * slot makes an instance while fewer than pool_size live, else takes one from another
     * slot. mw->lock only guards the waits of a pool that may wait (pool_no_wait 0), the
     * list of every instance and the deadline timer. */
    struct pool_slot *slots; /* HTTP_POOL_SLOTS of them */
    uint32_t live;           /* atomic */
    uint32_t waiters;        /* threads in pthread_cond_timedwait on cond (atomic) */
    uint64_t traps;          /* atomic */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct http_inst *all;

    /* deadline timer */
    pthread_t timer;
    int timer_cond_ready, timer_running, timer_stop;
    int timer_idle; /* waiting with no deadline armed (atomic) */
    pthread_cond_t timer_cond;
};

/* Pool slots (http_pool.c): thread n uses slot n % HTTP_POOL_SLOTS, each on its own cache
 * lines; thread n < HTTP_POOL_SLOTS owns its slot's `hot` entry (its last returned
 * instance, taken and given back without an atomic read-modify-write). The slot's other
 * idle instances wait in the `idle` list under the lock. Two threads that share a slot are
 * still correct, only contended. */
#define HTTP_POOL_SLOTS 64
struct pool_slot {
    pthread_mutex_t lock;
    struct http_inst *idle; /* written under lock, read as a hint without (atomic) */
    struct http_inst *hot;  /* atomic: see http_pool.c for who writes it when */
    uint32_t claim;         /* the owner is using hot (atomic) */
    uint32_t stealing;      /* another thread is taking hot, under lock (atomic) */
    char pad[128 - sizeof(pthread_mutex_t) - 2 * sizeof(struct http_inst *) - 8];
};

/* Deadline states other than a time (every real deadline is far above these). */
#define DEADLINE_OFF 0u
#define DEADLINE_FIRED 1u
#define DEADLINE_FIRING 2u

/* Lowest level the logger takes, -1..3; NONE when there is no logger. */
static inline int http_log_enabled(const struct http_mw *mw, int32_t level) {
    return mw->cfg.log && level >= mw->cfg.log_level && level <= HTTP_LOG_ERROR;
}
/* A guest's log line (http_handler.log or a console line), within the per-call budget: a
 * guest printing in a loop must not flood the embedder's log; what is over is counted. */
#define HTTP_LOG_BUDGET (64u << 10)
#define HTTP_LOG_LINES 1024u
void http_log(struct http_inst *hi, int32_t level, const char *msg, size_t len);
/* At the end of a guest call: one line for the output dropped, and a fresh budget. */
void http_log_call_end(struct http_inst *hi);

/* Stops the current guest call: "http_handler.<fn>: <why> (phase <phase>)". */
void http_trap(struct http_inst *hi, hwasm_vmctx *vm, const char *fn, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));
const char *http_phase_name(int phase);

/* The guest bytes [ptr, ptr+len) of the caller's memory, or a trap naming fn. The check is
 * done in 64 bits against the current size (the guest may have grown memory). */
static inline uint8_t *guest_bytes(struct http_inst *hi, hwasm_vmctx *vm, uint32_t ptr,
                                   uint32_t len, const char *fn) {
    hwasm_memory *m = vm->memory;
    if (!m || (uint64_t)ptr + len > m->size)
        http_trap(hi, vm, fn, "out of bounds memory access (ptr %u, len %u)", ptr, len);
    return m->base + ptr;
}

/* Copies n bytes between buffers that do not overlap. The strings host calls move are
 * mostly a few bytes long (a header name, a short value, a path), where libc's memcpy is a
 * call and a size dispatch: up to 16 bytes are two possibly overlapping loads and stores. */
static inline void http_copy(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (n > 16) {
        memcpy(d, s, n);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8), memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8), memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4), memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4), memcpy(d + n - 4, &b, 4);
    } else if (n) {
        uint8_t a = s[0], b = s[n / 2], c = s[n - 1];
        d[0] = a, d[n / 2] = b, d[n - 1] = c;
    }
}

/* Eight bytes at once with 'A'..'Z' lowered (and nothing else changed): in each byte below
 * 0x80, bit 7 of (b + 0x3f) says b >= 'A' and bit 7 of (b + 0x25) says b > 'Z'. */
static inline uint64_t http_lower8(uint64_t x) {
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t low7 = x & (0x7f * ones);
    uint64_t upper = (low7 + 0x3f * ones) ^ (low7 + 0x25 * ones);
    return x | ((upper & ~x & (0x80 * ones)) >> 2);
}

/* A word holding every byte of p[0..len), 1 <= len <= 8 (two loads that may overlap):
 * two names of the same length are equal exactly when their words are. */
static inline uint64_t http_name_word(const char *p, size_t len) {
    if (len >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4), memcpy(&hi, p + len - 4, 4);
        return lo | (uint64_t)hi << 32;
    }
    return (uint8_t)p[0] | (uint64_t)(uint8_t)p[len / 2] << 8 |
           (uint64_t)(uint8_t)p[len - 1] << 16;
}

/* Are a and b (len bytes each) the same name, ignoring ASCII case? Eight bytes at a time,
 * the last word overlapping the one before. */
static inline int http_name_eq(const char *a, const char *b, size_t len) {
    uint64_t x, y;
    if (len > 8) {
        for (size_t i = 0; i + 8 < len; i += 8) {
            memcpy(&x, a + i, 8), memcpy(&y, b + i, 8);
            if (x != y && http_lower8(x) != http_lower8(y)) return 0;
        }
        memcpy(&x, a + len - 8, 8), memcpy(&y, b + len - 8, 8);
    } else if (len) {
        x = http_name_word(a, len), y = http_name_word(b, len);
    } else {
        return 1;
    }
    return x == y || http_lower8(x) == http_lower8(y);
}

/* Is f's name name, ignoring ASCII case (as hw_http_headers_find compares)? */
static inline int http_field_is(const hw_http_field *f, const char *name, size_t name_len) {
    return f->name_len == name_len && http_name_eq(f->name, name, name_len);
}

/* Writes a single string under the buf_limit rule and returns its length. */
static inline int32_t http_write_string(struct http_inst *hi, hwasm_vmctx *vm, const char *fn,
                                        uint32_t buf, uint32_t buf_limit, const void *s,
                                        size_t n) {
    uint8_t *dst = buf_limit ? guest_bytes(hi, vm, buf, buf_limit, fn) : NULL;
    if (n > INT32_MAX) http_trap(hi, vm, fn, "value too long (%zu bytes)", n);
    if (n <= buf_limit) http_copy(dst, s, n);
    return (int32_t)n;
}

/* Counts n more guest-written header bytes (names, values, uri, method) in this request,
 * or traps naming fn once they would pass cfg.max_header_bytes: without a bound a guest
 * adding headers in a loop grows host memory until the process dies. */
static inline void http_header_bytes(struct http_inst *hi, hwasm_vmctx *vm, const char *fn,
                                     uint64_t n) {
    uint32_t cap = hi->mw->cfg.max_header_bytes;
    if (n > cap - hi->header_bytes)
        http_trap(hi, vm, fn, "guest-written header bytes over %u in this request", cap);
    hi->header_bytes += n;
}



/* A scratch buffer of at least n bytes owned by the instance, or a trap. */
uint8_t *http_scratch(struct http_inst *hi, hwasm_vmctx *vm, size_t n, const char *fn);

/* Looks up an http_handler function by name; NULL when the ABI has no such name. */
const struct host_fn *http_handler_lookup(const char *name, size_t len);
/* Looks up a wasi_snapshot_preview1 function. *enosys is set when the name is a preview1
 * function hwasm does not implement (it then binds to a stub returning ENOSYS). */
const struct host_fn *wasi_lookup(const char *name, size_t len, int *enosys);
/* The ENOSYS stub, callable with any parameters (the SysV caller cleans up). */
int32_t wasi_enosys(void *env, hwasm_vmctx *caller);

/* Flushes a partial console line at the end of a guest call; ends its log budget. */
void console_flush(struct http_inst *hi);
/* The console tail (stderr then stdout) for error messages. */
void console_tail(struct http_inst *hi, char *out, size_t cap);

/* Resolves every import of mw->mod into mw->binds, or fails naming the bad import. */
int http_bind_imports(struct http_mw *mw, hw_error *err);

/* Deadline timer: arm before a guest call, disarm after (clears a late interrupt); both
 * only while mw->timer_running. */
int deadline_start(struct http_mw *mw);
void deadline_stop(struct http_mw *mw);
void deadline_arm(struct http_inst *hi);
void deadline_disarm(struct http_inst *hi);

/* Guest calls, guarded, under the deadline; the console is flushed afterwards. */
enum { CALL_VOID, CALL_REQUEST, CALL_RESPONSE };
int http_guest_call(struct http_inst *hi, int kind, const hwasm_funcref *f, int32_t a, int32_t b,
                    int64_t *ret, hw_error *err);

/* An initialised instance (http_middleware.c), or an error; freeing one for good. */
int http_inst_create(struct http_mw *mw, struct http_inst **out, hw_error *err);
void http_inst_free(struct http_inst *hi);

/* The pool (http_pool.c): init and free (with every idle instance) its slots; get waits up
 * to pool_wait_ms; discard frees an instance for good. */
int http_pool_init(struct http_mw *mw);
void http_pool_free(struct http_mw *mw);
int http_pool_get(struct http_mw *mw, struct http_inst **out, hw_error *err);
void http_pool_put(struct http_mw *mw, struct http_inst *hi);
void http_pool_discard(struct http_mw *mw, struct http_inst *hi, int trapped);
/* What an instance holds beyond its fixed cost: linear memory, 8 bytes per table element
 * and its scratch buffer; compared with cfg.keep_bytes after each request. */
static inline uint64_t http_inst_footprint(const struct http_inst *hi) {
    const struct http_mw *mw = hi->mw;
    uint64_t bytes = (hi->memory ? hi->memory->size : 0) + hi->scratch_cap;
    for (uint32_t i = mw->own_tables_from; i < mw->own_tables_to; i++)
        bytes += (uint64_t)hi->vm->tables[i]->size * sizeof(void *);
    return bytes;
}

/* Reset policy: take the snapshot once initialised; reset fails (HW_EINVAL) when the
 * instance outgrew it, and the caller then recreates the instance. */
int http_snapshot_take(struct http_inst *hi);
int http_snapshot_reset(struct http_inst *hi);
void http_snapshot_free(struct http_inst *hi);

#endif /* HTTP_INTERNAL_H */
