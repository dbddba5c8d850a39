/*
 * spec_value.h — reading, comparing and printing the typed values of wast2json scripts,
 * as 64-bit slots (the form hw_call takes and returns them in: one slot per value, two
 * for a v128).
 */
#ifndef SPEC_VALUE_H
#define SPEC_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "spec_json.h"

enum value_class { VALUE_EXACT, VALUE_NAN_CANONICAL, VALUE_NAN_ARITHMETIC };

/* One value: a scalar's bits in bits[0]; a v128's 16 bytes in bits[0..1] (little endian,
 * as its two slots), read as lanes of lane_bits bits, floats when lane_float is set. An
 * expectation may require a NaN class (cls, per lane for a v128) instead of exact bits. */
typedef struct spec_value {
    uint8_t type;
    uint8_t lane_bits;  /* v128: 8, 16, 32 or 64 */
    uint8_t lane_float; /* v128: f32 or f64 lanes */
    uint64_t bits[2];
    int cls[16];        /* scalar: cls[0]; v128: per lane */
} spec_value;

/* Reads {"type", "value"} (and "lane_type" for v128). Returns -1, with why set, for what
 * this runner cannot represent (non-null funcref constants) or a malformed value. */
int spec_value_parse(const json_value *v, spec_value *out, char *why, size_t why_size);

/* How many 64-bit slots a value of this type takes. */
unsigned spec_value_slots(uint8_t type);

/* Whether the slots `got` (spec_value_slots(want->type) of them) satisfy `want`. */
int spec_value_matches(const spec_value *want, const uint64_t *got);

/* The value in `got` as an exact value shaped like `like` (same type and lanes). */
spec_value spec_value_of_slots(const spec_value *like, const uint64_t *got);

/* "i32:42", "f32:0x3f800000 (1)", "externref:3", "f64:nan:canonical",
 * "v128:i16[0x0001 0x0002 ...]"... */
void spec_value_format(const spec_value *v, char *buf, size_t size);

const char *spec_type_name(uint8_t type);

#endif /* SPEC_VALUE_H */
