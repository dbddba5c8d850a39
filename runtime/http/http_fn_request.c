/*
 * http_fn_request.c — the http_handler functions about the module and the request line:
 * enable_features, get_config, log, log_enabled, get/set_method, get/set_uri,
 * get_protocol_version, get_source_addr, get/set_status_code. Each checks its phase and
 * every guest range before it changes anything.
 */
#include <string.h>
#include <strings.h>

#include "http_common.h"

#define HI ((struct http_inst *)env)

/* Traps unless a request is in flight (handle_request or handle_response). */
static void need_request(struct http_inst *hi, hwasm_vmctx *vm, const char *fn) {
    if (hi->phase != PHASE_REQUEST && hi->phase != PHASE_RESPONSE)
        http_trap(hi, vm, fn, "no request in flight");
}

static int buffering_response(const struct http_inst *hi) {
    return (hi->features & HTTP_FEATURE_BUFFER_RESPONSE) != 0;
}

int32_t http_enable_features(void *env, hwasm_vmctx *vm, int32_t features) {
    (void)vm;
    /* only what the embedder honours is granted, and claimed in the answer */
    uint32_t f = (uint32_t)features & HI->mw->cfg.features;
    switch (HI->phase) {
    case PHASE_INIT: return (int32_t)__atomic_or_fetch(&HI->mw->features, f, __ATOMIC_RELAXED);
    case PHASE_REQUEST:
        HI->features |= f;
        if (HI->features & HTTP_FEATURE_BUFFER_REQUEST) HI->x->req.body.retain = 1;
        return (int32_t)HI->features;
    default: /* handle_response: accepted, changes nothing any more */
        return (int32_t)(HI->features | f);
    }
}

int32_t http_get_config(void *env, hwasm_vmctx *vm, int32_t buf, int32_t buf_limit) {
    const struct http_mw *mw = HI->mw;
    return http_write_string(HI, vm, "get_config", (uint32_t)buf, (uint32_t)buf_limit,
                             mw->guest_config, mw->cfg.guest_config_len);
}

void http_log_fn(void *env, hwasm_vmctx *vm, int32_t level, int32_t msg, int32_t msg_len) {
    if (!http_log_enabled(HI->mw, level)) return; /* disabled: memory is not even read */
    const uint8_t *p = guest_bytes(HI, vm, (uint32_t)msg, (uint32_t)msg_len, "log");
    http_log(HI, level, (const char *)p, (uint32_t)msg_len);
}

int32_t http_log_enabled_fn(void *env, hwasm_vmctx *vm, int32_t level) {
    (void)vm;
    return http_log_enabled(HI->mw, level);
}

int32_t http_get_method(void *env, hwasm_vmctx *vm, int32_t buf, int32_t buf_limit) {
    need_request(HI, vm, "get_method");
    const hw_http_str *s = &HI->x->req.method;
    return http_write_string(HI, vm, "get_method", (uint32_t)buf, (uint32_t)buf_limit, s->ptr,
                             s->len);
}

/* A method is a token (RFC 9110 §9.1): anything else ("G:ET", "GET/", bytes >= 0x80) is
 * read one way by the sidecar and another by the app, or breaks the request line. CONNECT
 * is refused too: the sidecar tunnels nothing, and a CONNECT sent to the app could turn a
 * pooled app connection into a tunnel. */
void http_set_method(void *env, hwasm_vmctx *vm, int32_t method, int32_t method_len) {
    const uint8_t *p = guest_bytes(HI, vm, (uint32_t)method, (uint32_t)method_len, "set_method");
    need_request(HI, vm, "set_method");
    if (HI->phase != PHASE_REQUEST)
        http_trap(HI, vm, "set_method", "can't set method after next handler");
    if (method_len == 0) http_trap(HI, vm, "set_method", "HTTP method cannot be empty");
    if (!hw_http_field_name_valid((const char *)p, (uint32_t)method_len))
        http_trap(HI, vm, "set_method", "invalid HTTP method (not a token)");
    if (method_len == 7 && !strncasecmp((const char *)p, "CONNECT", 7))
        http_trap(HI, vm, "set_method", "CONNECT is not allowed");
    http_header_bytes(HI, vm, "set_method", (uint32_t)method_len);
    if (hw_http_str_set(&HI->x->req.method, (const char *)p, (uint32_t)method_len))
        http_trap(HI, vm, "set_method", "out of host memory");
}

/* The origin form of a stored target: an absolute-form target ("http://h/p?q") loses its
 * scheme and authority, and an empty path reads as "/". */
static void origin_form(const hw_http_str *t, const char **p, size_t *n) {
    const char *s = t->ptr ? t->ptr : "";
    size_t len = t->len;
    size_t skip = len >= 7 && !strncasecmp(s, "http://", 7)    ? 7
                  : len >= 8 && !strncasecmp(s, "https://", 8) ? 8
                                                               : 0;
    if (skip) {
        const char *end = s + len, *q = s + skip;
        while (q < end && *q != '/' && *q != '?')
            q++;
        len = (size_t)(end - q);
        s = q;
    }
    if (len == 0) {
        s = "/";
        len = 1;
    }
    *p = s;
    *n = len;
}

int32_t http_get_uri(void *env, hwasm_vmctx *vm, int32_t buf, int32_t buf_limit) {
    need_request(HI, vm, "get_uri");
    const char *p;
    size_t n;
    origin_form(&HI->x->req.target, &p, &n);
    return http_write_string(HI, vm, "get_uri", (uint32_t)buf, (uint32_t)buf_limit, p, n);
}

void http_set_uri(void *env, hwasm_vmctx *vm, int32_t uri, int32_t uri_len) {
    const uint8_t *p = guest_bytes(HI, vm, (uint32_t)uri, (uint32_t)uri_len, "set_uri");
    need_request(HI, vm, "set_uri");
    if (HI->phase != PHASE_REQUEST)
        http_trap(HI, vm, "set_uri", "can't set uri after next handler");
    uint32_t n = (uint32_t)uri_len;
    /* Origin form only, as host-go keeps only the path and query: an absolute-form target
     * ("http://evil/x") sends the app to another host than the Host guests see, "*" and
     * "abc" are no path, and a '#' ends the path early for some readers only. "" and
     * "?q" read as "/" and "/?q" (the router example strips a prefix that way). */
    if (n && p[0] != '/' && p[0] != '?')
        http_trap(HI, vm, "set_uri", "invalid request target (not a path starting with '/')");
    if (n && memchr(p, '#', n))
        http_trap(HI, vm, "set_uri", "invalid request target (a fragment '#')");
    http_header_bytes(HI, vm, "set_uri", n);
    /* Percent-encode bytes that cannot appear in a request-target (spaces, controls), as
     * host-go's read-back does; everything else is kept byte-exact. */
    size_t extra = 0;
    for (uint32_t i = 0; i < n; i++)
        if (p[i] <= ' ' || p[i] >= 0x7f) extra += 2;
    int slash = n == 0 || p[0] == '?';
    char *t = (char *)http_scratch(HI, vm, n + extra + 2, "set_uri");
    size_t k = 0;
    if (slash) t[k++] = '/';
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] <= ' ' || p[i] >= 0x7f) {
            static const char hex[] = "0123456789ABCDEF";
            t[k++] = '%';
            t[k++] = hex[p[i] >> 4];
            t[k++] = hex[p[i] & 15];
        } else {
            t[k++] = (char)p[i];
        }
    }
    if (hw_http_str_set(&HI->x->req.target, t, k))
        http_trap(HI, vm, "set_uri", "out of host memory");
}

int32_t http_get_protocol_version(void *env, hwasm_vmctx *vm, int32_t buf, int32_t buf_limit) {
    need_request(HI, vm, "get_protocol_version");
    const hw_http_str *s = &HI->x->req.protocol;
    if (s->len == 0) http_trap(HI, vm, "get_protocol_version", "protocol unknown");
    return http_write_string(HI, vm, "get_protocol_version", (uint32_t)buf, (uint32_t)buf_limit,
                             s->ptr, s->len);
}

int32_t http_get_source_addr(void *env, hwasm_vmctx *vm, int32_t buf, int32_t buf_limit) {
    need_request(HI, vm, "get_source_addr");
    const hw_http_str *s = &HI->x->req.source_addr;
    return http_write_string(HI, vm, "get_source_addr", (uint32_t)buf, (uint32_t)buf_limit, s->ptr,
                             s->len);
}

int32_t http_get_status_code(void *env, hwasm_vmctx *vm) {
    need_request(HI, vm, "get_status_code");
    if (!buffering_response(HI))
        http_trap(HI, vm, "get_status_code",
                  "can't read status code unless buffer_response is enabled");
    return HI->x->resp.status;
}

void http_set_status_code(void *env, hwasm_vmctx *vm, int32_t status_code) {
    need_request(HI, vm, "set_status_code");
    if (HI->phase == PHASE_RESPONSE && !buffering_response(HI))
        http_trap(HI, vm, "set_status_code",
                  "can't set status code after next handler unless buffer_response is enabled");
    if (status_code >= 100 && status_code < HTTP_STATUS_MIN)
        http_trap(HI, vm, "set_status_code", "interim status %d cannot be the final status",
                  status_code);
    if (status_code < HTTP_STATUS_MIN || status_code > HTTP_STATUS_MAX)
        http_trap(HI, vm, "set_status_code", "invalid status code %d", status_code);
    HI->x->resp.status = status_code;
}
