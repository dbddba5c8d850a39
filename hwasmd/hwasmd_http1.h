/*
 * hwasmd_http1.h — the llhttp header accumulator both HTTP/1 parsers use (hwasmd_http1.c).
 */
#ifndef HWASMD_HTTP1_H
#define HWASMD_HTTP1_H

#include <stddef.h>

#include <hwasm/hwasm_http.h>

/* One header line as llhttp delivers it, name and value possibly in several pieces; both
 * the client requests (hwasmd_conn.c) and the app replies (hwasmd_upstream.c) are parsed
 * this way. */
struct hwd_header_acc {
    char *field, *value;
    size_t field_len, value_len;
    int in_value; /* the value has started: the next field piece begins a new header */
};
/* Appends len bytes to the malloc'd, NUL-terminated *s of length *n; 0 or -1 (no memory). */
int hwd_append(char **s, size_t *n, const char *p, size_t len);
/* Adds the pending header (if any) to h and empties a; 0 or -1. */
int hwd_header_commit(struct hwd_header_acc *a, hw_http_headers *h);

#endif /* HWASMD_HTTP1_H */
