/*
 * hwasmd_fetch.c — brings a module named by a url (Dapr's `url:`: http://, https:// through
 * hwasmd_http_get.c, oci:// through hwasmd_oci.c) into the private cache folder under its
 * sha256 (url-SHA256.wasm). A pinned module found in the cache with the pinned bytes is used
 * as is: a pinned configuration starts without the network once fetched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io_util.h"
#include "sha256.h"
#include "hwasmd_fetch.h"
#include "hwasmd_oci.h"

/* A cached url-HEX.wasm whose bytes still have that sha256: 0 (path set), else -1. */
static int cached(int dirfd, const char *dir, const uint8_t d[32], char **path) {
    char name[128], h[65];
    sha256_hex(d, h);
    snprintf(name, sizeof name, "url-%s.wasm", h);
    char why[160];
    uint64_t size;
    int fd = open_regular(dirfd, name, O_NOFOLLOW, hwd_fetch_max_bytes(), NULL, &size, why, sizeof why);
    if (fd < 0) return -1;
    uint8_t got[32];
    int ok = 0;
    uint8_t *b = malloc((size_t)size + 1);
    if (b && read(fd, b, (size_t)size) == (ssize_t)size) {
        sha256(b, (size_t)size, got);
        ok = !memcmp(got, d, 32);
    }
    free(b);
    close(fd);
    return ok && asprintf(path, "%s/%s", dir, name) >= 0 ? 0 : -1;
}

/* Stores bytes as url-HEX.wasm (a temporary renamed into place, never through a link). */
static int store(int dirfd, const char *dir, const uint8_t *b, size_t n, const uint8_t d[32], char **path,
                 char *why, size_t cap) {
    char name[128], tmp[160], h[65];
    sha256_hex(d, h);
    snprintf(name, sizeof name, "url-%s.wasm", h);
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", name, (int)getpid());
    unlinkat(dirfd, tmp, 0);
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int bad = fd < 0 || write_all(fd, b, n);
    if (fd >= 0 && close(fd)) bad = 1;
    if (bad || renameat(dirfd, tmp, dirfd, name)) {
        snprintf(why, cap, "%.300s: cannot store a fetched module: %s", dir, strerror(errno));
        if (fd >= 0) unlinkat(dirfd, tmp, 0);
        return -1;
    }
    return asprintf(path, "%s/%s", dir, name) < 0 ? snprintf(why, cap, "out of memory"), -1 : 0;
}

int hwd_fetch(const char *url, int dirfd, const char *dir, const uint8_t pin[32], char **path, char *why,
              size_t cap) {
    *path = NULL;
    char shown[400];
    hwd_url_redact(url, shown, sizeof shown);
    if (dirfd < 0) return snprintf(why, cap, "no cache folder to fetch %s into", shown), -1;
    if (pin && !cached(dirfd, dir, pin, path)) return 0;
    struct hwd_blob b;
    if (!strncmp(url, "oci://", 6)) {
        if (hwd_oci_pull(url + 6, &b, why, cap)) return -1;
    } else {
        if (hwd_http_get(url, NULL, hwd_fetch_max_bytes(), &b, why, cap)) return -1;
        if (b.status != 200) {
            free(b.p);
            return snprintf(why, cap, "%s: the server answered %ld", shown, b.status), -1;
        }
    }
    uint8_t d[32];
    sha256(b.p ? b.p : (const uint8_t *)"", b.len, d);
    if (pin && memcmp(d, pin, 32)) {
        char have[65], want[65];
        sha256_hex(d, have);
        sha256_hex(pin, want);
        free(b.p);
        return snprintf(why, cap, "%s: refused: its sha256 is %s, the pin is %s", shown, have, want), -1;
    }
    int rc = store(dirfd, dir, b.p ? b.p : (const uint8_t *)"", b.len, d, path, why, cap);
    free(b.p);
    return rc;
}
