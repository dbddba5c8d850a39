/*
 * hwasmd_trailers.c — which trailer fields leave hwasmd, and how: only as the last chunk of
 * a chunked body, never merged into a head, and never those RFC 9110 §6.5.1 says a
 * recipient must not trust in trailers (see hwasmd_trailers.h). Guests still see every
 * field the peer sent; this filter is applied where bytes go on the wire.
 */
#define _GNU_SOURCE
#include <string.h>
#include <strings.h>

#include "hwasmd_http1.h"
#include "hwasmd_trailers.h"

/* Whether a trailer field may leave hwasmd: never the hop-by-hop and framing fields
 * (hwd_is_hop_header), nor these. */
static int forwardable(const char *name, size_t len) {
    static const char *const never[] = {
        /* routing, and what hwasmd adds for the app */
        "host", "max-forwards", "via", "forwarded", "x-forwarded-for", "x-forwarded-proto",
        "x-forwarded-host",
        /* request modifiers */
        "expect", "range", "if-match", "if-none-match", "if-modified-since",
        "if-unmodified-since", "if-range", "cache-control", "pragma",
        /* authentication and state */
        "authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate",
        "authentication-info", "proxy-authentication-info", "cookie", "set-cookie",
        /* response control data */
        "age", "date", "expires", "location", "retry-after", "vary", "warning",
        /* how to process the content */
        "content-encoding", "content-type", "content-range"};
    if (len == 0 || hwd_is_hop_header(name, len)) return 0;
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (!strncasecmp(never[i], name, len) && !never[i][len]) return 0;
    return 1;
}

int hwd_trailers_any(const hw_http_headers *t) {
    for (uint32_t i = 0; i < t->count; i++)
        if (forwardable(t->fields[i].name, t->fields[i].name_len)) return 1;
    return 0;
}

void hwd_trailers_last_chunk(struct hwd_buf *b, const hw_http_headers *t) {
    hwd_buf_str(b, "0\r\n");
    for (uint32_t i = 0; i < t->count; i++) {
        const hw_http_field *f = &t->fields[i];
        if (forwardable(f->name, f->name_len))
            hwd_buf_field(b, f->name, f->name_len, f->value, f->value_len);
    }
    hwd_buf_put(b, "\r\n", 2);
}
