/*
 * hwasmd_trailers.h — the trailer fields hwasmd forwards (hwasmd_trailers.c): which names
 * may be a trailer at all, and the last chunk of a chunked body that carries them. Which
 * exchanges carry trailers is decided by their callers (docs/hwasmd.md, "Trailers").
 */
#ifndef HWASMD_TRAILERS_H
#define HWASMD_TRAILERS_H

#include <stddef.h>

#include <hwasm/hwasm_http.h>

#include "hwasmd_buf.h"

/* A field is forwardable as a trailer unless it frames the message, routes it, modifies
 * the request, authenticates, controls the response or says how to process its body (RFC
 * 9110 §6.5.1), or is a cookie or an X-Forwarded-* field that hwasmd itself sets: a
 * recipient that merges trailers into headers would otherwise let a client or an app
 * smuggle them past every guest. */

/* Whether t has at least one forwardable field. */
int hwd_trailers_any(const hw_http_headers *t);
/* Appends the last chunk of a chunked body: "0\r\n", t's forwardable fields, "\r\n". */
void hwd_trailers_last_chunk(struct hwd_buf *b, const hw_http_headers *t);

#endif /* HWASMD_TRAILERS_H */
