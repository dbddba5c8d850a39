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
 * Returns 0, or -1 when the request must be refused (400): an escape that is not '%' and
 * two hex digits, an encoded '/' (%2F) or NUL (%00), or a ".." above the root. */
int hwd_path_normalize(const char *p, size_t n, char *out, size_t *out_len);

#endif /* HWASMD_PATH_H */
