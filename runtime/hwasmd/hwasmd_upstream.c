/*
 * hwasmd_upstream.c — the end of every chain: the built-in echo, or the app over HTTP/1.1
 * with keep-alive connections pooled per upstream. This first version does blocking socket
 * I/O and runs on libuv's thread pool (never on an event loop); responses are read whole
 * with llhttp and merged into the exchange as §2.3 asks (upstream status and headers win,
 * a body the guests wrote before next comes first).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/time.h>
#include <unistd.h>

#include "hwasmd.h"
#include "llhttp.h"

struct hwd_upstream *hwd_upstream_parse(const char *s) {
    struct hwd_upstream *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    pthread_mutex_init(&u->mu, NULL);
    u->name = strdup(s);
    u->timeout_ms = 30000;
    if (!strcmp(s, "builtin:echo") || !strcmp(s, "builtin:tck")) {
        u->echo = 1;
        u->tck = s[8] == 't';
        return u;
    }
    if (!strncmp(s, "unix:/", 6) && strlen(s + 5) < sizeof ((struct sockaddr_un *)0)->sun_path) {
        u->unix_path = strdup(s + 5);
        return u;
    }
    const char *h = !strncmp(s, "http://", 7) ? s + 7 : NULL;
    const char *colon = h ? strrchr(h, ':') : NULL;
    const char *end = colon ? colon + 1 + strspn(colon + 1, "0123456789") : NULL;
    if (!colon || colon == h || end == colon + 1 || (*end && strcmp(end, "/"))) {
        free(u->name);
        free(u);
        return NULL;
    }
    if (*h == '[' && colon[-1] == ']') u->host = strndup(h + 1, (size_t)(colon - h - 2));
    else u->host = strndup(h, (size_t)(colon - h));
    u->port = strndup(colon + 1, (size_t)(end - colon - 1));
    return u;
}

/* --- built-in echo ----------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static int echo(hw_http_exchange *x) {
    hw_http_request *q = &x->req;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return 502;
    fputs("{\"method\": ", f);
    json_str(f, q->method.ptr, q->method.len);
    fputs(", \"uri\": ", f);
    json_str(f, q->target.ptr, q->target.len);
    fputs(", \"headers\": {", f);
    for (uint32_t i = 0; i < q->headers.count; i++) {
        const hw_http_field *h = &q->headers.fields[i];
        fputs(i ? ",\n  " : "\n  ", f);
        json_str(f, h->name, h->name_len);
        fputs(": ", f);
        json_str(f, h->value, h->value_len);
    }
    fputs("}, \"body\": ", f);
    json_str(f, (const char *)q->body.data + q->body.pos, q->body.len - q->body.pos);
    fputs("}\n", f);
    if (fclose(f)) return 502;
    x->resp.status = 200;
    hw_http_headers_set(&x->resp.headers, "Content-Type", 12, "application/json", 16);
    int rc = hw_http_body_append(&x->resp.body, buf, n);
    free(buf);
    return rc ? 502 : 0;
}

/* The http-wasm TCK's backend: what it received comes back as x-httpwasm-next-* response
 * headers (method, uri, each request header line numbered per name; Host left out). */
static int tck(hw_http_exchange *x) {
    hw_http_request *q = &x->req;
    hw_http_response *r = &x->resp;
    char name[300], len[24];
    if (hw_http_headers_set(&r->headers, "x-httpwasm-next-method", 22, q->method.ptr, q->method.len) ||
        hw_http_headers_set(&r->headers, "x-httpwasm-next-uri", 19, q->target.ptr, q->target.len))
        return 502;
    for (uint32_t i = 0; i < q->headers.count; i++) {
        const hw_http_field *h = &q->headers.fields[i];
        if (h->name_len == 4 && !strncasecmp(h->name, "host", 4)) continue;
        int index = 0;
        for (uint32_t j = 0; j < i; j++) index += !strcasecmp(q->headers.fields[j].name, h->name);
        int n = snprintf(name, sizeof name, "x-httpwasm-next-header-%.200s-%d", h->name, index);
        for (int k = 0; k < n; k++) name[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
        if (hw_http_headers_add(&r->headers, name, (size_t)n, h->value, h->value_len)) return 502;
    }
    int n = snprintf(len, sizeof len, "%zu", q->body.len - q->body.pos);
    return hw_http_headers_set(&r->headers, "x-httpwasm-next-body-length", 27, len, (size_t)n) ? 502 : 0;
}

/* --- the app over HTTP/1.1 ---------------------------------------------------------------- */

static void set_timeouts(struct hwd_upstream *u, int fd) {
    struct timeval tv = {.tv_sec = u->timeout_ms / 1000, .tv_usec = (u->timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int dial_unix(struct hwd_upstream *u) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", u->unix_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
        close(fd);
        return -1;
    }
    set_timeouts(u, fd);
    return fd;
}

static int dial(struct hwd_upstream *u) {
    if (u->unix_path) return dial_unix(u);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *a;
    if (getaddrinfo(u->host, u->port, &hints, &ai)) return -1;
    int fd = -1;
    for (a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_timeouts(u, fd);
    return fd;
}

static void pool_put(struct hwd_upstream *u, int fd) {
    pthread_mutex_lock(&u->mu);
    if (u->n_idle < HWD_POOL_IDLE) {
        u->idle[u->n_idle++] = fd;
        fd = -1;
    }
    pthread_mutex_unlock(&u->mu);
    if (fd >= 0) close(fd);
}

static int pool_get(struct hwd_upstream *u) {
    int fd = -1;
    pthread_mutex_lock(&u->mu);
    if (u->n_idle) fd = u->idle[--u->n_idle];
    pthread_mutex_unlock(&u->mu);
    return fd;
}

/* The request head for the app: the client's headers minus hop-by-hop ones (and those the
 * client's Connection header names), plus X-Forwarded-*, a fresh Content-Length. */
static char *request_head(hw_http_exchange *x, size_t body, size_t *len) {
    hw_http_request *q = &x->req;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return NULL;
    fprintf(f, "%.*s %.*s HTTP/1.1\r\n", (int)q->method.len, q->method.ptr,
            q->target.len ? (int)q->target.len : 1, q->target.len ? q->target.ptr : "/");
    int64_t conn = hw_http_headers_find(&q->headers, "connection", 10, 0);
    const char *named = conn >= 0 ? q->headers.fields[conn].value : "";
    const char *xff = NULL;
    uint32_t xff_len = 0;
    for (uint32_t i = 0; i < q->headers.count; i++) {
        const hw_http_field *h = &q->headers.fields[i];
        if (hwd_is_hop_header(h->name, h->name_len)) continue;
        if (h->name_len == 15 && !strncasecmp(h->name, "x-forwarded-for", 15)) {
            xff = h->value;
            xff_len = h->value_len;
            continue;
        }
        if (h->name_len == 17 && !strncasecmp(h->name, "x-forwarded-proto", 17)) continue;
        if (h->name_len > 2 && strcasestr(named, h->name)) continue; /* listed by Connection */
        fprintf(f, "%.*s: %.*s\r\n", (int)h->name_len, h->name, (int)h->value_len, h->value);
    }
    const char *src = q->source_addr.ptr ? q->source_addr.ptr : "";
    const char *colon = strrchr(src, ':');
    int ip_len = colon ? (int)(colon - src) : (int)strlen(src);
    if (*src == '[') src++, ip_len -= 2;
    if (xff) fprintf(f, "X-Forwarded-For: %.*s, %.*s\r\n", (int)xff_len, xff, ip_len, src);
    else fprintf(f, "X-Forwarded-For: %.*s\r\n", ip_len, src);
    fputs("X-Forwarded-Proto: http\r\n", f);
    int bodyless = (q->method.len == 3 && !memcmp(q->method.ptr, "GET", 3)) ||
                   (q->method.len == 4 && !memcmp(q->method.ptr, "HEAD", 4));
    if (body || !bodyless) fprintf(f, "Content-Length: %zu\r\n", body);
    fputs("\r\n", f);
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

struct reply {
    hw_http_headers headers;
    hw_http_body body;
    struct hwd_header_acc hdr;
    int done, head, status;
    size_t value_start;
};

static int on_field(llhttp_t *p, const char *at, size_t n) {
    struct reply *r = p->data;
    if (r->hdr.in_value && hwd_header_commit(&r->hdr, &r->headers)) return -1;
    return hwd_append(&r->hdr.field, &r->hdr.field_len, at, n);
}

static int on_value(llhttp_t *p, const char *at, size_t n) {
    struct reply *r = p->data;
    r->hdr.in_value = 1;
    return hwd_append(&r->hdr.value, &r->hdr.value_len, at, n);
}

static int on_headers_done(llhttp_t *p) {
    struct reply *r = p->data;
    if (hwd_header_commit(&r->hdr, &r->headers)) return -1;
    return r->head ? 1 : 0; /* 1: a response to HEAD has no body whatever it says */
}

static int on_body(llhttp_t *p, const char *at, size_t n) {
    struct reply *r = p->data;
    return hw_http_body_append(&r->body, at, n) ? -1 : 0;
}

static int on_begin(llhttp_t *p) {
    struct reply *r = p->data;
    hw_http_headers_clear(&r->headers);
    hw_http_body_set(&r->body, NULL, 0);
    return 0;
}

static int on_done(llhttp_t *p) {
    struct reply *r = p->data;
    if (p->status_code < 200) return 0; /* 1xx: the real answer follows */
    r->done = 1;
    r->status = p->status_code;
    return HPE_PAUSED;
}

static void reply_free(struct reply *r) {
    free(r->hdr.field);
    free(r->hdr.value);
    hw_http_headers_free(&r->headers);
    hw_http_body_free(&r->body);
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One attempt on fd: 0 done, -1 failed before any response byte (retryable on a reused
 * connection), else the status to answer. */
static int exchange(int fd, const char *head, size_t head_len, const uint8_t *body, size_t body_len,
                    struct reply *r, int *reusable) {
    if (write_all(fd, head, head_len) || write_all(fd, (const char *)body, body_len)) return -1;
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = on_begin;
    s.on_header_field = on_field;
    s.on_header_value = on_value;
    s.on_headers_complete = on_headers_done;
    s.on_body = on_body;
    s.on_message_complete = on_done;
    llhttp_t p;
    llhttp_init(&p, HTTP_RESPONSE, &s);
    p.data = r;
    char buf[65536];
    size_t total = 0;
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 504;
        if (n <= 0) {
            if (total == 0) return -1;
            if (llhttp_finish(&p) != HPE_OK || !r->done) return 502;
            *reusable = 0;
            return 0;
        }
        total += (size_t)n;
        llhttp_errno_t e = llhttp_execute(&p, buf, (size_t)n);
        if (e == HPE_PAUSED && r->done) {
            *reusable = llhttp_should_keep_alive(&p) && llhttp_get_error_pos(&p) == buf + n;
            return 0;
        }
        if (e != HPE_OK) return 502;
    }
}

static int merge(hw_http_exchange *x, struct reply *r, int status) {
    hw_http_response *out = &x->resp;
    out->status = status;
    /* the app's header lines replace same-named ones a guest set before next */
    for (uint32_t i = 0; i < r->headers.count; i++) {
        const hw_http_field *h = &r->headers.fields[i];
        if (hwd_is_hop_header(h->name, h->name_len)) continue;
        if (hw_http_headers_find(&r->headers, h->name, h->name_len, 0) == (int64_t)i &&
            !(h->name_len == 10 && !strncasecmp(h->name, "set-cookie", 10)))
            hw_http_headers_remove(&out->headers, h->name, h->name_len);
    }
    for (uint32_t i = 0; i < r->headers.count; i++) {
        const hw_http_field *h = &r->headers.fields[i];
        /* an answer to HEAD keeps the app's length: there is no body to count */
        int head_len = r->head && h->name_len == 14 && !strncasecmp(h->name, "content-length", 14);
        if (hwd_is_hop_header(h->name, h->name_len) && !head_len) continue;
        if (hw_http_headers_add(&out->headers, h->name, h->name_len, h->value, h->value_len)) return 502;
    }
    return hw_http_body_append(&out->body, r->body.data, r->body.len) ? 502 : 0;
}

int hwd_upstream_send(struct hwd_upstream *u, hw_http_exchange *x) {
    if (hw_http_body_slurp(&x->req.body)) return 502;
    if (u->tck) return tck(x);
    if (u->echo) return echo(x);
    const uint8_t *body = x->req.body.data + x->req.body.pos;
    size_t body_len = x->req.body.len - x->req.body.pos, head_len;
    char *head = request_head(x, body_len, &head_len);
    if (!head) return 502;
    struct reply r = {.head = x->req.method.len == 4 && !memcmp(x->req.method.ptr, "HEAD", 4)};
    int status = 502, fd;
    /* a pooled connection may have been closed by the app meanwhile: then one fresh try */
    for (int fresh = 0; fresh < 2; fresh++) {
        fd = fresh ? dial(u) : pool_get(u);
        if (fd < 0) continue;
        int reusable = 0, rc = exchange(fd, head, head_len, body, body_len, &r, &reusable);
        if (rc == 0) {
            status = merge(x, &r, r.status);
            if (reusable && status == 0) pool_put(u, fd);
            else close(fd);
            break;
        }
        close(fd);
        if (rc > 0) {
            status = rc;
            break;
        }
    }
    free(head);
    reply_free(&r);
    if (status) __atomic_fetch_add(&u->errors, 1, __ATOMIC_RELAXED);
    return status;
}
