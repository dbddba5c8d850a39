/*
 * hwasmd_buf.c — the byte buffer every wire message is built in. Heads are built for each
 * request; open_memstream and fprintf cost more there than the bytes themselves, so this is
 * plain appends with one error flag checked at the end. Also the JSON string literal writer
 * (hwd_json_string) the access log and builtin:echo print with: valid JSON whatever the
 * bytes (a byte that is not part of well-formed UTF-8 is written as \u00XX), and the
 * skip over what a partial vectored write sent (hwd_bufs_skip), and, with the one escaper
 * (text_unit, common/text_escape.c, which hwasmc's stderr shares), text hwasmd prints as
 * one line: a message, whatever bytes a file, a guest or hwasmc put in it
 * (hwd_msg_oneline), and a guest's log text (hwd_log_text).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hwasmd_buf.h"
#include "text_escape.h"

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
    text_write_escaped(f, s, n);
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
