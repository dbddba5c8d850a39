/*
 * hwasmd_config.c — reads hwasmd's YAML configuration (libyaml's document API, so every
 * node keeps its line) into struct hwd_config and checks it: unknown keys, wrong types,
 * missing fields and dangling names are one-line errors "hwasmd: FILE:LINE: what". The
 * file is read through hwasmd_yaml.c: bounded, no alias cycles, no key given twice.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "hwasmd.h"
#include "hwasmd_addr.h"
#include "hwasmd_buf.h"
#include "hwasmd_metrics.h"
#include "hwasmd_path.h"
#include "hwasmd_upstream.h"
#include "hwasmd_yaml.h"
#include "io_util.h"
#include "sha256.h"

struct parse {
    yaml_document_t doc;
    const char *path;
    char *dir; /* the config's folder: module paths are relative to it */
    char *msg;
    size_t cap;
};

static int fail(struct parse *p, const yaml_node_t *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hwd_yaml_vfail(p->msg, p->cap, p->path, n ? n->start_mark.line : 0, fmt, ap);
    va_end(ap);
    return -1;
}

static yaml_node_t *node(struct parse *p, int id) { return yaml_document_get_node(&p->doc, id); }

static const char *scalar(const yaml_node_t *n) {
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int get_str(struct parse *p, yaml_node_t *n, const char *key, char **out) {
    const char *s = scalar(n);
    if (!s) return fail(p, n, "%s: expected a string", key);
    free(*out);
    *out = strdup(s);
    return *out ? 0 : fail(p, n, "out of memory");
}

int hwd_name_ok(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f) return 0;
    return n >= 1 && n <= HWD_NAME_MAX;
}

static int get_u32(struct parse *p, yaml_node_t *n, const char *key, uint32_t max, uint32_t *out) {
    const char *s = scalar(n);
    char *end;
    errno = 0;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v > max || s[0] == '-')
        return fail(p, n, "%s: expected a whole number from 0 to %u", key, max);
    *out = (uint32_t)v;
    return 0;
}

/* A limit: 0 would read as "none" (or as libhwasm's default), so it is refused. */
static int get_limit(struct parse *p, yaml_node_t *n, const char *key, uint32_t max, uint32_t *out) {
    if (get_u32(p, n, key, max, out)) return -1;
    return *out ? 0 : fail(p, n, "%s: expected a whole number from 1 to %u", key, max);
}

/* An address to bind, checked as the workers will parse it (a name is not looked up). */
static int get_addr(struct parse *p, yaml_node_t *n, const char *key, const char *default_host, char **out) {
    struct sockaddr_storage ss;
    if (get_str(p, n, key, out)) return -1;
    if (hwd_addr_parse(*out, default_host, &ss))
        return fail(p, n, "%s: expected HOST:PORT, [V6]:PORT or PORT with a numeric HOST and a PORT up to 65535, got \"%s\"",
                    key, *out);
    return 0;
}

#define TOKEN_MAX 4096

/* NULL when the len bytes at t can be a token a request presents, else why not: a request's
 * Authorization value is trimmed of white space and holds no control byte, so a token that
 * is empty, starts or ends with white space or holds a NUL, CR or other control byte could
 * never match (and a NUL cut it short: "a\0b" accepted "Bearer a"). */
static const char *token_bad(const unsigned char *t, size_t len, char *why, size_t cap) {
    if (!len) return "the token is empty";
    if (len > TOKEN_MAX) return snprintf(why, cap, "the token is longer than %d bytes", TOKEN_MAX), why;
    if (t[0] == ' ' || t[0] == '\t' || t[len - 1] == ' ' || t[len - 1] == '\t')
        return "the token starts or ends with white space, which a request's Authorization value never keeps";
    for (size_t i = 0; i < len; i++)
        if (t[i] < 0x20 || t[i] == 0x7f) {
            if (t[i]) snprintf(why, cap, "the token holds a control byte (0x%02x at byte %zu)", t[i], i + 1);
            else snprintf(why, cap, "the token holds a NUL byte (at byte %zu)", i + 1);
            return why;
        }
    return NULL;
}

/* The first line of the file at path (the admin token), malloc'd; NULL with the reason in
 * why when it cannot be read (a directory, a FIFO or a device is refused without being
 * read), or the token_bad. */
static char *token_read(const char *path, char *why, size_t cap) {
    char buf[TOKEN_MAX + 3], kind[128];
    int fd = open_regular(AT_FDCWD, path, 0, UINT64_MAX, NULL, NULL, kind, sizeof kind);
    if (fd < 0) return snprintf(why, cap, "%s: %s", path, kind), NULL;
    size_t n = 0;
    ssize_t got;
    while (n < sizeof buf && ((got = read(fd, buf + n, sizeof buf - n)) > 0 || (got < 0 && errno == EINTR)))
        n += got > 0 ? (size_t)got : 0;
    close(fd);
    const char *nl = memchr(buf, '\n', n);
    size_t len = nl ? (size_t)(nl - buf) : n; /* the first line, without its line end */
    if (len && buf[len - 1] == '\r') len--;
    char bad[160], *t = NULL;
    const char *b = token_bad((const unsigned char *)buf, len, bad, sizeof bad);
    if (b) snprintf(why, cap, "%s: %s", path, b);
    else if (!(t = strndup(buf, len))) snprintf(why, cap, "out of memory");
    explicit_bzero(buf, sizeof buf);
    return t;
}

/* POST /reload's token: admin_token as written, or admin_token_file's first line (the
 * file relative to the configuration's folder); one of the two, a token_bad refused. */
static int get_token(struct parse *p, yaml_node_t *n, const char *key, char **out) {
    const char *s = scalar(n);
    if (*out) return fail(p, n, "%s: the token is already given (admin_token or admin_token_file, not both)", key);
    if (!s || !*s) return fail(p, n, "%s: expected a non-empty string", key);
    char why[512], *path = NULL;
    if (!strcmp(key, "admin_token")) {
        const char *b = token_bad((const unsigned char *)s, n->data.scalar.length, why, sizeof why);
        return b ? fail(p, n, "%s: %s", key, b) : get_str(p, n, key, out);
    }
    if (s[0] != '/' && p->dir && asprintf(&path, "%s/%s", p->dir, s) < 0) return fail(p, n, "out of memory");
    *out = token_read(path ? path : s, why, sizeof why);
    free(path);
    return *out ? 0 : fail(p, n, "%s: %s", key, why);
}

/* "${NAME}" in a module path comes from the environment, so one example config can point
 * at whichever build folder holds the guests. */
static char *expand_env(struct parse *p, yaml_node_t *n, const char *s) {
    char out[4096];
    size_t o = 0;
    while (*s) {
        if (s[0] == '$' && s[1] == '{') {
            const char *end = strchr(s, '}');
            if (!end) return fail(p, n, "unterminated ${ in \"%s\"", s), NULL;
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(end - s - 2), s + 2);
            const char *v = getenv(name);
            if (!v) return fail(p, n, "environment variable %s is not set", name), NULL;
            size_t vl = strlen(v);
            if (o + vl >= sizeof out) break;
            memcpy(out + o, v, vl);
            o += vl;
            s = end + 1;
        } else if (o + 1 < sizeof out) {
            out[o++] = *s++;
        } else {
            break;
        }
    }
    out[o] = 0;
    if (out[0] == '/' || !p->dir) return strdup(out);
    char *full;
    return asprintf(&full, "%s/%s", p->dir, out) < 0 ? NULL : full;
}

/* Guest config: bytes as written (NUL bytes too), !!binary decoded, a mapping or list as
 * JSON (what Dapr's guestConfig does). */
static int get_config(struct parse *p, yaml_node_t *n, struct hwd_middleware *m) {
    char why[128];
    free(m->guest_config);
    m->guest_config = NULL;
    if (hwd_yaml_bytes(&p->doc, n, &m->guest_config, &m->guest_config_len, why, sizeof why))
        return fail(p, n, "config: %s", why);
    return 0;
}

static int add_upstream(struct parse *p, struct hwd_config *c, yaml_node_t *n,
                        struct hwd_upstream **out) {
    const char *s = scalar(n);
    struct hwd_upstream *u = s ? hwd_upstream_parse(s) : NULL;
    if (!u) return fail(p, n, "upstream: expected \"http://HOST:PORT\" (PORT 1..65535), \"unix:/PATH\", \"builtin:echo\" or \"builtin:tck\"");
    if (c->n_upstreams == sizeof c->upstreams / sizeof c->upstreams[0]) {
        hwd_upstream_destroy(u);
        return fail(p, n, "too many upstreams");
    }
    c->upstreams[c->n_upstreams++] = u;
    *out = u;
    return 0;
}

static int parse_trap(struct parse *p, yaml_node_t *n, int *out) {
    const char *s = scalar(n);
    if (s && !strcmp(s, "fail_open")) *out = 0;
    else if (s && !strcmp(s, "fail_closed")) *out = 500;
    else {
        uint32_t st;
        if (!s || get_u32(p, n, "on_trap", 599, &st) || st < 400)
            return fail(p, n, "on_trap: expected fail_closed, fail_open or a status 400..599");
        *out = (int)st;
    }
    return 0;
}

/* sha256: 64 hex digits pinning the module file (hwasmd_module.c checks it). */
static int parse_sha256(struct parse *p, yaml_node_t *n, struct hwd_middleware *m) {
    const char *s = scalar(n);
    if (!s || sha256_hex_parse(s, m->sha256))
        return fail(p, n, "sha256: expected 64 hex digits (sha256sum of the module file)");
    m->has_sha256 = 1;
    return 0;
}

/* A list of scalars, each read into its slot of a new array (*items, freed first) by item
 * (0, or -1 with why said): trusted_keys, trusted_proxies. list and each say what is
 * expected. */
typedef int (*list_item)(const struct parse *p, const char *s, void *slot, char *why, size_t cap);
static int parse_list(struct parse *p, yaml_node_t *n, const char *key, const char *list, const char *each,
                      size_t size, void **items, uint32_t *count, list_item item) {
    if (n->type != YAML_SEQUENCE_NODE) return fail(p, n, "%s: expected a list of %s", key, list);
    size_t k = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    free(*items);
    *count = 0;
    if (!(*items = calloc(k ? k : 1, size))) return fail(p, n, "out of memory");
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *e = node(p, n->data.sequence.items.start[i]);
        char why[256];
        if (!scalar(e)) return fail(p, e, "%s: expected %s", key, each);
        if (item(p, scalar(e), (char *)*items + size * (*count)++, why, sizeof why))
            return fail(p, e, "%s: %s", key, why);
    }
    return 0;
}

/* trusted_keys: ed25519 public keys (base64, or files holding one) */
static int key_item(const struct parse *p, const char *s, void *slot, char *why, size_t cap) {
    return hwd_key_parse(s, p->dir, slot, why, cap);
}

/* trusted_proxies: addresses and networks */
static int network_item(const struct parse *p, const char *s, void *slot, char *why, size_t cap) {
    (void)p;
    return hwd_cidr_parse(s, slot, why, cap);
}

void hwd_middleware_defaults(struct hwd_middleware *m) {
    /* an instance stays pinned while its request waits for the app, so the pool bounds how
     * many requests a guest can have in flight; instances are only made when needed, and
     * what they hold together is bounded apart (pool_memory_mb) */
    m->pool_size = 1024;
    m->pool_memory_mb = HW_HTTP_DEFAULT_POOL_MEMORY_MB;
    /* what a burst made is freed a minute after it (php-fpm's pm.process_idle_timeout is
     * 10 s; an instance costs microseconds to make again): each worker keeps its own */
    m->pool_idle_ms = 60000;
    m->on_trap = 500;
    m->pool_wait_ms = 1000;
    m->budget_ms = 1000; /* no guest holds a worker for long unless configured to */
    /* what one instance may hold: docs/hwasmd.md says why these numbers */
    m->memory_pages = HW_HTTP_DEFAULT_MEMORY_PAGES;
    m->table_elements = HW_HTTP_DEFAULT_TABLE_ELEMENTS;
    m->keep_bytes = HW_HTTP_DEFAULT_KEEP_BYTES;
    m->header_write_bytes = HW_HTTP_DEFAULT_HEADER_BYTES;
}

static int parse_middleware(struct parse *p, yaml_node_t *n, struct hwd_middleware *m) {
    if (n->type != YAML_MAPPING_NODE) return fail(p, n, "middleware: expected a mapping");
    m->line = (int)n->start_mark.line + 1;
    hwd_middleware_defaults(m);
    for (yaml_node_pair_t *kv = n->data.mapping.pairs.start; kv < n->data.mapping.pairs.top; kv++) {
        yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
        const char *key = scalar(k);
        int rc;
        if (!key) return fail(p, k, "expected a key");
        if (!strcmp(key, "name")) {
            rc = get_str(p, v, key, &m->name);
            if (!rc && !hwd_name_ok(m->name))
                rc = fail(p, v, "name: expected 1 to %d bytes and no control character", HWD_NAME_MAX);
        }
        else if (!strcmp(key, "module")) {
            const char *s = scalar(v);
            if (!s) return fail(p, v, "module: expected a path to a .wasm or .so");
            free(m->module);
            if (!(m->module = expand_env(p, v, s))) return -1;
            size_t l = strlen(m->module);
            rc = (l > 5 && !strcmp(m->module + l - 5, ".wasm")) || (l > 3 && !strcmp(m->module + l - 3, ".so"))
                     ? 0
                     : fail(p, v, "module: expected a file ending in .wasm or .so");
        } else if (!strcmp(key, "config")) rc = get_config(p, v, m);
        else if (!strcmp(key, "pool_size")) rc = get_u32(p, v, key, 4096, &m->pool_size);
        else if (!strcmp(key, "pool_wait_ms")) rc = get_u32(p, v, key, 3600000, &m->pool_wait_ms);
        else if (!strcmp(key, "time_budget_ms")) rc = get_u32(p, v, key, 3600000, &m->budget_ms);
        else if (!strcmp(key, "memory_pages")) rc = get_limit(p, v, key, 65536, &m->memory_pages);
        else if (!strcmp(key, "table_elements")) rc = get_limit(p, v, key, 10000000, &m->table_elements);
        else if (!strcmp(key, "keep_bytes")) rc = get_limit(p, v, key, UINT32_MAX, &m->keep_bytes);
        else if (!strcmp(key, "pool_memory_mb")) rc = get_limit(p, v, key, 1u << 20, &m->pool_memory_mb);
        else if (!strcmp(key, "pool_idle_ms")) rc = get_u32(p, v, key, 86400000, &m->pool_idle_ms);
        else if (!strcmp(key, "pool_min")) rc = get_u32(p, v, key, 4096, &m->pool_min);
        else if (!strcmp(key, "header_write_bytes"))
            rc = get_limit(p, v, key, 1u << 30, &m->header_write_bytes);
        else if (!strcmp(key, "on_trap")) rc = parse_trap(p, v, &m->on_trap);
        else if (!strcmp(key, "sha256")) rc = parse_sha256(p, v, m);
        else if (!strcmp(key, "policy")) {
            const char *s = scalar(v);
            if (s && !strcmp(s, "keep")) m->policy = HW_HTTP_KEEP;
            else if (s && !strcmp(s, "reset")) m->policy = HW_HTTP_RESET;
            else return fail(p, v, "policy: expected keep or reset");
            rc = 0;
        } else return fail(p, k, "middleware: unknown key \"%s\"", key);
        if (rc) return rc;
    }
    if (!m->name) return fail(p, n, "middleware: missing name");
    if (!m->module) return fail(p, n, "middleware %s: missing module", m->name);
    return 0;
}

static struct hwd_middleware *find_mw(struct hwd_config *c, const char *name) {
    for (uint32_t i = 0; i < c->n_mws; i++)
        if (!strcmp(c->mws[i].name, name)) return &c->mws[i];
    return NULL;
}

/* encoded_slashes: reject or keep, as 0 or 1 */
static int get_slashes(struct parse *p, yaml_node_t *v, int *keep) {
    const char *b = scalar(v);
    if (!b || (strcmp(b, "reject") && strcmp(b, "keep")))
        return fail(p, v, "encoded_slashes: expected reject or keep");
    *keep = !strcmp(b, "keep");
    return 0;
}

static int parse_route(struct parse *p, struct hwd_config *c, yaml_node_t *n, struct hwd_route *r) {
    if (n->type != YAML_MAPPING_NODE) return fail(p, n, "route: expected a mapping");
    r->keep_encoded_slashes = c->keep_encoded_slashes;
    for (yaml_node_pair_t *kv = n->data.mapping.pairs.start; kv < n->data.mapping.pairs.top; kv++) {
        yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
        const char *key = scalar(k);
        if (!key) return fail(p, k, "expected a key");
        if (!strcmp(key, "prefix")) {
            if (get_str(p, v, key, &r->prefix)) return -1;
            if (r->prefix[0] != '/') return fail(p, v, "prefix: must start with /");
            /* requests are matched on their normalised path: so is the prefix */
            if (hwd_path_normalize(r->prefix, strlen(r->prefix), r->prefix, &r->prefix_len) ||
                memchr(r->prefix, '?', r->prefix_len))
                return fail(p, v, "prefix: not a path (an encoded / or NUL, a bad %% escape, "
                                  "a .. above /, or a ?)");
            r->prefix[r->prefix_len] = 0;
        } else if (!strcmp(key, "upstream")) {
            if (add_upstream(p, c, v, &r->up)) return -1;
        } else if (!strcmp(key, "encoded_slashes")) {
            if (get_slashes(p, v, &r->keep_encoded_slashes)) return -1;
        } else if (!strcmp(key, "host")) {
            if (get_str(p, v, key, &r->host)) return -1;
            size_t hl = strlen(r->host);
            if (hl > 1 && r->host[hl - 1] == '.') r->host[hl - 1] = 0; /* as requests' hosts are */
        } else if (!strcmp(key, "methods")) {
            if (v->type != YAML_SEQUENCE_NODE) return fail(p, v, "methods: expected a list such as [GET, HEAD]");
            size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
            if (!(r->methods = calloc(n + 1, sizeof *r->methods))) return fail(p, v, "out of memory");
            for (size_t i = 0; i < n; i++)
                if (get_str(p, node(p, v->data.sequence.items.start[i]), "methods", &r->methods[i])) return -1;
        } else if (!strcmp(key, "chain")) {
            if (v->type != YAML_SEQUENCE_NODE) return fail(p, v, "chain: expected a list of middleware names");
            for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
                yaml_node_t *e = node(p, *it);
                const char *name = scalar(e);
                if (!name) return fail(p, e, "chain: expected a middleware name");
                struct hwd_middleware *m = find_mw(c, name);
                if (!m) return fail(p, e, "chain: no middleware named \"%s\"", name);
                if (r->n == HWD_MAX_CHAIN) return fail(p, e, "chain: more than %d middleware", HWD_MAX_CHAIN);
                r->chain[r->n++] = m;
            }
        } else return fail(p, k, "route: unknown key \"%s\"", key);
    }
    if (!r->prefix) return fail(p, n, "route: missing prefix");
    return 0;
}

static int parse_limits(struct parse *p, struct hwd_config *c, yaml_node_t *n) {
    if (n->type != YAML_MAPPING_NODE) return fail(p, n, "limits: expected a mapping");
    for (yaml_node_pair_t *kv = n->data.mapping.pairs.start; kv < n->data.mapping.pairs.top; kv++) {
        yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
        const char *key = scalar(k);
        uint32_t x;
        if (!key) return fail(p, k, "expected a key");
        if (!strcmp(key, "header_bytes")) {
            if (get_u32(p, v, key, 1u << 20, &x)) return -1;
            c->max_header_bytes = x;
        } else if (!strcmp(key, "header_count")) {
            if (get_limit(p, v, key, 1u << 20, &c->max_header_count)) return -1;
        } else if (!strcmp(key, "body_bytes")) {
            if (get_u32(p, v, key, 1u << 30, &x)) return -1;
            c->max_body_bytes = x;
        } else if (!strcmp(key, "stream_buffer_bytes")) {
            if (get_limit(p, v, key, 1u << 30, &x)) return -1;
            c->stream_buffer_bytes = x;
        } else if (!strcmp(key, "buffered_bytes")) {
            if (get_limit(p, v, key, UINT32_MAX, &x)) return -1;
            c->buffered_bytes = x;
        } else if (!strcmp(key, "max_connections")) {
            if (get_u32(p, v, key, 1u << 24, &c->max_connections)) return -1;
            /* 0 closed every client connection (after a reload, all of them at once) */
            if (!c->max_connections) return fail(p, v, "max_connections: expected 1 or more");
        } else if (!strcmp(key, "admin_connections")) {
            if (get_u32(p, v, key, 4096, &c->admin_connections)) return -1;
            if (!c->admin_connections) return fail(p, v, "admin_connections: expected 1 or more");
        } else if (!strcmp(key, "drain_ms")) {
            if (get_u32(p, v, key, 3600000, &c->drain_ms)) return -1;
        } else if (!strcmp(key, "idle_timeout_ms")) {
            if (get_u32(p, v, key, 3600000, &c->idle_timeout_ms)) return -1;
        } else if (!strcmp(key, "request_timeout_ms")) {
            if (get_u32(p, v, key, 3600000, &c->request_timeout_ms)) return -1;
            /* 0 answered 408 to every request that came in more than one read */
            if (!c->request_timeout_ms) return fail(p, v, "request_timeout_ms: expected 1 or more");
        } else if (!strcmp(key, "body_min_rate")) {
            if (get_u32(p, v, key, UINT32_MAX, &c->body_min_rate)) return -1;
        } else if (!strcmp(key, "upstream_timeout_ms")) {
            if (get_u32(p, v, key, 3600000, &x)) return -1;
            for (uint32_t i = 0; i < c->n_upstreams; i++) c->upstreams[i]->timeout_ms = x;
        } else if (!strcmp(key, "upstream_body_bytes")) {
            if (get_u32(p, v, key, UINT32_MAX, &x)) return -1;
            for (uint32_t i = 0; i < c->n_upstreams; i++) c->upstreams[i]->max_body = x;
        } else if (!strcmp(key, "upstream_header_bytes")) {
            if (get_limit(p, v, key, 1u << 24, &x)) return -1;
            for (uint32_t i = 0; i < c->n_upstreams; i++) c->upstreams[i]->max_header_bytes = x;
        } else if (!strcmp(key, "upstream_header_count")) {
            if (get_limit(p, v, key, 1u << 20, &x)) return -1;
            for (uint32_t i = 0; i < c->n_upstreams; i++) c->upstreams[i]->max_headers = x;
        } else return fail(p, k, "limits: unknown key \"%s\"", key);
    }
    return 0;
}

/* Middleware first: routes name them, wherever they appear in the file. */
static int parse_root(struct parse *p, struct hwd_config *c, yaml_node_t *root) {
    if (!root) return fail(p, NULL, "empty configuration");
    if (root->type != YAML_MAPPING_NODE) return fail(p, root, "expected a mapping at the top");
    yaml_node_t *mws = NULL, *routes = NULL, *limits = NULL;
    struct hwd_upstream *def = NULL;
    for (yaml_node_pair_t *kv = root->data.mapping.pairs.start; kv < root->data.mapping.pairs.top; kv++) {
        yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
        const char *key = scalar(k);
        if (!key) return fail(p, k, "expected a key");
        if (!strcmp(key, "listen")) {
            if (get_addr(p, v, key, HWD_LISTEN_HOST, &c->listen)) return -1;
        } else if (!strcmp(key, "admin")) {
            if (get_addr(p, v, key, HWD_ADMIN_HOST, &c->admin)) return -1;
        } else if (!strcmp(key, "admin_token") || !strcmp(key, "admin_token_file")) {
            if (get_token(p, v, key, &c->admin_token)) return -1;
        } else if (!strcmp(key, "upstream")) {
            if (add_upstream(p, c, v, &def)) return -1;
        } else if (!strcmp(key, "workers")) {
            if (get_u32(p, v, key, 256, &c->workers)) return -1;
        } else if (!strcmp(key, "access_log")) {
            const char *b = scalar(v);
            if (!b || !*b) return fail(p, v, "access_log: expected true, false or a file's path");
            c->access_log = strcmp(b, "false") != 0;
            if (strcmp(b, "true") && strcmp(b, "false")) {
                free(c->access_log_path);
                /* relative to the configuration's folder, as every path in it */
                if (b[0] != '/' && p->dir ? asprintf(&c->access_log_path, "%s/%s", p->dir, b) < 0
                                          : !(c->access_log_path = strdup(b)))
                    return fail(p, v, "out of memory");
                char why[300];
                if (hwd_access_log_check(c->access_log_path, why, sizeof why)) return fail(p, v, "access_log: %s", why);
            }
        } else if (!strcmp(key, "forward_normalized_path")) {
            const char *b = scalar(v);
            if (!b || (strcmp(b, "true") && strcmp(b, "false")))
                return fail(p, v, "forward_normalized_path: expected true or false");
            c->forward_normalized_path = !strcmp(b, "true");
        } else if (!strcmp(key, "encoded_slashes")) {
            if (get_slashes(p, v, &c->keep_encoded_slashes)) return -1;
        } else if (!strcmp(key, "invalid_header_names")) {
            const char *b = scalar(v);
            static const char *const names[] = {"drop", "reject", "pass"};
            uint32_t i = 0;
            while (b && i < 3 && strcmp(b, names[i])) i++;
            if (!b || i == 3) return fail(p, v, "invalid_header_names: expected drop, reject or pass");
            c->invalid_header_names = (enum hwd_header_names)i;
        } else if (!strcmp(key, "cache_dir")) {
            if (get_str(p, v, key, &c->cache_dir)) return -1;
        } else if (!strcmp(key, "trusted_keys")) {
            void *keys = c->trusted_keys;
            int rc = parse_list(p, v, key, "public keys or key files", "a public key or a key file",
                                sizeof *c->trusted_keys, &keys, &c->n_trusted_keys, key_item);
            c->trusted_keys = keys;
            if (rc) return -1;
        } else if (!strcmp(key, "trusted_proxies")) {
            void *nets = c->trusted_proxies;
            int rc = parse_list(p, v, key, "addresses or networks", "an address or a network (10.0.0.0/8)",
                                sizeof *c->trusted_proxies, &nets, &c->n_trusted_proxies, network_item);
            c->trusted_proxies = nets;
            if (rc) return -1;
        } else if (!strcmp(key, "middleware")) mws = v;
        else if (!strcmp(key, "routes")) routes = v;
        else if (!strcmp(key, "limits")) limits = v;
        else return fail(p, k, "unknown key \"%s\"", key);
    }
    if (!c->listen) return fail(p, root, "missing listen");
    if (mws) {
        if (mws->type != YAML_SEQUENCE_NODE) return fail(p, mws, "middleware: expected a list");
        size_t n = (size_t)(mws->data.sequence.items.top - mws->data.sequence.items.start);
        c->mws = calloc(n ? n : 1, sizeof *c->mws);
        if (!c->mws) return fail(p, mws, "out of memory");
        c->mws_alloc = (uint32_t)n;
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *e = node(p, mws->data.sequence.items.start[i]);
            if (parse_middleware(p, e, &c->mws[c->n_mws])) return -1;
            if (find_mw(c, c->mws[c->n_mws].name))
                return fail(p, e, "middleware \"%s\" is defined twice", c->mws[c->n_mws].name);
            c->n_mws++;
        }
    }
    if (!routes) return fail(p, root, "missing routes");
    if (routes->type != YAML_SEQUENCE_NODE) return fail(p, routes, "routes: expected a list");
    size_t n = (size_t)(routes->data.sequence.items.top - routes->data.sequence.items.start);
    c->routes = calloc(n ? n : 1, sizeof *c->routes);
    if (!c->routes) return fail(p, routes, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *e = node(p, routes->data.sequence.items.start[i]);
        struct hwd_route *r = &c->routes[c->n_routes++];
        if (parse_route(p, c, e, r)) return -1;
        c->any_keep_encoded_slashes |= r->keep_encoded_slashes;
        if (!r->up && !(r->up = def))
            return fail(p, e, "route %s: no upstream (give one here or at the top)", r->prefix);
    }
    if (limits && parse_limits(p, c, limits)) return -1;
    return 0;
}

void hwd_config_defaults(struct hwd_config *c, const char *path) {
    memset(c, 0, sizeof *c);
    c->path = strdup(path);
    c->max_header_bytes = 32768; /* nginx's large_client_header_buffers (4 x 8k): SSO cookies */
    c->max_header_count = 100;
    c->max_body_bytes = 8u << 20;
    c->idle_timeout_ms = 60000;
    c->request_timeout_ms = 30000;
    c->body_min_rate = 500;
    c->max_connections = 10000;
    c->admin_connections = 16;
    c->stream_buffer_bytes = 64u << 10;
    c->buffered_bytes = 256u << 20;
    c->drain_ms = 10000;
}

int hwd_config_load(const char *path, struct hwd_config *c, char *msg, size_t cap) {
    struct parse p = {.path = path, .msg = msg, .cap = cap};
    hwd_config_defaults(c, path);
    struct hwd_yaml y;
    if (hwd_yaml_open(&y, path, msg, cap)) return hwd_msg_oneline(msg, cap), -1;
    /* a config in the current folder still anchors its modules there: "foo.so" becomes
     * "./foo.so", never a bare name a library search could resolve elsewhere */
    const char *slash = strrchr(path, '/');
    p.dir = slash ? strndup(path, (size_t)(slash == path ? 1 : slash - path)) : strdup(".");
    int rc = hwd_yaml_next(&y, &p.doc, msg, cap);
    if (rc == 0) {
        rc = parse_root(&p, c, yaml_document_get_root_node(&p.doc));
        yaml_document_delete(&p.doc);
    }
    hwd_yaml_close(&y);
    free(p.dir);
    if (rc) hwd_msg_oneline(msg, cap);
    return rc;
}

void hwd_config_free(struct hwd_config *c) {
    for (uint32_t i = 0; i < c->mws_alloc; i++) {
        struct hwd_middleware *m = &c->mws[i];
        if (m->mw) hw_http_middleware_free(m->mw);
        free(m->name);
        free(m->module);
        free(m->guest_config);
        free(m->file);
    }
    for (uint32_t i = 0; i < c->n_routes; i++) {
        struct hwd_route *r = &c->routes[i];
        for (char **m = r->methods; m && *m; m++) free(*m);
        free(r->methods);
        free(r->host);
        free(r->prefix);
    }
    for (uint32_t i = 0; i < c->n_upstreams; i++) hwd_upstream_destroy(c->upstreams[i]);
    free(c->mws);
    free(c->routes);
    free(c->listen);
    free(c->admin);
    if (c->admin_token) explicit_bzero(c->admin_token, strlen(c->admin_token));
    free(c->admin_token);
    free(c->cache_dir);
    free(c->access_log_path);
    free(c->trusted_proxies);
    free(c->trusted_keys);
    free(c->path);
    memset(c, 0, sizeof *c);
}

uint32_t hwd_worker_count(const struct hwd_config *cfg) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cfg->workers ? cfg->workers : cores > 0 ? (uint32_t)cores : 1;
}
