/*
 * hwasmd_path.c — the path routes are matched on. A route guards a path only if every
 * spelling of that path reaches it: the app (or the framework under it) decodes %61 to 'a',
 * resolves dot-segments and often merges slashes, so routing does the same first (as nginx
 * does for its locations, as Envoy does with normalize_path and merge_slashes). Spellings
 * that have no single meaning (an encoded '/', an encoded NUL, a broken escape, a ".."
 * above the root) are refused instead. Pure functions over bytes, unit-tested on their own.
 */
#include <string.h>

#include "hwasmd_path.h"

int hwd_path_is_normal(const char *p, size_t n) {
    if (n == 0 || p[0] != '/' || memchr(p, '%', n)) return 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (p[i] == '/' && (p[i + 1] == '/' || p[i + 1] == '.')) return 0;
    return 1;
}

static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int unreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* out[0..o) always ends with '/' at the top of the loop: the segment read next is written
 * after it, then kept (a '/' follows if the input had one), dropped (".") or dropped with
 * the segment before it (".."). */
int hwd_path_normalize(const char *p, size_t n, char *out, size_t *out_len) {
    static const char digits[] = "0123456789ABCDEF";
    if (n == 0 || p[0] != '/') return -1;
    size_t i = 1, o = 0;
    out[o++] = '/';
    for (;;) {
        while (i < n && p[i] == '/') i++; /* "//" is "/" */
        if (i == n) break;
        size_t seg = o;
        while (i < n && p[i] != '/') {
            if (p[i] != '%') {
                out[o++] = p[i++];
                continue;
            }
            int hi = i + 2 < n ? hex(p[i + 1]) : -1, lo = hi >= 0 ? hex(p[i + 2]) : -1;
            if (lo < 0) return -1;
            int v = hi * 16 + lo;
            if (v == 0 || v == '/') return -1;
            if (unreserved(v)) {
                out[o++] = (char)v;
            } else {
                out[o++] = '%';
                out[o++] = digits[hi];
                out[o++] = digits[lo];
            }
            i += 3;
        }
        size_t len = o - seg;
        int more = i < n; /* p[i] is '/' */
        if (len == 1 && out[seg] == '.') {
            o = seg;
        } else if (len == 2 && out[seg] == '.' && out[seg + 1] == '.') {
            if (seg == 1) return -1; /* above the root */
            o = seg - 1;
            while (out[o - 1] != '/') o--;
        } else if (more) {
            out[o++] = '/';
        }
        if (!more) break;
        i++;
    }
    *out_len = o;
    return 0;
}
