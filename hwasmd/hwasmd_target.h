/*
 * hwasmd_target.h — what a request's head means for routing (hwasmd_target.c): the
 * normalised path and the host routes are matched on, read once from the request line and
 * the Host header, or the reason the request has no single meaning.
 */
#ifndef HWASMD_TARGET_H
#define HWASMD_TARGET_H

#include <stddef.h>

#include <hwasm/hwasm_http.h>

struct hwd_target {
    const char *path; /* what routes match: normalised, without the query */
    size_t path_len;
    const char *host; /* the host without port or trailing dot; NULL: none (HTTP/1.0) */
    size_t host_len;
    size_t origin;  /* where the origin-form starts in the target (0, or past the authority) */
    size_t raw_end; /* where the received path ends in the target (its query, or the end) */
    char *buf;      /* malloc'd: the path when it needed normalising, else NULL */
    /* The path holds an encoded '/' (%2F): path is its reading with %2F an ordinary byte
     * (HWD_SLASH_KEEP), slash_path the reading with %2F a separator (HWD_SLASH_DECODE), as
     * an app that decodes it first reads it. Only a route with encoded_slashes: keep that
     * both readings choose takes it (hwasmd_request.c); else 400. */
    int slash;
    const char *slash_path;
    size_t slash_len;
};

/* Reads q's target and Host header(s) into t (which then points into q's strings: valid
 * until q's target or headers change). http11: the request is HTTP/1.1. Returns 0, or 400
 * when the request is refused: a target neither origin-form ("/...") nor absolute-form
 * ("http://host/..."), a path hwd_path_normalize refuses (but for an encoded '/' that
 * both readings take: t->slash, the caller decides), no Host in HTTP/1.1, more than one
 * Host, an invalid host, or a Host the absolute-form's authority contradicts.
 * Allocates only when the path is not already normal (t->buf; hwd_target_free frees it). */
int hwd_target_parse(const hw_http_request *q, int http11, struct hwd_target *t);

/* Rewrites q's target for the guests and the app: an absolute-form target becomes its
 * origin-form (its authority the Host header when the request has none); with normalized,
 * the path becomes the normalised one (the query kept as received). t is spent (freed)
 * after this. 0, or -1 when out of memory. */
int hwd_target_forward(hw_http_request *q, struct hwd_target *t, int normalized);

void hwd_target_free(struct hwd_target *t);

#endif /* HWASMD_TARGET_H */
