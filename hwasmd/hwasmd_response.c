/*
 * hwasmd_response.c — what goes on the wire to the client: the composed response with its
 * hop-by-hop headers dropped and its body's framing recomputed: a Content-Length for a
 * body whole in memory or of a known streamed length, else chunked (or, for HTTP/1.0
 * clients, until the connection closes); chunked too when trailers go with a whole body.
 * The Trailer header is not sent: the trailers forwarded are a filtered set
 * (hwasmd_trailers.c), and the field is optional. An answer without a Date (one a guest
 * or hwasmd itself made) gets one: RFC 9110 §6.6.1 asks it of every origin with a clock,
 * which hwasmd is for the answers it makes (the app's own Date goes as it came).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hwasmd_buf.h"
#include "hwasmd_http1.h"
#include "hwasmd_response.h"
#include "hwasmd_trailers.h"

/* The reason phrase of every status in IANA's registry (RFC 9110 and the rest); clients
 * ignore it (RFC 9112 §4), people read it. */
static const char *reason(int s) {
    switch (s) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 208: return "Already Reported";
    case 226: return "IM Used";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 506: return "Variant Also Negotiates";
    case 507: return "Insufficient Storage";
    case 508: return "Loop Detected";
    case 510: return "Not Extended";
    case 511: return "Network Authentication Required";
    default: return "Status";
    }
}

/* "Date: Mon, 07 Dec 2026 18:38:00 GMT\r\n" for now, formatted once a second per thread. */
static const char *date_line(void) {
    static __thread time_t at;
    static __thread char line[48];
    time_t now = time(NULL);
    if (now != at) {
        struct tm tm;
        static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        gmtime_r(&now, &tm);
        snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n", days[tm.tm_wday],
                 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        at = now;
    }
    return line;
}

char *hwd_response_format(hw_http_response *r, int head, int keep_alive, int64_t more, size_t *len,
                          size_t *split, size_t *body_len) {
    struct hwd_buf buf = {0}, *b = &buf;
    size_t need = 128 + (split ? 0 : r->body.len); /* status line, framing, chunk size, CRLFs */
    for (uint32_t i = 0; i < r->headers.count; i++)
        need += r->headers.fields[i].name_len + r->headers.fields[i].value_len + 4;
    hwd_buf_reserve(b, need);
    int st = r->status >= 100 && r->status <= 999 ? r->status : 500;
    hwd_buf_str(b, "HTTP/1.1 ");
    hwd_buf_num(b, (uint64_t)st, 10);
    hwd_buf_put(b, " ", 1);
    hwd_buf_str(b, reason(st));
    hwd_buf_put(b, "\r\n", 2);
    int dated = 0;
    for (uint32_t i = 0; i < r->headers.count; i++) {
        const hw_http_field *h = &r->headers.fields[i];
        if (!hwd_is_hop_header(h->name, h->name_len)) hwd_buf_field(b, h->name, h->name_len, h->value, h->value_len);
        dated |= h->name_len == 4 && !strncasecmp(h->name, "date", 4);
    }
    if (!dated) hwd_buf_str(b, date_line());
    size_t body = r->body.len;
    int no_body = st == 204 || st == 304 || st < 200;
    if (more == HWD_BODY_WHOLE_CHUNKED && (head || no_body)) more = HWD_BODY_WHOLE; /* no body: no trailers */
    int chunk = more == HWD_BODY_CHUNKED || more == HWD_BODY_WHOLE_CHUNKED;
    int64_t cl = head ? hw_http_headers_find(&r->headers, "content-length", 14, 0) : -1;
    if (cl >= 0) {
        const hw_http_field *h = &r->headers.fields[cl];
        hwd_buf_field(b, "Content-Length", 14, h->value, h->value_len);
    } else if (!no_body && chunk) {
        hwd_buf_str(b, "Transfer-Encoding: chunked\r\n");
    } else if (!no_body && more != HWD_BODY_UNTIL_CLOSE && !(head && !body)) {
        /* (a HEAD answered without a length, as a chunked or close-delimited GET would be,
         * says none: "Content-Length: 0" would call the resource empty) */
        hwd_buf_str(b, "Content-Length: ");
        hwd_buf_num(b, (uint64_t)body + (uint64_t)(more > 0 ? more : 0), 10);
        hwd_buf_put(b, "\r\n", 2);
    }
    if (!keep_alive) hwd_buf_str(b, "Connection: close\r\n");
    else if (keep_alive == HWD_KEEP_ALIVE_SAID) hwd_buf_str(b, "Connection: keep-alive\r\n");
    hwd_buf_put(b, "\r\n", 2);
    int send_body = !head && !no_body && body;
    if (send_body && chunk) hwd_buf_num(b, body, 16), hwd_buf_put(b, "\r\n", 2);
    if (split) {
        *split = b->len;
        *body_len = send_body ? body : 0;
    } else if (send_body) {
        hwd_buf_put(b, r->body.data, body);
    }
    if (send_body && chunk) hwd_buf_put(b, "\r\n", 2);
    if (more == HWD_BODY_WHOLE_CHUNKED) hwd_trailers_last_chunk(b, &r->trailers);
    return hwd_buf_take(b, len);
}

void hwd_response_simple(hw_http_response *r, int status, const char *text) {
    r->status = status;
    hw_http_headers_clear(&r->headers);
    hw_http_headers_clear(&r->trailers);
    hw_http_headers_set(&r->headers, "Content-Type", 12, "text/plain", 10);
    hw_http_body_set(&r->body, text, strlen(text));
}
