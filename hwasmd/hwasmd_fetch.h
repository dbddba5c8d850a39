/*
 * hwasmd_fetch.h — modules named by a url in Dapr files, brought into the private cache
 * folder before they are compiled (hwasmd_fetch.c; the downloads: hwasmd_http_get.c for
 * http:// and https://, hwasmd_oci.c for oci://).
 */
#ifndef HWASMD_FETCH_H
#define HWASMD_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "hwasmd_http_get.h"

/* Brings url's module into the cache folder (dirfd, named dir) as url-SHA256.wasm and sets
 * *path (malloc'd) to it. With pin (a sha256), a copy already in the cache with those
 * bytes is used without downloading, and downloaded bytes must have it. 0, or -1 and why. */
int hwd_fetch(const char *url, int dirfd, const char *dir, const uint8_t pin[32], char **path, char *why,
              size_t cap);

#endif /* HWASMD_FETCH_H */
