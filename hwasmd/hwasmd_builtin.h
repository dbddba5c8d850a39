/*
 * hwasmd_builtin.h — the built-in upstreams builtin:echo and builtin:tck (hwasmd_builtin.c).
 */
#ifndef HWASMD_BUILTIN_H
#define HWASMD_BUILTIN_H

#include <hwasm/hwasm_http.h>

#include "hwasmd_budget.h"

/* The built-in upstreams: fill x->resp from x->req; 0, 502 when out of memory, or 503
 * when the answer would pass limits.buffered_bytes (budget: the request's share, held
 * until the answer is written). */
int hwd_builtin_echo(hw_http_exchange *x, struct hwd_budget *budget);
int hwd_builtin_tck(hw_http_exchange *x, struct hwd_budget *budget);

#endif /* HWASMD_BUILTIN_H */
