/*
 * hwasmd_yaml.c — reads the YAML files hwasmd is given (its configuration, Dapr components)
 * within bounds, so a mistake in one cannot take the process down: the file's size, the
 * nesting depth, the number of anchors and of aliases and the size of the document once
 * aliases are expanded are limited, an alias inside its own anchor (a cycle) and a key given twice in
 * one mapping are errors. The whole stream is checked on libyaml's events first; only a
 * stream that passes is loaded as documents (libyaml's document API, whose aliases share
 * nodes: a cycle there would make every walk of the tree endless).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwasmd_buf.h"
#include "hwasmd_yaml.h"
#include "io_util.h"

/* Set from the command line before any thread starts, read-only after. */
static struct hwd_yaml_limits limits = {
    .bytes = 1u << 20,
    .depth = 64,
    .aliases = 256,
    .expanded = 4u << 20,
};

int hwd_yaml_limit_set(const char *kv) {
    static const struct {
        const char *name;
        size_t off;
    } keys[] = {{"bytes", offsetof(struct hwd_yaml_limits, bytes)},
                {"depth", offsetof(struct hwd_yaml_limits, depth)},
                {"aliases", offsetof(struct hwd_yaml_limits, aliases)},
                {"expanded", offsetof(struct hwd_yaml_limits, expanded)}};
    const char *eq = strchr(kv, '=');
    char *end;
    if (!eq || !eq[1] || eq[1] == '-') return -1;
    errno = 0;
    unsigned long long v = strtoull(eq + 1, &end, 10);
    if (*end || errno || v == 0 || v > (1ull << 40)) return -1;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i].name) == (size_t)(eq - kv) && !memcmp(kv, keys[i].name, (size_t)(eq - kv))) {
            *(uint64_t *)((char *)&limits + keys[i].off) = v;
            return 0;
        }
    return -1;
}

int hwd_yaml_vfail(char *msg, size_t cap, const char *path, size_t line, const char *fmt, va_list ap) {
    char what[400];
    vsnprintf(what, sizeof what, fmt, ap);
    snprintf(msg, cap, "hwasmd: %s:%zu: %s", path, line + 1, what);
    return -1;
}

static int fail(char *msg, size_t cap, const char *path, size_t line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hwd_yaml_vfail(msg, cap, path, line, fmt, ap);
    va_end(ap);
    return -1;
}

/* --- the check, on events ------------------------------------------------------------------ */

struct anchor {
    char *name;
    uint64_t size; /* of the node once expanded, known when it closes */
    int open;      /* the node is still being read: an alias to it is a cycle */
    size_t line;
};

struct key {
    const char *s; /* a copy */
    size_t len, line;
};

/* An open sequence or mapping. */
struct level {
    uint64_t total_at_start; /* its size is the running total at its end minus this */
    long anchor;             /* index in anchors, or -1 */
    int mapping;
    size_t items;  /* in a mapping, an even count means the next node is a key */
    size_t key0;   /* its keys are keys[key0..] */
};

struct check {
    const char *path;
    char *msg;
    size_t cap;
    struct anchor *anchors;
    size_t n_anchors, anchors_cap;
    struct key *keys;
    size_t n_keys, keys_cap;
    struct level *levels;
    size_t depth, levels_cap;
    uint64_t total, aliases, n_anchors_seen;
};

static int grow(void **p, size_t *cap, size_t need, size_t each) {
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need) n *= 2;
    void *np = realloc(*p, n * each);
    if (!np) return -1;
    *p = np;
    *cap = n;
    return 0;
}

/* Adds n to the expanded size; alias says whether an alias is what added it. */
static int add(struct check *c, uint64_t n, int alias, size_t line) {
    c->total += n;
    if (c->total <= limits.expanded) return 0;
    return fail(c->msg, c->cap, c->path, line,
                alias ? "aliases expand the document beyond %llu (its size: scalar bytes plus one per "
                        "node; --config-limit expanded=N)"
                      : "the document is larger than %llu (scalar bytes plus one per node; "
                        "--config-limit expanded=N)",
                (unsigned long long)limits.expanded);
}

/* The node at hand sits in the innermost level: count it, note a scalar key. */
static int item(struct check *c, const char *key, size_t key_len, size_t line) {
    if (!c->depth) return 0;
    struct level *l = &c->levels[c->depth - 1];
    if (l->mapping && l->items % 2 == 0 && key) {
        if (grow((void **)&c->keys, &c->keys_cap, c->n_keys + 1, sizeof *c->keys)) return -1;
        char *s = malloc(key_len + 1);
        if (!s) return -1;
        memcpy(s, key, key_len);
        s[key_len] = 0;
        c->keys[c->n_keys++] = (struct key){s, key_len, line};
    }
    l->items++;
    return 0;
}

static int anchor_add(struct check *c, const yaml_char_t *name, uint64_t size, int open, size_t line) {
    if (!name) return 0;
    /* libyaml's loader compares each anchor with every earlier one: their number is
     * bounded too, or 40 000 of them would take seconds */
    if (++c->n_anchors_seen > limits.aliases) return -3;
    if (grow((void **)&c->anchors, &c->anchors_cap, c->n_anchors + 1, sizeof *c->anchors)) return -2;
    char *s = strdup((const char *)name);
    if (!s) return -2;
    c->anchors[c->n_anchors++] = (struct anchor){s, size, open, line};
    return 0;
}

static int key_cmp(const void *a, const void *b) {
    const struct key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int d = memcmp(x->s, y->s, n);
    if (d) return d;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* The keys of a mapping that just closed: any given twice is an error at its second use
 * (the earliest such in the file). */
static int keys_check(struct check *c, size_t key0) {
    if (c->n_keys == key0) return 0; /* no keys (and, before the first, no array) */
    struct key *k = c->keys + key0;
    size_t n = c->n_keys - key0, dup = 0, first = 0;
    qsort(k, n, sizeof *k, key_cmp);
    for (size_t i = 1, group = 0; i < n; i++) {
        if (k[i].len != k[group].len || memcmp(k[i].s, k[group].s, k[i].len)) {
            group = i;
            continue;
        }
        if (!dup || k[i].line < k[dup].line) dup = i, first = group;
    }
    int rc = 0;
    if (dup)
        rc = fail(c->msg, c->cap, c->path, k[dup].line, "duplicate key \"%.100s\" (lines %zu and %zu)", k[dup].s,
                  k[first].line + 1, k[dup].line + 1);
    for (size_t i = 0; i < n; i++) free((char *)k[i].s);
    c->n_keys = key0;
    return rc;
}

static int event(struct check *c, const yaml_event_t *e) {
    size_t line = e->start_mark.line;
    switch (e->type) {
    case YAML_SCALAR_EVENT: {
        if (item(c, (const char *)e->data.scalar.value, e->data.scalar.length, line)) return -2;
        uint64_t n = 1 + e->data.scalar.length;
        int rc = anchor_add(c, e->data.scalar.anchor, n, 0, line);
        if (rc) return rc;
        return add(c, n, 0, line);
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)e->data.alias.anchor;
        if (++c->aliases > limits.aliases)
            return fail(c->msg, c->cap, c->path, line, "more than %llu aliases (--config-limit aliases=N)",
                        (unsigned long long)limits.aliases);
        size_t i = c->n_anchors;
        while (i > 0 && strcmp(c->anchors[i - 1].name, name)) i--;
        if (i == 0) return fail(c->msg, c->cap, c->path, line, "alias *%.100s: no anchor &%.100s before it", name, name);
        struct anchor *a = &c->anchors[i - 1];
        if (a->open)
            return fail(c->msg, c->cap, c->path, line,
                        "alias *%.100s is inside its own anchor &%.100s (line %zu): a cycle", name, name, a->line + 1);
        if (item(c, NULL, 0, line)) return -2;
        return add(c, a->size, 1, line);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (c->depth >= limits.depth)
            return fail(c->msg, c->cap, c->path, line, "nested too deep: more than %llu levels (--config-limit depth=N)",
                        (unsigned long long)limits.depth);
        if (item(c, NULL, 0, line)) return -2;
        const yaml_char_t *anchor = e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.anchor
                                                                          : e->data.mapping_start.anchor;
        if (grow((void **)&c->levels, &c->levels_cap, c->depth + 1, sizeof *c->levels)) return -2;
        c->levels[c->depth++] = (struct level){
            .total_at_start = c->total,
            .anchor = anchor ? (long)c->n_anchors : -1,
            .mapping = e->type == YAML_MAPPING_START_EVENT,
            .key0 = c->n_keys,
        };
        int rc = anchor_add(c, anchor, 0, 1, line);
        if (rc) return rc;
        return add(c, 1, 0, line);
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        if (!c->depth) return 0; /* libyaml pairs them: cannot happen */
        struct level *l = &c->levels[--c->depth];
        if (l->anchor >= 0) {
            c->anchors[l->anchor].size = c->total - l->total_at_start;
            c->anchors[l->anchor].open = 0;
        }
        return l->mapping ? keys_check(c, l->key0) : 0;
    }
    case YAML_DOCUMENT_END_EVENT: /* anchors belong to their document */
        for (size_t i = 0; i < c->n_anchors; i++) free(c->anchors[i].name);
        c->n_anchors = 0;
        return 0;
    default:
        return 0;
    }
}

/* Runs the whole stream through event(); 0, or -1 with the message written. */
static int check_stream(struct check *c, const unsigned char *text, size_t len) {
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, text, len);
    int rc = 0, done = 0;
    while (!rc && !done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            rc = fail(c->msg, c->cap, c->path, p.problem_mark.line, "%s", p.problem ? p.problem : "YAML syntax error");
            break;
        }
        done = e.type == YAML_STREAM_END_EVENT;
        rc = event(c, &e);
        if (rc == -2) rc = fail(c->msg, c->cap, c->path, e.start_mark.line, "out of memory");
        if (rc == -3)
            rc = fail(c->msg, c->cap, c->path, e.start_mark.line, "more than %llu anchors (--config-limit aliases=N)",
                      (unsigned long long)limits.aliases);
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    for (size_t i = 0; i < c->n_anchors; i++) free(c->anchors[i].name);
    for (size_t i = 0; i < c->n_keys; i++) free((char *)c->keys[i].s);
    free(c->anchors);
    free(c->keys);
    free(c->levels);
    return rc;
}

/* --- reading ------------------------------------------------------------------------------- */

/* The file, whole, if it is within the size limit; a FIFO, a device or a folder is refused
 * before a byte is read (open_regular). */
static int read_bounded(struct hwd_yaml *y, char *msg, size_t cap) {
    char why[128];
    FILE *f = fopen_regular(y->path, "rb", UINT64_MAX, NULL, why, sizeof why);
    if (!f) return snprintf(msg, cap, "hwasmd: %s: %s", y->path, why), -1;
    size_t n = 0, alloc = 0, want = (size_t)limits.bytes + 1; /* one more byte: too big */
    unsigned char *buf = NULL;
    int rc = 0;
    while (n < want) {
        if (n == alloc) {
            size_t a = alloc ? alloc * 2 : 16384;
            unsigned char *nb = realloc(buf, a < want ? a : want);
            if (!nb) {
                rc = fail(msg, cap, y->path, 0, "out of memory");
                break;
            }
            buf = nb;
            alloc = a < want ? a : want;
        }
        size_t got = fread(buf + n, 1, alloc - n, f);
        n += got;
        if (got == 0) break;
    }
    if (!rc && ferror(f)) {
        snprintf(msg, cap, "hwasmd: %s: %s", y->path, strerror(errno));
        rc = -1;
    }
    if (!rc && n == want) {
        size_t line = 0;
        for (size_t i = 0; i < limits.bytes; i++) line += buf[i] == '\n';
        rc = fail(msg, cap, y->path, line, "the file is larger than %llu bytes (--config-limit bytes=N)",
                  (unsigned long long)limits.bytes);
    }
    fclose(f);
    if (rc) {
        free(buf);
        return -1;
    }
    y->text = buf;
    y->len = n;
    return 0;
}

int hwd_yaml_open(struct hwd_yaml *y, const char *path, char *msg, size_t cap) {
    memset(y, 0, sizeof *y);
    y->path = path;
    if (read_bounded(y, msg, cap)) return -1;
    struct check c = {.path = path, .msg = msg, .cap = cap};
    if (check_stream(&c, y->text ? y->text : (const unsigned char *)"", y->len)) {
        free(y->text);
        y->text = NULL;
        return -1;
    }
    yaml_parser_initialize(&y->parser);
    yaml_parser_set_input_string(&y->parser, y->text ? y->text : (const unsigned char *)"", y->len);
    y->ready = 1;
    return 0;
}

int hwd_yaml_next(struct hwd_yaml *y, yaml_document_t *doc, char *msg, size_t cap) {
    if (yaml_parser_load(&y->parser, doc)) return 0;
    return fail(msg, cap, y->path, y->parser.problem_mark.line, "%s",
                y->parser.problem ? y->parser.problem : "YAML syntax error");
}

void hwd_yaml_close(struct hwd_yaml *y) {
    if (y->ready) yaml_parser_delete(&y->parser);
    free(y->text);
    memset(y, 0, sizeof *y);
}

/* --- values -------------------------------------------------------------------------------- */

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (so not "+1", ".5", "01",
 * "inf" or "0x10", which strtod takes). */
static int json_number(const char *s) {
    if (*s == '-') s++;
    if (*s == '0') s++;
    else if (*s >= '1' && *s <= '9') while (*s >= '0' && *s <= '9') s++;
    else return 0;
    if (*s == '.') {
        if (!(*++s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    if (*s == 'e' || *s == 'E') {
        if (*++s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    return !*s;
}

/* Writes a node as JSON: plain scalars reading as numbers, true, false or null stay bare. */
static void hwd_yaml_json(yaml_document_t *doc, yaml_node_t *n, FILE *f) {
    if (n->type == YAML_SCALAR_NODE) {
        const char *s = (const char *)n->data.scalar.value;
        size_t len = n->data.scalar.length;
        int bare = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strlen(s) == len &&
                   (!strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "null") || json_number(s));
        if (bare) fwrite(s, 1, len, f);
        else hwd_json_string(f, (const char *)n->data.scalar.value, len);
    } else if (n->type == YAML_SEQUENCE_NODE) {
        fputc('[', f);
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            if (it != n->data.sequence.items.start) fputc(',', f);
            hwd_yaml_json(doc, yaml_document_get_node(doc, *it), f);
        }
        fputc(']', f);
    } else {
        fputc('{', f);
        for (yaml_node_pair_t *kv = n->data.mapping.pairs.start; kv < n->data.mapping.pairs.top; kv++) {
            if (kv != n->data.mapping.pairs.start) fputc(',', f);
            yaml_node_t *k = yaml_document_get_node(doc, kv->key);
            if (k->type == YAML_SCALAR_NODE) hwd_json_string(f, (const char *)k->data.scalar.value, k->data.scalar.length);
            else fputs("\"?\"", f); /* keys are strings in JSON */
            fputc(':', f);
            hwd_yaml_json(doc, yaml_document_get_node(doc, kv->value), f);
        }
        fputc('}', f);
    }
}

static int b64(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Standard base64 with padding; whitespace (YAML folds long !!binary lines) is skipped. */
static int base64_decode(const unsigned char *s, size_t n, char *out, size_t *len) {
    uint32_t acc = 0;
    size_t o = 0, bits = 0, pad = 0, chars = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        chars++;
        if (c == '=') {
            if (++pad > 2) return -1;
            continue;
        }
        int v = b64(c);
        if (v < 0 || pad) return -1;
        acc = acc << 6 | (uint32_t)v;
        if ((bits += 6) >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xff);
        }
    }
    if (chars % 4) return -1;
    *len = o;
    return 0;
}

int hwd_yaml_bytes(yaml_document_t *doc, yaml_node_t *n, char **out, size_t *len, char *why, size_t cap) {
    if (n->type != YAML_SCALAR_NODE) {
        char *buf = NULL;
        size_t blen = 0;
        FILE *f = open_memstream(&buf, &blen);
        if (!f) return snprintf(why, cap, "out of memory"), -1;
        hwd_yaml_json(doc, n, f);
        if (fclose(f)) return free(buf), snprintf(why, cap, "out of memory"), -1;
        *out = buf;
        *len = blen;
        return 0;
    }
    const unsigned char *s = n->data.scalar.value;
    size_t sl = n->data.scalar.length;
    char *buf = malloc(sl + 1);
    if (!buf) return snprintf(why, cap, "out of memory"), -1;
    const char *tag = (const char *)n->tag;
    if (tag && !strcmp(tag, "tag:yaml.org,2002:binary")) {
        if (base64_decode(s, sl, buf, len)) {
            free(buf);
            return snprintf(why, cap, "!!binary: not valid base64"), -1;
        }
    } else {
        memcpy(buf, s, sl);
        *len = sl;
    }
    buf[*len] = 0;
    *out = buf;
    return 0;
}
