/*
 * leb.h — LEB128 readers with the spec's exact limits, shared by the section decoder and
 * the instruction reader so the integer encoding is read in one place.
 *
 * A reader advances *pos only on success. Too many bytes is LEB_TOO_LONG; bits beyond the
 * type's width in the last byte that are not zero (unsigned) or a copy of the sign
 * (signed) are LEB_TOO_LARGE.
 */
#ifndef HWASMC_LEB_H
#define HWASMC_LEB_H

#include <stdint.h>

enum leb_status { LEB_OK = 0, LEB_EOF, LEB_TOO_LONG, LEB_TOO_LARGE };

static inline const char *leb_message(int status) {
    switch (status) {
    case LEB_EOF: return "unexpected end";
    case LEB_TOO_LONG: return "integer representation too long";
    default: return "integer too large";
    }
}

/* Reads an unsigned (sign = 0) or signed (sign = 1) integer of `bits` bits into *out
 * (sign-extended to 64 bits for signed ones). */
static inline int leb_read(const uint8_t **pos, const uint8_t *end, unsigned bits, int sign,
                           uint64_t *out) {
    const uint8_t *p = *pos;
    uint64_t result = 0;
    unsigned shift = 0;
    for (;;) {
        if (p >= end) return LEB_EOF;
        uint8_t b = *p++;
        unsigned left = bits - shift; /* value bits this byte may still carry */
        if (left <= 7) {
            /* The last permitted byte: no continuation, unused bits clear or sign copies. */
            if (b & 0x80) return LEB_TOO_LONG;
            uint8_t unused = (uint8_t)(0x7f & (0x7f << (sign ? left - 1 : left)));
            uint8_t got = b & unused;
            if (got != 0 && !(sign && got == unused)) return LEB_TOO_LARGE;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    if (sign && shift < 64 && (result >> (shift - 1)) & 1) result |= ~(uint64_t)0 << shift;
    *pos = p;
    *out = result;
    return LEB_OK;
}

static inline int leb_u32(const uint8_t **pos, const uint8_t *end, uint32_t *out) {
    uint64_t v;
    int st = leb_read(pos, end, 32, 0, &v);
    if (st == LEB_OK) *out = (uint32_t)v;
    return st;
}

static inline int leb_s32(const uint8_t **pos, const uint8_t *end, int32_t *out) {
    uint64_t v;
    int st = leb_read(pos, end, 32, 1, &v);
    if (st == LEB_OK) *out = (int32_t)(uint32_t)v;
    return st;
}

/* Block types: a signed 33-bit integer, so every u32 type index is representable. */
static inline int leb_s33(const uint8_t **pos, const uint8_t *end, int64_t *out) {
    uint64_t v;
    int st = leb_read(pos, end, 33, 1, &v);
    if (st == LEB_OK) *out = (int64_t)v;
    return st;
}

static inline int leb_s64(const uint8_t **pos, const uint8_t *end, int64_t *out) {
    uint64_t v;
    int st = leb_read(pos, end, 64, 1, &v);
    if (st == LEB_OK) *out = (int64_t)v;
    return st;
}

static inline int leb_u64(const uint8_t **pos, const uint8_t *end, uint64_t *out) {
    return leb_read(pos, end, 64, 0, out);
}

#endif /* HWASMC_LEB_H */
