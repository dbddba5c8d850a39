/*
 * hwasmd.h — the loaded configuration (middleware, routes, upstreams, limits) and what makes
 * one: the YAML loader (hwasmd_config.c), the Dapr loader (hwasmd_dapr.c), the module
 * loader (hwasmd_module.c) and the generations a reload swaps (hwasmd_gen.c). Every other
 * file has its own header, named after it. Nothing here is public API: hwasmd is a
 * program, not a library.
 */
#ifndef HWASMD_H
#define HWASMD_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <hwasm/hwasm_http.h>

#include "hwasmd_forwarded.h"

#define HWD_MAX_CHAIN 32

/* Counters are kept per thread slot (one per worker thread, the threads past the first
 * HWD_STAT_SLOTS - 1 sharing the last: hwasmd_metrics.c) and summed when /metrics is read:
 * workers counting the same route or guest never write one cache line. Each slot is padded
 * by a cache line so no two slots' counters share one. */
#define HWD_STAT_SLOTS 16
/* Durations in Prometheus buckets; each user passes its own bucket bounds. */
#define HWD_HIST_BUCKETS 10
struct hwd_histogram {
    struct {
        uint64_t count[HWD_HIST_BUCKETS + 1]; /* the last one: above every bound */
        uint64_t sum_ns;
        char pad[64];
    } slot[HWD_STAT_SLOTS];
};
/* Answers by status class: [1] 1xx .. [5] 5xx, [0] other. */
struct hwd_codes {
    struct {
        uint64_t n[6];
        char pad[64];
    } slot[HWD_STAT_SLOTS];
};

/* A middleware as configured; mw is set once its module is loaded. */
struct hwd_middleware {
    char *name;
    char *module; /* path as resolved against the config file's folder, or a Dapr url
                     (http://, https://, oci://: fetched into the cache by hwasmd_fetch.c) */
    char *guest_config; /* bytes, NUL included: guest_config_len of them */
    size_t guest_config_len;
    char *file; /* the file that defines it (a Dapr component), NULL: the config's path */
    int line;   /* in that file, of the module's (url's) line */
    int strict_sandbox; /* no real clocks or entropy for the guest (hw_http_config) */
    uint32_t pool_size, pool_wait_ms, policy, budget_ms, memory_pages;
    uint32_t table_elements, keep_bytes, header_write_bytes; /* per instance (hwasm_http.h) */
    uint32_t pool_memory_mb; /* all its instances together (hwasm_http.h) */
    uint32_t pool_idle_ms, pool_min; /* idle instances freed after, and how many stay */
    int on_trap; /* 0: fail_open (skip the guest), else the status to answer (500) */
    int has_sha256;    /* the config pins the module file's sha256 (key sha256:) */
    uint8_t sha256[32];
    hw_http_middleware *mw;
    struct hwd_histogram guest_time; /* its calls, for /metrics (atomic) */
};

struct hwd_budget; /* hwasmd_budget.h */

/* Where a route's requests end: a built-in answerer or an http:// or unix: app. Idle
 * connections to an app live in each worker's pool, keyed by name (hwasmd_upstream_conn.c),
 * so they survive a reload that keeps the same upstream. */
struct hwd_upstream {
    /* builtin:echo or builtin:tck, answering in process (hwasmd_builtin.c): 0, 502 when
     * out of memory, 503 past limits.buffered_bytes; NULL for an app */
    int (*builtin)(hw_http_exchange *x, struct hwd_budget *budget);
    char *host, *port;
    /* the Host a request without one gets: "host:port" as written, "localhost" for unix: */
    char *authority;
    char *unix_path; /* "unix:/path" upstreams */
    uint64_t errors; /* answers 502/504 (atomic) */
    char *name; /* as written, for logs */
    uint32_t timeout_ms;
    uint32_t max_body; /* an answer gathered whole may be this large, else 502 */
    /* the answer's status line reason, header names and values, and its header lines (also
     * the trailers of a chunked body) may be this many, else 502 */
    uint32_t max_header_bytes, max_headers;
};

struct hwd_route {
    char *prefix;
    size_t prefix_len;
    struct hwd_middleware *chain[HWD_MAX_CHAIN];
    uint32_t n;
    struct hwd_upstream *up;
    char *host;     /* NULL: any; else matches the request's host (no port, no trailing dot) */
    char **methods; /* NULL: any; else a NULL-ended list */
    /* encoded_slashes: keep (its own, else the top level's): a path with %2F may take this
     * route, passed on as received, when it chooses it with %2F read as a byte and as a '/'
     * alike (hwasmd_request.c); 0, reject: 400 */
    int keep_encoded_slashes;
    struct hwd_codes codes; /* its answers (atomic, per thread slot) */
};

/* What becomes of a client's header or trailer line whose name is a token with a byte other
 * than a letter, digit or '-' ("X_User", "X.User"; nginx's "invalid" names): dropped
 * before routes and guests see the request (nginx's default), the request refused with
 * 400 (Envoy's choice for an edge), or kept as any other line. */
enum hwd_header_names { HWD_HEADER_NAMES_DROP, HWD_HEADER_NAMES_REJECT, HWD_HEADER_NAMES_PASS };

struct hwd_config {
    char *path;
    char *listen; /* "host:port", "[v6]:port" */
    char *admin;  /* NULL: no admin listener */
    char *admin_token; /* NULL: POST /reload needs no token (admin_token, admin_token_file) */
    uint32_t max_connections, drain_ms;
    uint32_t admin_connections; /* open at once on the admin listener */
    uint32_t workers;
    size_t max_header_bytes, max_body_bytes;
    uint32_t max_header_count; /* header and trailer lines of a request */
    size_t stream_buffer_bytes; /* queued to a client of a streamed answer before the app waits */
    size_t buffered_bytes;      /* gathered answers held in memory, process-wide (hwasmd_budget.c) */
    uint32_t idle_timeout_ms, request_timeout_ms;
    uint32_t body_min_rate; /* bytes/s: each body byte adds to request_timeout_ms (mod_reqtimeout's MinRate) */
    char *cache_dir;
    uint8_t (*trusted_keys)[32]; /* ed25519 public keys whose signature lets a .so load */
    uint32_t n_trusted_keys;
    struct hwd_cidr *trusted_proxies; /* peers whose X-Forwarded-* and kin are believed */
    uint32_t n_trusted_proxies;
    int access_log; /* one JSON line per request, on stdout or to access_log_path */
    char *access_log_path; /* NULL: stdout */
    int forward_normalized_path; /* guests and app get the path routes saw, not the one received */
    enum hwd_header_names invalid_header_names; /* a client's "X_User": dropped, 400 or kept */
    int keep_encoded_slashes; /* top-level encoded_slashes: keep, every route's default */
    int any_keep_encoded_slashes; /* some route keeps them: else %2F is 400 as the head arrives */
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
 * keeps the old one and says why in msg (a loader writes one line: hwd_msg_oneline). */
typedef int (*hwd_loader)(struct hwd_config **out, char *msg, size_t cap);
void hwd_gen_init(struct hwd_config *cfg, hwd_loader load);
struct hwd_config *hwd_gen_acquire(void);
void hwd_gen_release(struct hwd_config *cfg);
int hwd_gen_reload(char *msg, size_t cap);

/* Sets a middleware's defaults (128 instances, fail_closed, 1 s pool wait, 1 s budget). */
void hwd_middleware_defaults(struct hwd_middleware *m);
/* Zeroes c and sets every default; path names it in messages. */
void hwd_config_defaults(struct hwd_config *c, const char *path);
/* Whether s can name a middleware (or a Dapr component): it goes into log lines, a 500's
 * body and metrics labels as it is, so 1 to HWD_NAME_MAX bytes and no control byte. */
#define HWD_NAME_MAX 253
int hwd_name_ok(const char *s);
/* Parses and checks the YAML file; on error writes "hwasmd: FILE:LINE: what" into msg. */
int hwd_config_load(const char *path, struct hwd_config *cfg, char *msg, size_t cap);
void hwd_config_free(struct hwd_config *cfg);
/* The worker threads cfg asks for: workers, or one per core when 0. */
uint32_t hwd_worker_count(const struct hwd_config *cfg);
/* Dapr mode: wasm middleware Components in dir, the pipeline of the Configuration file
 * ("appHttpPipeline" or "httpPipeline"), one route "/" to upstream. Same error form;
 * fields that change nothing here are warned about on stderr. */
int hwd_dapr_load(const char *dir, const char *config, const char *pipeline, const char *upstream,
                  struct hwd_config *cfg, char *msg, size_t cap);

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

/* The hwasmc a load would run (resolved as hwd_modules_load does) and its --version's first
 * line; 0, or -1 when it is not found or fails. */
int hwd_compiler_version(const char *hwasmc, char *path, size_t path_cap, char *line, size_t line_cap);
/* Sets one bound of what hwasmc may spend on one .wasm from "NAME=N" (--compile-limit):
 * memory_mb (4096, N >= 64) or cpu_s (600); 0, or -1 when malformed. */
int hwd_compile_limit_set(const char *name_eq_value);
/* Compiles (.wasm, through hwasmc, cached) and loads every middleware; same error form. */
int hwd_modules_load(struct hwd_config *cfg, const char *hwasmc, char *msg, size_t cap);

#endif /* HWASMD_H */
