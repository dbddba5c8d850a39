/*
 * hwasmd_path.c — the path routes are matched on. A route guards a path only if every
 * spelling of that path reaches it: the app (or the framework under it) decodes %61 to 'a',
 * resolves dot-segments and often merges slashes, so routing does the same first (as nginx
 * does for its locations, as Envoy does with normalize_path and merge_slashes). Spellings
 * that have no single meaning (an encoded '/', an encoded NUL, a broken escape, a ".."
 * above the root) are refused instead. An encoded '/' can also be read both ways on
 * purpose (HWD_SLASH_KEEP and HWD_SLASH_DECODE): a route with encoded_slashes: keep takes
 * a request only when both readings choose it (hwasmd_request.c). Pure functions over
 * bytes, unit-tested on their own.
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

/* How many bytes the separator at p[i] takes: 1 for '/', 3 for "%2F" or "%2f" when
 * decoded ones are separators, else 0. */
static size_t sep(const char *p, size_t i, size_t n, enum hwd_slash mode) {
    if (p[i] == '/') return 1;
    if (mode == HWD_SLASH_DECODE && p[i] == '%' && i + 2 < n && p[i + 1] == '2' &&
        (p[i + 2] | 0x20) == 'f')
        return 3;
    return 0;
}

int hwd_path_normalize(const char *p, size_t n, char *out, size_t *out_len) {
    return hwd_path_normalize_slashes(p, n, out, out_len, HWD_SLASH_REJECT);
}

/* out[0..o) always ends with '/' at the top of the loop: the segment read next is written
 * after it, then kept (a '/' follows if the input had one), dropped (".") or dropped with
 * the segment before it (".."). */
int hwd_path_normalize_slashes(const char *p, size_t n, char *out, size_t *out_len,
                               enum hwd_slash mode) {
    static const char digits[] = "0123456789ABCDEF";
    if (n == 0 || p[0] != '/') return -1;
    size_t i = 1, o = 0, s;
    int slash = 0; /* an encoded '/' was refused: -2 rather than -1, unless worse follows */
    out[o++] = '/';
    for (;;) {
        while (i < n && (s = sep(p, i, n, mode))) i += s; /* "//" is "/" */
        if (i == n) break;
        size_t seg = o;
        while (i < n && !sep(p, i, n, mode)) {
            if (p[i] != '%') {
                out[o++] = p[i++];
                continue;
            }
            int hi = i + 2 < n ? hex(p[i + 1]) : -1, lo = hi >= 0 ? hex(p[i + 2]) : -1;
            if (lo < 0) return -1;
            int v = hi * 16 + lo;
            if (v == 0) return -1;
            if (v == '/' && mode == HWD_SLASH_REJECT) slash = 1;
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
        int more = i < n; /* p[i] is a separator */
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
        i += sep(p, i, n, mode);
    }
    *out_len = o;
    return slash ? -2 : 0;
}
