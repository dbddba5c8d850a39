/*
 * hwasmd.h — the sidecar's internal contract: the loaded configuration (middleware, routes,
 * upstreams, limits) and the entry points the server, chain, upstream and config files
 * offer each other. Nothing here is public API: hwasmd is a program, not a library.
 */
#ifndef HWASMD_H
#define HWASMD_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <hwasm/hwasm_http.h>

#define HWD_MAX_CHAIN 32
#define HWD_POOL_IDLE 64 /* idle keep-alive app connections kept per worker and upstream */

/* Durations in Prometheus buckets; each user passes its own bucket bounds. */
#define HWD_HIST_BUCKETS 10
struct hwd_histogram {
    uint64_t count[HWD_HIST_BUCKETS + 1]; /* the last one: above every bound */
    uint64_t sum_ns, n;
};

/* A middleware as configured; mw is set once its module is loaded. */
struct hwd_middleware {
    char *name;
    char *module; /* path as resolved against the config file's folder */
    char *guest_config;
    int line;
    uint32_t pool_size, pool_wait_ms, policy, budget_ms, memory_pages;
    int on_trap; /* 0: fail_open (skip the guest), else the status to answer (500) */
    int has_sha256;    /* the config pins the module file's sha256 (key sha256:) */
    uint8_t sha256[32];
    hw_http_middleware *mw;
    struct hwd_histogram guest_time; /* its calls, for /metrics (atomic) */
};

/* Where a route's requests end: the built-in echo or an http://host:port app. Idle
 * connections to it live in each worker's pool, keyed by name (hwasmd_upstream_conn.c), so
 * they survive a reload that keeps the same upstream. */
struct hwd_upstream {
    int echo, tck; /* builtin:echo, builtin:tck */
    char *host, *port;
    char *unix_path; /* "unix:/path" upstreams */
    uint64_t errors; /* answers 502/504 (atomic) */
    char *name; /* as written, for logs */
    uint32_t timeout_ms;
    uint32_t max_body; /* an answer gathered whole may be this large, else 502 */
};

struct hwd_route {
    char *prefix;
    size_t prefix_len;
    struct hwd_middleware *chain[HWD_MAX_CHAIN];
    uint32_t n;
    struct hwd_upstream *up;
    char *host;     /* NULL: any; else matches the Host header without its port */
    char **methods; /* NULL: any; else a NULL-ended list */
    uint64_t codes[6]; /* answers by status class: [1] 1xx .. [5] 5xx, [0] other (atomic) */
};

struct hwd_config {
    char *path;
    char *listen; /* "host:port", "[v6]:port" */
    char *admin;  /* NULL: no admin listener */
    uint32_t max_connections, drain_ms;
    uint32_t workers;
    size_t max_header_bytes, max_body_bytes;
    uint32_t idle_timeout_ms, request_timeout_ms;
    char *cache_dir;
    uint8_t (*trusted_keys)[32]; /* ed25519 public keys whose signature lets a .so load */
    uint32_t n_trusted_keys;
    int access_log; /* one JSON line per request on stdout */
    struct hwd_upstream *upstreams[64];
    uint32_t n_upstreams;
    struct hwd_middleware *mws;
    uint32_t n_mws, mws_alloc; /* defined, allocated (a failed parse leaves one partial) */
    struct hwd_route *routes;
    uint32_t n_routes;
    int64_t refs; /* requests using this generation, +1 while current (hwasmd_gen.c) */
};

/* Generations: hwd_gen_init makes cfg (malloc'd) current; a request acquires the current
 * one and releases it when answered; hwd_gen_reload runs the loader and swaps (0), or
 * keeps the old one and says why in msg. */
typedef int (*hwd_loader)(struct hwd_config **out, char *msg, size_t cap);
void hwd_gen_init(struct hwd_config *cfg, hwd_loader load);
struct hwd_config *hwd_gen_acquire(void);
void hwd_gen_release(struct hwd_config *cfg);
int hwd_gen_reload(char *msg, size_t cap);

/* Sets a middleware's defaults (128 instances, fail_closed, 1 s pool wait, 1 s budget). */
void hwd_middleware_defaults(struct hwd_middleware *m);
/* Zeroes c and sets every default; path names it in messages. */
void hwd_config_defaults(struct hwd_config *c, const char *path);
/* Parses and checks the YAML file; on error writes "hwasmd: FILE:LINE: what" into msg. */
int hwd_config_load(const char *path, struct hwd_config *cfg, char *msg, size_t cap);
void hwd_config_free(struct hwd_config *cfg);
/* Dapr mode: wasm middleware Components in dir, the pipeline of the Configuration file,
 * one route "/" to upstream. Same error form. */
int hwd_dapr_load(const char *dir, const char *config, const char *upstream, struct hwd_config *cfg,
                  char *msg, size_t cap);
/* Parses "http://host:port", "unix:/path", "builtin:echo" or "builtin:tck"; NULL when
 * malformed. */
struct hwd_upstream *hwd_upstream_parse(const char *s);

/* Signatures of modules (hwasmd_trust.c, libsodium ed25519): a .sig file next to a module
 * holds, in base64, the signature of "hwasm-sign v1\n" followed by the sha256 of the
 * module file's bytes. Keys and signatures are base64 text, one per file. */
#define HWD_SIG_SUFFIX ".sig"
/* A trusted key from the config: 44 base64 characters, or a file holding them (relative to
 * dir). 0, or -1 and why. */
int hwd_key_parse(const char *text, const char *dir, uint8_t pk[32], char *why, size_t cap);
/* Whether sig_path holds a signature of digest by one of keys: 0 yes; -1 no such file;
 * -2 present but made by none of them or malformed (why says which). */
int hwd_sig_verify(const uint8_t digest[32], const char *sig_path, uint8_t (*keys)[32], uint32_t n,
                   char *why, size_t cap);
/* Signs digest with a 64-byte libsodium secret key; writes the base64 signature into out. */
int hwd_sig_make(const uint8_t digest[32], const uint8_t sk[64], char *out, size_t cap);

/* Compiles (.wasm, through hwasmc, cached) and loads every middleware; same error form. */
int hwd_modules_load(struct hwd_config *cfg, const char *hwasmc, char *msg, size_t cap);

/* The route for a request: among those whose host and methods match, the longest prefix
 * (on a tie, the one naming a host, then the one naming methods); NULL if none. */
const struct hwd_route *hwd_route_find(const struct hwd_config *cfg, const hw_http_request *q);
/* One request's walk through its route: handle_request in order, the upstream, then
 * handle_response in reverse for the guests that asked for next (hwasmd_chain.c). */
struct hwd_chain {
    const struct hwd_route *route;
    hw_http_exchange *x;
    uint32_t next;     /* the guest whose handle_request runs next */
    uint32_t n_pinned; /* calls[0..n_pinned) wait for their handle_response */
    hw_http_call *calls[HWD_MAX_CHAIN];
    struct hwd_middleware *pinned[HWD_MAX_CHAIN];
    int is_error;
    uint64_t busy_since_ms; /* when a guest's pool was first found busy, 0: it was not */
};
enum hwd_chain_step {
    HWD_CHAIN_UPSTREAM, /* the request goes to the upstream, then hwd_chain_response */
    HWD_CHAIN_ANSWERED, /* a guest answered (or failed closed): hwd_chain_response(c, 0) */
    HWD_CHAIN_BUSY      /* a guest's instances are all busy: call again in a moment (after
                           its pool_wait_ms, a busy pool counts as that guest failing) */
};
void hwd_chain_init(struct hwd_chain *c, const struct hwd_route *r, hw_http_exchange *x);
/* Runs handle_request from where the chain stands; now_ms is a monotonic clock. */
enum hwd_chain_step hwd_chain_request(struct hwd_chain *c, uint64_t now_ms);
/* upstream_status: 0, or the 502/504 the upstream failed with (answered here). */
void hwd_chain_response(struct hwd_chain *c, int upstream_status);
/* The built-in upstreams: fill x->resp from x->req; 0, or 502 when out of memory. */
int hwd_builtin_echo(hw_http_exchange *x);
int hwd_builtin_tck(hw_http_exchange *x);
/* A growing byte buffer, always NUL-terminated (hwasmd_buf.c); zero-initialise it. An
 * allocation failure is remembered: hwd_buf_take then frees it and returns NULL. */
struct hwd_buf {
    char *p;
    size_t len, cap;
    int failed;
};
void hwd_buf_put(struct hwd_buf *b, const void *p, size_t n);
void hwd_buf_str(struct hwd_buf *b, const char *s);
void hwd_buf_num(struct hwd_buf *b, uint64_t v, unsigned base); /* base 10 or 16 */
void hwd_buf_field(struct hwd_buf *b, const char *name, size_t name_len, const char *value, size_t value_len);
char *hwd_buf_take(struct hwd_buf *b, size_t *len);

/* Serialises r for the client: status line, headers minus hop-by-hop ones, the body's
 * framing, the body in r unless head. more: HWD_BODY_WHOLE when r->body is all of it, a
 * byte count (>= 0) still to be streamed after it, HWD_BODY_CHUNKED (r->body becomes the
 * first chunk, more follow) or HWD_BODY_UNTIL_CLOSE (keep_alive must be 0). Returns a
 * malloc'd buffer. */
#define HWD_BODY_WHOLE (-1)
#define HWD_BODY_CHUNKED (-2)
#define HWD_BODY_UNTIL_CLOSE (-3)
char *hwd_response_format(hw_http_response *r, int head, int keep_alive, int64_t more, size_t *len);
/* A small canned answer (errors before or outside any chain). */
void hwd_response_simple(hw_http_response *r, int status, const char *text);
int hwd_is_hop_header(const char *name, size_t len);

/* One header line as llhttp delivers it, name and value possibly in several pieces; both
 * the client requests (hwasmd_conn.c) and the upstream replies are parsed this way. */
struct hwd_header_acc {
    char *field, *value;
    size_t field_len, value_len;
    int in_value; /* the value has started: the next field piece begins a new header */
};
/* Appends len bytes to the malloc'd, NUL-terminated *s of length *n; 0 or -1 (no memory). */
int hwd_append(char **s, size_t *n, const char *p, size_t len);
/* Adds the pending header (if any) to h and empties a; 0 or -1. */
int hwd_header_commit(struct hwd_header_acc *a, hw_http_headers *h);

/* The admin listener's answers: /healthz, /readyz, /metrics (Prometheus text). */
void hwd_admin_serve(const struct hwd_config *cfg, hw_http_exchange *x);
/* Counts one answered request (r NULL: no route) and its time in nanoseconds. */
void hwd_stats_request(const struct hwd_route *r, int status, uint64_t ns);
/* Counts one guest call (handle_request or handle_response) of m and its time. */
void hwd_stats_guest(struct hwd_middleware *m, uint64_t ns);
/* s as a JSON string literal, quoted and escaped. */
void hwd_json_string(FILE *f, const char *s, size_t n);
/* One JSON line on stdout for an answered request (access_log: true). */
void hwd_access_log(const struct hwd_route *r, const hw_http_exchange *x, const char *target,
                    uint64_t ns);
/* Open client connections (gauge) and whether the server is draining (readyz). */
extern int64_t hwd_stat_connections;
extern int hwd_draining;

/* Starts the workers and serves until SIGINT/SIGTERM, then drains for up to drain_ms. */
int hwd_serve(struct hwd_config *cfg, const char *listen_override, const char *admin_override);

#endif /* HWASMD_H */
