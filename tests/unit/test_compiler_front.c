/*
 * test_compiler_front.c — the decoder and validator (wasm_decode, wasm_validate) on byte
 * arrays: header and section errors, LEB limits, truncation at every length, function-body
 * typing (unreachable code, block parameters, multi-value), SIMD validation, and that every
 * error names the right function and points at the right byte. No LLVM, no runtime.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "module.h"
#include "unit_support.h"

/* --- Building small modules ------------------------------------------------------------ */

typedef struct wbuf {
    uint8_t d[1024];
    size_t n;
} wbuf;

#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define HEADER 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00

static void put(wbuf *w, const uint8_t *p, size_t n) {
    memcpy(w->d + w->n, p, n);
    w->n += n;
}

static void put_u32(wbuf *w, uint32_t v) {
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        w->d[w->n++] = b | (v ? 0x80 : 0);
    } while (v);
}

static void section(wbuf *w, uint8_t id, const wbuf *content) {
    w->d[w->n++] = id;
    put_u32(w, (uint32_t)content->n);
    put(w, content->d, content->n);
}

/* Types every body may use as block types: 1 = (i32 i32)->(i32), 2 = (i32)->(i32 i32),
 * 3 = ()->(i32 i64). Type 0 is the function's own. */
static const uint8_t block_types[] = {0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 1, 0x7f, 2, 0x7f, 0x7f,
                                      0x60, 0, 2, 0x7f, 0x7e};

/* A module with one function of type `type` whose body is `locals` then `code`. Returns
 * the file offset of code[0], so tests can name the byte an error must point at. */
static size_t func_module(wbuf *w, const uint8_t *type, size_t tn, const uint8_t *locals, size_t ln,
                          const uint8_t *code, size_t cn) {
    wbuf s = {.n = 0};
    put(w, BYTES(HEADER));
    put_u32(&s, 4);
    put(&s, type, tn);
    put(&s, block_types, sizeof block_types);
    section(w, 1, &s);
    s.n = 0;
    put(&s, BYTES(1, 0));
    section(w, 3, &s);
    s.n = 0;
    put_u32(&s, 1);
    put_u32(&s, (uint32_t)(ln + cn));
    size_t code_in_section = s.n + ln;
    put(&s, locals, ln);
    put(&s, code, cn);
    w->d[w->n++] = 10;
    put_u32(w, (uint32_t)s.n);
    size_t at = w->n + code_in_section;
    put(w, s.d, s.n);
    return at;
}

/* 0: decoded and valid, 1: malformed, 2: invalid. The module is always freed. */
static int load(const uint8_t *bytes, size_t n, wasm_error *err) {
    wasm_module m;
    memset(err, 0, sizeof *err);
    err->func_index = -1;
    if (wasm_decode(bytes, n, &m, err) != 0) return 1;
    int rc = wasm_validate(&m, err) != 0 ? 2 : 0;
    wasm_module_free(&m);
    return rc;
}

static void expect_error(const uint8_t *b, size_t n, int kind, int64_t func, size_t offset,
                         const char *msg) {
    wasm_error err;
    int rc = load(b, n, &err);
    ck_assert_msg(rc == kind, "want %s \"%s\", got rc %d \"%s\"", kind == 1 ? "malformed" : "invalid",
                  msg, rc, rc ? err.message : "");
    ck_assert_str_eq(err.message, msg);
    ck_assert_int_eq(err.func_index, func);
    ck_assert_msg(err.offset == offset, "\"%s\": offset 0x%zx, want 0x%zx", msg, err.offset, offset);
}

/* --- Header and sections --------------------------------------------------------------- */

START_TEST(header_errors) {
    expect_error((const uint8_t *)"", 0, 1, -1, 0, "unexpected end");
    expect_error(BYTES(0x00, 0x61, 0x73), 1, -1, 3, "unexpected end");
    expect_error(BYTES(0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0), 1, -1, 0, "magic header not detected");
    expect_error(BYTES(0x00, 0x61, 0x73, 0x6d, 1, 0, 0), 1, -1, 7, "unexpected end");
    expect_error(BYTES(0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0), 1, -1, 4, "unknown binary version");
    wasm_error err;
    ck_assert_int_eq(load(BYTES(HEADER), &err), 0);
}
END_TEST

START_TEST(section_order) {
    /* empty type section twice; function section before type section; data count after code */
    expect_error(BYTES(HEADER, 1, 1, 0, 1, 1, 0), 1, -1, 11, "unexpected content after last section");
    expect_error(BYTES(HEADER, 3, 1, 0, 1, 1, 0), 1, -1, 11, "unexpected content after last section");
    expect_error(BYTES(HEADER, 10, 1, 0, 12, 1, 0), 1, -1, 11, "unexpected content after last section");
    expect_error(BYTES(HEADER, 14, 1, 0), 1, -1, 8, "malformed section id");
    /* custom sections may appear anywhere, even between ordered ones */
    wasm_error err;
    ck_assert_int_eq(load(BYTES(HEADER, 1, 1, 0, 0, 2, 1, 'x', 3, 1, 0), &err), 0);
    /* declared size larger than the file; content shorter than the declared size */
    expect_error(BYTES(HEADER, 1, 5, 0), 1, -1, 10, "length out of bounds");
    expect_error(BYTES(HEADER, 1, 5, 1, 0x60, 0, 0, 0), 1, -1, 14, "section size mismatch");
    /* a function section without a code section */
    expect_error(BYTES(HEADER, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0), 1, -1, 18,
                 "function and code section have inconsistent lengths");
}
END_TEST

START_TEST(leb_limits) {
    /* type count in 6 bytes; in 5 bytes with bits beyond 32 */
    expect_error(BYTES(HEADER, 1, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0), 1, -1, 10,
                 "integer representation too long");
    expect_error(BYTES(HEADER, 1, 6, 0x80, 0x80, 0x80, 0x80, 0x10, 0), 1, -1, 10, "integer too large");
    /* section size itself too long */
    expect_error(BYTES(HEADER, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 1, -1, 9,
                 "integer representation too long");
    /* i32.const with a 5-byte immediate whose unused bits are not sign copies */
    wbuf w = {.n = 0};
    size_t at = func_module(&w, BYTES(0x60, 0, 1, 0x7f), BYTES(0), BYTES(0x41, 0xff, 0xff, 0xff, 0xff, 0x4f, 0x0b));
    expect_error(w.d, w.n, 1, 0, at + 1, "integer too large");
    /* i64.const in 11 bytes */
    w.n = 0;
    at = func_module(&w, BYTES(0x60, 0, 1, 0x7e), BYTES(0),
                     BYTES(0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b));
    expect_error(w.d, w.n, 1, 0, at + 1, "integer representation too long");
    /* the largest valid encodings are accepted: i32.const -1 in 5 bytes */
    w.n = 0;
    func_module(&w, BYTES(0x60, 0, 1, 0x7f), BYTES(0), BYTES(0x41, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x0b));
    wasm_error err;
    ck_assert_int_eq(load(w.d, w.n, &err), 0);
}
END_TEST

/* --- Truncation: every prefix of a module using every section ---------------------------- */

/* wat2wasm --debug-names of: imports (func, global), table, memory, mutable global,
 * exports, start, active and declarative elems, data count, call_indirect, multi-value,
 * memory.init/data.drop, active and passive data, and a name section. */
static const uint8_t rich_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0e, 0x03, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x00, 0x00, 0x60, 0x00, 0x02, 0x7f, 0x7e, 0x02, 0x12, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x01,
    0x66, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x67, 0x03, 0x7f, 0x00, 0x03, 0x05, 0x04, 0x01,
    0x00, 0x02, 0x01, 0x04, 0x05, 0x01, 0x70, 0x01, 0x02, 0x08, 0x05, 0x04, 0x01, 0x01, 0x01, 0x02,
    0x06, 0x06, 0x01, 0x7e, 0x01, 0x42, 0x79, 0x0b, 0x07, 0x0b, 0x02, 0x02, 0x73, 0x71, 0x00, 0x02,
    0x02, 0x6d, 0x76, 0x00, 0x03, 0x08, 0x01, 0x01, 0x09, 0x0c, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x02,
    0x02, 0x00, 0x01, 0x00, 0x01, 0x03, 0x0c, 0x01, 0x02, 0x0a, 0x34, 0x04, 0x02, 0x00, 0x0b, 0x18,
    0x02, 0x01, 0x7e, 0x01, 0x7d, 0x02, 0x7f, 0x20, 0x00, 0x20, 0x00, 0x6c, 0x20, 0x00, 0x45, 0x0d,
    0x00, 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b, 0x0b, 0x06, 0x00, 0x41, 0x01, 0x42, 0x02, 0x0b, 0x0f,
    0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x01, 0xfc, 0x08, 0x01, 0x00, 0xfc, 0x09, 0x01, 0x0b, 0x0b,
    0x14, 0x02, 0x00, 0x41, 0x10, 0x0b, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x01, 0x07, 0x70, 0x61,
    0x73, 0x73, 0x69, 0x76, 0x65, 0x00, 0x46, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x1a, 0x05, 0x00,
    0x03, 0x69, 0x6d, 0x70, 0x01, 0x05, 0x73, 0x74, 0x61, 0x72, 0x74, 0x02, 0x02, 0x73, 0x71, 0x03,
    0x02, 0x6d, 0x76, 0x04, 0x03, 0x75, 0x73, 0x65, 0x02, 0x0b, 0x05, 0x00, 0x00, 0x01, 0x00, 0x02,
    0x00, 0x03, 0x00, 0x04, 0x00, 0x04, 0x04, 0x01, 0x00, 0x01, 0x74, 0x05, 0x06, 0x01, 0x00, 0x03,
    0x74, 0x61, 0x62, 0x07, 0x08, 0x02, 0x00, 0x02, 0x67, 0x69, 0x01, 0x01, 0x67,
};

START_TEST(rich_module_decodes) {
    wasm_module m;
    wasm_error err = {.func_index = -1};
    ck_assert_int_eq(wasm_decode(rich_wasm, sizeof rich_wasm, &m, &err), 0);
    ck_assert_int_eq(wasm_validate(&m, &err), 0);
    ck_assert_uint_eq(m.num_funcs, 5);
    ck_assert_uint_eq(m.num_imported_funcs, 1);
    ck_assert_uint_eq(m.num_imported_globals, 1);
    ck_assert_uint_eq(m.num_globals, 2);
    ck_assert_uint_eq(m.num_elems, 2);
    ck_assert_uint_eq(m.num_data, 2);
    ck_assert(m.has_start && m.start_func == 1);
    ck_assert_uint_eq(m.funcs[2].num_locals, 2);
    ck_assert_str_eq(m.funcs[2].debug_name, "sq");
    ck_assert_uint_eq(m.types[m.funcs[3].type_index].num_results, 2);
    wasm_module_free(&m);
}
END_TEST

/* Section boundaries of rich_wasm: the only prefixes that may decode (a module may stop
 * after any complete section). Found by walking the section headers. */
static int is_section_boundary(size_t len) {
    size_t p = 8;
    while (p < sizeof rich_wasm) {
        if (len == p) return 1;
        p++;
        uint32_t size = 0;
        for (unsigned shift = 0;; shift += 7) {
            uint8_t b = rich_wasm[p++];
            size |= (uint32_t)(b & 0x7f) << shift;
            if (!(b & 0x80)) break;
        }
        p += size;
    }
    return len == 8;
}

START_TEST(truncated_at_every_length) {
    /* Each prefix ends right before a PROT_NONE page, so reading one byte too far crashes
     * the test instead of passing unnoticed. */
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(area != MAP_FAILED);
    ck_assert_int_eq(mprotect(area + page, page, PROT_NONE), 0);
    for (size_t len = 0; len < sizeof rich_wasm; len++) {
        uint8_t *copy = area + page - len;
        memcpy(copy, rich_wasm, len);
        wasm_error err;
        int rc = load(copy, len, &err);
        if (is_section_boundary(len)) continue; /* may or may not be a complete module */
        ck_assert_msg(rc != 0, "prefix of %zu bytes accepted", len);
        ck_assert_msg(err.offset <= len, "prefix %zu: error offset 0x%zx past the end", len, err.offset);
        ck_assert_msg(err.message[0], "prefix %zu: empty message", len);
    }
    munmap(area, 2 * page);
}
END_TEST

/* Every byte of the module replaced by a few interesting values: decoding and validation
 * may accept or reject, but must never crash or report an offset past the end. */
START_TEST(mutated_bytes_never_crash) {
    static const uint8_t values[] = {0x00, 0x01, 0x0b, 0x40, 0x7f, 0x80, 0xfc, 0xff};
    uint8_t copy[sizeof rich_wasm];
    for (size_t at = 8; at < sizeof rich_wasm; at++) {
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(copy, rich_wasm, sizeof copy);
            copy[at] = values[v];
            wasm_error err;
            if (load(copy, sizeof copy, &err) != 0)
                ck_assert_msg(err.offset <= sizeof copy && err.message[0], "byte %zu = %#x: offset 0x%zx",
                              at, values[v], err.offset);
        }
    }
}
END_TEST

/* --- Function bodies -------------------------------------------------------------------- */

START_TEST(too_many_locals) {
    wbuf w = {.n = 0};
    /* 2^32 - 1 i32 locals plus one more */
    size_t at = func_module(&w, BYTES(0x60, 0, 0), BYTES(2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 1, 0x7f),
                            BYTES(0x0b));
    expect_error(w.d, w.n, 1, 0, at - 9, "too many locals");
    /* 2^32 - 1 is within the spec's bound but past hwasmc's implementation limit (V8's and
     * wasmtime's): each local becomes a frame slot, and 5 bytes must not ask for billions */
    w.n = 0;
    at = func_module(&w, BYTES(0x60, 0, 0), BYTES(1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f), BYTES(0x0b));
    expect_error(w.d, w.n, 1, 0, at - 7,
                 "too many locals (4294967295; the limit is 50000, as in V8 and wasmtime)");
    /* the limit itself decodes; one more does not */
    w.n = 0;
    func_module(&w, BYTES(0x60, 0, 0), BYTES(2, 0xcf, 0x86, 0x03, 0x7f, 1, 0x7e), BYTES(0x0b));
    wasm_error err;
    ck_assert_int_eq(load(w.d, w.n, &err), 0);
    w.n = 0;
    at = func_module(&w, BYTES(0x60, 0, 0), BYTES(2, 0xd0, 0x86, 0x03, 0x7f, 1, 0x7e), BYTES(0x0b));
    expect_error(w.d, w.n, 1, 0, at - 7, "too many locals (50001; the limit is 50000, as in V8 and wasmtime)");
}
END_TEST

START_TEST(error_names_function_and_offset) {
    /* function 0 is imported; 1 is fine; 2 adds an i64 to an i32 at file offset 0x2b */
    static const uint8_t bad[] = {
        HEADER,
        1, 5, 1, 0x60, 0, 1, 0x7f,                  /* type 0: () -> i32 */
        2, 7, 1, 1, 'm', 1, 'f', 0, 0,              /* import m.f : type 0 */
        3, 3, 2, 0, 0,                              /* two functions of type 0 */
        10, 15, 2,                                  /* code: two bodies */
        4, 0, 0x41, 7, 0x0b,                        /*   i32.const 7 */
        8, 0, 0x41, 1, 0x42, 2, 0x6a, 0x1a, 0x0b,   /*   i32.const 1, i64.const 2, i32.add */
    };
    ck_assert_uint_eq(bad[0x2b], 0x6a);
    expect_error(bad, sizeof bad, 2, 2, 0x2b, "type mismatch");
}
END_TEST

typedef struct body_case {
    const char *name;
    uint8_t type[8];
    size_t type_len;
    uint8_t code[24];
    size_t code_len;
    int err_at; /* offset in code of the byte the error points at; -1: valid */
    const char *msg;
} body_case;

#define T(...) {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})
#define TO_I32 T(0x60, 0, 1, 0x7f)

static const body_case body_cases[] = {
    /* unreachable code: the stack below is polymorphic, but only below */
    {"unreachable alone", TO_I32, T(0x00, 0x0b), -1, NULL},
    {"unreachable i32.add", TO_I32, T(0x00, 0x6a, 0x0b), -1, NULL},
    {"unreachable drop drop const", TO_I32, T(0x00, 0x1a, 0x1a, 0x41, 1, 0x0b), -1, NULL},
    {"unreachable select", TO_I32, T(0x00, 0x1b, 0x0b), -1, NULL},
    {"unreachable br_table", TO_I32, T(0x00, 0x0e, 1, 0, 0, 0x0b), -1, NULL},
    {"i64 then unreachable", TO_I32, T(0x42, 0, 0x00, 0x0b), -1, NULL},
    {"br then i64.eqz", TO_I32, T(0x41, 1, 0x0c, 0, 0x42, 0, 0x50, 0x0b), -1, NULL},
    {"unreachable i64 i32.add", TO_I32, T(0x00, 0x42, 0, 0x6a, 0x0b), 3, "type mismatch"},
    {"unreachable two results", TO_I32, T(0x00, 0x41, 0, 0x41, 0, 0x0b), 5, "type mismatch"},
    {"unreachable select i64 cond", TO_I32, T(0x00, 0x41, 0, 0x42, 0, 0x1b, 0x0b), 5, "type mismatch"},
    {"unreachable select i32/i64", TO_I32, T(0x00, 0x41, 0, 0x42, 1, 0x41, 1, 0x1b, 0x0b), 7,
     "type mismatch"},
    {"unreachable in inner block", TO_I32, T(0x02, 0x40, 0x00, 0x0b, 0x6a, 0x0b), 4, "type mismatch"},
    {"br then wrong type", TO_I32, T(0x41, 1, 0x0c, 0, 0x42, 0, 0x0b), 6, "type mismatch"},
    /* block parameters and multiple results */
    {"block (i32 i32)->i32", TO_I32, T(0x41, 1, 0x41, 2, 0x02, 1, 0x6a, 0x0b, 0x0b), -1, NULL},
    {"loop (i32)->(i32 i32)", TO_I32, T(0x41, 1, 0x03, 2, 0x41, 2, 0x0b, 0x6a, 0x0b), -1, NULL},
    {"if (i32)->(i32 i32)", TO_I32,
     T(0x41, 1, 0x41, 0, 0x04, 2, 0x41, 2, 0x05, 0x41, 3, 0x0b, 0x6a, 0x0b), -1, NULL},
    {"block ()->(i32 i64) br", TO_I32, T(0x02, 3, 0x41, 1, 0x42, 2, 0x0c, 0, 0x0b, 0x1a, 0x0b), -1, NULL},
    {"block params missing", TO_I32, T(0x02, 1, 0x6a, 0x0b, 0x0b), 0, "type mismatch"},
    {"block leaves two", TO_I32, T(0x41, 1, 0x41, 2, 0x02, 1, 0x0b, 0x0b), 6, "type mismatch"},
    {"if without else changes types", TO_I32, T(0x41, 1, 0x41, 0, 0x04, 2, 0x41, 2, 0x0b, 0x6a, 0x0b), 8,
     "type mismatch"},
    {"unknown block type", TO_I32, T(0x02, 9, 0x0b, 0x41, 0, 0x0b), 0, "unknown type"},
    {"results (i32 i64)", T(0x60, 0, 2, 0x7f, 0x7e), T(0x41, 1, 0x42, 2, 0x0b), -1, NULL},
    {"results swapped", T(0x60, 0, 2, 0x7f, 0x7e), T(0x42, 2, 0x41, 1, 0x0b), 4, "type mismatch"},
    /* other checks that must name the byte */
    {"unknown local", TO_I32, T(0x20, 5, 0x0b), 0, "unknown local 5"},
    {"unknown label", TO_I32, T(0x41, 0, 0x0c, 2, 0x0b), 2, "unknown label"},
    {"no memory", TO_I32, T(0x41, 0, 0x28, 2, 0, 0x0b), 2, "unknown memory 0"},
};

START_TEST(body_typing) {
    const body_case *c = &body_cases[_i];
    wbuf w = {.n = 0};
    size_t at = func_module(&w, c->type, c->type_len, BYTES(0), c->code, c->code_len);
    wasm_error err;
    int rc = load(w.d, w.n, &err);
    if (c->err_at < 0) {
        ck_assert_msg(rc == 0, "%s: rejected: %s at 0x%zx", c->name, err.message, err.offset);
        return;
    }
    ck_assert_msg(rc == 2, "%s: want invalid \"%s\", got rc %d", c->name, c->msg, rc);
    ck_assert_msg(!strcmp(err.message, c->msg), "%s: message \"%s\"", c->name, err.message);
    ck_assert_int_eq(err.func_index, 0);
    ck_assert_msg(err.offset == at + (size_t)c->err_at, "%s: offset 0x%zx, want 0x%zx", c->name,
                  err.offset, at + (size_t)c->err_at);
}
END_TEST

static int load_body(const uint8_t *type, size_t tn, const uint8_t *locals, size_t ln,
                     const uint8_t *code, size_t cn, wasm_error *err) {
    wbuf w = {.n = 0};
    func_module(&w, type, tn, locals, ln, code, cn);
    return load(w.d, w.n, err);
}

#define V128_ZERO 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* v128 is a value type everywhere, and the 0xfd instructions validate exactly: lane
 * indices below the lane count, shuffle indices below 32, alignment at most natural,
 * a memory for memory instructions, operand types from the instruction's row. */
START_TEST(simd_validation) {
    wasm_error err;
    /* v128 param, result, local and block type; v128.const; i32x4.extract_lane 3 */
    ck_assert_int_eq(load_body(BYTES(0x60, 1, 0x7b, 1, 0x7f), BYTES(1, 1, 0x7b),
                               BYTES(0x02, 0x7b, V128_ZERO, 0x0b, 0x21, 1, 0x20, 0, 0xfd, 0x1b, 3, 0x0b),
                               &err),
                     0);
    /* i32x4.extract_lane 4: the lane byte is checked, the error points at the instruction */
    wbuf w = {.n = 0};
    size_t at = func_module(&w, BYTES(0x60, 0, 1, 0x7f), BYTES(0), BYTES(V128_ZERO, 0xfd, 0x1b, 4, 0x0b));
    expect_error(w.d, w.n, 2, 0, at + 18, "invalid lane index");
    /* i8x16.extract_lane_u 15 is fine, 16 is not */
    ck_assert_int_eq(load_body(BYTES(0x60, 0, 1, 0x7f), BYTES(0), BYTES(V128_ZERO, 0xfd, 0x16, 15, 0x0b), &err), 0);
    ck_assert_int_eq(load_body(BYTES(0x60, 0, 1, 0x7f), BYTES(0), BYTES(V128_ZERO, 0xfd, 0x16, 16, 0x0b), &err), 2);
    /* i8x16.shuffle with a lane index of 32 */
    w.n = 0;
    at = func_module(&w, BYTES(0x60, 0, 1, 0x7b), BYTES(0),
                     BYTES(V128_ZERO, V128_ZERO, 0xfd, 0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 32,
                           0x0b));
    expect_error(w.d, w.n, 2, 0, at + 36, "invalid lane index");
    /* v128.load without a memory */
    ck_assert_int_eq(load_body(BYTES(0x60, 0, 1, 0x7b), BYTES(0), BYTES(0x41, 0, 0xfd, 0x00, 4, 0, 0x0b), &err), 2);
    ck_assert_str_eq(err.message, "unknown memory 0");
    /* i32x4.add of an i32 and a v128 */
    ck_assert_int_eq(load_body(BYTES(0x60, 0, 1, 0x7b), BYTES(0), BYTES(0x41, 0, V128_ZERO, 0xfd, 0xae, 1, 0x0b), &err),
                     2);
    ck_assert_str_eq(err.message, "type mismatch");
    /* 0xfd 0x9a is a hole in the opcode space; 0xfd 0x100 (relaxed SIMD) is not 2.0 */
    w.n = 0;
    at = func_module(&w, BYTES(0x60, 0, 0), BYTES(0), BYTES(0xfd, 0x9a, 0x01, 0x0b));
    expect_error(w.d, w.n, 1, 0, at, "illegal opcode 0xfd 154");
    ck_assert_int_eq(load_body(BYTES(0x60, 0, 0), BYTES(0), BYTES(0xfd, 0x80, 0x02, 0x0b), &err), 1);
}
END_TEST

int main(void) {
    Suite *s = suite_create("compiler_front");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, header_errors);
    tcase_add_test(tc, section_order);
    tcase_add_test(tc, leb_limits);
    tcase_add_test(tc, rich_module_decodes);
    tcase_add_test(tc, truncated_at_every_length);
    tcase_add_test(tc, mutated_bytes_never_crash);
    tcase_add_test(tc, too_many_locals);
    tcase_add_test(tc, simd_validation);
    suite_add_tcase(s, tc);
    tc = tcase_create("validate");
    tcase_add_test(tc, error_names_function_and_offset);
    tcase_add_loop_test(tc, body_typing, 0, (int)(sizeof body_cases / sizeof body_cases[0]));
    suite_add_tcase(s, tc);
    return unit_run_suite(s);
}
