/*
 * http_internal.h — what the http host's files share: the middleware and per-instance
 * state, the import binding table, and the files' entry points. Internal to libhwasm;
 * embedders use hwasm_http.h. The helpers of the host functions themselves (guest-memory
 * checks, the trap, copies, name compares) are http_common.h.
 *
 * The phases of one guest instance (enum http_phase, hi->phase), and the function behind
 * each move (http_instance.c creates instances, http_pool.c lends them, http_serve.c runs
 * requests):
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
 *   are freed by hw_http_middleware_free, and those idle past pool_idle_ms by the timer
 *   thread (http_pool_reap). The http_handler functions check hi->phase:
 *   those that touch the exchange trap ("no request in flight") outside REQUEST and
 *   RESPONSE; enable_features in INIT sets the middleware's features for every call.
 */
#ifndef HTTP_INTERNAL_H
#define HTTP_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

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
     * running call's stamp (atomic: the worker arms and disarms it without a lock, the
     * timer thread fires it with a compare-and-swap); calls counts the worker's arms
     * (atomic: the timer reads it); cpu_clock is the CPU clock of the thread that made the
     * last arm, stored before the stamp (atomic); the timer's own record of the call it
     * last saw running, when, and the CPU time of its thread then, and of calls at its
     * last scan (under mw->lock) */
    uint64_t deadline;
    uint64_t calls;
    clockid_t cpu_clock;
    uint64_t seen_stamp, seen_ns, seen_cpu_ns, scanned_calls;
    /* every live instance, for the timer thread's scan (guarded by mw->lock) */
    struct http_inst *all_next, *all_prev;

    /* reset policy: the post-initialisation state (http_snapshot.c) */
    int snap_ready;
    uint64_t snap_mem_size;
    uint8_t *snap_copy; /* small memories: a plain copy (else a CoW memfd view) */
    uint64_t *snap_zero; /* with snap_copy: one bit per 4 KiB page, set when all zero */
    hwasm_global *snap_globals;
    uint32_t *snap_table_sizes;
    void **snap_elems; /* every table's elements, one table after another */
    uint64_t *snap_dropped; /* which segments were dropped (hw_instance_dropped_save) */

    struct http_inst *idle_next;
    uint32_t idle_ticks; /* reaper ticks seen in a slot's idle list, 0 on entering one
                            (under the slot's lock) */
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
    hw_memory_budget budget; /* what all its instances hold: cfg.pool_memory_mb */
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

    /* the timer thread: deadlines (deadline_on: cfg.deadline_ms, guest calls are armed)
     * and the reaper's ticks (reap_ns: cfg.pool_idle_ms) */
    pthread_t timer;
    int timer_cond_ready, timer_running, timer_stop, deadline_on;
    int timer_idle;     /* asleep until an arm wakes it (atomic) */
    uint64_t budget_ns; /* cfg.deadline_ms in ns */
    uint64_t tick_ns;   /* how often the timer looks while calls come (http_deadline.c) */
    uint64_t reap_ns;   /* how often it reaps: cfg.pool_idle_ms / HTTP_REAP_TICKS, 0 never */
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

/* Deadline states other than a call's stamp (every stamp is above these). */
#define DEADLINE_OFF 0u
#define DEADLINE_FIRED 1u
#define DEADLINE_FIRING 2u

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

/* The timer thread (deadlines, reaper ticks): started when either is configured. Arm
 * before a guest call, disarm after (clears a late interrupt); both only while
 * mw->deadline_on. */
int deadline_start(struct http_mw *mw);
void deadline_stop(struct http_mw *mw);
void deadline_arm(struct http_inst *hi);
void deadline_disarm(struct http_inst *hi);

/* An initialised instance (http_instance.c), or an error; freeing one for good. */
int http_inst_create(struct http_mw *mw, struct http_inst **out, hw_error *err);
void http_inst_free(struct http_inst *hi);

/* The pool (http_pool.c): init and free (with every idle instance) its slots; get waits up
 * to pool_wait_ms; discard frees an instance for good. */
int http_pool_init(struct http_mw *mw);
void http_pool_free(struct http_mw *mw);
int http_pool_get(struct http_mw *mw, struct http_inst **out, hw_error *err);
void http_pool_put(struct http_mw *mw, struct http_inst *hi);
void http_pool_discard(struct http_mw *mw, struct http_inst *hi, int trapped);
/* One reaper tick (the timer thread's, every reap_ns; called without mw->lock): frees the
 * instances that waited in an idle list for more than HTTP_REAP_TICKS ticks, while more
 * than cfg.pool_min live. */
#define HTTP_REAP_TICKS 4
void http_pool_reap(struct http_mw *mw);
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
