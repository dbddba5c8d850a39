/*
 * spec_value.c — wast2json values: decimal bit patterns ("1065353216" is f32 1.0),
 * "nan:canonical"/"nan:arithmetic" expectations, references, and v128 values given as
 * lanes ({"lane_type": "f32", "value": ["1", "nan:canonical", ...]}), whose float lanes
 * may each carry their own NaN class. `ref.extern N` is the host pointer N + 1, so that
 * N = 0 is not null.
 */
#include "spec_value.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwasm/hwasm_module.h>

static int value_type(const char *name, uint8_t *out) {
    static const struct { const char *name; uint8_t type; } types[] = {
        {"i32", HWASM_I32}, {"i64", HWASM_I64}, {"f32", HWASM_F32}, {"f64", HWASM_F64},
        {"v128", HWASM_V128}, {"funcref", HWASM_FUNCREF}, {"externref", HWASM_EXTERNREF},
    };
    for (size_t i = 0; name && i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(name, types[i].name) == 0) {
            *out = types[i].type;
            return 0;
        }
    }
    return -1;
}

const char *spec_type_name(uint8_t t) {
    switch (t) {
    case HWASM_I32: return "i32";
    case HWASM_I64: return "i64";
    case HWASM_F32: return "f32";
    case HWASM_F64: return "f64";
    case HWASM_V128: return "v128";
    case HWASM_FUNCREF: return "funcref";
    case HWASM_EXTERNREF: return "externref";
    default: return "?";
    }
}

/* One scalar (or one lane, typed as the scalar of its width) from its decimal string. */
static int parse_bits(uint8_t type, const char *s, uint64_t *bits, int *cls) {
    *cls = VALUE_EXACT;
    *bits = 0;
    if ((type == HWASM_F32 || type == HWASM_F64) && strncmp(s, "nan:", 4) == 0) {
        if (strcmp(s, "nan:canonical") == 0)
            *cls = VALUE_NAN_CANONICAL;
        else if (strcmp(s, "nan:arithmetic") == 0)
            *cls = VALUE_NAN_ARITHMETIC;
        else
            return -1;
        return 0;
    }
    int negative = *s == '-';
    if (negative)
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *bits = negative ? (uint64_t)0 - n : n;
    return 0;
}

static int lane_shape(const char *name, uint8_t *bits, uint8_t *is_float) {
    static const struct { const char *name; uint8_t bits, is_float; } shapes[] = {
        {"i8", 8, 0}, {"i16", 16, 0}, {"i32", 32, 0}, {"i64", 64, 0}, {"f32", 32, 1}, {"f64", 64, 1},
    };
    for (size_t i = 0; name && i < sizeof shapes / sizeof shapes[0]; i++) {
        if (strcmp(name, shapes[i].name) == 0) {
            *bits = shapes[i].bits;
            *is_float = shapes[i].is_float;
            return 0;
        }
    }
    return -1;
}

static uint8_t lane_scalar_type(const spec_value *v) {
    if (v->lane_float)
        return v->lane_bits == 32 ? HWASM_F32 : HWASM_F64;
    return HWASM_I64; /* integer lanes compare exactly, masked to their width */
}

static uint64_t lane_get(const uint64_t *bits, unsigned lane_bits, unsigned i) {
    unsigned bit = i * lane_bits;
    uint64_t word = bits[bit / 64] >> (bit % 64);
    return lane_bits == 64 ? word : word & ((1ull << lane_bits) - 1);
}

static void lane_set(uint64_t *bits, unsigned lane_bits, unsigned i, uint64_t v) {
    unsigned bit = i * lane_bits;
    uint64_t mask = lane_bits == 64 ? ~0ull : (1ull << lane_bits) - 1;
    bits[bit / 64] &= ~(mask << (bit % 64));
    bits[bit / 64] |= (v & mask) << (bit % 64);
}

static int parse_v128(const json_value *v, spec_value *out, char *why, size_t why_size) {
    const char *lt = json_get_str(v, "lane_type");
    const json_value *lanes = json_get(v, "value");
    if (lane_shape(lt, &out->lane_bits, &out->lane_float) < 0) {
        snprintf(why, why_size, "v128 value with lane type %s", lt ? lt : "(none)");
        return -1;
    }
    unsigned n = 128 / out->lane_bits;
    if (!lanes || lanes->type != JSON_ARRAY || lanes->len != n) {
        snprintf(why, why_size, "v128 value without %u %s lanes", n, lt);
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t lane;
        const json_value *item = &lanes->items[i];
        if (item->type != JSON_STRING || parse_bits(lane_scalar_type(out), item->str, &lane, &out->cls[i]) < 0 ||
            (out->lane_bits < 64 && lane >> out->lane_bits && lane >> out->lane_bits != (~0ull >> out->lane_bits))) {
            snprintf(why, why_size, "bad v128 %s lane \"%s\"", lt, item->type == JSON_STRING ? item->str : "?");
            return -1;
        }
        lane_set(out->bits, out->lane_bits, i, lane);
    }
    return 0;
}

unsigned spec_value_slots(uint8_t type) { return type == HWASM_V128 ? 2 : 1; }

int spec_value_parse(const json_value *v, spec_value *out, char *why, size_t why_size) {
    const char *t = json_get_str(v, "type");
    const char *s = json_get_str(v, "value");
    memset(out, 0, sizeof *out);
    if (value_type(t, &out->type) < 0) {
        snprintf(why, why_size, "unknown value type %s", t ? t : "(none)");
        return -1;
    }
    if (out->type == HWASM_V128)
        return parse_v128(v, out, why, why_size);
    if (!s) {
        snprintf(why, why_size, "%s value without a string value", t);
        return -1;
    }
    if ((out->type == HWASM_FUNCREF || out->type == HWASM_EXTERNREF) && strcmp(s, "null") == 0)
        return 0;
    if (out->type == HWASM_FUNCREF) {
        snprintf(why, why_size, "funcref constant %s is not supported", s);
        return -1;
    }
    if (*s == '-' || parse_bits(out->type, s, &out->bits[0], &out->cls[0]) < 0 ||
        ((out->type == HWASM_I32 || out->type == HWASM_F32) && out->bits[0] > UINT32_MAX)) {
        snprintf(why, why_size, "bad %s value \"%s\"", t, s);
        return -1;
    }
    if (out->type == HWASM_EXTERNREF)
        out->bits[0]++;
    return 0;
}

static int scalar_matches(uint8_t type, uint64_t want, int nan, uint64_t got) {
    switch (type) {
    case HWASM_I32:
        return (uint32_t)got == want;
    case HWASM_F32:
        if (nan == VALUE_NAN_CANONICAL)
            return ((uint32_t)got & 0x7fffffffu) == 0x7fc00000u;
        if (nan == VALUE_NAN_ARITHMETIC)
            return ((uint32_t)got & 0x7fc00000u) == 0x7fc00000u;
        return (uint32_t)got == want;
    case HWASM_F64:
        if (nan == VALUE_NAN_CANONICAL)
            return (got & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
        if (nan == VALUE_NAN_ARITHMETIC)
            return (got & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
        return got == want;
    default:
        return got == want;
    }
}

int spec_value_matches(const spec_value *want, const uint64_t *got) {
    if (want->type != HWASM_V128)
        return scalar_matches(want->type, want->bits[0], want->cls[0], got[0]);
    unsigned n = 128 / want->lane_bits;
    for (unsigned i = 0; i < n; i++) {
        uint64_t w = lane_get(want->bits, want->lane_bits, i), g = lane_get(got, want->lane_bits, i);
        if (!scalar_matches(lane_scalar_type(want), w, want->cls[i], g))
            return 0;
    }
    return 1;
}

spec_value spec_value_of_slots(const spec_value *like, const uint64_t *got) {
    spec_value v = *like;
    memset(v.cls, 0, sizeof v.cls);
    v.bits[0] = got[0];
    v.bits[1] = like->type == HWASM_V128 ? got[1] : 0;
    return v;
}

static void format_v128(const spec_value *v, char *buf, size_t size) {
    unsigned n = 128 / v->lane_bits;
    int len = snprintf(buf, size, "v128:%c%u[", v->lane_float ? 'f' : 'i', v->lane_bits);
    for (unsigned i = 0; i < n && len >= 0 && (size_t)len < size; i++) {
        const char *sep = i ? " " : "";
        if (v->cls[i] != VALUE_EXACT)
            len += snprintf(buf + len, size - len, "%s%s", sep, v->cls[i] == VALUE_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic");
        else
            len += snprintf(buf + len, size - len, "%s0x%0*" PRIx64, sep, v->lane_bits / 4, lane_get(v->bits, v->lane_bits, i));
    }
    if (len >= 0 && (size_t)len < size)
        snprintf(buf + len, size - len, "]");
}

void spec_value_format(const spec_value *v, char *buf, size_t size) {
    uint8_t type = v->type;
    uint64_t bits = v->bits[0];
    if (type == HWASM_V128) {
        format_v128(v, buf, size);
        return;
    }
    if (v->cls[0] != VALUE_EXACT) {
        snprintf(buf, size, "%s:%s", spec_type_name(type), v->cls[0] == VALUE_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic");
        return;
    }
    float f;
    double d;
    uint32_t b32 = (uint32_t)bits;
    switch (type) {
    case HWASM_I32: snprintf(buf, size, "i32:%" PRIu32, b32); break;
    case HWASM_I64: snprintf(buf, size, "i64:%" PRIu64, bits); break;
    case HWASM_F32:
        memcpy(&f, &b32, 4);
        snprintf(buf, size, "f32:0x%08" PRIx32 " (%.9g)", b32, (double)f);
        break;
    case HWASM_F64:
        memcpy(&d, &bits, 8);
        snprintf(buf, size, "f64:0x%016" PRIx64 " (%.17g)", bits, d);
        break;
    case HWASM_EXTERNREF:
        if (bits == 0)
            snprintf(buf, size, "externref:null");
        else
            snprintf(buf, size, "externref:%" PRIu64, bits - 1);
        break;
    case HWASM_FUNCREF:
        snprintf(buf, size, bits ? "funcref:0x%" PRIx64 : "funcref:null", bits);
        break;
    default: snprintf(buf, size, "%s:0x%" PRIx64, spec_type_name(type), bits);
    }
}
