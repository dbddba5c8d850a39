/*
 * hwasmd_buf.c — the byte buffer every wire message is built in. Heads are built for each
 * request; open_memstream and fprintf cost more there than the bytes themselves, so this is
 * plain appends with one error flag checked at the end. Also the JSON string literal writer
 * (hwd_json_string) the access log and builtin:echo print with: valid JSON whatever the
 * bytes (a byte that is not part of well-formed UTF-8 is written as \u00XX), and the
 * skip over what a partial vectored write sent (hwd_bufs_skip), the escaper that keeps
 * a message one line whatever bytes a file put in it (hwd_msg_oneline), and the one that
 * writes a guest's log text (hwd_log_text).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hwasmd_buf.h"

void hwd_buf_reserve(struct hwd_buf *b, size_t n) {
    if (b->failed || b->len + n + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 512;
    while (cap < b->len + n + 1) cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np) {
        b->failed = 1;
        return;
    }
    b->p = np;
    b->cap = cap;
}

void hwd_buf_str(struct hwd_buf *b, const char *s) {
    hwd_buf_put(b, s, strlen(s));
}

void hwd_buf_num(struct hwd_buf *b, uint64_t v, unsigned base) {
    char digits[24], *d = digits + sizeof digits;
    do *--d = "0123456789abcdef"[v % base];
    while (v /= base);
    hwd_buf_put(b, d, (size_t)(digits + sizeof digits - d));
}

void hwd_buf_field(struct hwd_buf *b, const char *name, size_t name_len, const char *value, size_t value_len) {
    hwd_buf_put(b, name, name_len);
    hwd_buf_put(b, ": ", 2);
    hwd_buf_put(b, value, value_len);
    hwd_buf_put(b, "\r\n", 2);
}

uv_buf_t *hwd_bufs_skip(uv_buf_t *b, unsigned *n, size_t k) {
    while (*n > 1 && k >= b->len) { /* the last one stays, emptied, when all went */
        k -= b->len;
        b++;
        (*n)--;
    }
    if (k > b->len) k = b->len;
    b->base += k;
    b->len -= (unsigned)k;
    return b;
}

char *hwd_buf_take(struct hwd_buf *b, size_t *len) {
    if (b->failed) {
        free(b->p);
        return NULL;
    }
    *len = b->len;
    return b->p;
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!len || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && s[1] < 0xa0) return 0; /* overlong */
    if (c == 0xed && s[1] > 0x9f) return 0; /* surrogate */
    if (c == 0xf0 && s[1] < 0x90) return 0; /* overlong */
    if (c == 0xf4 && s[1] > 0x8f) return 0; /* past U+10FFFF */
    return len;
}

void hwd_json_string(FILE *f, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = u[i];
        size_t k;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f) fprintf(f, "\\u%04x", ch);
        else if (ch < 0x80) fputc(ch, f);
        else if ((k = utf8_len(u + i, n - i))) fwrite(u + i, 1, k, f), i += k - 1;
        else fprintf(f, "\\u%04x", ch); /* a byte that is not UTF-8: its value, escaped */
    }
    fputc('"', f);
}

int hwd_say_rarely(uint64_t *said_ms) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    uint64_t now = (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000 + 1; /* never 0 */
    uint64_t then = __atomic_load_n(said_ms, __ATOMIC_RELAXED);
    if (then && now - then < 60000) return 0;
    return __atomic_compare_exchange_n(said_ms, &then, now, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

void hwd_log_text(FILE *f, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* bytes kept as they are, not yet written */
    for (size_t i = 0; i < n;) {
        unsigned char ch = u[i];
        size_t k = ch == '\t' || (ch >= 0x20 && ch < 0x7f) ? 1 : ch >= 0x80 ? utf8_len(u + i, n - i) : 0;
        if (k == 2 && ch == 0xc2 && u[i + 1] < 0xa0) k = 0; /* U+0080..U+009F: C1 controls */
        if (k) {
            i += k;
            run += k;
            continue;
        }
        fwrite(u + i - run, 1, run, f);
        run = 0;
        fprintf(f, "\\x%02x", ch);
        i++;
    }
    fwrite(u + n - run, 1, run, f);
}

/* How many bytes ch takes in a one-line message. */
static size_t oneline_width(unsigned char ch) {
    if (ch == '\n' || ch == '\r' || ch == '\t') return 2;
    return ch < 0x20 || ch == 0x7f ? 4 : 1;
}

void hwd_msg_oneline(char *msg, size_t cap) {
    if (!cap) return;
    /* how much of msg fits once escaped; then escape it from the end backwards, in place
     * (a byte's escape ends at or after the byte, so nothing is read after it is written) */
    size_t i = 0, out = 0, w;
    while (msg[i] && out + (w = oneline_width((unsigned char)msg[i])) < cap) out += w, i++;
    msg[out] = 0;
    while (i > 0) {
        unsigned char ch = (unsigned char)msg[--i];
        w = oneline_width(ch);
        out -= w;
        if (w == 1) msg[out] = (char)ch;
        else if (w == 2) msg[out] = '\\', msg[out + 1] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
        else {
            static const char hex[] = "0123456789abcdef";
            msg[out] = '\\', msg[out + 1] = 'x', msg[out + 2] = hex[ch >> 4], msg[out + 3] = hex[ch & 15];
        }
    }
}
