/*
 * decode_names.h — function names from the "name" custom section (decode_names.c).
 */
#ifndef HWASMC_DECODE_NAMES_H
#define HWASMC_DECODE_NAMES_H

#include "module.h"

/* Sets funcs[i].debug_name from the name section's payload [p, end). Custom sections
 * never make a module malformed: a broken name section just stops the reading. */
void dec_name_section(wasm_module *m, const uint8_t *p, const uint8_t *end);

#endif /* HWASMC_DECODE_NAMES_H */
