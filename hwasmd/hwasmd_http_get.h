/*
 * hwasmd_http_get.h — one bounded download (hwasmd_http_get.c), under the module urls of
 * hwasmd_fetch.c and hwasmd_oci.c.
 */
#ifndef HWASMD_HTTP_GET_H
#define HWASMD_HTTP_GET_H

#include <stddef.h>
#include <stdint.h>

/* A download: the body (malloc'd) and what the caller may need of the answer. */
struct hwd_blob {
    uint8_t *p;
    size_t len;
    long status;         /* the final HTTP status */
    char ctype[128];     /* its Content-Type */
    char challenge[512]; /* its WWW-Authenticate, when 401 */
};

/* Sets one bound of every download from "NAME=N" (--fetch-limit): bytes (64 MiB, counted
 * after Content-Encoding is decoded) and timeout_ms (30000, the whole transfer, redirects
 * included). 0, or -1 when malformed. Call before any thread starts. */
int hwd_fetch_limit_set(const char *name_eq_value);
/* The byte bound, for callers that need a smaller one (a manifest). */
uint64_t hwd_fetch_max_bytes(void);

/* Whether a module string is a url hwasmd fetches (http://, https://, oci://). */
int hwd_is_url(const char *s);

/* url (any SCHEME://..., an oci:// reference too) as every message prints it, in out
 * (truncated to cap): its userinfo ("user:password@", a token) written ***@, as git and
 * curl hide it, and in a query each value written *** ("?token=***&sig=***", a part
 * without '=' all ***), a fragment #***; the scheme, host, port and path as they are.
 * Anything else (a file path) is copied unchanged. Returns out. */
const char *hwd_url_redact(const char *url, char *out, size_t cap);

/* GETs url (http or https only, redirects included, gzip/deflate decoded) with the extra
 * header lines (NULL-ended, may be NULL), at most max bytes. 0 with *out filled (any status:
 * the caller judges it), or -1 and why (transport failure, too big, too slow). */
int hwd_http_get(const char *url, const char *const *headers, uint64_t max, struct hwd_blob *out, char *why,
                 size_t cap);

#endif /* HWASMD_HTTP_GET_H */
