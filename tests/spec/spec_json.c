/*
 * spec_json.c — recursive-descent reader for the JSON subset wast2json writes (see
 * spec_json.h). Strict on purpose: a surprise in the input should stop the run loudly
 * rather than be guessed at.
 */
#include "spec_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

typedef struct parser {
    const char *p, *end, *start;
    char *err;
    size_t err_size;
    int failed;
} parser;

static int fail(parser *ps, const char *what) {
    if (!ps->failed)
        snprintf(ps->err, ps->err_size, "offset %zu: %s", (size_t)(ps->p - ps->start), what);
    ps->failed = 1;
    return -1;
}

static void skip_ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int expect(parser *ps, char c) {
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != c) {
        char msg[32];
        snprintf(msg, sizeof msg, "expected '%c'", c);
        return fail(ps, msg);
    }
    ps->p++;
    return 0;
}

static int hex4(parser *ps, unsigned *out) {
    if (ps->end - ps->p < 4)
        return fail(ps, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return fail(ps, "bad hex digit in \\u escape");
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xc0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* An escape never produces more bytes than it consumes, so the raw length bounds the result. */
static int parse_string(parser *ps, json_value *out) {
    if (expect(ps, '"') < 0)
        return -1;
    const char *q = ps->p;
    while (q < ps->end && *q != '"')
        q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
    char *buf = malloc((size_t)(q - ps->p) + 1);
    if (!buf)
        return fail(ps, "out of memory");
    size_t n = 0;
    for (;;) {
        if (ps->p >= ps->end) { free(buf); return fail(ps, "unterminated string"); }
        unsigned char c = (unsigned char)*ps->p++;
        if (c == '"')
            break;
        if (c < 0x20) { free(buf); return fail(ps, "control character in string"); }
        if (c != '\\') { buf[n++] = (char)c; continue; }
        if (ps->p >= ps->end) { free(buf); return fail(ps, "unterminated escape"); }
        char e = *ps->p++;
        unsigned cp;
        switch (e) {
        case '"': buf[n++] = '"'; break;
        case '\\': buf[n++] = '\\'; break;
        case '/': buf[n++] = '/'; break;
        case 'b': buf[n++] = '\b'; break;
        case 'f': buf[n++] = '\f'; break;
        case 'n': buf[n++] = '\n'; break;
        case 'r': buf[n++] = '\r'; break;
        case 't': buf[n++] = '\t'; break;
        case 'u':
            if (hex4(ps, &cp) < 0) { free(buf); return -1; }
            if (cp >= 0xd800 && cp < 0xdc00) {
                unsigned lo;
                if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') {
                    free(buf);
                    return fail(ps, "lone high surrogate");
                }
                ps->p += 2;
                if (hex4(ps, &lo) < 0) { free(buf); return -1; }
                if (lo < 0xdc00 || lo >= 0xe000) { free(buf); return fail(ps, "bad low surrogate"); }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                free(buf);
                return fail(ps, "lone low surrogate");
            }
            n += put_utf8(buf + n, cp);
            break;
        default: free(buf); return fail(ps, "unknown escape");
        }
    }
    buf[n] = 0;
    out->type = JSON_STRING;
    out->str = buf;
    out->len = n;
    return 0;
}

static int parse_integer(parser *ps, json_value *out) {
    int neg = 0;
    if (ps->p < ps->end && *ps->p == '-') { neg = 1; ps->p++; }
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
        return fail(ps, "expected a value");
    uint64_t v = 0;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        if (v > (uint64_t)INT64_MAX / 10)
            return fail(ps, "integer too large");
        v = v * 10 + (uint64_t)(*ps->p++ - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return fail(ps, "integer too large");
    if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
        return fail(ps, "only integers are supported");
    out->type = JSON_INTEGER;
    out->integer = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

static int parse_value(parser *ps, json_value *out, int depth);

/* Parses a '['/'{' container; keys != NULL for an object. Grows the arrays by doubling. */
static int parse_container(parser *ps, json_value *out, int is_object, int depth) {
    char close = is_object ? '}' : ']';
    size_t cap = 0;
    out->type = is_object ? JSON_OBJECT : JSON_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (out->len == cap) {
            cap = cap ? cap * 2 : 4;
            json_value *items = realloc(out->items, cap * sizeof *items);
            if (!items)
                return fail(ps, "out of memory");
            out->items = items;
            if (is_object) {
                json_value *keys = realloc(out->keys, cap * sizeof *keys);
                if (!keys)
                    return fail(ps, "out of memory");
                out->keys = keys;
            }
        }
        json_value *item = &out->items[out->len];
        memset(item, 0, sizeof *item);
        if (is_object) {
            json_value *key = &out->keys[out->len];
            memset(key, 0, sizeof *key);
            out->len++; /* counted before parsing so json_free sees partial members */
            if (parse_string(ps, key) < 0 || expect(ps, ':') < 0 || parse_value(ps, item, depth + 1) < 0)
                return -1;
        } else {
            out->len++;
            if (parse_value(ps, item, depth + 1) < 0)
                return -1;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
        return expect(ps, close);
    }
}

static int parse_value(parser *ps, json_value *out, int depth) {
    if (depth > JSON_MAX_DEPTH)
        return fail(ps, "nested too deeply");
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end of input");
    switch (*ps->p) {
    case '{': return parse_container(ps, out, 1, depth);
    case '[': return parse_container(ps, out, 0, depth);
    case '"': return parse_string(ps, out);
    default: return parse_integer(ps, out);
    }
}

static void free_contents(json_value *v) {
    if (v->type == JSON_STRING)
        free(v->str);
    if (v->type == JSON_OBJECT || v->type == JSON_ARRAY) {
        for (size_t i = 0; i < v->len; i++) {
            free_contents(&v->items[i]);
            if (v->keys)
                free_contents(&v->keys[i]);
        }
        free(v->items);
        free(v->keys);
    }
}

json_value *json_parse(const char *text, size_t len, char *err, size_t err_size) {
    parser ps = {.p = text, .end = text + len, .start = text, .err = err, .err_size = err_size};
    json_value *root = calloc(1, sizeof *root);
    if (!root) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (parse_value(&ps, root, 0) == 0) {
        skip_ws(&ps);
        if (ps.p == ps.end)
            return root;
        fail(&ps, "trailing characters");
    }
    json_free(root);
    return NULL;
}

void json_free(json_value *v) {
    if (!v)
        return;
    free_contents(v);
    free(v);
}

const json_value *json_get(const json_value *v, const char *key) {
    if (!v || v->type != JSON_OBJECT)
        return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < v->len; i++)
        if (v->keys[i].len == klen && memcmp(v->keys[i].str, key, klen) == 0)
            return &v->items[i];
    return NULL;
}

const char *json_get_str(const json_value *v, const char *key) {
    const json_value *m = json_get(v, key);
    return m && m->type == JSON_STRING ? m->str : NULL;
}
