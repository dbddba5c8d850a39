/*
 * decode_util.h — the byte cursor the section decoder reads with, and the readers for the
 * binary format's small pieces (integers, names, value types, limits, constant
 * expressions). Every reader returns 0, or -1 with the error filled in.
 */
#ifndef HWASMC_DECODE_UTIL_H
#define HWASMC_DECODE_UTIL_H

#include <stdint.h>

#include "module.h"

typedef struct dec {
    wasm_module *m;
    const uint8_t *pos;
    /* Reading is bounded by the end of the file, not of the section, as in the reference
     * decoder: a section that reads past its size is then a "section size mismatch". */
    const uint8_t *end;
    wasm_error *err;
} dec;

/* Sets the error at byte `at` (in err->func_index, -1 outside bodies); returns -1. */
int dec_fail(dec *d, const uint8_t *at, const char *msg);
int dec_byte(dec *d, uint8_t *out);
int dec_u32(dec *d, uint32_t *out);
/* A vector length: also refuses counts that the rest of the section cannot hold when each
 * element takes at least one byte, so callers may allocate `*out` elements safely. */
int dec_count(dec *d, uint32_t *out);
/* A name: length-prefixed valid UTF-8, copied and NUL-terminated into *out (owned). */
int dec_name(dec *d, wasm_name *out);
int dec_value_type(dec *d, uint8_t *out);
int dec_ref_type(dec *d, uint8_t *out);
int dec_limits(dec *d, hwasm_limits *out);
/* A constant expression up to and including its `end`. */
int dec_const_expr(dec *d, hwasm_const *out);

#endif /* HWASMC_DECODE_UTIL_H */
