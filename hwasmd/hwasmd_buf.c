/*
 * hwasmd_buf.c — the byte buffer every wire message is built in. Heads are built for each
 * request; open_memstream and fprintf cost more there than the bytes themselves, so this is
 * plain appends with one error flag checked at the end. Also the JSON string literal writer
 * (hwd_json_string) the access log and builtin:echo print with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwasmd_buf.h"

void hwd_buf_put(struct hwd_buf *b, const void *p, size_t n) {
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
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
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = 0;
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

char *hwd_buf_take(struct hwd_buf *b, size_t *len) {
    if (b->failed) {
        free(b->p);
        return NULL;
    }
    *len = b->len;
    return b->p;
}

void hwd_json_string(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}
