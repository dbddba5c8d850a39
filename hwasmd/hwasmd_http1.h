/*
 * hwasmd_http1.h — what both HTTP/1 parsers share (hwasmd_http1.c): the llhttp header
 * accumulator, and the strict checks llhttp 8.1 (Debian's, built loose) does not make.
 */
#ifndef HWASMD_HTTP1_H
#define HWASMD_HTTP1_H

#include <stddef.h>
#include <stdint.h>

#include <hwasm/hwasm_http.h>

#include "llhttp.h"

/* One header line as llhttp delivers it, name and value possibly in several pieces; both
 * the client requests (hwasmd_conn.c) and the app replies (hwasmd_upstream.c) are parsed
 * this way. */
struct hwd_header_acc {
    char *field, *value; /* kept between lines while small (hwd_header_drop) */
    size_t field_len, value_len;
    int in_value; /* the value has started: the next field piece begins a new header */
};
/* Appends len bytes to the malloc'd, NUL-terminated *s of length *n; 0 or -1 (no memory). */
int hwd_append(char **s, size_t *n, const char *p, size_t len);
/* Empties *s for the next appends, keeping its buffer unless it grew past 256 bytes. */
void hwd_append_reset(char **s, size_t *n);
/* Adds the pending header (if any) to h and empties a; 0, or -1 (no memory, or its name is
 * no token: hw_http_field_name_valid). */
int hwd_header_commit(struct hwd_header_acc *a, hw_http_headers *h);
/* The same for a pending header whose name the caller has checked. */
int hwd_header_add(struct hwd_header_acc *a, hw_http_headers *h);
/* Whether a header line is being gathered (a name never is empty: the strict checks and
 * llhttp refuse one). */
static inline int hwd_header_pending(const struct hwd_header_acc *a) { return a->field_len > 0; }

/* Drops the pending header (a request cut short, a connection closed); small buffers stay
 * for the next line. */
void hwd_header_drop(struct hwd_header_acc *a);
/* Frees a's buffers (its connection or reply ends). */
void hwd_header_free(struct hwd_header_acc *a);

/* What the loose llhttp lets through and a message must not have, a client's request or
 * the app's answer alike, checked from its callbacks with the bytes around each span, so
 * that the body and the next message start where any strict parser would put them:
 * - after chunk data, exactly CRLF (llhttp skips any two bytes there);
 * - no obs-fold: a header line that begins with SP or HT continues no value, it is refused
 *   (llhttp appends it to the value);
 * (A header name that is empty or not a token is refused apart: hwasmd_conn.c's
 * on_field_done and hwd_header_commit.)
 * And one thing llhttp refuses that RFC 9112 allows: a chunk's second extension after a
 * token value ("5;a=1;b=2", hwd_h1_chunk_ext_value).
 * Zero it for each connection (each app reply). The bytes being parsed may end anywhere:
 * what could not be checked yet (the CRLF, whether a value went on) waits for the next
 * read. */
struct hwd_h1_strict {
    const char *start, *end; /* the bytes llhttp_execute is parsing now */
    uint8_t crlf_due;        /* 2 or 1: that many bytes of a CRLF after chunk data are next */
    uint8_t value_seen;      /* the header line being read has had a value span */
    uint8_t value_open;      /* ... and the last one ran to the end of a read */
    uint8_t ext_semicolon;   /* llhttp paused having swallowed a ';' it must be given back */
};
/* Before llhttp_execute(data, n): checks the CRLF due from the last read; 0 or -1. */
int hwd_h1_strict_input(struct hwd_h1_strict *s, const char *data, size_t n);
/* From on_body: chunk_done when llhttp's chunk has no bytes left (chunked and
 * content_length 0): the CRLF must follow at+n. 0 or -1. */
int hwd_h1_strict_body(struct hwd_h1_strict *s, const char *at, size_t n, int chunk_done);
/* From on_header_value and on_header_value_complete (a header line, trailers included):
 * -1 when the line must be refused. */
int hwd_h1_strict_value(struct hwd_h1_strict *s, const char *at, size_t n);
void hwd_h1_strict_value_done(struct hwd_h1_strict *s);
/* From on_chunk_extension_value. llhttp 8.1 consumes the ';' that ends a token value and
 * then wants the chunk line's CR: "5;a=1;b=2" was refused (400 from a client, 502 from the
 * app), where RFC 9112 §7.1.1 allows any number of extensions (nginx and HAProxy take
 * them; a quoted value or one without '=' before the ';' was taken already). Returns
 * HPE_PAUSED there, for hwd_h1_execute to give llhttp its ';' back, else 0. The chunk size
 * is read before any extension and never changes; bare LF stays refused. */
int hwd_h1_chunk_ext_value(struct hwd_h1_strict *s, const char *at, size_t n);
/* llhttp_execute(p, data, n) after hwd_h1_strict_input, resuming past the pauses of
 * hwd_h1_chunk_ext_value: what the caller gets is llhttp's own result (HPE_PAUSED only from
 * its own callbacks), and llhttp_get_error_pos points into data. */
llhttp_errno_t hwd_h1_execute(llhttp_t *p, struct hwd_h1_strict *s, const char *data, size_t n);

/* Extension methods. llhttp 8.1 knows a fixed list of methods and nothing lets another
 * through; nginx passes any method of capital letters, '_' and '-' to the app (BAN, QUERY,
 * VERSION-CONTROL), as the reference host does. At the start of a request the caller asks
 * hwd_h1_method_scan about the bytes it holds:
 *
 *   HWD_H1_METHOD_PARSER     llhttp reads them as they are: a method it knows, or bytes
 *                            that are no such method (llhttp refuses them: 400 or 501)
 *   HWD_H1_METHOD_MORE       s[0..*skip) are empty lines (llhttp skips them), then at
 *                            most part of a method: parse *skip bytes, ask again with more
 *   HWD_H1_METHOD_EXTENSION  s[*skip..*skip+*len) is a method llhttp does not know,
 *                            followed by SP: the caller keeps it and gives llhttp a method
 *                            it knows in its place (GET: no method llhttp knows frames a
 *                            request differently but CONNECT)
 *
 * The method is all the scan decides: where it ends (the SP, as llhttp's own method ends)
 * and nothing after it, so every request is still framed by llhttp alone. */
enum hwd_h1_method { HWD_H1_METHOD_PARSER, HWD_H1_METHOD_MORE, HWD_H1_METHOD_EXTENSION };
#define HWD_H1_METHOD_MAX 32 /* longer ones go to llhttp, which refuses them: 501 */
enum hwd_h1_method hwd_h1_method_scan(const char *s, size_t n, size_t *skip, size_t *len);

/* A message's Transfer-Encoding as hwasmd can frame it: 0 none, 1 exactly one line that is
 * "chunked", -1 two lines or more, -2 one line with any other coding ("gzip, chunked",
 * "chunked, gzip", "identity"): hwasmd decodes chunked only, and forwards no coding it did
 * not decode (the next hop would take the coded bytes for the body). */
int hwd_h1_transfer_encoding(const hw_http_headers *h);

/* Whether a request with this method and no body is sent without a Content-Length (GET,
 * HEAD: nginx sends none either); any other gets "Content-Length: 0". */
int hwd_h1_lengthless(const hw_http_str *method);

/* Whether a message has taken more bytes on the wire than its counted parts explain.
 * llhttp skips some bytes without a callback, so no other limit sees them: whitespace
 * before a value, empty lines before a message, leading zeros of a chunk size; a peer
 * could send gigabytes of them inside one message. What a message may take: twice its head
 * limit (the names, values, request target or reason, trailers and chunk extensions that
 * limit counts, their separators, and slack), its body bytes, and 24 bytes of framing per
 * chunk (a 16-digit size and two CRLFs). wire: the message's bytes so far, from the first
 * byte after the previous message. */
static inline int hwd_h1_wire_over(uint64_t wire, size_t head_cap, uint64_t body, uint64_t chunks) {
    return wire > 2 * (uint64_t)head_cap + 1024 + body + 24 * chunks;
}

/* Removes from a message's headers the fields its Connection lines name (RFC 9110 §7.6.1:
 * options of this hop only), as it arrives, before routes and guests see it: a client's
 * request (the guests then see what the app gets, and a field a guest sets later is never
 * removed by the client's word), and the app's answer once its head is in (what it names
 * never reaches guests or the client). Host stays (routes read it, the app needs it);
 * hop-by-hop names are left for hwd_is_hop_header at forwarding. 0 or -1 (no memory). */
int hwd_connection_options_drop(hw_http_headers *h);

/* The bit of a request field that must not come twice, or 0. nginx refuses a second
 * Authorization, Expect, If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since,
 * If-Range or Content-Range line (400); Proxy-Authorization and Content-Type join them:
 * with two, a guest that reads the first and an app that reads the last (or the two
 * joined) disagree on who is asking, or on how the body reads. */
unsigned hwd_h1_singleton(const char *name, size_t len);

/* The hop-by-hop field name (RFC 9110 §7.6.1, and the framing fields hwasmd recomputes)
 * that name is, in lower case, or NULL. */
const char *hwd_hop_header(const char *name, size_t len);
int hwd_is_hop_header(const char *name, size_t len);

#endif /* HWASMD_HTTP1_H */
