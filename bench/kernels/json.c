/*
 * json.c — a parser: a recursive-descent JSON parser (objects, arrays, strings with
 * escapes, integers and decimals, true/false/null) over a generated ~200 KiB document,
 * n times. Byte-at-a-time scanning, branches on characters, recursion.
 */
#include "kernel.h"

#define DOC_MAX (256 * 1024)

static char doc[DOC_MAX];
static uint32_t doc_len;

/* --- Generating the document ------------------------------------------------------- */

static void put_char(char c) { if (doc_len < DOC_MAX - 1) doc[doc_len++] = c; }
static void put_str(const char *s) { while (*s) put_char(*s++); }
static void put_uint(uint32_t v) {
    char tmp[12];
    int i = 0;
    do { tmp[i++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (i) put_char(tmp[--i]);
}

static void gen_value(uint32_t *s, int depth) {
    uint32_t r = rng_next(s) % (depth > 3 ? 5 : 7);
    switch (r) {
    case 0: put_uint(rng_next(s) % 100000); break;
    case 1: put_char('-'); put_uint(rng_next(s) % 1000); put_char('.'); put_uint(rng_next(s) % 1000); break;
    case 2: {
        put_char('"');
        uint32_t len = 3 + rng_next(s) % 12;
        for (uint32_t i = 0; i < len; i++) {
            uint32_t c = rng_next(s) % 40;
            if (c == 0) put_str("\\n");
            else if (c == 1) put_str("\\\"");
            else put_char((char)('a' + c % 26));
        }
        put_char('"');
        break;
    }
    case 3: put_str(rng_next(s) & 1 ? "true" : "false"); break;
    case 4: put_str("null"); break;
    case 5: {
        uint32_t m = rng_next(s) % 6;
        put_char('[');
        for (uint32_t i = 0; i < m; i++) { if (i) put_str(", "); gen_value(s, depth + 1); }
        put_char(']');
        break;
    }
    default: {
        uint32_t m = rng_next(s) % 6;
        put_char('{');
        for (uint32_t i = 0; i < m; i++) {
            if (i) put_char(',');
            put_str("\"key"); put_uint(rng_next(s) % 50); put_str("\": ");
            gen_value(s, depth + 1);
        }
        put_char('}');
        break;
    }
    }
}

static void generate(void) {
    uint32_t s = 31337;
    doc_len = 0;
    put_char('[');
    for (int i = 0; doc_len < DOC_MAX - 4096; i++) {
        if (i) put_str(",\n");
        gen_value(&s, 0);
    }
    put_char(']');
    doc[doc_len] = 0;
}

/* --- Parsing: every value is folded into a hash; -1 means a syntax error ------------- */

typedef struct parser { const char *p; uint64_t h; int err; } parser;

static void ws(parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r') ps->p++;
}

static void value(parser *ps);

static void string(parser *ps) {
    uint64_t h = 5381;
    ps->p++;
    while (*ps->p != '"') {
        char c = *ps->p++;
        if (c == 0) { ps->err = 1; return; }
        if (c == '\\') {
            c = *ps->p++;
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
        }
        h = h * 33 + (uint8_t)c;
    }
    ps->p++;
    ps->h = mix(ps->h, h);
}

static void number(parser *ps) {
    int neg = *ps->p == '-';
    if (neg) ps->p++;
    int64_t v = 0;
    while (*ps->p >= '0' && *ps->p <= '9') v = v * 10 + (*ps->p++ - '0');
    if (*ps->p == '.') {
        ps->p++;
        while (*ps->p >= '0' && *ps->p <= '9') v = v * 10 + (*ps->p++ - '0');
    }
    ps->h = mix(ps->h, (uint64_t)(neg ? -v : v));
}

static void literal(parser *ps, const char *word, uint64_t tag) {
    for (; *word; word++, ps->p++)
        if (*ps->p != *word) { ps->err = 1; return; }
    ps->h = mix(ps->h, tag);
}

static void value(parser *ps) {
    ws(ps);
    switch (*ps->p) {
    case '{':
        ps->p++; ws(ps);
        while (!ps->err && *ps->p != '}') {
            if (*ps->p != '"') { ps->err = 1; return; }
            string(ps); ws(ps);
            if (*ps->p++ != ':') { ps->err = 1; return; }
            value(ps); ws(ps);
            if (*ps->p == ',') { ps->p++; ws(ps); }
        }
        ps->p++;
        ps->h = mix(ps->h, '}');
        break;
    case '[':
        ps->p++; ws(ps);
        while (!ps->err && *ps->p != ']') {
            value(ps); ws(ps);
            if (*ps->p == ',') ps->p++;
        }
        ps->p++;
        ps->h = mix(ps->h, ']');
        break;
    case '"': string(ps); break;
    case 't': literal(ps, "true", 1); break;
    case 'f': literal(ps, "false", 2); break;
    case 'n': literal(ps, "null", 3); break;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) number(ps);
        else ps->err = 1;
    }
}

int64_t run(int32_t n) {
    generate();
    uint64_t h = doc_len;
    for (int32_t r = 0; r < n; r++) {
        parser ps = {doc, (uint64_t)r, 0};
        value(&ps);
        if (ps.err) return -1;
        h = mix(h, ps.h);
    }
    return (int64_t)h;
}
