/*
 * decode.c — wasm_decode: the module header, section framing (ids, order, sizes) and the
 * checks that span sections (function/code and data count lengths). Section contents are
 * read by decode_sections.c; function bodies are left as byte spans for insn.c's reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_names.h"
#include "decode_sections.h"
#include "leb.h"

/* Position of each known section id in the required order; 0 for unknown ids. The data
 * count section (12) sits between element (9) and code (10). */
static const uint8_t section_rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};

static int section(dec *d, uint8_t id) {
    switch (id) {
    case 1: return dec_type_section(d);
    case 2: return dec_import_section(d);
    case 3: return dec_function_section(d);
    case 4: return dec_table_section(d);
    case 5: return dec_memory_section(d);
    case 6: return dec_global_section(d);
    case 7: return dec_export_section(d);
    case 8: return dec_start_section(d);
    case 9: return dec_elem_section(d);
    case 10: return dec_code_section(d);
    case 11: return dec_data_section(d);
    case 12: return dec_data_count_section(d);
    }
    return 0;
}

static int header(dec *d) {
    static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
    static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
    size_t have = (size_t)(d->end - d->pos);
    if (have < 4) return dec_fail(d, d->end, "unexpected end");
    if (memcmp(d->pos, magic, 4) != 0) return dec_fail(d, d->pos, "magic header not detected");
    if (have < 8) return dec_fail(d, d->end, "unexpected end");
    if (memcmp(d->pos + 4, version, 4) != 0)
        return dec_fail(d, d->pos + 4, "unknown binary version");
    d->pos += 8;
    return 0;
}

/* A custom section: a valid UTF-8 name, then contents that are ignored, except that the
 * "name" section's place is remembered for function names. */
static int custom_section(dec *d, const uint8_t **names, const uint8_t **names_end) {
    wasm_name name = {0};
    if (dec_name(d, &name)) return -1;
    if (name.len == 4 && memcmp(name.data, "name", 4) == 0) {
        *names = d->pos;
        *names_end = d->end;
    }
    free(name.data);
    d->pos = d->end;
    return 0;
}

static int sections(dec *d, const uint8_t *file_end) {
    wasm_module *m = d->m;
    const uint8_t *names = NULL, *names_end = NULL;
    bool saw_code = false;
    uint8_t last_rank = 0;
    while (d->pos < file_end) {
        const uint8_t *at = d->pos;
        uint8_t id = *d->pos++;
        uint32_t size;
        int st = leb_u32(&d->pos, file_end, &size);
        if (st) return dec_fail(d, st == LEB_EOF ? file_end : d->pos, leb_message(st));
        if (size > (size_t)(file_end - d->pos)) return dec_fail(d, d->pos, "length out of bounds");
        const uint8_t *section_end = d->pos + size;
        if (id == 0) {
            d->end = section_end; /* a custom section's name must fit in the section */
            if (custom_section(d, &names, &names_end)) return -1;
            d->end = file_end;
            continue;
        }
        if (id >= sizeof section_rank) return dec_fail(d, at, "malformed section id");
        if (section_rank[id] <= last_rank)
            return dec_fail(d, at, "unexpected content after last section");
        last_rank = section_rank[id];
        saw_code |= id == 10;
        if (section(d, id)) return -1;
        if (d->pos != section_end) return dec_fail(d, d->pos, "section size mismatch");
    }
    if (!saw_code && m->num_funcs != m->num_imported_funcs)
        return dec_fail(d, file_end, "function and code section have inconsistent lengths");
    if (m->has_data_count && m->data_count != m->num_data)
        return dec_fail(d, file_end, "data count and data section have inconsistent lengths");
    if (names) dec_name_section(m, names, names_end);
    return 0;
}

int wasm_decode(const uint8_t *bytes, size_t size, wasm_module *out, wasm_error *err) {
    wasm_module m;
    memset(&m, 0, sizeof m);
    m.bytes = bytes;
    m.size = size;
    err->func_index = -1;
    dec d = {.m = &m, .pos = bytes, .end = bytes + size, .err = err};
    if (header(&d) || sections(&d, bytes + size)) {
        wasm_module_free(&m);
        return -1;
    }
    *out = m;
    return 0;
}
