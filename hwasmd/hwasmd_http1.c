/*
 * hwasmd_http1.c — what parsing HTTP/1 with llhttp needs on both sides: a header line
 * arrives in pieces (name and value possibly split across reads), gathered here and added
 * whole. Client requests (hwasmd_conn.c) and app replies (hwasmd_upstream.c) share it; each
 * keeps its own llhttp settings, bound to callbacks on its own struct.
 */
#include <stdlib.h>
#include <string.h>

#include "hwasmd_http1.h"

int hwd_append(char **s, size_t *n, const char *p, size_t len) {
    char *ns = realloc(*s, *n + len + 1);
    if (!ns) return -1;
    memcpy(ns + *n, p, len);
    *n += len;
    ns[*n] = 0;
    *s = ns;
    return 0;
}

int hwd_header_commit(struct hwd_header_acc *a, hw_http_headers *h) {
    if (!a->field) return 0;
    int rc = hw_http_headers_add(h, a->field, a->field_len, a->value ? a->value : "", a->value_len);
    free(a->field);
    free(a->value);
    a->field = a->value = NULL;
    a->field_len = a->value_len = 0;
    a->in_value = 0;
    return rc ? -1 : 0;
}
