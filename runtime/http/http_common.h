/*
 * http_common.h — what every host function (http_fn_*.c, wasi_preview1.c) uses on a guest
 * call: the trap that names the function and phase, guest-memory checks, short copies and
 * header-name compares, the buf_limit string write, the header-bytes budget, the scratch
 * buffer and the logger gate (http_common.c, and inline here: they are on every call).
 */
#ifndef HTTP_COMMON_H
#define HTTP_COMMON_H

#include <string.h>

#include "http_internal.h"

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

/* Asks the embedder for n bytes of host memory a guest writes into the exchange
 * (hw_http_exchange.charge), or traps naming fn, the refusal noted in x->charge_refused
 * (the host's doing, not the guest's: hwasmd answers 503 whatever on_trap says). */
static inline void http_charge(struct http_inst *hi, hwasm_vmctx *vm, const char *fn, uint64_t n) {
    hw_http_exchange *x = hi->x;
    if (!x || !x->charge || !x->charge(x->charge_ctx, (size_t)n)) return; /* granted */
    x->charge_refused = 1;
    http_trap(hi, vm, fn, "over the host memory budget for guest writes (%llu more bytes refused)",
              (unsigned long long)n);
}

/* Counts n more guest-written header bytes (names and values, HTTP_FIELD_COST per field
 * line, uri, method) in this request, or traps naming fn once they would pass
 * cfg.max_header_bytes: without a bound a guest adding headers in a loop grows host
 * memory until the process dies. */
static inline void http_header_bytes(struct http_inst *hi, hwasm_vmctx *vm, const char *fn,
                                     uint64_t n) {
    uint32_t cap = hi->mw->cfg.max_header_bytes;
    if (n > cap - hi->header_bytes)
        http_trap(hi, vm, fn, "guest-written header bytes over %u in this request", cap);
    http_charge(hi, vm, fn, n);
    hi->header_bytes += n;
}

/* What each field line a guest sets or adds costs in that budget on top of its name and
 * value: the host memory a line takes however short it is, its slot (a hw_http_field, and
 * the slot array doubles as it grows) and its "name\0value\0" buffer (malloc gives 32
 * bytes at least). Counting bytes alone, a million empty lines cost 1 MiB of budget and
 * held 62 MB; now host memory for guest-written lines stays within about the budget. */
#define HTTP_FIELD_COST (2 * sizeof(hw_http_field) + 32)

/* A scratch buffer of at least n bytes owned by the instance, or a trap. */
uint8_t *http_scratch(struct http_inst *hi, hwasm_vmctx *vm, size_t n, const char *fn);

#endif /* HTTP_COMMON_H */
