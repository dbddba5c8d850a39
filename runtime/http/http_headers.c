/*
 * http_headers.c — header sections of the exchange: field lines kept one by one, in order,
 * with their case; every lookup by name ignores ASCII case. Also the owned byte strings.
 *
 * Storage is reused: a proxy fills and clears the same sections on every request, and a
 * malloc and a free per field line was a third of hwasmd's user-space instructions. A
 * cleared section keeps up to KEEP_FIELDS field buffers of at most KEEP_FIELD_BYTES each in
 * its slots past `count` (the invariant: fields[i].name for i >= count is NULL or such a
 * spare buffer, owned by the section, and i < KEEP_FIELDS), so what one section can hold
 * on to between requests is bounded (32 x 256 bytes plus a slot array of at most 128);
 * a string keeps its buffer when the new value fits. And what a field name may be.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "http_common.h"

#define KEEP_FIELDS 32
#define KEEP_FIELD_BYTES 256

/* A buffer of at least n bytes: `old` when it is large enough, else a new one and old is
 * freed; NULL (old untouched) when out of memory. */
static char *reuse_or_alloc(char *old, size_t n) {
    if (old && malloc_usable_size(old) >= n) return old;
    char *d = malloc(n);
    if (d) free(old);
    return d;
}

int hw_http_str_set(hw_http_str *s, const char *p, size_t n) {
    if (n > UINT32_MAX) return HW_EINVAL;
    if (s->ptr && p >= s->ptr && p < s->ptr + s->len + 1) { /* a slice of itself */
        memmove(s->ptr, p, n);
    } else {
        char *d = reuse_or_alloc(s->ptr, n + 1);
        if (!d) return HW_ENOMEM;
        if (n) memcpy(d, p, n);
        s->ptr = d;
    }
    s->ptr[n] = 0;
    s->len = (uint32_t)n;
    return HW_OK;
}

void hw_http_str_free(hw_http_str *s) {
    free(s->ptr);
    s->ptr = NULL;
    s->len = 0;
}

static inline __attribute__((always_inline)) int64_t
find_from(const hw_http_headers *h, const char *name, size_t name_len, uint32_t from) {
    for (uint32_t i = from; i < h->count; i++)
        if (http_field_is(&h->fields[i], name, name_len)) return i;
    return -1;
}

int64_t hw_http_headers_find(const hw_http_headers *h, const char *name, size_t name_len,
                             uint32_t from) {
    return find_from(h, name, name_len, from);
}

/* Name and value share one allocation, "name\0value\0" (f->name owns it), reusing the
 * spare buffer f->name holds when it is large enough. On failure f is untouched. */
static int field_init(hw_http_field *f, const char *name, size_t name_len, const char *value,
                      size_t value_len) {
    if (name_len > UINT32_MAX || value_len > UINT32_MAX) return HW_EINVAL;
    char *n = reuse_or_alloc(f->name, name_len + value_len + 2);
    if (!n) return HW_ENOMEM;
    if (name_len) memcpy(n, name, name_len);
    n[name_len] = 0;
    char *v = n + name_len + 1;
    if (value_len) memcpy(v, value, value_len);
    v[value_len] = 0;
    *f = (hw_http_field){n, v, (uint32_t)name_len, (uint32_t)value_len};
    return HW_OK;
}

static void field_free(hw_http_field *f) {
    free(f->name);
    f->name = NULL;
}

int hw_http_headers_add(hw_http_headers *h, const char *name, size_t name_len, const char *value,
                        size_t value_len) {
    if (h->count == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2 : 8;
        hw_http_field *f = realloc(h->fields, (size_t)cap * sizeof *f);
        if (!f) return HW_ENOMEM;
        memset(f + h->cap, 0, (size_t)(cap - h->cap) * sizeof *f); /* no spare buffers yet */
        h->fields = f;
        h->cap = cap;
    }
    int rc = field_init(&h->fields[h->count], name, name_len, value, value_len);
    if (rc == HW_OK) h->count++;
    return rc;
}

static void remove_from(hw_http_headers *h, const char *name, size_t name_len, uint32_t from,
                        uint32_t *removed) {
    uint32_t w = from;
    for (uint32_t i = from; i < h->count; i++) {
        if (http_field_is(&h->fields[i], name, name_len)) {
            field_free(&h->fields[i]);
            (*removed)++;
        } else {
            h->fields[w++] = h->fields[i];
        }
    }
    for (uint32_t i = w; i < h->count; i++) /* moved down or freed: no spare left here */
        h->fields[i].name = NULL;
    h->count = w;
}

/* Rewrites f in place when the new line fits in its allocation (a name of the same
 * length, a value no longer): no malloc and free for the common replacement. A large
 * buffer is not shortened in place: hw_http_headers_clear tells a buffer's size by the
 * line it holds. */
static int field_rewrite(hw_http_field *f, const char *name, size_t name_len, const char *value,
                         size_t value_len) {
    if (f->name_len != name_len || value_len > f->value_len) return 0;
    if (value_len < f->value_len && name_len + f->value_len + 2 > KEEP_FIELD_BYTES) return 0;
    http_copy(f->name, name, name_len);
    http_copy(f->value, value, value_len);
    f->value[value_len] = 0;
    f->value_len = (uint32_t)value_len;
    return 1;
}

int hw_http_headers_set(hw_http_headers *h, const char *name, size_t name_len, const char *value,
                        size_t value_len) {
    int64_t first = find_from(h, name, name_len, 0);
    if (first < 0) return hw_http_headers_add(h, name, name_len, value, value_len);
    if (!field_rewrite(&h->fields[first], name, name_len, value, value_len)) {
        hw_http_field f = {0};
        int rc = field_init(&f, name, name_len, value, value_len);
        if (rc != HW_OK) return rc;
        field_free(&h->fields[first]);
        h->fields[first] = f;
    }
    uint32_t removed = 0;
    if ((uint32_t)first + 1 < h->count) remove_from(h, name, name_len, (uint32_t)first + 1, &removed);
    return HW_OK;
}

uint32_t hw_http_headers_remove(hw_http_headers *h, const char *name, size_t name_len) {
    uint32_t removed = 0;
    remove_from(h, name, name_len, 0, &removed);
    return removed;
}

/* Bit 0 for the token bytes of RFC 9110 §5.6.2 (DIGIT, ALPHA, !#$%&'*+-.^_`|~), bit 1
 * too for those of a plain name (DIGIT, ALPHA, '-'). */
#define PLAIN_RANGE(a, b) [a... b] = 3
static const uint8_t http_tchar[256] = {
    PLAIN_RANGE('0', '9'), PLAIN_RANGE('A', 'Z'), PLAIN_RANGE('a', 'z'), ['-'] = 3,
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
    ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1, ['~'] = 1};

/* On every header line hwasmd reads: four lookups a step, no branch but the loop's; the
 * two classes at once. */
int hw_http_field_name_valid(const char *name, size_t len) {
    const uint8_t *p = (const uint8_t *)name;
    uint8_t ok = len > 0 ? 3 : 0;
    size_t i = 0;
    for (; i + 4 <= len; i += 4)
        ok &= http_tchar[p[i]] & http_tchar[p[i + 1]] & http_tchar[p[i + 2]] & http_tchar[p[i + 3]];
    for (; i < len; i++)
        ok &= http_tchar[p[i]];
    return ok == 3 ? HW_HTTP_NAME_PLAIN : ok; /* 0, 1, or 2 */
}

void hw_http_headers_clear(hw_http_headers *h) {
    if (h->cap > 4 * KEEP_FIELDS) return hw_http_headers_free(h); /* a rare, large section */
    /* Spares past count were kept by an earlier clear. A buffer is as large as the line
     * it was made for, or a spare reused for a shorter one: so a line of at most
     * KEEP_FIELD_BYTES leaves a buffer of at most that (give or take malloc's rounding). */
    for (uint32_t i = 0; i < h->count; i++) {
        hw_http_field *f = &h->fields[i];
        if (i >= KEEP_FIELDS || (size_t)f->name_len + f->value_len + 2 > KEEP_FIELD_BYTES) field_free(f);
    }
    h->count = 0;
}

void hw_http_headers_free(hw_http_headers *h) {
    for (uint32_t i = 0; i < h->cap; i++)
        field_free(&h->fields[i]);
    h->count = 0;
    free(h->fields);
    h->fields = NULL;
    h->cap = 0;
}
