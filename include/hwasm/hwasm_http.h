/*
 * hwasm_http.h — libhwasm's http-wasm host, public part: the abstract HTTP exchange that
 * the host functions read and write (the sidecar, the tests and any embedder fill it), and
 * the middleware object (a compiled guest, its bounded instance pool and its policies).
 * Same conventions as hwasm.h: 0 or a negative HW_E* code, messages in a hw_error.
 */
#ifndef HWASM_HTTP_H
#define HWASM_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <hwasm/http_handler.h>
#include <hwasm/hwasm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- Strings and header lists --------------------------------------------------------- */

/* An owned byte string (not NUL-terminated in meaning; ptr is NUL-terminated for convenience). */
typedef struct hw_http_str {
    char *ptr;
    uint32_t len;
} hw_http_str;

int hw_http_str_set(hw_http_str *s, const char *p, size_t n);
void hw_http_str_free(hw_http_str *s);

/* One field line, as received or added: name keeps its case, value is one line's value. */
typedef struct hw_http_field {
    char *name;
    char *value;
    uint32_t name_len;
    uint32_t value_len;
} hw_http_field;

/* A header (or trailer) section: field lines in order; lookups ignore ASCII case. */
typedef struct hw_http_headers {
    hw_http_field *fields;
    uint32_t count;
    uint32_t cap;
} hw_http_headers;

/* Appends one field line (copies both strings). */
int hw_http_headers_add(hw_http_headers *h, const char *name, size_t name_len, const char *value,
                        size_t value_len);
/* Replaces every line named `name` by one line with `value`, at the first one's position
 * (appended when absent). */
int hw_http_headers_set(hw_http_headers *h, const char *name, size_t name_len, const char *value,
                        size_t value_len);
/* Removes every line named `name`; returns how many went. */
uint32_t hw_http_headers_remove(hw_http_headers *h, const char *name, size_t name_len);
/* Index of the first line named `name` at or after `from`, or -1. */
int64_t hw_http_headers_find(const hw_http_headers *h, const char *name, size_t name_len,
                             uint32_t from);
void hw_http_headers_clear(hw_http_headers *h);
void hw_http_headers_free(hw_http_headers *h);
/* Nonzero when name[0..len) is a field name as RFC 9110 §5.1 has it (a token: DIGIT, ALPHA
 * and !#$%&'*+-.^_`|~, at least one): HW_HTTP_NAME_PLAIN when it has only letters, digits
 * and '-', else 1; 0 when it is no token. Names that are not ("X A", "Content-Length ")
 * are read one way by some parsers and another way or refused by others. The sections
 * above store any bytes: whoever fills one from the wire checks its names with this.
 * (Plain names are what nginx calls valid: CGI, WSGI, PHP and Rack apps read "X_User",
 * "X.User" and "X-User" as one variable.) */
#define HW_HTTP_NAME_PLAIN 2
int hw_http_field_name_valid(const char *name, size_t len);

/* --- Bodies ----------------------------------------------------------------------------- */

/* Where body bytes come from when they are not all in memory yet (a socket, a file).
 * read blocks until it has at least one byte or the end: it returns the count (0 only with
 * *eof set) and sets *eof once the last byte has been delivered; negative on error. */
typedef struct hw_http_body_source {
    int64_t (*read)(void *ctx, uint8_t *buf, size_t cap, int *eof);
    void *ctx;
} hw_http_body_source;

/*
 * A body with a read cursor: bytes held in memory (data[0..len)), then whatever src still
 * has. Reads start at pos. While `retain` is set, bytes pulled from src are kept in memory
 * so a later reader can replay them (buffer_request); otherwise they are consumed.
 */
typedef struct hw_http_body {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t pos;
    hw_http_body_source src; /* src.read == NULL: no more bytes than data */
    int src_eof;
    int retain;
} hw_http_body;

/* Replaces the body by n bytes in memory (no source), cursor at 0. */
int hw_http_body_set(hw_http_body *b, const void *p, size_t n);
int hw_http_body_append(hw_http_body *b, const void *p, size_t n);
/* Reads at the cursor: fills up to cap bytes, stopping early only at the end, and sets
 * *eof in the same call that returns the last byte whenever the end is known. */
int64_t hw_http_body_read(hw_http_body *b, uint8_t *buf, size_t cap, int *eof);
/* Reads the rest into memory (retaining it); for next handlers that want the whole body. */
int hw_http_body_slurp(hw_http_body *b);
/* The bytes in memory after the cursor, not consumed: *len of them (NULL when none, as an
 * empty body has no buffer at all). */
const uint8_t *hw_http_body_unread(const hw_http_body *b, size_t *len);
void hw_http_body_free(hw_http_body *b);

/* --- The exchange ------------------------------------------------------------------------ */

typedef struct hw_http_request {
    hw_http_str method;      /* "GET" */
    hw_http_str target;      /* origin-form request-target, raw bytes as received */
    hw_http_str protocol;    /* "HTTP/1.1" */
    hw_http_str source_addr; /* "ip:port" or "[v6]:port" */
    hw_http_headers headers; /* every field line as received, Host included */
    hw_http_headers trailers;
    hw_http_body body;
} hw_http_request;

typedef struct hw_http_response {
    int32_t status; /* 200 unless someone sets it */
    hw_http_headers headers;
    hw_http_headers trailers;
    hw_http_body body; /* produced in memory; the embedder sends it after the chain */
} hw_http_response;

typedef struct hw_http_exchange {
    hw_http_request req;
    hw_http_response resp;
    /* The embedder's bound on host memory its guests write into exchanges, process-wide:
     * called with n before a guest's write_body of n bytes, and with what each header
     * write costs in max_header_bytes; nonzero refuses, and the guest's call traps
     * "host memory budget". Per-instance caps bound one request; without this, many
     * requests at once (each guest writing a 64 MiB body to a client that reads nothing)
     * add up to what the process cannot hold. The embedder gives the bytes back when the
     * exchange is done. NULL: no such bound. hw_http_exchange_init and _reset clear it. */
    int (*charge)(void *ctx, size_t n);
    void *charge_ctx;
    /* Set by the host when charge refused a guest's write (the guest then trapped): the
     * failure is the host's, not the guest's, and an embedder that would skip a failed
     * guest (fail open) answers "busy" instead. _init and _reset clear it. */
    int charge_refused;
} hw_http_exchange;

/* Zeroes x and sets the defaults: GET, "/", HTTP/1.1, status 200. */
int hw_http_exchange_init(hw_http_exchange *x);
/* Returns an initialised x to the state hw_http_exchange_init gives (no field line, no
 * body, the defaults), keeping some of its storage for the next request: cheaper than
 * free + init for a server that serves one request after another. HW_ENOMEM leaves x
 * valid for hw_http_exchange_free only. */
int hw_http_exchange_reset(hw_http_exchange *x);
void hw_http_exchange_free(hw_http_exchange *x);

/* --- Middleware -------------------------------------------------------------------------- */

/* Receives guest log lines (http_handler.log and WASI stdout/stderr lines). Must not fail. */
typedef void (*hw_http_log_fn)(void *ctx, int32_t level, const char *msg, size_t len);

enum hw_http_policy {
    HW_HTTP_KEEP = 0, /* http-wasm default: instance state survives between requests */
    HW_HTTP_RESET = 1 /* back to the post-initialisation state after every request */
};

typedef struct hw_http_config {
    const uint8_t *guest_config; /* returned by get_config; copied */
    size_t guest_config_len;
    hw_http_log_fn log; /* NULL: nothing is logged and log_enabled answers 0 */
    void *log_ctx;
    int32_t log_level;           /* threshold: levels >= it (and <= error) are logged; 0 = info */
    uint32_t pool_size;          /* max instances alive at once; 0 = 16 */
    uint32_t pool_wait_ms;       /* how long a request waits for a busy pool; 0 = 1000 */
    uint32_t pool_no_wait;       /* 1: a busy pool fails at once with HW_EBUSY, so an event
                                    loop can park the request instead of blocking */
    uint32_t max_memory_pages;   /* memory.grow fails (-1) above this, a larger declared min
                                    fails the load; 0 = HW_HTTP_DEFAULT_MEMORY_PAGES */
    uint32_t deadline_ms;        /* CPU time per guest call (the start section, _start
                                    and _initialize each count as one): what the calling
                                    thread consumed, not the time that passed, so a call
                                    whose thread waits for a core on a loaded machine is
                                    not stopped for it; the guest traps "interrupted" after
                                    it, at most deadline_ms/16 (or 1 ms) later. A call also
                                    traps once HW_HTTP_DEADLINE_WALL_FACTOR times deadline_ms
                                    of wall-clock time have passed (one waiting in a host
                                    call, a body source's read, traps when it returns to
                                    guest code). 0 = none */
    uint32_t policy;             /* enum hw_http_policy */
    const char *const *environ;  /* "KEY=VALUE" strings for WASI environ_*, NULL-ended; copied */
    uint32_t max_table_elements; /* all of an instance's tables together: table.grow fails
                                    (-1) past it, a larger declared min fails the load;
                                    0 = HW_HTTP_DEFAULT_TABLE_ELEMENTS */
    uint32_t keep_bytes;         /* after a request, an instance whose footprint (linear memory,
                                    8 bytes per table element, host scratch) is above this is
                                    freed, its memory unmapped, and a fresh one is made when
                                    needed (one that big once initialised fails the load);
                                    0 = HW_HTTP_DEFAULT_KEEP_BYTES */
    uint32_t max_header_bytes;   /* header bytes one instance may write per request (names and
                                    values of set/add_header_value, and 80 more per field line
                                    set or added, what the host holds for even an empty one;
                                    set_uri, set_method; over handle_request and
                                    handle_response): the call past it traps;
                                    0 = HW_HTTP_DEFAULT_HEADER_BYTES */
    const uint8_t *require_file_sha256; /* NULL, or the sha256 the .so file's bytes must have */
    const uint8_t *require_wasm_sha256; /* NULL, or the wasm digest its descriptor must record */
    uint32_t features;           /* the http_handler features this embedder honours: what
                                    enable_features may turn on and answers with. 0 = all
                                    (HTTP_FEATURES_ALL); an embedder that does not carry
                                    trailers to and from the wire leaves HTTP_FEATURE_TRAILERS
                                    out, so guests are not told they have them */
    uint32_t strict_sandbox;     /* 1: WASI sees no real time or entropy (Dapr's strictSandbox,
                                    wazero's defaults): clock 0 (realtime) is fixed at
                                    2022-01-01T00:00:00Z, the other clocks start at 0 per
                                    instance and advance 1 ms per read, poll_oneoff's clock
                                    waits return at once, random_get is a per-instance
                                    deterministic sequence. 0 (default): the host's clocks
                                    and getrandom(2) */
    uint32_t pool_memory_mb;     /* what all the middleware's instances together may hold, in
                                    MiB: linear memory and 8 bytes per table element (see
                                    hw_memory_budget). An instance that would pass it is not
                                    made: the request waits like one on a full pool (or
                                    HW_EBUSY with pool_no_wait); memory.grow and table.grow
                                    answer -1 past it; 0 = HW_HTTP_DEFAULT_POOL_MEMORY_MB */
    uint32_t pool_idle_ms;       /* an instance left idle this long is freed (its memory given
                                    back to the system and to pool_memory_mb), down to
                                    pool_min, by the middleware's timer thread: freed between
                                    pool_idle_ms and 1.25 times it after its request ended.
                                    Never a thread's most recently used instance (the one its
                                    next request takes), so each thread that served keeps one.
                                    Without it a burst's peak of instances stays for good;
                                    0 = never (no timer thread unless deadline_ms) */
    uint32_t pool_min;           /* instances pool_idle_ms leaves alive however long idle
                                    (busy ones count); 0 = none beyond the threads' own */
} hw_http_config;

/* What an untrusted guest may make the process hold unless configured otherwise, per
 * instance (pool_size bounds the instances): 16 MiB of linear memory; 131072 table
 * elements (1 MiB of host pointers); 32 MiB of footprint kept after a request (twice the
 * default memory, so only a raised max_memory_pages makes instances recycle); 1 MiB of
 * header bytes written per request (30 times what nginx accepts in a request's headers). */
#define HW_HTTP_DEFAULT_MEMORY_PAGES 256u
#define HW_HTTP_DEFAULT_TABLE_ELEMENTS 131072u
#define HW_HTTP_DEFAULT_KEEP_BYTES (32u << 20)
/* All of a middleware's instances together: 2 GiB, what 128 instances at the default
 * memory cap hold, whatever pool_size says (small guests then have many more in flight). */
#define HW_HTTP_DEFAULT_POOL_MEMORY_MB 2048u
#define HW_HTTP_DEFAULT_HEADER_BYTES (1u << 20)
/* deadline_ms counts CPU time; this many deadlines of wall-clock time stop a call that
 * consumes none but does not return either (a host call blocked: a body source whose read
 * waits for a socket). A guest that computes reaches it only if its thread had less than a
 * tenth of a core all along. */
#define HW_HTTP_DEADLINE_WALL_FACTOR 10u

typedef struct hw_http_middleware hw_http_middleware;
/* An instance pinned from handle_request to handle_response. */
typedef struct hw_http_call hw_http_call;

/*
 * Loads the hwasmc-compiled guest at so_path, checks its imports (http_handler names and
 * signatures, wasi_snapshot_preview1) and exports (memory, handle_request () -> i64,
 * handle_response (i32, i32) -> ()), and creates one instance eagerly: start section, then
 * _start, then _initialize, each under deadline_ms. A trap there fails the load; the
 * message carries the guest's console output (and starts "start function: " for a trap in
 * the start section). cfg may be NULL.
 */
int hw_http_middleware_new(const char *so_path, const hw_http_config *cfg, hw_http_middleware **out,
                           hw_error *err);
/* Frees the middleware; no call may be pinned. */
void hw_http_middleware_free(hw_http_middleware *mw);
/* The module-wide features enabled during initialisation. */
uint32_t hw_http_middleware_features(const hw_http_middleware *mw);
/* Instances currently alive (busy + idle), and the number of traps seen. */
uint32_t hw_http_middleware_instances(const hw_http_middleware *mw);
uint64_t hw_http_middleware_traps(const hw_http_middleware *mw);

/*
 * Runs handle_request on an instance from the pool (waiting up to pool_wait_ms, or
 * HW_EBUSY at once under pool_no_wait; nothing has run then, so the call can be retried). On
 * success *call_out is non-NULL iff the guest asked for the next handler: the embedder
 * then runs it on x (reading the request body with hw_http_body_read, writing x->resp)
 * and must call hw_http_handle_response(*call_out, ...) exactly once. A trap discards the
 * instance and returns HW_ETRAP; x->resp is left as the guest had it.
 */
int hw_http_handle_request(hw_http_middleware *mw, hw_http_exchange *x, hw_http_call **call_out,
                           hw_error *err);
/* Runs handle_response(reqCtx, is_error) on the pinned instance and releases it. */
int hw_http_handle_response(hw_http_call *call, int is_error, hw_error *err);
/* The features in force for a pinned call (module-wide ones plus those its handle_request
 * enabled): without buffer_response, handle_response cannot touch the body, so an embedder
 * may stream the next handler's body past it. */
uint32_t hw_http_call_features(const hw_http_call *call);

/* A next handler: fills x->resp from x->req; non-zero means it failed (is_error = 1). */
typedef int (*hw_http_next_fn)(void *ctx, hw_http_exchange *x);

/* handle_request, next (when asked), handle_response. On a guest error x->resp becomes an
 * empty 500 and the error is returned. */
int hw_http_serve(hw_http_middleware *mw, hw_http_exchange *x, hw_http_next_fn next, void *next_ctx,
                  hw_error *err);

#ifdef __cplusplus
}
#endif

#endif /* HWASM_HTTP_H */
