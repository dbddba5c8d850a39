/*
 * hwasmd_buf.c — the byte buffer every wire message is built in. Heads are built for each
 * request; open_memstream and fprintf cost more there than the bytes themselves, so this is
 * plain appends with one error flag checked at the end. Also the JSON string literal writer
 * (hwd_json_string) the access log and builtin:echo print with: valid JSON whatever the
 * bytes (a byte that is not part of well-formed UTF-8 is written as \u00XX), and the
 * skip over what a partial vectored write sent (hwd_bufs_skip), and the one escaper
 * (text_unit) of text hwasmd prints as one line: a message, whatever bytes a file, a guest
 * or hwasmc put in it (hwd_msg_oneline), and a guest's log text (hwd_log_text).
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

/* The one escaper of text that came from a file, a guest or hwasmc and is printed as one
 * line: how the text at s[0..n) (n > 0) begins. Returns how many bytes of s the unit takes
 * and sets *width to what it takes on the line: the same when they are kept as they are (a
 * tab, printable ASCII, one well-formed UTF-8 character other than a C1 control), 4 when the
 * one byte is written as the escape \xHH left in esc. */
static size_t text_unit(const unsigned char *s, size_t n, char esc[4], size_t *width) {
    unsigned char ch = s[0];
    size_t k = ch == '\t' || (ch >= 0x20 && ch < 0x7f) ? 1 : ch >= 0x80 ? utf8_len(s, n) : 0;
    if (k == 2 && ch == 0xc2 && s[1] < 0xa0) k = 0; /* U+0080..U+009F: C1 controls */
    if (k) return *width = k;
    static const char hex[] = "0123456789abcdef";
    esc[0] = '\\', esc[1] = 'x', esc[2] = hex[ch >> 4], esc[3] = hex[ch & 15];
    *width = 4;
    return 1;
}

void hwd_log_text(FILE *f, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* bytes kept as they are, not yet written */
    for (size_t i = 0; i < n;) {
        char esc[4];
        size_t width, k = text_unit(u + i, n - i, esc, &width);
        i += k;
        if (width == k) {
            run += k;
            continue;
        }
        fwrite(u + i - k - run, 1, run, f);
        run = 0;
        fwrite(esc, 1, width, f);
    }
    fwrite(u + n - run, 1, run, f);
}

void hwd_msg_oneline(char *msg, size_t cap) {
    if (!cap) return;
    unsigned char *u = (unsigned char *)msg;
    char esc[4];
    /* how much of msg fits once escaped (whole units only) */
    size_t n = strnlen(msg, cap - 1), i = 0, out = 0, k, width;
    while (i < n && (k = text_unit(u + i, n - i, esc, &width), out + width < cap)) i += k, out += width;
    /* escape in place: the i bytes are moved to end where their escaped text ends, then
     * written forwards from the start; the line grows at every escape, so what is written
     * never reaches a byte not yet read */
    size_t from = out - i;
    memmove(msg + from, msg, i);
    for (size_t r = from, w = 0; r < out; r += k, w += width) {
        k = text_unit(u + r, out - r, esc, &width);
        if (width == k) memmove(msg + w, msg + r, k);
        else memcpy(msg + w, esc, width);
    }
    msg[out] = 0;
}
