/*
 * text_escape.c — the one escaper of text printed as one line (text_escape.h): kept are a
 * tab, printable ASCII and well-formed UTF-8 but the C1 controls; every other byte is
 * \xHH. Moved here from hwasmd so that hwasmc escapes a module's names the same way.
 */
#include "text_escape.h"

size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!len || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && s[1] < 0xa0) return 0; /* overlong */
    if (c == 0xed && s[1] > 0x9f) return 0; /* surrogate */
    if (c == 0xf0 && s[1] < 0x90) return 0; /* overlong */
    if (c == 0xf4 && s[1] > 0x8f) return 0; /* past U+10FFFF */
    return len;
}

size_t text_unit(const unsigned char *s, size_t n, char esc[4], size_t *width) {
    unsigned char ch = s[0];
    size_t k = ch == '\t' || (ch >= 0x20 && ch < 0x7f) ? 1 : ch >= 0x80 ? utf8_len(s, n) : 0;
    if (k == 2 && ch == 0xc2 && s[1] < 0xa0) k = 0; /* U+0080..U+009F: C1 controls */
    if (k) return *width = k;
    static const char hex[] = "0123456789abcdef";
    esc[0] = '\\', esc[1] = 'x', esc[2] = hex[ch >> 4], esc[3] = hex[ch & 15];
    *width = 4;
    return 1;
}

void text_write_escaped(FILE *f, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* bytes kept as they are, not yet written */
    for (size_t i = 0; i < n;) {
        char esc[4];
        size_t width, k = text_unit(u + i, n - i, esc, &width);
        i += k;
        if (width == k) {
            run += k;
            continue;
        }
        fwrite(u + i - k - run, 1, run, f);
        run = 0;
        fwrite(esc, 1, width, f);
    }
    fwrite(u + n - run, 1, run, f);
}
