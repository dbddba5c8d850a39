/*
 * hwasmd_fetch.h — modules named by a url in Dapr files (hwasmd_fetch.c: http://, https://;
 * hwasmd_oci.c: oci://), brought into the private cache folder before they are compiled.
 */
#ifndef HWASMD_FETCH_H
#define HWASMD_FETCH_H

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

/* GETs url (http or https only, redirects included, gzip/deflate decoded) with the extra
 * header lines (NULL-ended, may be NULL), at most max bytes. 0 with *out filled (any status:
 * the caller judges it), or -1 and why (transport failure, too big, too slow). */
int hwd_http_get(const char *url, const char *const *headers, uint64_t max, struct hwd_blob *out, char *why,
                 size_t cap);

/* Pulls the wasm layer of an OCI artifact, ref "REGISTRY/REPO:TAG" or
 * "REGISTRY/REPO@sha256:HEX" (hwasmd_oci.c). 0 with the layer's bytes (their digest checked), or
 * -1 and why. */
int hwd_oci_pull(const char *ref, struct hwd_blob *out, char *why, size_t cap);

/* Brings url's module into the cache folder (dirfd, named dir) as url-SHA256.wasm and sets
 * *path (malloc'd) to it. With pin (a sha256), a copy already in the cache with those
 * bytes is used without downloading, and downloaded bytes must have it. 0, or -1 and why. */
int hwd_fetch(const char *url, int dirfd, const char *dir, const uint8_t pin[32], char **path, char *why,
              size_t cap);

#endif /* HWASMD_FETCH_H */
