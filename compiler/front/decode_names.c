/*
 * decode_names.c — reads the function-names subsection (id 1) of the "name" custom
 * section into wasm_func.debug_name, for error messages and symbol names. Anything it
 * does not understand ends the reading quietly: custom sections cannot fail decoding.
 */
#include <stdlib.h>
#include <string.h>

#include "decode_names.h"
#include "leb.h"

static void function_names(wasm_module *m, const uint8_t *p, const uint8_t *end) {
    uint32_t n;
    if (leb_u32(&p, end, &n)) return;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t index, len;
        if (leb_u32(&p, end, &index) || leb_u32(&p, end, &len) || len > (size_t)(end - p)) return;
        if (index < m->num_funcs && !m->funcs[index].debug_name) {
            char *s = malloc((size_t)len + 1);
            if (!s) return;
            memcpy(s, p, len);
            s[len] = 0;
            m->funcs[index].debug_name = s;
        }
        p += len;
    }
}

void dec_name_section(wasm_module *m, const uint8_t *p, const uint8_t *end) {
    while (p < end) {
        uint8_t id = *p++;
        uint32_t size;
        if (leb_u32(&p, end, &size) || size > (size_t)(end - p)) return;
        if (id == 1) {
            function_names(m, p, p + size);
            return;
        }
        p += size;
    }
}
