/*
 * hwasmd_target.c — the request line and Host header read the way the app will read them,
 * before any route is chosen: the path normalised (hwasmd_path.c), the host without port,
 * case or trailing dot, absolute-form targets ("GET http://h/p") routed by their host and
 * path. A request whose host or path could mean two things is refused here (400), as nginx
 * refuses it, so no route can be chosen on one meaning while the app acts on the other;
 * an encoded '/' is read both ways and left to the routes (encoded_slashes).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwasmd_path.h"
#include "hwasmd_target.h"

/* Whether a host name may hold ch: RFC 3986's reg-name without percent-encoding (letters,
 * digits, "-._~!$&'()*+,;="). Every other byte reads differently to the app's URL parser
 * than to hwasmd's routes: "x@admin.example", "admin.example#x" and "admin.example?x" are
 * admin.example to WHATWG's, Python's and Go's parsers; a WHATWG parser decodes "%69" and
 * maps full-width letters (UTF-8) to ASCII. nginx lets those bytes through. */
static int reg_name(unsigned char ch) {
    return (unsigned char)((ch | 0x20) - 'a') < 26 || (unsigned char)(ch - '0') < 10 ||
           (ch && strchr("-._~!$&'()*+,;=", ch));
}

/* Checks a host[:port] and trims it to the host: no port, no trailing dot. Refused:
 * empty, "..", any byte not in reg_name, a bracketed IPv6 literal that is not one
 * ("[::1]" keeps its brackets; "[a]" or "[v1.x]" is refused), a port that is not
 * digits. 0 or -1. */
static int host_trim(const char *h, size_t n, size_t *len) {
    size_t end, host; /* where the host ends (n, or a ':' before the port); its length */
    if (n && h[0] == '[') {
        const char *close = memchr(h, ']', n);
        char lit[INET6_ADDRSTRLEN];
        struct in6_addr a;
        size_t k = close ? (size_t)(close - h) - 1 : 0;
        if (!k || k >= sizeof lit) return -1;
        memcpy(lit, h + 1, k);
        lit[k] = 0;
        if (inet_pton(AF_INET6, lit, &a) != 1) return -1;
        host = end = k + 2;
        if (end < n && h[end] != ':') return -1;
    } else {
        size_t dot = (size_t)-2;
        for (end = 0; end < n && h[end] != ':'; end++) {
            if (h[end] == '.' && dot == end - 1) return -1;
            if (h[end] == '.') dot = end;
            else if (!reg_name((unsigned char)h[end])) return -1;
        }
        host = end > 0 && h[end - 1] == '.' ? end - 1 : end; /* one trailing dot goes */
    }
    for (size_t i = end + 1; i < n; i++) /* the port: digits only */
        if (h[i] < '0' || h[i] > '9') return -1;
    if (host == 0) return -1;
    *len = host;
    return 0;
}

/* Whether the path with encoded slashes kept has a "." or ".." segment once each %2F is
 * read as '/' ("/api%2Fadmin%2F..", "/x%2F.%2Fy"; those between real slashes were resolved
 * already). Both readings may choose one route and still differ there: an app that decodes
 * %2F and resolves no dot segments enters /api/admin/.. past /api/admin's chain. Empty
 * segments stay allowed: RabbitMQ names its default vhost "/" as %2F ("/api/queues/%2F/q"). */
static int dot_segment_when_decoded(const char *p, size_t n) {
    size_t seg = 0; /* where the current segment starts */
    for (size_t i = 0; i <= n; i++) {
        size_t sep = i == n ? 1 : p[i] == '/' ? 1 :
                     p[i] == '%' && i + 2 < n && p[i + 1] == '2' && (p[i + 2] | 0x20) == 'f' ? 3 : 0;
        if (!sep) continue;
        size_t len = i - seg;
        if ((len == 1 && p[seg] == '.') || (len == 2 && p[seg] == '.' && p[seg + 1] == '.')) return 1;
        i += sep - 1;
        seg = i + 1;
    }
    return 0;
}

int hwd_target_parse(const hw_http_request *q, int http11, struct hwd_target *t) {
    memset(t, 0, sizeof *t);
    const char *s = q->target.ptr;
    size_t n = q->target.len;
    const char *authority = NULL;
    size_t authority_len = 0;
    /* One pass refuses two kinds of byte. A fragment: a request-target has none (RFC 9112
     * §3.2) and no client sends one, and an app may end the path at '#' or read on through
     * it ("/x#/../api" is /x to one, /api to another). Whitespace or a control byte (loose
     * llhttp lets HT through): an app that splits its request line on any whitespace, as
     * RFC 9112 §3 allows, would read "/x\t/y" as two words (nginx refuses it too). */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || s[i] == '#') return 400;
    if (n >= 7 && (!strncasecmp(s, "http://", 7) || (n >= 8 && !strncasecmp(s, "https://", 8)))) {
        authority = s + (s[4] == ':' ? 7 : 8);
        authority_len = strcspn(authority, "/?#");
        if (memchr(authority, '@', authority_len)) return 400; /* userinfo: nginx refuses it too */
        t->origin = (size_t)(authority - s) + authority_len;
    } else if (n == 0 || s[0] != '/') {
        return 400; /* "*", authority-form, or garbage */
    }
    t->raw_end = t->origin + strcspn(s + t->origin, "?#");

    /* the host: one Host header (required in HTTP/1.1), agreeing with the authority */
    int64_t i = hw_http_headers_find(&q->headers, "host", 4, 0);
    if (i >= 0 && hw_http_headers_find(&q->headers, "host", 4, (uint32_t)i + 1) >= 0) return 400;
    if (i < 0 && http11) return 400;
    if (i >= 0) {
        const hw_http_field *h = &q->headers.fields[i];
        if (host_trim(h->value, h->value_len, &t->host_len)) return 400;
        t->host = h->value;
    }
    if (authority) {
        size_t len;
        if (host_trim(authority, authority_len, &len)) return 400;
        if (t->host && (len != t->host_len || strncasecmp(authority, t->host, len))) return 400;
        t->host = authority;
        t->host_len = len;
    }

    /* the path; "http://h" and "http://h?q" mean "/" */
    const char *p = s + t->origin;
    size_t plen = t->raw_end - t->origin;
    if (plen == 0) {
        t->path = "/";
        t->path_len = 1;
        return 0;
    }
    if (p[0] != '/') return 400;
    if (hwd_path_is_normal(p, plen)) {
        t->path = p;
        t->path_len = plen;
        return 0;
    }
    if (!(t->buf = malloc(plen))) return 400;
    int rc = hwd_path_normalize(p, plen, t->buf, &t->path_len);
    if (rc == -2) { /* room for both readings of an encoded '/': buf[0..plen), buf[plen..2 plen) */
        char *b = realloc(t->buf, 2 * plen);
        if (!b) return hwd_target_free(t), 400;
        t->buf = b;
        t->slash = 1;
        t->slash_path = t->buf + plen;
        rc = hwd_path_normalize_slashes(p, plen, t->buf, &t->path_len, HWD_SLASH_KEEP) ||
             hwd_path_normalize_slashes(p, plen, t->buf + plen, &t->slash_len, HWD_SLASH_DECODE) ||
             dot_segment_when_decoded(t->buf, t->path_len);
    }
    if (rc) {
        hwd_target_free(t);
        return 400;
    }
    t->path = t->buf;
    return 0;
}

int hwd_target_forward(hw_http_request *q, struct hwd_target *t, int normalized) {
    int rc = 0;
    if (t->origin) {
        /* an absolute-form target's authority is the Host (RFC 9112 §3.2.2: the Host line
         * is ignored, or absent in HTTP/1.0), which the origin-form target the app gets no
         * longer carries; a Host line naming another host was refused (400) */
        const char *s = q->target.ptr;
        size_t from = s[4] == ':' ? 7 : 8;
        if (hw_http_headers_set(&q->headers, "Host", 4, s + from, t->origin - from)) rc = -1;
    }
    if (t->origin || (normalized && t->buf)) {
        const char *s = q->target.ptr;
        const char *p = normalized ? t->path : s + t->origin;
        size_t plen = normalized ? t->path_len : t->raw_end - t->origin;
        size_t qlen = q->target.len - t->raw_end;
        char *out = malloc(plen + qlen + 2);
        if (!out) rc = -1;
        else {
            size_t o = 0;
            if (plen == 0) out[o++] = '/';
            memcpy(out + o, p, plen);
            memcpy(out + o + plen, s + t->raw_end, qlen);
            rc = hw_http_str_set(&q->target, out, o + plen + qlen) ? -1 : 0;
            free(out);
        }
    }
    hwd_target_free(t);
    return rc;
}

void hwd_target_free(struct hwd_target *t) {
    free(t->buf);
    memset(t, 0, sizeof *t);
}
