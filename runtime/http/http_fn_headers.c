/*
 * http_fn_headers.c — the http_handler header functions: names (lowercase, distinct,
 * sorted, NUL-terminated), values (one entry per field line, in order), set/add/remove
 * under the phase table of http-wasm-abi.md §1.7; what a guest writes counts against its
 * per-request header budget (http_header_bytes).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "http_common.h"

#define HI ((struct http_inst *)env)

static const char *kind_name(int32_t kind) {
    static const char *names[] = {"request header", "response header", "request trailer",
                                  "response trailer"};
    return names[kind];
}

/* The header list for kind, or a trap for an unknown kind or a call without a request. */
static inline __attribute__((always_inline)) hw_http_headers *
headers_of(struct http_inst *hi, hwasm_vmctx *vm, int32_t kind, const char *fn) {
    if ((uint32_t)kind > HTTP_HEADER_RESPONSE_TRAILERS)
        http_trap(hi, vm, fn, "unsupported header kind %d", kind);
    if (hi->phase != PHASE_REQUEST && hi->phase != PHASE_RESPONSE)
        http_trap(hi, vm, fn, "no request in flight");
    static const size_t at[] = {
        [HTTP_HEADER_REQUEST] = offsetof(hw_http_exchange, req.headers),
        [HTTP_HEADER_RESPONSE] = offsetof(hw_http_exchange, resp.headers),
        [HTTP_HEADER_REQUEST_TRAILERS] = offsetof(hw_http_exchange, req.trailers),
        [HTTP_HEADER_RESPONSE_TRAILERS] = offsetof(hw_http_exchange, resp.trailers)};
    return (hw_http_headers *)((char *)hi->x + at[kind]);
}

/* Mutations: request kinds only before next; response kinds after next only when the
 * response is buffered. */
static inline __attribute__((always_inline)) hw_http_headers *mutable_headers(struct http_inst *hi, hwasm_vmctx *vm, int32_t kind,
                                        const char *fn, const char *verb) {
    hw_http_headers *h = headers_of(hi, vm, kind, fn);
    if (hi->phase == PHASE_RESPONSE) {
        int request_side = kind == HTTP_HEADER_REQUEST || kind == HTTP_HEADER_REQUEST_TRAILERS;
        if (request_side)
            http_trap(hi, vm, fn, "can't %s %s after next handler", verb, kind_name(kind));
        if (!(hi->features & HTTP_FEATURE_BUFFER_RESPONSE))
            http_trap(hi, vm, fn,
                      "can't %s %s after next handler unless buffer_response is enabled", verb,
                      kind_name(kind));
    }
    return h;
}

/* A field value as RFC 9110 §5.5 allows it on the wire: visible bytes, obs-text, SP, HTAB.
 * Any other control byte could end the line (CR, LF, NUL) or be read differently by the
 * next parser; the app connection it goes out on is shared with other clients' requests. */
#define BAD_RANGE(a, b) [a... b] = 1
static const uint8_t value_bad[256] = {BAD_RANGE(0, 8), BAD_RANGE(10, 31), [0x7f] = 1};

static int bad_value_bytes(const uint8_t *p, uint32_t n) {
    uint8_t bad = 0;
    for (uint32_t i = 0; i < n; i++)
        bad |= value_bad[p[i]];
    return bad;
}

/* The name a header call looks up: any bytes but none (ABI §1.6). A lookup or removal of a
 * name no field can have ("Grain Time: 5 ns", as a published Traefik plugin asks for)
 * finds nothing, as in the reference host: no field the host holds has such a name. */
static inline __attribute__((always_inline)) const uint8_t *
header_name(struct http_inst *hi, hwasm_vmctx *vm, int32_t name, int32_t name_len,
            const char *fn) {
    const uint8_t *p = guest_bytes(hi, vm, (uint32_t)name, (uint32_t)name_len, fn);
    if (name_len == 0) http_trap(hi, vm, fn, "HTTP header name cannot be empty");
    return p;
}

/* The name a header call writes: a token (RFC 9110 §5.1), or a trap. "Content-Length " or
 * "a b" would reach the app as a name some parsers trim and others refuse. */
static inline __attribute__((always_inline)) const uint8_t *
header_name_written(struct http_inst *hi, hwasm_vmctx *vm, int32_t name, int32_t name_len,
                    const char *fn) {
    const uint8_t *p = header_name(hi, vm, name, name_len, fn);
    if (!hw_http_field_name_valid((const char *)p, (uint32_t)name_len))
        http_trap(hi, vm, fn, "invalid HTTP header name");
    return p;
}

struct name_ref {
    const char *p;
    uint32_t len;
};

static int name_cmp(const void *a, const void *b) {
    const struct name_ref *x = a, *y = b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

int64_t http_get_header_names(void *env, hwasm_vmctx *vm, int32_t kind, int32_t buf,
                              int32_t buf_limit) {
    const char *fn = "get_header_names";
    hw_http_headers *h = headers_of(HI, vm, kind, fn);
    uint8_t *dst = buf_limit ? guest_bytes(HI, vm, (uint32_t)buf, (uint32_t)buf_limit, fn) : NULL;
    if (h->count == 0) return 0;
    size_t bytes = 0;
    for (uint32_t i = 0; i < h->count; i++)
        bytes += h->fields[i].name_len;
    size_t refs_size = (size_t)h->count * sizeof(struct name_ref);
    uint8_t *scratch = http_scratch(HI, vm, refs_size + bytes, fn);
    struct name_ref *refs = (struct name_ref *)scratch;
    char *lower = (char *)scratch + refs_size;
    for (uint32_t i = 0; i < h->count; i++) {
        const hw_http_field *f = &h->fields[i];
        for (uint32_t j = 0; j < f->name_len; j++) {
            char c = f->name[j];
            lower[j] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
        }
        refs[i] = (struct name_ref){lower, f->name_len};
        lower += f->name_len;
    }
    qsort(refs, h->count, sizeof *refs, name_cmp);
    uint32_t count = 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < h->count; i++) {
        if (i && !name_cmp(&refs[i - 1], &refs[i])) continue;
        refs[count++] = refs[i];
        total += refs[i].len + 1u;
    }
    if (total > INT32_MAX) http_trap(HI, vm, fn, "header names too long");
    if (total <= (uint32_t)buf_limit) {
        for (uint32_t i = 0; i < count; i++) {
            memcpy(dst, refs[i].p, refs[i].len);
            dst[refs[i].len] = 0;
            dst += refs[i].len + 1;
        }
    }
    return (int64_t)HTTP_PACK(count, total);
}

int64_t http_get_header_values(void *env, hwasm_vmctx *vm, int32_t kind, int32_t name,
                               int32_t name_len, int32_t buf, int32_t buf_limit) {
    const char *fn = "get_header_values";
    const uint8_t *n = header_name(HI, vm, name, name_len, fn);
    hw_http_headers *h = headers_of(HI, vm, kind, fn);
    uint8_t *dst = buf_limit ? guest_bytes(HI, vm, (uint32_t)buf, (uint32_t)buf_limit, fn) : NULL;
    uint32_t count = 0, first = 0, last = 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < h->count; i++) {
        const hw_http_field *f = &h->fields[i];
        if (!http_field_is(f, (const char *)n, (uint32_t)name_len)) continue;
        if (!count++) first = i;
        last = i;
        total += f->value_len + 1u;
    }
    if (total > INT32_MAX) http_trap(HI, vm, fn, "header values too long");
    if (count && total <= (uint32_t)buf_limit) {
        /* the matches lie in [first, last]: the copy looks no further */
        for (uint32_t i = first; i <= last; i++) {
            const hw_http_field *f = &h->fields[i];
            if (i != first && i != last && !http_field_is(f, (const char *)n, (uint32_t)name_len))
                continue;
            http_copy(dst, f->value, f->value_len);
            dst[f->value_len] = 0;
            dst += f->value_len + 1;
        }
    }
    return (int64_t)HTTP_PACK(count, total);
}

/* set and add share everything but the list operation. */
static void put_header(struct http_inst *hi, hwasm_vmctx *vm, int32_t kind, int32_t name,
                       int32_t name_len, int32_t value, int32_t value_len, int add) {
    const char *fn = add ? "add_header_value" : "set_header_value";
    const uint8_t *n = header_name_written(hi, vm, name, name_len, fn);
    const uint8_t *v = guest_bytes(hi, vm, (uint32_t)value, (uint32_t)value_len, fn);
    if (bad_value_bytes(v, (uint32_t)value_len)) http_trap(hi, vm, fn, "invalid HTTP header value");
    hw_http_headers *h = mutable_headers(hi, vm, kind, fn, add ? "add" : "set");
    http_header_bytes(hi, vm, fn, (uint64_t)(uint32_t)name_len + (uint32_t)value_len + HTTP_FIELD_COST);
    int rc = add ? hw_http_headers_add(h, (const char *)n, (uint32_t)name_len, (const char *)v,
                                       (uint32_t)value_len)
                 : hw_http_headers_set(h, (const char *)n, (uint32_t)name_len, (const char *)v,
                                       (uint32_t)value_len);
    if (rc != HW_OK) http_trap(hi, vm, fn, "out of host memory");
}

void http_set_header_value(void *env, hwasm_vmctx *vm, int32_t kind, int32_t name, int32_t name_len,
                           int32_t value, int32_t value_len) {
    put_header(HI, vm, kind, name, name_len, value, value_len, 0);
}

void http_add_header_value(void *env, hwasm_vmctx *vm, int32_t kind, int32_t name, int32_t name_len,
                           int32_t value, int32_t value_len) {
    put_header(HI, vm, kind, name, name_len, value, value_len, 1);
}

void http_remove_header(void *env, hwasm_vmctx *vm, int32_t kind, int32_t name, int32_t name_len) {
    const char *fn = "remove_header";
    const uint8_t *n = header_name(HI, vm, name, name_len, fn);
    hw_http_headers *h = mutable_headers(HI, vm, kind, fn, "remove");
    hw_http_headers_remove(h, (const char *)n, (uint32_t)name_len);
}
