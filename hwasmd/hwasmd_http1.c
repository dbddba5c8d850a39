/*
 * hwasmd_http1.c — what parsing HTTP/1 with llhttp needs on both sides: a header line
 * arrives in pieces (name and value possibly split across reads), gathered here and added
 * whole. Client requests (hwasmd_conn.c) and app replies (hwasmd_upstream.c) share it; each
 * keeps its own llhttp settings, bound to callbacks on its own struct. Also the strict
 * framing checks Debian's llhttp 8.1 leaves out (built without LLHTTP_STRICT_MODE, and
 * some it makes in no mode): without them a chunked body could end where another parser
 * sees more body, and the bytes after it be read as a message of their own (a request from
 * a client, the answer to the next request from the app); and the one chunk-extension
 * form it refuses wrongly. And which header names are hop-by-hop, never passed on in
 * either direction.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwasmd_http1.h"

int hwd_append(char **s, size_t *n, const char *p, size_t len) {
    char *ns = *s;
    if (!ns || *n + len + 1 > malloc_usable_size(ns)) { /* else it fits what is there */
        if (!(ns = realloc(*s, *n + len + 1))) return -1;
    }
    memcpy(ns + *n, p, len);
    *n += len;
    ns[*n] = 0;
    *s = ns;
    return 0;
}

/* A header line's buffers are kept for the next line (and, on a connection, the next
 * request's) unless they grew past this: an idle connection holds no big one. */
#define KEEP_BYTES 256

void hwd_append_reset(char **s, size_t *n) {
    /* a buffer only grows to hold what was appended since the last reset, so its length
     * tells whether it grew past KEEP_BYTES (malloc_usable_size costs more) */
    if (*s && *n >= KEEP_BYTES) {
        free(*s);
        *s = NULL;
    }
    if (*s) **s = 0;
    *n = 0;
}

void hwd_header_drop(struct hwd_header_acc *a) {
    hwd_append_reset(&a->field, &a->field_len);
    hwd_append_reset(&a->value, &a->value_len);
    a->in_value = 0;
}

void hwd_header_free(struct hwd_header_acc *a) {
    free(a->field);
    free(a->value);
    a->field = a->value = NULL;
    a->field_len = a->value_len = 0;
    a->in_value = 0;
}

int hwd_header_add(struct hwd_header_acc *a, hw_http_headers *h) {
    /* llhttp keeps the whitespace after a value, which is not part of it (RFC 9112 §5.1):
     * "Expect: 100-continue " and "X-Role: admin " would read one way to guests and
     * another to an app that trims */
    size_t n = a->value_len;
    while (n && (a->value[n - 1] == ' ' || a->value[n - 1] == '\t')) n--;
    int rc = hw_http_headers_add(h, a->field, a->field_len, a->value ? a->value : "", n);
    hwd_header_drop(a);
    return rc ? -1 : 0;
}

int hwd_header_commit(struct hwd_header_acc *a, hw_http_headers *h) {
    if (!hwd_header_pending(a)) {
        hwd_header_drop(a); /* no name: nothing to add, and no value left over */
        return 0;
    }
    /* loose llhttp takes "X A" (and "Set-Cookie " before a colon) for a name: a request
     * with one is 400 and an answer 502, as nginx */
    if (!hw_http_field_name_valid(a->field, a->field_len)) {
        hwd_header_drop(a);
        return -1;
    }
    return hwd_header_add(a, h);
}

unsigned hwd_h1_singleton(const char *name, size_t len) {
    /* told apart by length and first letter: most names cost two compares */
    static const char *const names[] = {"authorization", "proxy-authorization", "content-type",
                                        "content-range", "expect", "if-match", "if-none-match",
                                        "if-modified-since", "if-unmodified-since", "if-range"};
    int i;
    char c = (char)(name[0] | 0x20);
    switch (len) {
    case 6: i = c == 'e' ? 4 : -1; break;
    case 8: i = c != 'i' ? -1 : (name[3] | 0x20) == 'm' ? 5 : 9; break;
    case 12: i = c == 'c' ? 2 : -1; break;
    case 13: i = c == 'a' ? 0 : c == 'c' ? 3 : c == 'i' ? 6 : -1; break;
    case 17: i = c == 'i' ? 7 : -1; break;
    case 19: i = c == 'p' ? 1 : c == 'i' ? 8 : -1; break;
    default: return 0;
    }
    return i >= 0 && !strncasecmp(name, names[i], len) ? 1u << i : 0;
}

/* --- strict checks ----------------------------------------------------------------------- */

/* Checks the CRLF due at p[0..n); 0 or -1. What n does not hold stays due. */
static int crlf_check(struct hwd_h1_strict *s, const char *p, size_t n) {
    for (size_t i = 0; s->crlf_due && i < n; i++, s->crlf_due--)
        if (p[i] != (s->crlf_due == 2 ? '\r' : '\n')) return -1;
    return 0;
}

int hwd_h1_strict_input(struct hwd_h1_strict *s, const char *data, size_t n) {
    s->start = data;
    s->end = data + n;
    return crlf_check(s, data, n);
}

int hwd_h1_strict_body(struct hwd_h1_strict *s, const char *at, size_t n, int chunk_done) {
    if (!chunk_done) return 0;
    s->crlf_due = 2;
    return crlf_check(s, at + n, (size_t)(s->end - (at + n)));
}

/* A value's spans: the first one, then only the rest of it when a read ended inside it
 * (the next span starts the next read). Any other span is a folded line. */
int hwd_h1_strict_value(struct hwd_h1_strict *s, const char *at, size_t n) {
    if (s->value_seen && !(s->value_open && at == s->start)) return -1;
    s->value_seen = 1;
    s->value_open = at + n == s->end;
    return 0;
}

void hwd_h1_strict_value_done(struct hwd_h1_strict *s) {
    s->value_seen = s->value_open = 0;
}

/* A token value ends at the ';' after it (at[n]: llhttp's span ends there, or at the
 * start of a read when the value ended the last one); a quoted value's span ends with its
 * closing quote, and llhttp reads the ';' after it correctly. */
int hwd_h1_chunk_ext_value(struct hwd_h1_strict *s, const char *at, size_t n) {
    if (at + n >= s->end || at[n] != ';' || (n && at[n - 1] == '"')) return 0;
    s->ext_semicolon = 1;
    return HPE_PAUSED;
}

llhttp_errno_t hwd_h1_execute(llhttp_t *p, struct hwd_h1_strict *s, const char *data, size_t n) {
    llhttp_errno_t e = llhttp_execute(p, data, n);
    while (e == HPE_PAUSED && s->ext_semicolon) {
        /* paused past the ';', waiting to read the chunk line's end: a ';' there is read
         * as the start of the next extension, and the rest follows it */
        const char *rest = llhttp_get_error_pos(p);
        s->ext_semicolon = 0;
        llhttp_resume(p);
        if (llhttp_execute(p, ";", 1) != HPE_OK) {
            p->error = HPE_USER;
            p->error_pos = rest;
            return HPE_USER;
        }
        e = llhttp_execute(p, rest, (size_t)(data + n - rest));
    }
    return e;
}

/* Whether s[0..n) is a method llhttp reads in an HTTP request (its HTTP_METHOD_MAP, and
 * PRI, the HTTP/2 preface's). */
static int method_known(const char *s, size_t n) {
    static const struct {
        const char *name;
        size_t len;
    } known[] = {
#define HWD_METHOD(num, name, string) {#string, sizeof #string - 1},
        HTTP_METHOD_MAP(HWD_METHOD) HWD_METHOD(34, PRI, PRI)
#undef HWD_METHOD
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (known[i].len == n && !memcmp(known[i].name, s, n)) return 1;
    return 0;
}

static int method_char(unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-';
}

enum hwd_h1_method hwd_h1_method_scan(const char *s, size_t n, size_t *skip, size_t *len) {
    size_t i = 0, j;
    /* most requests, at a glance (compared as one word each) */
    if (n >= 5 && (!memcmp(s, "GET ", 4) || !memcmp(s, "POST ", 5))) return HWD_H1_METHOD_PARSER;
    while (i < n && (s[i] == '\r' || s[i] == '\n')) i++;
    for (j = i; j < n && j - i <= HWD_H1_METHOD_MAX && method_char((unsigned char)s[j]); j++) {}
    *skip = i;
    *len = j - i;
    if (j == n && j - i <= HWD_H1_METHOD_MAX) return HWD_H1_METHOD_MORE;
    if (j == i || j - i > HWD_H1_METHOD_MAX || s[j] != ' ' || method_known(s + i, j - i))
        return HWD_H1_METHOD_PARSER;
    return HWD_H1_METHOD_EXTENSION;
}

int hwd_h1_lengthless(const hw_http_str *m) {
    return (m->len == 3 && !memcmp(m->ptr, "GET", 3)) || (m->len == 4 && !memcmp(m->ptr, "HEAD", 4));
}

const char *hwd_hop_header(const char *name, size_t len) {
    static const char *const names[] = {"te", "trailer", "upgrade", "connection", "keep-alive", "content-length",
                                        "proxy-connection", "transfer-encoding"};
    int a, b; /* the candidates, told apart by length first: most names have none */
    switch (len) {
    case 2: a = b = 0; break;
    case 7: a = 1, b = 2; break;
    case 10: a = 3, b = 4; break;
    case 14: a = b = 5; break;
    case 16: a = b = 6; break;
    case 17: a = b = 7; break;
    default: return NULL;
    }
    if (!strncasecmp(name, names[a], len)) return names[a];
    return !strncasecmp(name, names[b], len) ? names[b] : NULL;
}

int hwd_is_hop_header(const char *name, size_t len) {
    return hwd_hop_header(name, len) != NULL;
}

int hwd_h1_transfer_encoding(const hw_http_headers *h) {
    int64_t te = hw_http_headers_find(h, "transfer-encoding", 17, 0);
    if (te < 0) return 0;
    if (hw_http_headers_find(h, "transfer-encoding", 17, (uint32_t)te + 1) >= 0) return -1;
    const hw_http_field *f = &h->fields[te];
    return f->value_len == 7 && !strncasecmp(f->value, "chunked", 7) ? 1 : -2;
}

/* The next option of a Connection value s[0..end): its start, its length in *n (0: none
 * left); *s moves past it. */
static const char *connection_option(const char **s, const char *end, size_t *n) {
    const char *p = *s;
    while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) p++;
    const char *q = p;
    while (q < end && *q != ',') q++;
    *s = q;
    *n = (size_t)(q - p);
    while (*n && (p[*n - 1] == ' ' || p[*n - 1] == '\t')) (*n)--;
    return p;
}

/* Whether option p[0..n) names a field to remove: not one that goes anyway (hop-by-hop,
 * "keep-alive" the usual option) nor Host. */
static int removable_option(const char *p, size_t n) {
    return n && !hwd_is_hop_header(p, n) && !(n == 4 && !strncasecmp(p, "host", 4));
}

/* Whether a Connection line, from the one at first on, names a field h holds. */
static int names_a_field(const hw_http_headers *h, int64_t first) {
    for (int64_t i = first; i >= 0; i = hw_http_headers_find(h, "connection", 10, (uint32_t)i + 1)) {
        const char *s = h->fields[i].value, *end = s + h->fields[i].value_len;
        for (size_t n; s < end;) {
            const char *p = connection_option(&s, end, &n);
            if (removable_option(p, n) && hw_http_headers_find(h, p, (uint32_t)n, 0) >= 0) return 1;
        }
    }
    return 0;
}

int hwd_connection_options_drop(hw_http_headers *h) {
    /* the usual Connection (keep-alive, close, none) names no field h holds: nothing is
     * copied, nothing removed */
    int64_t first = hw_http_headers_find(h, "connection", 10, 0);
    if (first < 0 || !names_a_field(h, first)) return 0;
    /* the values are copied first: removing fields moves the Connection lines */
    char *list = NULL;
    size_t len = 0;
    for (int64_t i = first; i >= 0; i = hw_http_headers_find(h, "connection", 10, (uint32_t)i + 1))
        if (hwd_append(&list, &len, h->fields[i].value, h->fields[i].value_len) || hwd_append(&list, &len, ",", 1)) {
            free(list);
            return -1;
        }
    for (const char *s = list, *end = list + len; s < end;) {
        size_t n;
        const char *p = connection_option(&s, end, &n);
        if (removable_option(p, n)) hw_http_headers_remove(h, p, n);
    }
    free(list);
    return 0;
}
