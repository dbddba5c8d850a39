/*
 * hwasmd_buf.h — the byte buffer wire messages are built in, the JSON string writer and
 * the escapers of messages and guest log text (hwasmd_buf.c).
 */
#ifndef HWASMD_BUF_H
#define HWASMD_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

/* A growing byte buffer, always NUL-terminated (hwasmd_buf.c); zero-initialise it. An
 * allocation failure is remembered: hwd_buf_take then frees it and returns NULL. */
struct hwd_buf {
    char *p;
    size_t len, cap;
    int failed;
};
/* Makes room for n more bytes at once (one allocation where appends would grow it in steps). */
void hwd_buf_reserve(struct hwd_buf *b, size_t n);
/* Appends n bytes (inline: heads are built from many short pieces). */
static inline void hwd_buf_put(struct hwd_buf *b, const void *p, size_t n) {
    if (b->len + n + 1 > b->cap) hwd_buf_reserve(b, n);
    if (b->failed) return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = 0;
}
void hwd_buf_str(struct hwd_buf *b, const char *s);
void hwd_buf_num(struct hwd_buf *b, uint64_t v, unsigned base); /* base 10 or 16 */
void hwd_buf_field(struct hwd_buf *b, const char *name, size_t name_len, const char *value, size_t value_len);
char *hwd_buf_take(struct hwd_buf *b, size_t *len);
/* After a vectored write of b[0..*n) sent k bytes: the first buffer with bytes left (its
 * start moved past what went), *n counting it and those after it. */
uv_buf_t *hwd_bufs_skip(uv_buf_t *b, unsigned *n, size_t k);
/* Whether a stderr line last said at *said_ms (0: never; shared by threads) may be said
 * again now, once a minute at most: a condition that lasts (out of descriptors, a full
 * disk) is told without flooding the log. */
int hwd_say_rarely(uint64_t *said_ms);
/* s as a JSON string literal, quoted and escaped. */
void hwd_json_string(FILE *f, const char *s, size_t n);
/* A guest's log text s[0..n) on f, one line whatever its bytes: a tab, printable ASCII
 * and well-formed UTF-8 as they are; every other byte (a control byte, DEL, a C1 control
 * U+0080..U+009F, a byte not part of well-formed UTF-8) as \xHH, so a guest can neither
 * forge a line of its own nor send a terminal escape or bytes a log reader chokes on. */
void hwd_log_text(FILE *f, const char *s, size_t n);
/* Makes the NUL-terminated message in msg[0..cap) one line, in place, escaped as
 * hwd_log_text escapes (the same function decides): whatever a file, a guest's output or
 * hwasmc's words brought into it (a line end, ESC, a C1 control, a byte that is not
 * well-formed UTF-8) becomes \xHH, and what no longer fits in cap is cut, never inside an
 * escape or a UTF-8 character. Every "hwasmd: ..." message passes through it before anyone
 * prints or returns it. */
void hwd_msg_oneline(char *msg, size_t cap);

#endif /* HWASMD_BUF_H */
