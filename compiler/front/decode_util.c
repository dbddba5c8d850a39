/*
 * decode_util.c — readers for the small pieces of the binary format that the sections are
 * built from: bytes, LEB128 integers (via leb.h), UTF-8 names, value and reference types,
 * limits, and constant expressions (via the instruction reader).
 */
#include <stdlib.h>
#include <string.h>

#include "decode_util.h"
#include "insn.h"
#include "leb.h"

static const char eos[] = "unexpected end of section or function";

int dec_fail(dec *d, const uint8_t *at, const char *msg) {
    wasm_error_set(d->err, d->err->func_index, (size_t)(at - d->m->bytes), "%s", msg);
    return -1;
}

int dec_byte(dec *d, uint8_t *out) {
    if (d->pos >= d->end) return dec_fail(d, d->pos, eos);
    *out = *d->pos++;
    return 0;
}

int dec_u32(dec *d, uint32_t *out) {
    int st = leb_u32(&d->pos, d->end, out);
    if (st == LEB_EOF) return dec_fail(d, d->end, eos);
    if (st) return dec_fail(d, d->pos, leb_message(st));
    return 0;
}

int dec_count(dec *d, uint32_t *out) {
    if (dec_u32(d, out)) return -1;
    if (*out > (size_t)(d->end - d->pos)) return dec_fail(d, d->end, eos);
    return 0;
}

/* UTF-8 as the spec defines it: shortest form, no surrogates, at most U+10FFFF. */
static bool utf8_valid(const uint8_t *s, uint32_t n) {
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t len, cp, min;
        if ((c & 0xe0) == 0xc0)
            len = 2, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0)
            len = 3, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return false;
        if (n - i < len) return false;
        for (uint32_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

int dec_name(dec *d, wasm_name *out) {
    const uint8_t *at = d->pos;
    uint32_t n;
    if (dec_u32(d, &n)) return -1;
    if (n > (size_t)(d->end - d->pos)) return dec_fail(d, at, "length out of bounds");
    if (!utf8_valid(d->pos, n)) return dec_fail(d, d->pos, "malformed UTF-8 encoding");
    char *s = malloc((size_t)n + 1);
    if (!s) return dec_fail(d, at, "out of memory");
    memcpy(s, d->pos, n);
    s[n] = 0;
    out->data = s;
    out->len = n;
    d->pos += n;
    return 0;
}

int dec_value_type(dec *d, uint8_t *out) {
    if (dec_byte(d, out)) return -1;
    if (hwasm_valtype_valid(*out)) return 0;
    return dec_fail(d, d->pos - 1, "malformed value type");
}

int dec_ref_type(dec *d, uint8_t *out) {
    if (dec_byte(d, out)) return -1;
    if (*out == HWASM_FUNCREF || *out == HWASM_EXTERNREF) return 0;
    return dec_fail(d, d->pos - 1, "malformed reference type");
}

int dec_limits(dec *d, hwasm_limits *out) {
    uint8_t flags = 0;
    if (dec_byte(d, &flags)) return -1;
    /* The flags are a one-bit LEB128 value in this version of the format. */
    if (flags & 0x80) return dec_fail(d, d->pos - 1, "integer representation too long");
    /* the proposals' flags: 2 and 3 shared (threads), 4 to 7 64-bit (memory64) */
    if (flags == 2 || flags == 3)
        return dec_fail(d, d->pos - 1,
                        "integer too large (limits flags of a shared memory, from the threads proposal, "
                        "which hwasmc does not support)");
    if (flags >= 4 && flags <= 7)
        return dec_fail(d, d->pos - 1,
                        "integer too large (limits flags of a 64-bit memory or table, from the memory64 "
                        "proposal, which hwasmc does not support)");
    if (flags > 1) return dec_fail(d, d->pos - 1, "integer too large");
    out->has_max = flags;
    out->max = 0;
    if (dec_u32(d, &out->min)) return -1;
    return flags ? dec_u32(d, &out->max) : 0;
}

/* Fills *out from a constant instruction; false if `in` is not one. */
static bool const_of(const wasm_insn *in, hwasm_const *out) {
    memset(out, 0, sizeof *out);
    switch (in->op) {
    case OP_I32_CONST:
        out->kind = HWASM_CONST_I32;
        out->value = (uint32_t)in->imm.i32;
        return true;
    case OP_I64_CONST:
        out->kind = HWASM_CONST_I64;
        out->value = (uint64_t)in->imm.i64;
        return true;
    case OP_F32_CONST:
        out->kind = HWASM_CONST_F32;
        out->value = in->imm.f32_bits;
        return true;
    case OP_F64_CONST:
        out->kind = HWASM_CONST_F64;
        out->value = in->imm.f64_bits;
        return true;
    case OP_V128_CONST:
        out->kind = HWASM_CONST_V128;
        memcpy(&out->value, in->imm.v128, 8); /* little endian, like the wasm bytes */
        memcpy(&out->value_hi, in->imm.v128 + 8, 8);
        return true;
    case OP_REF_NULL:
        out->kind = HWASM_CONST_REF_NULL;
        out->index = in->imm.index;
        return true;
    case OP_REF_FUNC:
        out->kind = HWASM_CONST_REF_FUNC;
        out->index = in->imm.index;
        return true;
    case OP_GLOBAL_GET:
        out->kind = HWASM_CONST_GLOBAL_GET;
        out->index = in->imm.index;
        return true;
    }
    return false;
}

/*
 * Wasm 2.0 constant expressions are exactly one constant instruction and `end`. Anything
 * else is invalid rather than malformed, but no valid module can contain it, so it is
 * refused here with the validator's wording: a non-constant instruction first, then a
 * wrong number of values.
 */
int dec_const_expr(dec *d, hwasm_const *out) {
    insn_reader r;
    insn_reader_init(&r, d->m, d->pos, (size_t)(d->end - d->pos));
    wasm_insn in;
    hwasm_const scratch;
    uint32_t n = 0;
    int rc = 0;
    for (;;) {
        if (insn_read(&r, &in, d->err)) {
            rc = -1;
            break;
        }
        if (in.op == OP_END) {
            if (n != 1) rc = dec_fail(d, d->m->bytes + in.offset, "type mismatch");
            break;
        }
        if (!const_of(&in, n == 0 ? out : &scratch)) {
            rc = dec_fail(d, d->m->bytes + in.offset, "constant expression required");
            break;
        }
        n++;
    }
    d->pos = r.pos;
    insn_reader_free(&r);
    return rc;
}
