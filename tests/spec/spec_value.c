/*
 * spec_value.c — wast2json values: decimal bit patterns ("1065353216" is f32 1.0),
 * "nan:canonical"/"nan:arithmetic" expectations, and references. `ref.extern N` is the host
 * pointer N + 1, so that N = 0 is not null.
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

int spec_value_parse(const json_value *v, uint8_t *type, uint64_t *bits, int *nan, char *why, size_t why_size) {
    const char *t = json_get_str(v, "type");
    const char *s = json_get_str(v, "value");
    *nan = VALUE_EXACT;
    *bits = 0;
    if (value_type(t, type) < 0) {
        snprintf(why, why_size, "unknown value type %s", t ? t : "(none)");
        return -1;
    }
    if (*type == HWASM_V128) {
        snprintf(why, why_size, "v128 values are not supported");
        return -1;
    }
    if (!s) {
        snprintf(why, why_size, "%s value without a string value", t);
        return -1;
    }
    if ((*type == HWASM_F32 || *type == HWASM_F64) && strncmp(s, "nan:", 4) == 0) {
        if (strcmp(s, "nan:canonical") == 0)
            *nan = VALUE_NAN_CANONICAL;
        else if (strcmp(s, "nan:arithmetic") == 0)
            *nan = VALUE_NAN_ARITHMETIC;
        else
            goto bad;
        return 0;
    }
    if ((*type == HWASM_FUNCREF || *type == HWASM_EXTERNREF) && strcmp(s, "null") == 0)
        return 0;
    if (*type == HWASM_FUNCREF) {
        snprintf(why, why_size, "funcref constant %s is not supported", s);
        return -1;
    }
    if (*s < '0' || *s > '9')
        goto bad;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || *end || ((*type == HWASM_I32 || *type == HWASM_F32) && n > UINT32_MAX))
        goto bad;
    *bits = *type == HWASM_EXTERNREF ? n + 1 : n;
    return 0;
bad:
    snprintf(why, why_size, "bad %s value \"%s\"", t, s);
    return -1;
}

int spec_value_matches(uint8_t type, uint64_t want, int nan, uint64_t got) {
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

void spec_value_format(uint8_t type, uint64_t bits, int nan, char *buf, size_t size) {
    if (nan != VALUE_EXACT) {
        snprintf(buf, size, "%s:%s", spec_type_name(type), nan == VALUE_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic");
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
