/*
 * http_guest.h — a small guest-side SDK for writing http-wasm middleware in C without libc
 * (clang --target=wasm32 -nostdlib): the 19 http_handler imports, the few libc routines
 * clang may call, and helpers for the common "read into a buffer" patterns.
 * Include it in exactly one .c file per guest (it defines memcpy/memset/memcmp).
 */
#ifndef HTTP_GUEST_H
#define HTTP_GUEST_H

#include <hwasm/http_handler.h>

typedef unsigned int u32;
typedef int i32;
typedef long long i64;
typedef unsigned long long u64;
typedef __SIZE_TYPE__ size_t;

#define HTTP_IMPORT(name) __attribute__((import_module(HTTP_HANDLER_MODULE), import_name(#name)))
#define HTTP_EXPORT(name) __attribute__((export_name(#name)))

HTTP_IMPORT(enable_features) i32 enable_features(i32 features);
HTTP_IMPORT(get_config) i32 get_config(char *buf, i32 buf_limit);
HTTP_IMPORT(log) void log_message(i32 level, const char *msg, i32 msg_len);
HTTP_IMPORT(log_enabled) i32 log_enabled(i32 level);
HTTP_IMPORT(get_method) i32 get_method(char *buf, i32 buf_limit);
HTTP_IMPORT(set_method) void set_method(const char *method, i32 method_len);
HTTP_IMPORT(get_uri) i32 get_uri(char *buf, i32 buf_limit);
HTTP_IMPORT(set_uri) void set_uri(const char *uri, i32 uri_len);
HTTP_IMPORT(get_protocol_version) i32 get_protocol_version(char *buf, i32 buf_limit);
HTTP_IMPORT(get_source_addr) i32 get_source_addr(char *buf, i32 buf_limit);
HTTP_IMPORT(get_header_names) i64 get_header_names(i32 kind, char *buf, i32 buf_limit);
HTTP_IMPORT(get_header_values)
i64 get_header_values(i32 kind, const char *name, i32 name_len, char *buf, i32 buf_limit);
HTTP_IMPORT(set_header_value)
void set_header_value(i32 kind, const char *name, i32 name_len, const char *value, i32 value_len);
HTTP_IMPORT(add_header_value)
void add_header_value(i32 kind, const char *name, i32 name_len, const char *value, i32 value_len);
HTTP_IMPORT(remove_header) void remove_header(i32 kind, const char *name, i32 name_len);
HTTP_IMPORT(read_body) i64 read_body(i32 kind, char *buf, i32 buf_limit);
HTTP_IMPORT(write_body) void write_body(i32 kind, const char *body, i32 body_len);
HTTP_IMPORT(get_status_code) i32 get_status_code(void);
HTTP_IMPORT(set_status_code) void set_status_code(i32 status_code);

/* clang lowers struct copies and loops to these; there is no libc to provide them. */
void *memcpy(void *d, const void *s, size_t n) {
    char *dp = d;
    const char *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}
void *memset(void *d, int c, size_t n) {
    char *dp = d;
    while (n--)
        *dp++ = (char)c;
    return d;
}
int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x - *y;
    return 0;
}

static inline i32 str_len(const char *s) {
    i32 n = 0;
    while (s[n])
        n++;
    return n;
}

/* Equal bytes: p[0..n) == the NUL-terminated literal s. */
static inline int bytes_eq(const char *p, i32 n, const char *s) {
    return str_len(s) == n && memcmp(p, s, (size_t)n) == 0;
}

static inline int starts_with(const char *p, i32 n, const char *s) {
    i32 k = str_len(s);
    return k <= n && memcmp(p, s, (size_t)k) == 0;
}

/* Convenience wrappers taking NUL-terminated C strings. */
static inline void log_str(i32 level, const char *s) {
    log_message(level, s, str_len(s));
}
static inline void set_header(i32 kind, const char *name, const char *value) {
    set_header_value(kind, name, str_len(name), value, str_len(value));
}
static inline void add_header(i32 kind, const char *name, const char *value) {
    add_header_value(kind, name, str_len(name), value, str_len(value));
}
static inline void write_str(i32 kind, const char *s) {
    write_body(kind, s, str_len(s));
}

/* Decimal rendering into buf (no terminator); returns the length. */
static inline i32 fmt_u32(char *buf, u32 v) {
    char tmp[10];
    i32 n = 0, k = 0;
    do
        tmp[n++] = (char)('0' + v % 10), v /= 10;
    while (v);
    while (n)
        buf[k++] = tmp[--n];
    return k;
}

#define NEXT_AND_CTX(ctx) ((i64)(((u64)(u32)(ctx) << 32) | 1u))

#endif /* HTTP_GUEST_H */
