/*
 * hwasmd_response.h — answers as they go on the wire to the client (hwasmd_response.c).
 */
#ifndef HWASMD_RESPONSE_H
#define HWASMD_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include <hwasm/hwasm_http.h>

/* Serialises r for the client: status line, headers minus hop-by-hop ones, the body's
 * framing, the body in r unless head. keep_alive: 0 the connection closes after this
 * answer ("Connection: close"), 1 it stays open, HWD_KEEP_ALIVE_SAID it stays open for an
 * HTTP/1.0 client, which must be told so ("Connection: keep-alive", RFC 9112 §9.3: without
 * it such a client waits for the close that ends the answer). more: HWD_BODY_WHOLE when
 * r->body is all of it, a byte count (>= 0) still to be streamed after it,
 * HWD_BODY_CHUNKED (r->body becomes the first chunk, more follow), HWD_BODY_UNTIL_CLOSE (keep_alive must be 0), or
 * HWD_BODY_WHOLE_CHUNKED: r->body is all of it, sent chunked with r->trailers' forwardable
 * fields in the last chunk (for an HTTP/1.1 client only; an answer without a body is sent
 * as HWD_BODY_WHOLE). Returns a malloc'd buffer of *len bytes. With split NULL the body is
 * in it; else it is not, the caller sends it from r->body itself (no copy): the buffer's
 * first *split bytes go before r->body's first *body_len bytes (0 when the answer has no
 * body: HEAD, 204, 304), the rest after them. */
#define HWD_BODY_WHOLE (-1)
#define HWD_BODY_CHUNKED (-2)
#define HWD_BODY_UNTIL_CLOSE (-3)
#define HWD_BODY_WHOLE_CHUNKED (-4)
#define HWD_KEEP_ALIVE_SAID 2
char *hwd_response_format(hw_http_response *r, int head, int keep_alive, int64_t more, size_t *len,
                          size_t *split, size_t *body_len);
/* A small canned answer (errors before or outside any chain). */
void hwd_response_simple(hw_http_response *r, int status, const char *text);

#endif /* HWASMD_RESPONSE_H */
