/*
 * spec_value.h — reading, comparing and printing the typed values of wast2json scripts,
 * as 64-bit slots (the form hw_call takes and returns them in).
 */
#ifndef SPEC_VALUE_H
#define SPEC_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "spec_json.h"

enum value_class { VALUE_EXACT, VALUE_NAN_CANONICAL, VALUE_NAN_ARITHMETIC };

/* Reads {"type", "value"} into a hwasm_valtype, slot bits and a value_class. Returns -1,
 * with why set, for what this runner cannot represent (v128, non-null funcref constants). */
int spec_value_parse(const json_value *v, uint8_t *type, uint64_t *bits, int *cls, char *why, size_t why_size);

/* Whether slot bits `got` of type satisfy the expectation (want, cls). */
int spec_value_matches(uint8_t type, uint64_t want, int cls, uint64_t got);

/* "i32:42", "f32:0x3f800000 (1)", "externref:3", "f64:nan:canonical"... */
void spec_value_format(uint8_t type, uint64_t bits, int cls, char *buf, size_t size);

const char *spec_type_name(uint8_t type);

#endif /* SPEC_VALUE_H */
