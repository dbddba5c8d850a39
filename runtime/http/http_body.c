/*
 * http_body.c — bodies with a read cursor: bytes in memory first, then a streaming source.
 * Reads fill the caller's buffer until it is full or the body ends, so EOF comes with the
 * last bytes whenever the end is known and a read never yields 0 bytes without EOF.
 */
#include <stdlib.h>
#include <string.h>

#include "http_common.h"

static int reserve(hw_http_body *b, size_t extra) {
    if (b->len + extra <= b->cap) return HW_OK;
    if (extra > SIZE_MAX / 2 - b->len) return HW_ENOMEM;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) return HW_ENOMEM;
    b->data = d;
    b->cap = cap;
    return HW_OK;
}

int hw_http_body_append(hw_http_body *b, const void *p, size_t n) {
    if (n == 0) return HW_OK;
    int rc = reserve(b, n);
    if (rc != HW_OK) return rc;
    http_copy(b->data + b->len, p, n);
    b->len += n;
    return HW_OK;
}

int hw_http_body_set(hw_http_body *b, const void *p, size_t n) {
    b->len = 0;
    b->pos = 0;
    b->src = (hw_http_body_source){0};
    b->src_eof = 1;
    return hw_http_body_append(b, p, n);
}

static int source_done(const hw_http_body *b) {
    return !b->src.read || b->src_eof;
}

int64_t hw_http_body_read(hw_http_body *b, uint8_t *buf, size_t cap, int *eof) {
    size_t n = 0;
    *eof = 0;
    if (b->pos < b->len) {
        size_t k = b->len - b->pos < cap ? b->len - b->pos : cap;
        http_copy(buf, b->data + b->pos, k);
        b->pos += k;
        n = k;
    }
    while (n < cap && !source_done(b)) {
        int src_eof = 0;
        int64_t k = b->src.read(b->src.ctx, buf + n, cap - n, &src_eof);
        if (k < 0) return k;
        if (src_eof) b->src_eof = 1;
        if (k == 0 && !src_eof) continue; /* a source must block; tolerate a spurious 0 */
        if (b->retain) {
            if (b->pos != b->len || hw_http_body_append(b, buf + n, (size_t)k) != HW_OK)
                return HW_ENOMEM;
            b->pos = b->len;
        }
        n += (size_t)k;
    }
    *eof = b->pos >= b->len && source_done(b);
    return (int64_t)n;
}

const uint8_t *hw_http_body_unread(const hw_http_body *b, size_t *len) {
    *len = b->len - b->pos;
    return *len ? b->data + b->pos : NULL; /* data may be NULL, and NULL + 0 is undefined */
}

int hw_http_body_slurp(hw_http_body *b) {
    uint8_t tmp[4096];
    int keep = b->retain;
    size_t pos = b->pos;
    b->retain = 1;
    b->pos = b->len;
    while (!source_done(b)) {
        int eof;
        if (hw_http_body_read(b, tmp, sizeof tmp, &eof) < 0) {
            b->retain = keep;
            return HW_EIO;
        }
    }
    b->retain = keep;
    b->pos = pos;
    return HW_OK;
}

void hw_http_body_free(hw_http_body *b) {
    free(b->data);
    *b = (hw_http_body){0};
}
