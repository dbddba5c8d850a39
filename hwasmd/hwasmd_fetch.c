/*
 * hwasmd_fetch.c — downloads modules named by http:// and https:// urls (Dapr's `url:`)
 * with libcurl, and keeps every fetched module in the private cache folder under its
 * sha256 (url-SHA256.wasm). A download is bounded in bytes (after gzip is decoded, so a
 * small compressed answer cannot expand without limit) and in time, follows at most 5
 * redirects and only to http or https. A pinned module found in the cache with the pinned
 * bytes is used as is: a pinned configuration starts without the network once fetched.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"
#include "hwasmd_fetch.h"

static struct {
    uint64_t bytes;
    uint64_t timeout_ms;
} limits = {64u << 20, 30000};

int hwd_fetch_limit_set(const char *kv) {
    const char *eq = strchr(kv, '=');
    char *end;
    if (!eq || !eq[1] || eq[1] == '-') return -1;
    errno = 0;
    unsigned long long v = strtoull(eq + 1, &end, 10);
    if (*end || errno || v == 0 || v > (1ull << 32)) return -1;
    size_t n = (size_t)(eq - kv);
    if (n == 5 && !memcmp(kv, "bytes", 5)) limits.bytes = v;
    else if (n == 10 && !memcmp(kv, "timeout_ms", 10)) limits.timeout_ms = v;
    else return -1;
    return 0;
}

uint64_t hwd_fetch_max_bytes(void) { return limits.bytes; }

int hwd_is_url(const char *s) {
    return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8) || !strncmp(s, "oci://", 6);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

struct sink {
    struct hwd_blob *b;
    size_t cap;
    uint64_t max;
    int over;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    struct sink *s = ud;
    size_t k = size * n;
    if (s->b->len + k > s->max) {
        s->over = 1;
        return 0; /* aborts the transfer */
    }
    if (s->b->len + k > s->cap) {
        size_t c = s->cap ? s->cap * 2 : 65536;
        while (c < s->b->len + k) c *= 2;
        uint8_t *np = realloc(s->b->p, c);
        if (!np) return 0;
        s->b->p = np;
        s->cap = c;
    }
    memcpy(s->b->p + s->b->len, p, k);
    s->b->len += k;
    return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    struct hwd_blob *b = ud;
    size_t k = size * n;
    if (k > 17 && !strncasecmp(p, "WWW-Authenticate:", 17)) {
        size_t o = 17;
        while (o < k && p[o] == ' ') o++;
        size_t l = k - o;
        while (l && (p[o + l - 1] == '\r' || p[o + l - 1] == '\n')) l--;
        snprintf(b->challenge, sizeof b->challenge, "%.*s", (int)l, p + o);
    }
    if (k > 5 && !strncmp(p, "HTTP/", 5)) b->challenge[0] = 0; /* a new answer (redirect) */
    return k;
}

int hwd_http_get(const char *url, const char *const *headers, uint64_t max, struct hwd_blob *out, char *why,
                 size_t cap) {
    memset(out, 0, sizeof *out);
    pthread_once(&curl_once, curl_init);
    CURL *h = curl_easy_init();
    if (!h) return snprintf(why, cap, "cannot start libcurl"), -1;
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++) hl = curl_slist_append(hl, headers[i]);
    struct sink s = {.b = out, .max = max};
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)limits.timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);           /* other threads run meanwhile */
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");    /* every encoding libcurl decodes */
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "hwasmd");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    if (hl) curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    CURLcode rc = curl_easy_perform(h);
    char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
        snprintf(out->ctype, sizeof out->ctype, "%s", ct);
    curl_easy_cleanup(h);
    curl_slist_free_all(hl);
    if (rc == CURLE_OK) return 0;
    if (s.over || rc == CURLE_FILESIZE_EXCEEDED)
        snprintf(why, cap, "%.300s: larger than %llu bytes (--fetch-limit bytes=N)", url, (unsigned long long)max);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(why, cap, "%.300s: not fetched within %llu ms (--fetch-limit timeout_ms=N)", url,
                 (unsigned long long)limits.timeout_ms);
    else
        snprintf(why, cap, "%.300s: %.300s", url, err[0] ? err : curl_easy_strerror(rc));
    free(out->p);
    out->p = NULL;
    return -1;
}

static void hex(const uint8_t d[32], char out[65]) {
    for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

/* A cached url-HEX.wasm whose bytes still have that sha256: 0 (path set), else -1. */
static int cached(int dirfd, const char *dir, const uint8_t d[32], char **path) {
    char name[128], h[65];
    hex(d, h);
    snprintf(name, sizeof name, "url-%s.wasm", h);
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    uint8_t got[32];
    int ok = 0;
    if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size <= limits.bytes) {
        uint8_t *b = malloc((size_t)st.st_size + 1);
        if (b && read(fd, b, (size_t)st.st_size) == st.st_size) {
            sha256(b, (size_t)st.st_size, got);
            ok = !memcmp(got, d, 32);
        }
        free(b);
    }
    close(fd);
    return ok && asprintf(path, "%s/%s", dir, name) >= 0 ? 0 : -1;
}

/* Stores bytes as url-HEX.wasm (a temporary renamed into place, never through a link). */
static int store(int dirfd, const char *dir, const uint8_t *b, size_t n, const uint8_t d[32], char **path,
                 char *why, size_t cap) {
    char name[128], tmp[160], h[65];
    hex(d, h);
    snprintf(name, sizeof name, "url-%s.wasm", h);
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", name, (int)getpid());
    unlinkat(dirfd, tmp, 0);
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    size_t done = 0;
    while (fd >= 0 && done < n) {
        ssize_t w = write(fd, b + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        done += (size_t)w;
    }
    if (fd < 0 || done < n || close(fd) || renameat(dirfd, tmp, dirfd, name)) {
        snprintf(why, cap, "%.300s: cannot store a fetched module: %s", dir, strerror(errno));
        if (fd >= 0) unlinkat(dirfd, tmp, 0);
        return -1;
    }
    return asprintf(path, "%s/%s", dir, name) < 0 ? snprintf(why, cap, "out of memory"), -1 : 0;
}

int hwd_fetch(const char *url, int dirfd, const char *dir, const uint8_t pin[32], char **path, char *why,
              size_t cap) {
    *path = NULL;
    if (dirfd < 0) return snprintf(why, cap, "no cache folder to fetch %s into", url), -1;
    if (pin && !cached(dirfd, dir, pin, path)) return 0;
    struct hwd_blob b;
    if (!strncmp(url, "oci://", 6)) {
        if (hwd_oci_pull(url + 6, &b, why, cap)) return -1;
    } else {
        if (hwd_http_get(url, NULL, limits.bytes, &b, why, cap)) return -1;
        if (b.status != 200) {
            free(b.p);
            return snprintf(why, cap, "%.300s: the server answered %ld", url, b.status), -1;
        }
    }
    uint8_t d[32];
    sha256(b.p ? b.p : (const uint8_t *)"", b.len, d);
    if (pin && memcmp(d, pin, 32)) {
        char have[65], want[65];
        hex(d, have);
        hex(pin, want);
        free(b.p);
        return snprintf(why, cap, "%.300s: refused: its sha256 is %s, the pin is %s", url, have, want), -1;
    }
    int rc = store(dirfd, dir, b.p ? b.p : (const uint8_t *)"", b.len, d, path, why, cap);
    free(b.p);
    return rc;
}
