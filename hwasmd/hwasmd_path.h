/*
 * hwasmd_path.h — the path a route is matched on (hwasmd_path.c): a request target's path
 * as the app will understand it, so /%61pi, //api, /./api and /x/../api all mean /api.
 */
#ifndef HWASMD_PATH_H
#define HWASMD_PATH_H

#include <stddef.h>

/* Whether p[0..n) (a path starting with '/', no query) is already what hwd_path_normalize
 * would make of it. Conservative and cheap: no '%', no "//", no "/." anywhere, so the
 * common request needs no copy. */
int hwd_path_is_normal(const char *p, size_t n);

/* Normalises the path p[0..n) (starting with '/', without its query) into out, which has
 * room for n bytes (the result is never longer; out may be p itself); sets *out_len. Per
 * segment: percent-encoded unreserved characters (ALPHA DIGIT - . _ ~) are decoded, other
 * escapes kept with upper-case hex; then "." and ".." segments are resolved (RFC 3986
 * §5.2.4); runs of '/' count as one. One pass, no recursion, no allocation.
 * Returns 0, or nonzero when the request must be refused (400): -1 for an escape that is
 * not '%' and two hex digits, an encoded NUL (%00) or a ".." above the root, -2 for an
 * encoded '/' (%2F) when nothing else was wrong. */
int hwd_path_normalize(const char *p, size_t n, char *out, size_t *out_len);

/* What an encoded '/' (%2F, %2f) is to hwd_path_normalize_slashes. REJECT: refused (-2).
 * KEEP: an ordinary byte of its segment, kept as "%2F" (never a separator, never part of a
 * "." or ".." segment: "/a/..%2F" keeps "..%2F"). DECODE: a separator, as an app that
 * decodes it before it splits the path reads it ("/a%2F..%2Fb" is "/b"). */
enum hwd_slash { HWD_SLASH_REJECT, HWD_SLASH_KEEP, HWD_SLASH_DECODE };

/* hwd_path_normalize with encoded '/' read as mode says (hwd_path_normalize is REJECT).
 * Returns 0; -2 when the only reason to refuse the path is an encoded '/' (REJECT: the
 * caller may read it again with KEEP and DECODE); -1 for anything else it refuses, %00
 * always among them. */
int hwd_path_normalize_slashes(const char *p, size_t n, char *out, size_t *out_len,
                               enum hwd_slash mode);

#endif /* HWASMD_PATH_H */
