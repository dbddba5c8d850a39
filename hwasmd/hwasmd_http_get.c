/*
 * hwasmd_http_get.c — the downloads under module urls (hwasmd_fetch.c, hwasmd_oci.c): one
 * GET with libcurl, bounded in bytes (after gzip is decoded, so a small compressed answer
 * cannot expand without limit) and in time, following at most 5 redirects and only to http
 * or https (--fetch-limit sets the bounds); and the one way a url is printed in messages
 * (hwd_url_redact), without the credentials it may carry.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwasmd_http_get.h"

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

const char *hwd_url_redact(const char *url, char *out, size_t cap) {
    if (!cap) return out;
    const char *scheme_end = strstr(url, "://");
    if (!scheme_end || strcspn(url, "/?#@") < (size_t)(scheme_end - url)) return snprintf(out, cap, "%s", url), out;
    const char *host = scheme_end + 3, *authority_end = host + strcspn(host, "/?#");
    const char *at = NULL; /* the last '@' of the authority ends its userinfo */
    for (const char *p = host; p < authority_end; p++)
        if (*p == '@') at = p;
    size_t path_len = strcspn(authority_end, "?#");
    int n = snprintf(out, cap, "%.*s%s%.*s%.*s", (int)(host - url), url, at ? "***@" : "",
                     (int)(authority_end - (at ? at + 1 : host)), at ? at + 1 : host, (int)path_len, authority_end);
    /* the query: each value hidden, keys kept (they say what kind of credential it was) */
    const char *q = authority_end + path_len;
    while (*q == '?' || *q == '&') {
        size_t key_len = strcspn(q + 1, "=&#");
        int has_value = q[1 + key_len] == '=';
        if (n >= 0 && (size_t)n < cap)
            n += snprintf(out + n, cap - (size_t)n, "%c%.*s%s", *q, has_value ? (int)key_len : 0, q + 1,
                          has_value ? "=***" : "***");
        q += 1 + strcspn(q + 1, "&#");
    }
    if (*q == '#' && n >= 0 && (size_t)n < cap) snprintf(out + n, cap - (size_t)n, "#***");
    return out;
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
    char shown[400];
    hwd_url_redact(url, shown, sizeof shown);
    if (s.over || rc == CURLE_FILESIZE_EXCEEDED)
        snprintf(why, cap, "%s: larger than %llu bytes (--fetch-limit bytes=N)", shown, (unsigned long long)max);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(why, cap, "%s: not fetched within %llu ms (--fetch-limit timeout_ms=N)", shown,
                 (unsigned long long)limits.timeout_ms);
    else
        snprintf(why, cap, "%s: %.300s", shown, err[0] ? err : curl_easy_strerror(rc));
    free(out->p);
    out->p = NULL;
    return -1;
}
