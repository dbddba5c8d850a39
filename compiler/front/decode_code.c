/*
 * decode_code.c — the code section: per body, the local declarations (kept as runs) and
 * a pass over the instructions that checks the encoding and the block structure, so
 * malformed bodies are reported as the reference decoder does, before any validation.
 */
#include <stdio.h>
#include <stdlib.h>

#include "decode_sections.h"
#include "insn.h"

static const char eos[] = "unexpected end of section or function";

/* Local declarations: runs of (count, type), whose total must stay below 2^32. The runs
 * are kept as runs; a body may declare billions of locals in a few bytes. */
static int locals(dec *d, wasm_func *f) {
    const uint8_t *at = d->pos;
    uint32_t n;
    if (dec_count(d, &n)) return -1;
    f->local_runs = calloc(n ? n : 1, sizeof *f->local_runs);
    if (!f->local_runs) return dec_fail(d, at, "out of memory");
    f->num_local_runs = n;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        wasm_local_run *run = &f->local_runs[i];
        if (dec_u32(d, &run->count) || dec_value_type(d, &run->type)) return -1;
        total += run->count;
    }
    if (total > UINT32_MAX) return dec_fail(d, at, "too many locals");
    /* An implementation limit, V8's and wasmtime's: five bytes may declare 4 billion
     * locals, and every one becomes a slot in the lowered frame. */
    if (total > HWASMC_MAX_FUNCTION_LOCALS) {
        char msg[96];
        snprintf(msg, sizeof msg, "too many locals (%llu; the limit is %u, as in V8 and wasmtime)",
                 (unsigned long long)total, HWASMC_MAX_FUNCTION_LOCALS);
        return dec_fail(d, at, msg);
    }
    f->num_locals = total;
    return 0;
}

/* Open blocks while scanning a body: whether each is an `if` (an `else` may follow). */
typedef struct nesting {
    uint8_t *is_if;
    size_t depth, cap;
} nesting;

static int open_block(dec *d, nesting *n, bool is_if) {
    if (n->depth == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 64;
        uint8_t *p = realloc(n->is_if, cap);
        if (!p) return dec_fail(d, d->pos, "out of memory");
        n->is_if = p;
        n->cap = cap;
    }
    n->is_if[n->depth++] = is_if;
    return 0;
}

/*
 * Reads the instructions from d->pos to the `end` closing the body, which must be the last
 * byte of the entry. Like the reference decoder, the reading is bounded by the file, not
 * by the entry, so a missing `end` is reported as whatever the next bytes make it.
 */
static int body(dec *d, nesting *n, const uint8_t *entry_end) {
    wasm_module *m = d->m;
    insn_reader r;
    insn_reader_init(&r, m, d->pos, (size_t)(d->end - d->pos));
    wasm_insn in;
    int rc = 0;
    n->depth = 0;
    if (open_block(d, n, false)) return -1;
    while (rc == 0 && n->depth > 0) {
        if (insn_at_end(&r)) {
            rc = dec_fail(d, r.pos, eos);
            break;
        }
        if (insn_read(&r, &in, d->err)) {
            rc = -1;
            break;
        }
        const uint8_t *at = m->bytes + in.offset;
        switch (in.op) {
        case OP_BLOCK:
        case OP_LOOP: rc = open_block(d, n, false); break;
        case OP_IF: rc = open_block(d, n, true); break;
        case OP_ELSE:
            if (!n->is_if[n->depth - 1]) rc = dec_fail(d, at, "END opcode expected");
            n->is_if[n->depth - 1] = false;
            break;
        case OP_END: n->depth--; break;
        case OP_MEMORY_INIT:
        case OP_DATA_DROP:
            if (!m->has_data_count) rc = dec_fail(d, at, "data count section required");
            break;
        }
    }
    if (rc == 0 && r.pos != entry_end) rc = dec_fail(d, r.pos, "section size mismatch");
    insn_reader_free(&r);
    return rc;
}

int dec_code_section(dec *d) {
    wasm_module *m = d->m;
    uint32_t count;
    if (dec_count(d, &count)) return -1;
    if (count != m->num_funcs - m->num_imported_funcs)
        return dec_fail(d, d->pos, "function and code section have inconsistent lengths");
    nesting n = {0};
    int rc = 0;
    for (uint32_t i = 0; i < count && rc == 0; i++) {
        uint32_t index = m->num_imported_funcs + i;
        wasm_func *f = &m->funcs[index];
        uint32_t size;
        if ((rc = dec_u32(d, &size)) != 0) break;
        if (size > (size_t)(d->end - d->pos)) {
            rc = dec_fail(d, d->end, eos);
            break;
        }
        const uint8_t *entry_end = d->pos + size;
        d->err->func_index = index;
        if ((rc = locals(d, f)) != 0 || (rc = body(d, &n, entry_end)) != 0) break;
        d->err->func_index = -1;
        f->body = d->pos;
        f->body_len = (size_t)(entry_end - d->pos);
        f->body_offset = (size_t)(d->pos - m->bytes);
        d->pos = entry_end;
    }
    free(n.is_if);
    return rc;
}
